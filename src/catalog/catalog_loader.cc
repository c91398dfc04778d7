#include "catalog/catalog_loader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>

#include "catalog/catalog_yaml_internal.h"

namespace gaggle {
namespace {

// Directory walks stop here: a catalog tree this deep is a symlink loop or a mistake.
constexpr int kMaxDirectoryDepth = 32;

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
      if (doc.IsMap() && api_version.rfind("backstage.io/", 0) == 0) {
        catalog_yaml::ImportBackstageDocument(doc, ctx);
        continue;
      }
      std::string why = "document " + std::to_string(i + 1) +
                        " is neither a Backstage entity (apiVersion: backstage.io/...) nor a gaggle catalog "
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

Result<LoadedCatalog> LoadCatalogFromPath(const std::string& path, FileSystem* fs) {
  GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(path));
  std::vector<std::string> files;
  bool strict = !info.is_directory;
  if (info.is_directory) {
    std::string dir = path.size() > 1 && path.back() == '/' ? path.substr(0, path.size() - 1) : path;
    GAGGLE_RETURN_IF_ERROR(CollectFiles(fs, dir, 0, &files));
    if (files.empty()) {
      return Status::NotFound("no catalog files (*.yaml, *.yml, *.json) under '" + path + "'");
    }
  } else {
    files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  CatalogDraft draft;
  for (const std::string& file : files) {
    auto text = ReadFileToString(fs, file);
    if (!text.ok()) {
      draft.AddProblem(file, 0, 0, text.status().message());
      continue;
    }
    ParseCatalogText(*text, file, strict, fs, &draft);
  }
  if (draft.num_entities() == 0 && draft.problems().empty()) {
    return Status::InvalidArgument("no catalog entities found in '" + path + "'");
  }
  GAGGLE_ASSIGN_OR_RETURN(Catalog catalog, draft.Finish());
  LoadedCatalog loaded{std::move(catalog), std::move(files), draft.warnings()};
  return loaded;
}

}  // namespace gaggle
