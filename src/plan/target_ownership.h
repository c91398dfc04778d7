// Target ownership at plan time: the written rules (docs/safety.md) a plan's targets
// must keep before anything is written. Compared by location identity
// (common/location_identity.h, lexically: planning reads no file system):
//   - every target is an absolute location (a relative one would depend on the
//     directory a later command runs in) and not a system location;
//   - no target equals, contains or lies inside any catalog dataset's location (its
//     own source included);
//   - no two targets nest (one commit would replace the other's output).
// The run checks again, with symlinks resolved, right before each output is committed
// (agent/output_ownership.h).
// Thread-safety: pure function.
#pragma once

#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "plan/plan.h"

namespace gaggle {

// InvalidArgument listing (up to a few) offending targets with the dataset they clash with.
Status CheckTargetOwnership(const std::vector<PlanRow>& rows, const Catalog& catalog);

}  // namespace gaggle
