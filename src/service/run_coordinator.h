// RunCoordinator: how `gaggle serve` drives migrations itself. Each started migration
// runs StartRun (run_operations.h) — the same composition root as `gaggle run` — on a
// thread of its own, under the same run lease:
//  - a migration another process drives (a live lease holder) is refused with Conflict
//    at once; one this coordinator already drives is refused too (the lease alone
//    would let one process drive a migration twice);
//  - the run waits while paused (operators resume or approve over the API) and ends
//    when every task settles or the migration is cancelled;
//  - Shutdown interrupts every run (running tasks go back to pending, as on SIGINT)
//    and joins the threads; the destructor shuts down.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "service/approval_operations.h"
#include "service/run_operations.h"
#include "service/service_context.h"

namespace gaggle::service {

struct ServedRun {
  std::string migration;
  std::string started_by;
  std::string started_at;
  bool finished = false;
  std::string outcome;  // the run's ending, or its error, once finished
  nlohmann::json ToJson() const;
};

class RunCoordinator {
 public:
  // `base` supplies the store, file system, clock, artefact location and control
  // store; each run's actor is the one who started it. A gate pause of a run gets an
  // approval link under `approvals` (approval_operations.h), carried by its webhooks.
  // `local_workers` is each run's StartRunRequest::local_workers (-1: agents in this process).
  RunCoordinator(ServiceContext base, ApprovalPolicy approvals, int local_workers = -1);
  ~RunCoordinator();
  RunCoordinator(const RunCoordinator&) = delete;
  RunCoordinator& operator=(const RunCoordinator&) = delete;

  // Starts (or resumes driving) `migration` as `actor`: takes a created migration out of
  // its hold (migration_operations.h) and runs StartRun on a new thread.
  Result<ServedRun> Start(const std::string& migration, const std::string& actor);
  // The runs this coordinator started, newest first.
  std::vector<ServedRun> List();
  // True while this coordinator drives `migration`.
  bool Drives(const std::string& migration);
  // The approval policy (the server sets its base URL once it knows its address).
  void SetApprovalPolicy(const ApprovalPolicy& approvals);
  // Waits until `migration`'s run ends, at most `timeout_ms`; true when it ended.
  bool Wait(const std::string& migration, int64_t timeout_ms);
  void Shutdown();

  // Takes over runs nobody drives: every `period_ms`, each migration whose run is running
  // but whose lease is free or expired (its coordinator died or stopped) is started here,
  // as `actor`. A standby coordinator on another host continues within the lease time; a
  // restarted one resumes what it drove. Stopped by Shutdown.
  void StartTakingOver(int64_t period_ms, const std::string& actor);

 private:
  struct Entry {
    ServedRun info;
    ServiceContext ctx;
    std::atomic<bool> interrupted{false};
    std::thread thread;
  };
  void JoinFinishedLocked();
  void TakeOverOnce(const std::string& actor);

  ServiceContext base_;
  ApprovalPolicy approvals_;
  const int local_workers_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;  // GUARDED_BY(mu_)
  bool shut_down_ = false;                       // GUARDED_BY(mu_)
  std::condition_variable take_over_cv_;
  std::thread take_over_;
};

}  // namespace gaggle::service
