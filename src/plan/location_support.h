// Plan-time check that a run can reach every location of a plan. Sources and targets are
// local paths (file:///abs or /abs) or object storage (s3://, gs://: docs/object-storage.md).
// On object storage, the agents read sources and commit outputs without rename
// (agent/object_output_committer.h), validation and downstream verification read both
// sides, and cut-over points the catalog at the output; what does not work there yet is
// refused here, before anything is saved or written, naming the datasets, the locations and
// the step: an external agent (agent.exec) is handed local file paths, so its sources are local.
// (gc collects object-store old data and rollback quarantines object-store outputs, by
// the same ownership rules.)
// Any other scheme (hdfs://, http://...) is refused as unusable.
// Thread-safety: pure function.
#pragma once

#include <vector>

#include "common/status.h"
#include "plan/plan.h"
#include "spec/migration_spec.h"

namespace gaggle {

// Unsupported listing (up to a few) rows whose source or target a run cannot use, with the
// total count and the reason; OK when every location is usable for this spec.
Status CheckLocationsAreSupported(const std::vector<PlanRow>& rows, const MigrationSpec& spec);

}  // namespace gaggle
