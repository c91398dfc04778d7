// Column policy: which of a spec's rename, cast and drop entries apply to one dataset.
//
// A fleet-wide spec ("rename user_id to account_id wherever it appears") meets datasets of
// different schemas. `transform.missing_columns` (spec/migration_spec.h) says what an entry
// whose column a dataset lacks does: `fail` (the default) keeps it, so Transformer::Make
// refuses the dataset naming the entry; `skip` leaves it out for that dataset.
//
// The entries it governs, and when their column counts as present:
//   - rename: its source name is a column of the dataset, or a dotted path through its
//     struct columns (nested_edit.h);
//   - cast and drop: the name (after the renames that apply) is a column, or a dotted path
//     of source names through struct columns.
// Everything else (add, derive, filter, required, flatten, nest, source_schema) applies to
// every dataset as written: skipping there would change what the output means.
//
// PlanDatasetColumns is what the transformer, the planner's per-dataset report and the
// consumer rewrite (through the data's own columns) all go by, so they agree.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "columnar/schema.h"
#include "spec/migration_spec.h"

namespace gaggle {

struct DatasetColumnPlan {
  // The entries that apply to this dataset (missing_columns = fail: nothing left to skip).
  TransformSpec spec;
  // The renames that apply, old -> new, in spec order.
  std::vector<std::pair<std::string, std::string>> renames;
  // Entries whose column the dataset lacks, as spec key paths ("transform.rename.user_id"),
  // in spec order: skipped under `skip`; under `fail` they are what Make will refuse.
  std::vector<std::string> missing;
  bool skipped = false;  // true when `missing` were left out (policy skip)
};

DatasetColumnPlan PlanDatasetColumns(const TransformSpec& spec, const Schema& source);

// "skip" or "fail".
const char* MissingColumnsName(TransformSpec::MissingColumns policy);

}  // namespace gaggle
