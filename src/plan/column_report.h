// Column report: per planned dataset, which of the spec's renames apply and which rename,
// cast and drop entries name a column it lacks (skipped under transform.missing_columns: skip,
// failing the dataset under fail), from the catalog's declared schema, by the transformer's
// own rule (transform/column_policy.h). Datasets without a declared schema are left unknown.
// Adds one warning per policy outcome: the datasets a `fail` spec will fail, and how many
// datasets each skipped entry skips.
// Thread-safety: mutates only *plan.
#pragma once

#include "catalog/catalog.h"
#include "plan/plan.h"
#include "spec/migration_spec.h"

namespace gaggle {

void ReportPlanColumns(const Catalog& catalog, const TransformSpec& transform, Plan* plan);

}  // namespace gaggle
