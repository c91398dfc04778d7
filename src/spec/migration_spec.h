// MigrationSpec: one migration, as declared in its YAML file (MIGRATION.yaml).
//
// The parser checks the file's shape before anything runs: unknown keys are an
// error with a suggestion for a likely typo, values are type-checked, and every
// problem found is reported at once with its line and column. Semantic checks
// against a dataset's real schema (unknown columns, impossible casts) belong to
// the transform planner (transform/transform_plan.h), not here.
// See docs/migration-spec.md for the full reference.
#pragma once

#include <chrono>
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
  // kBuiltin: threads for one dataset (decoding, transforming, encoding); 0 when absent (the
  // agent's default, 2). The fleet may give an agent fewer (fleet/core_budget.h). Any value
  // writes the same bytes.
  int threads = 0;
};

struct AddColumnSpec {
  std::string name;
  DataType type;
  std::optional<std::string> default_value;  // YAML scalar text; nullopt = null
};

// Column-level changes. Expressions (derive, filter) see the source columns after
// rename and cast; the output is the source minus `drop`, plus `add`, plus `derive`.
struct TransformSpec {
  // What a rename, cast or drop entry does on a dataset without its column
  // (`missing_columns`): kFail refuses the dataset (the default: nothing changes
  // silently); kSkip leaves the entry out for that dataset, so one spec renames a
  // column wherever it appears across datasets of different schemas
  // (transform/column_policy.h says per dataset what applies and what is skipped).
  enum class MissingColumns { kFail, kSkip };
  MissingColumns missing_columns = MissingColumns::kFail;
  std::vector<std::pair<std::string, std::string>> rename;  // old -> new, in file order
  std::vector<std::pair<std::string, DataType>> cast;       // (new) name -> type
  std::vector<std::string> drop;
  std::vector<AddColumnSpec> add;
  std::vector<std::pair<std::string, std::string>> derive;  // name -> expression text
  std::optional<std::string> filter;                        // keep rows where true
  std::optional<Schema> source_schema;                      // declared expectation of the source
  std::vector<std::string> required;                        // output columns that must not be null
  // Restructuring, applied to the output last (transform/restructure.h): struct columns spread
  // into one top-level column per field, and "struct.field" <- column moves, in file order.
  std::vector<std::string> flatten;
  std::vector<std::pair<std::string, std::string>> nest;

  // Where each entry came from, for error messages of later checks: key path
  // ("transform.derive.amount_cents", "transform.filter") -> "events.yaml:12:19".
  // Not part of the spec's meaning (excluded from the hash).
  std::map<std::string, std::string> locations;

  // "FILE:LINE:COL: path: " when the location of `path` is known, else "path: ".
  std::string Where(const std::string& path) const;
};

struct TargetSpec {
  Format format = Format::kParquet;
  Compression compression = Compression::kZstd;
  int64_t row_group_rows = 1000000;
  std::string uri_template;  // "file:///data/v2/{id}/" (planner)
};

struct DeadLetterSpec {
  double max_fraction = 0.001;  // of rows in; above it the run fails
  int64_t min_count = 0;        // up to this many dead-lettered rows never fail a dataset
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

// How long / how often, for the fleet (later issue).
struct RetrySpec {
  enum class Jitter { kNone, kFull, kEqual, kFraction };
  int max = 3;  // retries after the first attempt
  std::chrono::milliseconds initial{1000};
  double factor = 2.0;
  std::chrono::milliseconds max_delay{60000};
  Jitter jitter = Jitter::kFull;
  double jitter_fraction = 0;  // kFraction: delay * (1 +- fraction)
};

struct FleetSpec {
  int concurrency = 4;
  // Many hosts: only workers whose labels include all of these run the migration's agents
  // (`gaggle worker --labels k=v,...`). Empty: any worker.
  std::map<std::string, std::string> worker_labels;
  std::chrono::milliseconds timeout{30 * 60 * 1000};  // per task
  RetrySpec retries;
};

// Validation gate thresholds (later issue). Tolerances are fractions (1% = 0.01).
struct GatesSpec {
  double row_count_tolerance = 0.01;
  bool checksum = true;
  double ks_max = 0.05;               // distribution.ks_max
  double category_tv_max = 0.05;      // distribution.category_tv_max
  double null_rate_delta_max = 0.01;  // distribution.null_rate_delta_max
  double max_dlq_fraction = 0.001;
  double max_failed_datasets = 0.01;  // per stage
  std::vector<double> milestones;     // percentages inside a stage, like rollout.stages
};

struct NotifySpec {
  std::string webhook;  // http:// or https:// URL
};

// Downstream query verification (later issue).
struct VerifySpec {
  bool enabled = true;
  int64_t sample = 20;  // queries drawn
  uint64_t seed = 0;
  double float_tolerance = 1e-9;
  // The name consumers use for a migrated dataset's new location, for rewriting their
  // queries: {id}, {name} (the dataset's catalog id and name) and {version} (the target
  // schema version) are replaced. "v{version}.{name}" -> v2.orders. Default: unchanged.
  std::string table = "{id}";
  // What a consumer's rewritten query outputs for a renamed column it outputs bare:
  // kKeep writes `new AS old` (its readers keep working); kPropagate outputs the new name
  // and rewrites the consumers that read it too, transitively through the lineage graph
  // (verify/consumer_rules.h, verify/query_verifier.h).
  enum class OutputNames { kKeep, kPropagate };
  OutputNames output_names = OutputNames::kKeep;
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
  FleetSpec fleet;
  GatesSpec gates;
  std::vector<NotifySpec> notify;
  VerifySpec verify;
  std::chrono::seconds retention{30 * 24 * 3600};  // old data kept this long after cut-over

  std::string origin;    // file path or "<inline>"
  std::string base_dir;  // directory relative paths resolve against
  // sha256 (hex) of a canonical rendering of the parsed spec: equal specs, equal hash,
  // whatever their formatting or comments.
  std::string hash;
};

// Parses and checks a spec. InvalidArgument listing every problem (one per line,
// "origin:line:col: key.path: problem") when the text is malformed or invalid.
Result<MigrationSpec> ParseMigrationSpec(const std::string& yaml_text, const std::string& origin);
// Reads `path` through FileSystem::Default() and parses it (origin = path,
// base_dir = the file's directory).
Result<MigrationSpec> LoadMigrationSpec(const std::string& path);

// The canonical rendering the hash is computed from: compact JSON with a fixed
// key order. Comments, whitespace and the order of keys in the YAML do not
// change it; the order of `add` and `derive` entries does (it is the output
// column order). Rename and cast entries are sorted (they apply simultaneously).
std::string CanonicalSpecText(const MigrationSpec& spec);
// sha256 (lower-case hex) of CanonicalSpecText: what MigrationSpec::hash holds.
std::string SpecHash(const MigrationSpec& spec);

}  // namespace gaggle
