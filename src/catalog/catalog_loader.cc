#include "catalog/catalog_loader.h"

#include <fnmatch.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "catalog/catalog_yaml_internal.h"

namespace gaggle {
namespace {

// Directory walks stop here: a catalog tree this deep is a symlink loop or a mistake.
constexpr int kMaxDirectoryDepth = 32;
// Files Location targets make one import read at most, besides the tree imported: a bound
// on what a catalog can make gaggle read (a glob such as /**/*.yaml with
// --allow-outside-tree), far above any real estate's number of Location targets.
constexpr size_t kMaxFiles = 200000;

// "backstage.io/v1alpha1", "scaffolder.backstage.io/v1beta3": Backstage's own API groups.
bool IsBackstageApiVersion(const std::string& v) {
  size_t slash = v.find('/');
  if (slash == std::string::npos) return false;
  std::string group = v.substr(0, slash);
  const std::string base = "backstage.io";
  return group == base || (group.size() > base.size() &&
                           group.compare(group.size() - base.size() - 1, std::string::npos, "." + base) == 0);
}

bool HasCatalogExtension(const std::string& name) {
  auto ends = [&](const char* ext) {
    std::string e(ext);
    return name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  return ends(".yaml") || ends(".yml") || ends(".json");
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status CollectFiles(FileSystem* fs, const std::string& dir, int depth, std::vector<std::string>* out) {
  if (depth > kMaxDirectoryDepth)
    return Status::InvalidArgument("catalog directory '" + dir + "' is nested too deeply");
  GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDirectory(dir));
  for (const std::string& name : names) {
    if (name.empty() || name[0] == '.' || name == "node_modules") continue;
    std::string path = dir == "/" ? "/" + name : dir + "/" + name;
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(path));
    if (info.is_directory) {
      GAGGLE_RETURN_IF_ERROR(CollectFiles(fs, path, depth + 1, out));
    } else if (HasCatalogExtension(name)) {
      out->push_back(path);
    }
  }
  return Status::OK();
}

// yaml-cpp 0.7 (Debian 12) loops forever in LoadAll on some malformed streams (a
// top-level flow node or quoted scalar followed by ',', e.g. "{}," — upstream issue
// 1040, fixed after 0.8): the parser keeps reporting empty documents without
// consuming input, and LoadAll keeps allocating them. This pre-pass runs the same
// parser with a handler that builds nothing and stops as soon as a document starts
// where the previous one did (no progress), or after more documents than the text
// could hold.
class ProgressGuard : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    stalled_ = started_ && mark.pos == last_pos_;
    started_ = true;
    last_pos_ = mark.pos;
    ++documents_;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  bool stalled() const { return stalled_; }
  size_t documents() const { return documents_; }
  int last_pos() const { return last_pos_; }

 private:
  bool started_ = false;
  bool stalled_ = false;
  int last_pos_ = -1;
  size_t documents_ = 0;
};

// False (with the offset where it stalls) when yaml-cpp would not terminate on `text`.
bool YamlTerminates(const std::string& text, int* stall_offset) {
  std::istringstream in(text);
  ProgressGuard guard;
  try {
    YAML::Parser parser(in);
    // Every document takes at least a few characters ("---\n"); more than that is a loop.
    const size_t max_documents = text.size() / 3 + 2;
    while (parser.HandleNextDocument(guard)) {
      if (guard.stalled() || guard.documents() > max_documents) {
        *stall_offset = guard.last_pos();
        return false;
      }
    }
  } catch (const std::exception&) {
    // A parse error: LoadAll below reports it with its line and column.
  }
  return true;
}

}  // namespace

void ParseCatalogText(const std::string& text, const std::string& path, bool strict, FileSystem* fs,
                      CatalogDraft* draft) {
  catalog_yaml::DocContext ctx;
  ctx.file = path;
  ctx.dir = DirName(path);
  ctx.fs = fs;
  ctx.draft = draft;
  ctx.strict = strict;
  std::vector<YAML::Node> docs;
  int stall = 0;
  if (!YamlTerminates(text, &stall)) {
    draft->AddProblem(path, 0, 0,
                      "malformed YAML: the parser cannot get past byte offset " + std::to_string(stall) +
                          " (a stray ',' after a top-level value?)");
    return;
  }
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    int column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    draft->AddProblem(path, line, column, "malformed YAML: " + e.msg);
    return;
  } catch (const std::exception& e) {
    draft->AddProblem(path, 0, 0, std::string("malformed YAML: ") + e.what());
    return;
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    const YAML::Node& doc = docs[i];
    if (!doc.IsDefined() || doc.IsNull()) continue;  // empty document between '---' markers
    try {
      if (doc.IsMap() && doc["gaggle_catalog"].IsDefined()) {
        catalog_yaml::ImportNativeDocument(doc, ctx);
        continue;
      }
      std::string api_version;
      YAML::Node av = doc.IsMap() ? doc["apiVersion"] : YAML::Node();
      if (av.IsDefined() && av.IsScalar()) api_version = av.Scalar();
      if (doc.IsMap() && IsBackstageApiVersion(api_version)) {
        catalog_yaml::ImportBackstageDocument(doc, ctx);
        continue;
      }
      std::string why = "document " + std::to_string(i + 1) +
                        " is neither a Backstage entity (apiVersion: backstage.io/... or "
                        "*.backstage.io/...) nor a gaggle catalog "
                        "(gaggle_catalog: 1)";
      if (strict) {
        draft->AddProblem(path, catalog_yaml::Line(doc), catalog_yaml::Column(doc), why);
      } else {
        draft->AddWarning(path + ": skipped " + why);
      }
    } catch (const YAML::Exception& e) {
      // yaml-cpp throws on some shape errors (bad conversions); the document is at fault.
      draft->AddProblem(path, e.mark.line >= 0 ? e.mark.line + 1 : catalog_yaml::Line(doc), e.mark.column + 1,
                        "malformed entity: " + e.msg);
    } catch (const std::exception& e) {
      draft->AddProblem(path, catalog_yaml::Line(doc), 0, std::string("malformed entity: ") + e.what());
    }
  }
}

std::string NormalizePath(const std::string& path) {
  namespace stdfs = std::filesystem;
  std::error_code ec;
  stdfs::path p(path.empty() ? std::string(".") : path);
  if (p.is_relative()) {
    stdfs::path cwd = stdfs::current_path(ec);
    if (!ec) p = cwd / p;
  }
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

namespace {

bool IsInside(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root ||
         (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

// The files `segments` (from index i, below directory `base`) name, where a segment may
// hold a glob (*, ?, [...]; "**" for any number of directories, hidden ones excepted).
// Bounded by kMaxDirectoryDepth and kMaxFiles.
void ExpandGlob(FileSystem* fs, const std::string& base, const std::vector<std::string>& segments, size_t i, int depth,
                std::vector<std::string>* out) {
  if (out->size() > kMaxFiles || depth > kMaxDirectoryDepth) return;
  auto child = [&](const std::string& name) { return base == "/" ? "/" + name : base + "/" + name; };
  if (i == segments.size()) {
    auto info = fs->Stat(base);
    if (info.ok() && !info->is_directory) out->push_back(base);
    return;
  }
  const std::string& seg = segments[i];
  if (seg.find_first_of("*?[") == std::string::npos) return ExpandGlob(fs, child(seg), segments, i + 1, depth, out);
  auto names = fs->ListDirectory(base);
  if (!names.ok()) return;
  if (seg == "**") ExpandGlob(fs, base, segments, i + 1, depth, out);  // no directory at all
  for (const std::string& name : *names) {
    if (name.empty() || name[0] == '.') continue;
    if (seg == "**") {
      auto info = fs->Stat(child(name));
      if (info.ok() && info->is_directory) ExpandGlob(fs, child(name), segments, i, depth + 1, out);
    } else if (fnmatch(seg.c_str(), name.c_str(), FNM_PERIOD) == 0) {
      ExpandGlob(fs, child(name), segments, i + 1, depth + 1, out);
    }
  }
}

// The files one Location target names (problems and notes go to the draft).
std::vector<std::string> ResolveTarget(const LocationTarget& t, const std::string& root, const LoadOptions& options,
                                       FileSystem* fs, CatalogDraft* draft) {
  std::string text = t.target;
  auto problem = [&](const std::string& why) {
    draft->AddProblem(t.file, t.line, t.column, t.location + ": target '" + t.target + "' " + why);
  };
  if (text.rfind("file://", 0) == 0) text = text.substr(7);
  if (text.find("://") != std::string::npos) {
    draft->AddNote(t.file + ":" + std::to_string(t.line) + ": " + t.location + ": target '" + t.target +
                   "' not followed (gaggle reads catalog files, not URLs: import a checkout of that tree)");
    return {};
  }
  if (text.empty()) {
    problem("is empty");
    return {};
  }
  std::string path = NormalizePath(text.front() == '/' ? text : DirName(t.file) + "/" + text);
  if (!options.allow_outside_tree && !IsInside(path, root)) {
    problem("resolves to " + path + ", outside the imported tree " + root +
            " (gaggle catalog import --allow-outside-tree follows it)");
    return {};
  }
  if (path.find_first_of("*?[") == std::string::npos) {
    auto info = fs->Stat(path);
    if (!info.ok()) {
      problem("(resolved to " + path + "): " + info.status().message());
      return {};
    }
    if (info->is_directory) {
      problem("(resolved to " + path + ") is a directory; a Location target names a file");
      return {};
    }
    return {path};
  }
  std::vector<std::string> segments;
  for (size_t start = 1; start <= path.size();) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  std::vector<std::string> out;
  ExpandGlob(fs, "/", segments, 0, 0, &out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.empty()) {
    draft->AddNote(t.file + ":" + std::to_string(t.line) + ": " + t.location + ": target '" + t.target +
                   "' matches no file");
  }
  return out;
}

// Reads one file into the draft (a read error is a problem naming the file).
void ReadCatalogFile(FileSystem* fs, const std::string& file, bool strict, CatalogDraft* draft) {
  auto text = ReadFileToString(fs, file);
  if (!text.ok()) {
    draft->AddProblem(file, 0, 0, text.status().message());
    return;
  }
  ParseCatalogText(*text, file, strict, fs, draft);
}

// Follows the Location targets recorded so far, and those of the files they name, reading
// each file once (`read` holds the files already read: cycles end there).
Status FollowLocations(FileSystem* fs, const std::string& root, const LoadOptions& options, CatalogDraft* draft,
                       std::set<std::string>* read, std::vector<std::string>* files) {
  size_t followed = 0;
  for (std::vector<LocationTarget> targets = draft->TakeLocationTargets(); !targets.empty();
       targets = draft->TakeLocationTargets()) {
    for (const LocationTarget& t : targets) {
      for (const std::string& path : ResolveTarget(t, root, options, fs, draft)) {
        if (!read->insert(path).second) continue;
        if (++followed > kMaxFiles) {
          return Status::InvalidArgument("catalog import reads more than " + std::to_string(kMaxFiles) +
                                         " files (Location targets from " + t.file + ")");
        }
        files->push_back(path);
        ReadCatalogFile(fs, path, /*strict=*/true, draft);
      }
    }
  }
  return Status::OK();
}

}  // namespace

Result<LoadedCatalog> LoadCatalogFromPath(const std::string& given, FileSystem* fs, const LoadOptions& options) {
  const std::string path = NormalizePath(given);
  GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(path));
  std::vector<std::string> files;
  bool strict = !info.is_directory;
  if (info.is_directory) {
    GAGGLE_RETURN_IF_ERROR(CollectFiles(fs, path, 0, &files));
    if (files.empty()) {
      return Status::NotFound("no catalog files (*.yaml, *.yml, *.json) under '" + given + "'");
    }
  } else {
    files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  const std::string root = info.is_directory ? path : DirName(path);
  std::set<std::string> read(files.begin(), files.end());
  CatalogDraft draft;
  for (const std::string& file : files) ReadCatalogFile(fs, file, strict, &draft);
  GAGGLE_RETURN_IF_ERROR(FollowLocations(fs, root, options, &draft, &read, &files));
  if (draft.num_entities() == 0 && draft.problems().empty()) {
    return Status::InvalidArgument("no catalog entities found in '" + given + "'");
  }
  GAGGLE_ASSIGN_OR_RETURN(Catalog catalog, draft.Finish());
  LoadedCatalog loaded{std::move(catalog), std::move(files), draft.warnings(), draft.Notes()};
  return loaded;
}

}  // namespace gaggle
