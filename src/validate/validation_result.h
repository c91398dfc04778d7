// ValidationResult: what `gaggle validate` and the fleet's gates learn when they
// compare an old dataset with its migrated new one — the measured facts (counts,
// checksums, schemas, per-column statistics of both sides) and the verdict of every
// check against the spec's gate thresholds.
//
// ToJson() is the stable machine form (what the state store keeps and `--json`
// prints; `"format_version": 1`); ToText() is the readable report. Drift material
// (samples, frequency tables) stays in memory and is never serialized.
// Thread-safety: a value.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "columnar/schema.h"
#include "dataset/manifest.h"
#include "validate/column_profile.h"

namespace gaggle {

struct ValidationCheck {
  // "row_count", "checksum", "schema", "dead_letter_fraction", "manifest",
  // and per column "null_rate_delta", "ks", "category_tv".
  std::string name;
  std::string column;  // per-column checks only
  bool passed = true;
  bool skipped = false;  // disabled by the spec or not applicable (counts as passed)
  std::optional<double> observed;
  std::optional<double> threshold;  // pass when observed <= threshold
  std::string message;

  // "ks(value)" or "row_count".
  std::string Label() const { return column.empty() ? name : name + "(" + column + ")"; }
};

// One side of the comparison.
struct SideReport {
  std::string path;
  int64_t files = 0;
  uint64_t bytes = 0;
  // Old side: rows read from the files; the statistics and checksum cover the rows the
  // transformation outputs (rows_compared). New side: both are the rows read.
  int64_t rows = 0;
  int64_t rows_compared = 0;
  std::string checksum;  // ContentChecksum hex of the compared rows
  // Old side: the transformation's output schema (the target); new side: the schema read.
  Schema schema;
  // New side: problems that make its files disagree with each other (empty when they agree).
  std::vector<std::string> schema_notes;
  std::vector<ColumnSummary> columns;
  double seconds = 0;
};

struct ValidationResult {
  std::string migration;  // spec name
  std::string spec_hash;
  SideReport old_side;  // the old data mapped through the transformation
  SideReport new_side;
  // Accounting of rows that are not compared.
  int64_t rejected = 0;       // old rows the transformation rejects (would be dead-lettered)
  int64_t filtered = 0;       // old rows the transformation's filter drops
  int64_t dead_lettered = 0;  // records in the new dataset's dead-letter file
  bool has_dead_letter_file = false;
  std::optional<Manifest> manifest;  // the new dataset's manifest, when it has one
  std::string manifest_error;        // set when a manifest exists but cannot be read
  std::vector<ValidationCheck> checks;
  double seconds = 0;

  bool passed() const;
  std::vector<const ValidationCheck*> Failures() const;
  // "checksum, ks(value)": the labels of the failed checks.
  std::string FailureSummary() const;

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

nlohmann::json ColumnSummaryToJson(const ColumnSummary& s);

}  // namespace gaggle
