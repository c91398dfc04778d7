// Operator decisions on a migration's gates: approving a failed gate and rolling back.
//  - Approve records an operator's approval (who, when, why: audited) of the gate the
//    run is paused at — a stage's validation gate or the final verification — and
//    un-pauses the run. A gate that has not failed cannot be approved: the run must be
//    paused by exactly that gate (fleet/gate_pause.h), so an approval can never let a
//    later failure pass unseen, and a run an operator paused stays paused.
//  - Rollback quarantines new outputs and points cut-over datasets back at their old
//    data (fleet/rollback.h). It is refused while a live runner is running the
//    migration (pause or cancel it first); after it, the run is cancelled, and
//    `gaggle run` migrates the rolled-back datasets again.
// Thread-safety: see service_context.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fleet/rollback.h"
#include "service/service_context.h"

namespace gaggle::service {

struct ApproveRequest {
  std::string migration;
  int stage = -1;           // the stage whose gate to approve; -1 with final_gate
  bool final_gate = false;  // the final verification
  std::string reason;       // required
};

struct ApproveResult {
  std::string migration;
  int stage = 0;     // kFinalGateStage for the final gate
  std::string what;  // "stage 2", "the final verification"
  bool resumed = false;
  bool runner_alive = false;
  nlohmann::json ToJson() const;
};

Result<ApproveResult> Approve(const ServiceContext& ctx, const ApproveRequest& request);

struct RollbackOperation {
  std::string migration;
  std::vector<std::string> datasets;  // empty: all (of `stage` when set)
  int stage = -1;
  std::string reason;
};

struct RollbackResult {
  std::string migration;
  RollbackReport report;
  nlohmann::json ToJson() const;
};

Result<RollbackResult> Rollback(const ServiceContext& ctx, const RollbackOperation& request);

}  // namespace gaggle::service
