#include "verify/dbt_project.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace gaggle {
namespace {

namespace fs = std::filesystem;

Result<std::string> ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + p.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Where(const std::string& file, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return file + (m.line >= 0 ? ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) : "");
}

Result<YAML::Node> ParseYaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": not valid YAML: " + e.msg);
  }
}

// A scalar field of a mapping; `fallback` when absent.
Result<std::string> Text(const YAML::Node& map, const char* key, const std::string& fallback, const std::string& file) {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return fallback;
  if (!n.IsScalar()) return Status::InvalidArgument(Where(file, n) + ": '" + key + "' must be text");
  return n.Scalar();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Files under `dir` ending in one of `exts`, relative to `root`, hidden directories skipped.
std::vector<std::string> FilesUnder(const fs::path& root, const std::string& dir,
                                    const std::vector<std::string>& exts) {
  std::vector<std::string> out;
  std::error_code ec;
  const fs::path base = root / dir;
  if (!fs::is_directory(base, ec)) return out;
  fs::recursive_directory_iterator it(base, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec) && !name.empty() && name[0] == '.') {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    for (const std::string& e : exts) {
      if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
        out.push_back(fs::relative(it->path(), root, ec).generic_string());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status ReadSources(const YAML::Node& doc, const std::string& file, std::vector<DbtSourceTable>* out) {
  if (!doc.IsMap()) return Status::OK();
  if (!doc["sources"].IsDefined()) return Status::OK();
  const YAML::Node sources = doc["sources"];
  if (!sources.IsSequence()) return Status::InvalidArgument(Where(file, sources) + ": 'sources' must be a list");
  for (const YAML::Node& s : sources) {
    if (!s.IsMap()) return Status::InvalidArgument(Where(file, s) + ": each source must be a mapping");
    GAGGLE_ASSIGN_OR_RETURN(std::string name, Text(s, "name", "", file));
    if (name.empty()) return Status::InvalidArgument(Where(file, s) + ": a source without a name");
    GAGGLE_ASSIGN_OR_RETURN(std::string schema, Text(s, "schema", name, file));
    const YAML::Node tables = s["tables"];
    if (!tables.IsDefined() || tables.IsNull()) continue;
    if (!tables.IsSequence()) return Status::InvalidArgument(Where(file, tables) + ": 'tables' must be a list");
    for (const YAML::Node& t : tables) {
      if (!t.IsMap()) return Status::InvalidArgument(Where(file, t) + ": each table must be a mapping");
      DbtSourceTable table;
      table.source = name;
      table.schema = schema;
      table.file = file;
      GAGGLE_ASSIGN_OR_RETURN(table.table, Text(t, "name", "", file));
      if (table.table.empty()) return Status::InvalidArgument(Where(file, t) + ": a table without a name");
      GAGGLE_ASSIGN_OR_RETURN(table.identifier, Text(t, "identifier", table.table, file));
      const YAML::Node meta = t["meta"];
      if (meta.IsDefined() && meta.IsMap()) {
        GAGGLE_ASSIGN_OR_RETURN(table.dataset, Text(meta, "gaggle_dataset", "", file));
      }
      out->push_back(std::move(table));
    }
  }
  return Status::OK();
}

}  // namespace

const DbtModel* DbtProject::FindModel(const std::string& name) const {
  for (const DbtModel& m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const DbtSourceTable* DbtProject::FindSource(const std::string& source, const std::string& table) const {
  for (const DbtSourceTable& t : sources) {
    if (t.source == source && t.table == table) return &t;
  }
  return nullptr;
}

namespace {

Result<DbtProject> LoadProject(const std::string& root) {
  DbtProject p;
  p.root = root;
  const std::string project_file = (fs::path(root) / "dbt_project.yml").string();
  auto text = ReadText(project_file);
  if (!text.ok()) return Status::NotFound(root + " is not a dbt project: no dbt_project.yml");
  GAGGLE_ASSIGN_OR_RETURN(YAML::Node doc, ParseYaml(*text, project_file));
  if (!doc.IsMap()) return Status::InvalidArgument(project_file + ": must be a mapping");
  GAGGLE_ASSIGN_OR_RETURN(p.name, Text(doc, "name", "", project_file));
  YAML::Node paths = doc["model-paths"];
  if (!paths.IsDefined()) paths = doc["source-paths"];
  if (paths.IsDefined() && paths.IsSequence()) {
    for (const YAML::Node& n : paths) {
      if (!n.IsScalar()) return Status::InvalidArgument(Where(project_file, n) + ": model paths must be text");
      p.model_paths.push_back(n.Scalar());
    }
  } else if (paths.IsDefined() && !paths.IsNull()) {
    return Status::InvalidArgument(Where(project_file, paths) + ": 'model-paths' must be a list");
  }
  if (p.model_paths.empty()) p.model_paths = {"models"};
  std::map<std::string, std::string> seen;  // model name -> path
  for (const std::string& dir : p.model_paths) {
    for (const std::string& rel : FilesUnder(root, dir, {".sql"})) {
      DbtModel m;
      m.path = rel;
      m.name = fs::path(rel).stem().string();
      if (auto it = seen.find(m.name); it != seen.end()) {
        return Status::InvalidArgument("two models are named '" + m.name + "': " + it->second + " and " + rel);
      }
      seen[m.name] = rel;
      GAGGLE_ASSIGN_OR_RETURN(m.sql, ReadText(fs::path(root) / rel));
      p.models.push_back(std::move(m));
    }
    for (const std::string& rel : FilesUnder(root, dir, {".yml", ".yaml"})) {
      GAGGLE_ASSIGN_OR_RETURN(std::string yml, ReadText(fs::path(root) / rel));
      GAGGLE_ASSIGN_OR_RETURN(std::vector<DbtSourceTable> tables, ParseDbtSources(yml, rel));
      p.sources.insert(p.sources.end(), tables.begin(), tables.end());
    }
  }
  std::sort(p.models.begin(), p.models.end(), [](const DbtModel& a, const DbtModel& b) { return a.path < b.path; });
  return p;
}

}  // namespace

Result<DbtProject> LoadDbtProject(const std::string& root) {
  try {
    return LoadProject(root);
  } catch (const YAML::Exception& e) {  // a shape the checks above did not foresee
    return Status::InvalidArgument("dbt project " + root + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<std::vector<DbtSourceTable>> ParseDbtSources(const std::string& yaml_text, const std::string& file) {
  std::vector<DbtSourceTable> out;
  try {
    GAGGLE_ASSIGN_OR_RETURN(YAML::Node doc, ParseYaml(yaml_text, file));
    GAGGLE_RETURN_IF_ERROR(ReadSources(doc, file, &out));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return out;
}

std::string DbtSourceDataset(const DbtSourceTable& table, const std::vector<std::string>& dataset_ids) {
  if (!table.dataset.empty()) return table.dataset;
  for (const std::string& want :
       {table.source + "." + table.table, table.schema + "." + table.identifier, table.identifier}) {
    for (const std::string& id : dataset_ids) {
      if (Lower(id) == Lower(want)) return id;
    }
  }
  return "";
}

}  // namespace gaggle
