#include "catalog/catalog_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

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
  if (depth > kMaxDirectoryDepth) return Status::InvalidArgument("catalog directory '" + dir + "' is nested too deeply");
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
