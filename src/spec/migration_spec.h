// MigrationSpec: one migration, as declared in its YAML file (MIGRATION.yaml).
//
// The parser checks the file's shape before anything runs: unknown keys are an
// error with a suggestion for a likely typo, values are type-checked, and every
// problem found is reported at once with its line and column. Semantic checks
// against a dataset's real schema (unknown columns, impossible casts) belong to
// the transform planner (transform/transform_plan.h), not here.
// See docs/migration-spec.md for the full reference.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"
#include "formats/format.h"

namespace gaggle {

struct AgentSpec {
  enum class Kind { kBuiltin, kExec };
  Kind kind = Kind::kBuiltin;
  std::string builtin = "transform";  // kBuiltin: the built-in agent's name
  std::string exec;                   // kExec: path to the executable (relative to the spec file)
  std::vector<std::string> args;      // kExec: extra arguments
  std::string version;                // declared agent version ("1.2.0")
};

struct AddColumnSpec {
  std::string name;
  DataType type;
  std::optional<std::string> default_value;  // YAML scalar text; nullopt = null
};

// Column-level changes. Expressions (derive, filter) see the source columns after
// rename and cast; the output is the source minus `drop`, plus `add`, plus `derive`.
struct TransformSpec {
  std::vector<std::pair<std::string, std::string>> rename;  // old -> new, in file order
  std::vector<std::pair<std::string, DataType>> cast;       // (new) name -> type
  std::vector<std::string> drop;
  std::vector<AddColumnSpec> add;
  std::vector<std::pair<std::string, std::string>> derive;  // name -> expression text
  std::optional<std::string> filter;                        // keep rows where true
  std::optional<Schema> source_schema;                      // declared expectation of the source
};

struct TargetSpec {
  Format format = Format::kParquet;
  Compression compression = Compression::kZstd;
  int64_t row_group_rows = 1000000;
  std::string uri_template;  // "file:///data/v2/{id}/" (planner)
};

struct DeadLetterSpec {
  double max_fraction = 0.001;  // of rows in; above it the run fails
};

struct SelectSpec {
  std::vector<std::string> ids;
  std::optional<std::string> id_pattern;  // glob: "events.*"
  std::optional<std::string> owner;
  std::optional<std::string> format;
  std::vector<std::string> tiers;
  std::map<std::string, std::string> labels;
  std::optional<int> schema_version;
};

struct RolloutSpec {
  std::vector<double> stages = {5, 25, 50, 100};  // cumulative percentages of datasets
  std::vector<std::string> canary_tiers = {"low"};
  uint64_t seed = 0;
  bool auto_rollback = false;
};

struct MigrationSpec {
  std::string name;
  int version = 0;  // target schema version
  AgentSpec agent;
  TransformSpec transform;
  TargetSpec target;
  DeadLetterSpec dead_letter;
  SelectSpec select;
  RolloutSpec rollout;

  std::string origin;  // file path or "<inline>"
  std::string base_dir;  // directory relative paths resolve against
  // sha256 (hex) of a canonical rendering of the parsed spec: equal specs, equal hash,
  // whatever their formatting or comments.
  std::string hash;
};

Result<MigrationSpec> ParseMigrationSpec(const std::string& yaml_text, const std::string& origin);
Result<MigrationSpec> LoadMigrationSpec(const std::string& path);

}  // namespace gaggle
