// Plan: the reviewed, ordered and staged list of datasets one migration will
// migrate — what `gaggle plan` prints and saves, and what `gaggle run` executes.
//
// Rows are in execution order: by stage, then wave, then priority. The content
// hash covers everything that changes what `run` would do (migration, spec hash,
// every row and stage) and nothing else (not the creation time), so the same spec
// on the same catalog always yields the same hash.
// Thread-safety: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "catalog/entity.h"
#include "common/status.h"

namespace gaggle {

struct PlanRow {
  std::string dataset_id;
  int wave = 0;      // 0 = no selected upstream
  int stage = 0;     // index into Plan::stages; 0 is the canary stage
  int priority = 0;  // 1-based position inside its (stage, wave)
  Tier tier = Tier::kStandard;
  uint64_t blast_radius = 0;       // transitive downstream entities (datasets and consumers)
  bool blast_radius_exact = true;  // false: a sketch estimate (see docs/catalog.md)
  int64_t size_bytes = 0;
  std::string source_uri;
  std::string source_format;
  int source_schema_version = 0;
  std::string target_uri;
  // What the spec's rename, cast and drop entries do to this dataset, read from its catalog
  // schema (plan/column_report.h). A preview for review: not stored, not in the hash or ==;
  // the agent decides on the data's own schema.
  bool columns_known = false;  // the catalog declares a schema and the spec has such entries
  std::vector<std::pair<std::string, std::string>> renames;  // that apply, old -> new
  std::vector<std::string> missing;  // entries whose column it lacks ("transform.rename.user_id")
  bool missing_skipped = false;      // transform.missing_columns: skip (else they fail the dataset)

  bool operator==(const PlanRow& o) const;
};

struct PlanStage {
  int index = 0;
  double percent = 0;  // cumulative share of datasets by the end of this stage, as declared
  bool canary = false;
  int64_t datasets = 0;
  int64_t bytes = 0;
  std::array<int64_t, 3> by_tier{};  // indexed by Tier
  int first_wave = 0;                // -1 when the stage is empty
  int last_wave = 0;

  bool operator==(const PlanStage& o) const;
};

struct Plan {
  std::string migration;
  std::string spec_hash;
  int target_version = 0;
  std::string target_format;
  std::string agent;  // "builtin:transform" or "exec:path"
  std::string agent_version;
  uint64_t seed = 0;
  int num_waves = 0;
  std::vector<PlanStage> stages;
  std::vector<PlanRow> rows;
  std::vector<std::string> warnings;
  std::string hash;        // ComputePlanHash(*this), set by the planner
  std::string created_at;  // set when saved; not part of the hash
};

// sha256 (hex) of the plan's content; see the file comment.
std::string ComputePlanHash(const Plan& plan);

// Everything but the rows: what the store keeps as the plan's header.
nlohmann::json PlanHeaderToJson(const Plan& plan);
Result<Plan> PlanHeaderFromJson(const nlohmann::json& j);
nlohmann::json PlanRowToJson(const PlanRow& row);
// Header plus the first `max_rows` rows (all by default).
nlohmann::json PlanToJson(const Plan& plan, size_t max_rows = SIZE_MAX);

}  // namespace gaggle
