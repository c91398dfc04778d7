// DbtProject: what gaggle reads of a dbt project to migrate it — its models' SQL files and
// the sources they read — without running dbt.
//
// Read: `dbt_project.yml` (name; model-paths, default [models]); every `*.sql` under the
// model paths (recursively, sorted by path; a model's name is its file name without .sql);
// every `*.yml` / `*.yaml` under the model paths for `sources:` entries: a source's name,
// its `schema` (default: the name) and per table its `name` and `identifier` (default: the
// name). A source table is mapped to a catalog dataset by `meta: {gaggle_dataset: ID}`
// on the table when given (DbtSourceTable::dataset), else by the caller (see
// DbtSourceDataset). Hidden directories are skipped. Paths are relative to the project's
// root, '/'-separated.
// Errors: NotFound (no dbt_project.yml), InvalidArgument naming the file, line and column
// (malformed YAML, a source or table without a name, two models of one name).
// Thread-safety: plain values; LoadDbtProject reads files only.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle {

struct DbtSourceTable {
  std::string source;      // the source's name: {{ source('<source>', '<table>') }}
  std::string table;       // the table's name
  std::string schema;      // where it lives (default: the source's name)
  std::string identifier;  // its relation name (default: the table's name)
  std::string dataset;     // meta.gaggle_dataset, "" when not given
  std::string file;        // the YAML file declaring it
};

struct DbtModel {
  std::string name;  // file name without .sql
  std::string path;  // relative to the project's root
  std::string sql;   // the file's text, as written
};

struct DbtProject {
  std::string root;
  std::string name;
  std::vector<std::string> model_paths;
  std::vector<DbtModel> models;  // sorted by path
  std::vector<DbtSourceTable> sources;

  const DbtModel* FindModel(const std::string& name) const;
  const DbtSourceTable* FindSource(const std::string& source, const std::string& table) const;
};

Result<DbtProject> LoadDbtProject(const std::string& root);

// The `sources:` of one YAML document (`file` names it in messages); none when it has none.
Result<std::vector<DbtSourceTable>> ParseDbtSources(const std::string& yaml_text, const std::string& file);

// The catalog dataset a source table reads, among `dataset_ids`: meta.gaggle_dataset when
// set, else the first of "<source>.<table>", "<schema>.<identifier>", "<identifier>" that
// is a dataset id (compared case-insensitively); "" when none is.
std::string DbtSourceDataset(const DbtSourceTable& table, const std::vector<std::string>& dataset_ids);

}  // namespace gaggle
