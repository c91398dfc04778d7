// Plan-time check that a run can reach every location of a plan. gaggle's agents, cut-over,
// gc and rollback work on local paths (file:///abs or /abs) today; object storage (s3://,
// gs://) exists as a storage layer (docs/object-storage.md) but no run step uses it yet. A
// plan naming such a location would fail at run time, dataset after dataset, so it is refused
// here before anything is saved or written, naming the datasets and locations.
// Thread-safety: pure function.
#pragma once

#include <vector>

#include "common/status.h"
#include "plan/plan.h"

namespace gaggle {

// Unsupported listing (up to a few) rows whose source or target a run cannot use, with the
// total count; OK when every location is local.
Status CheckLocationsAreSupported(const std::vector<PlanRow>& rows);

}  // namespace gaggle
