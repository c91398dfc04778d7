// Starting (or resuming) a migration's run: the one composition root of the fleet.
// StartRun plans the migration (plan_operations.h), reuses the saved plan with the same
// hash, creates or refreshes the run record and its tasks, applies the restart rule,
// wires the agent executor (with fault injection for drills), the run log in the
// artefact location, the webhook notifiers and the final gate (downstream verification,
// then cut-over), and runs the fleet until every task settles, or the run is paused
// (with exit_when_paused), cancelled or interrupted.
// Restart rule: a cancelled or completed run started again puts its cancelled and
// rolled-back tasks back to pending with a fresh retry budget; every other task keeps
// its state (finished datasets are not redone).
// Only one runner drives a migration at a time (the run lease): a second StartRun
// while a live runner holds it fails with Conflict, and nothing changes.
// Thread-safety: see service_context.h; the observer is called from the calling thread.
#pragma once

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "fleet/fleet_runner.h"
#include "service/service_context.h"

namespace gaggle::service {

// What a front end hears while a run goes on (all optional: the default ignores it).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // A human line: catalog imported, plan reused, paused and waiting, fault injection...
  virtual void Note(const std::string& line) { (void)line; }
  virtual void Progress(const FleetSnapshot& snapshot) { (void)snapshot; }
  // Every stage is done; the final gate (verification, then cut-over) starts.
  virtual void FinalGateStarting() {}
  // One line per downstream query checked by the final gate.
  virtual void Verified(const std::string& line) { (void)line; }
};

struct StartRunRequest {
  std::string spec_path;
  std::string catalog_path;                        // import this catalog first when set
  int concurrency = 0;                             // 0: the spec's fleet.concurrency
  bool exit_when_paused = false;                   // return when paused instead of waiting for resume
  std::string fault_injection;                     // drills: the GAGGLE_INJECT_FAULTS syntax (fleet/fault_injection.h)
  const std::atomic<bool>* interrupted = nullptr;  // set by a signal handler
  RunObserver* observer = nullptr;
  // When set, a gate pause's notification carries the approval link it returns for the
  // migration ("" for none): `gaggle serve` creates one (approval_operations.h).
  std::function<std::string(const std::string& migration)> approval_link;
  // Where agents run. -1: in this process, as one host does (the default). 0: on
  // `gaggle worker` processes through ctx.work_queue (fleet/queued_task_executor.h), none
  // here. N > 0: through the queue too, with N worker slots in this process.
  int local_workers = -1;
  // When another coordinator holds the run lease, wait and take over once it lapses
  // (a standby coordinator) instead of failing with Conflict.
  bool standby = false;
};

struct RunOutcome {
  std::string migration;
  std::string plan_hash;
  FleetRunSummary summary;
  std::string final_summary;  // the final gate's line, when it ran
  std::string logs_dir;
  nlohmann::json ToJson() const;
};

Result<RunOutcome> StartRun(const ServiceContext& ctx, const StartRunRequest& request);

}  // namespace gaggle::service
