#include "fleet/fleet_worker.h"

#include <sys/stat.h>

#include <thread>
#include <vector>

#include "common/iso8601.h"
#include "fleet/core_budget.h"
#include "fleet/run_log.h"
#include "fleet/work_payload.h"

namespace gaggle {

namespace {

std::string Describe(const ClaimedWork& item) {
  return std::string(WorkKindName(item.request.kind)) + " " + item.request.migration + "/" + item.request.dataset_id +
         " (item " + std::to_string(item.id) + ", epoch " + std::to_string(item.epoch) + ")";
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

FleetWorker::FleetWorker(WorkQueue* queue, FleetWorkerOptions options)
    : queue_(queue), options_(std::move(options)), results_(queue_, options_.name, options_.clock, &in_flight_) {}

FleetWorker::~FleetWorker() = default;

void FleetWorker::Line(const std::string& line) {
  if (options_.on_line) options_.on_line(line);
}

int FleetWorker::Busy() {
  MutexLock lock(&mu_);
  return static_cast<int>(held_.size());
}

Result<FleetWorkerSummary> FleetWorker::Run(const std::atomic<bool>* stop) {
  WorkerInfo me{options_.name, options_.host, options_.labels, options_.slots, "", options_.clock->NowMillis(), 0, 0};
  me.started_at = Iso8601Millis(options_.clock->NowMicros());
  GAGGLE_RETURN_IF_ERROR(queue_->RegisterWorker(me));
  pool_.EnsureThreads(static_cast<size_t>(std::max(options_.slots, 1)));
  std::thread heartbeat([this] { Heartbeat(); });
  auto done = [&] {
    MutexLock lock(&mu_);
    const bool enough = options_.max_items > 0 && summary_.recorded + summary_.fenced >= options_.max_items;
    return (stop != nullptr && stop->load()) || enough;
  };
  // Whether to claim now: at start, after a wake-up, and while a backlog fills every
  // free slot. A claim after being picked for an enqueue's items is the only one it
  // makes (the others picked take the rest), so no-op work costs no empty claims.
  bool may_have_work = true;
  WakeReason woken = WakeReason::kBacklog;
  while (!done()) {
    const int free = options_.slots - Busy();
    if (free <= 0) {
      MutexLock lock(&mu_);
      cv_.WaitFor(&mu_, std::chrono::milliseconds(100));
      continue;
    }
    if (!may_have_work) {
      woken = queue_->WaitForWork(options_.name, options_.idle_poll);
      may_have_work = true;
      continue;
    }
    auto claimed = queue_->Claim(options_.name, free, options_.clock->NowMillis(), options_.lease.count());
    if (claimed.ok()) {
      MutexLock lock(&mu_);
      summary_.claims++;
      summary_.empty_claims += claimed->empty() ? 1 : 0;
    }
    if (!claimed.ok()) {
      Line("cannot claim work: " + claimed.status().ToString() + " (trying again)");
      std::this_thread::sleep_for(options_.idle_poll);
      continue;
    }
    for (ClaimedWork& item : *claimed) {
      {
        MutexLock lock(&mu_);
        held_[item.id] = Held{item.epoch, std::make_shared<CancellationToken>(), false};
        in_flight_++;
        summary_.claimed++;
        if (summary_.claim_latency_ms.size() < 1000000) {
          summary_.claim_latency_ms.push_back(options_.clock->NowMillis() - item.enqueued_ms);
        }
      }
      Line("claimed " + Describe(item) + (item.expirations ? " after an expired lease" : ""));
      pool_.Submit([this, item] { Work(item); });
    }
    may_have_work = woken == WakeReason::kBacklog && static_cast<int>(claimed->size()) == free;
  }
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    for (auto& [id, h] : held_) h.token->Cancel();
    while (!held_.empty()) cv_.WaitFor(&mu_, std::chrono::milliseconds(100));
  }
  cv_.SignalAll();
  heartbeat.join();
  MutexLock lock(&mu_);
  return summary_;
}

Result<TaskExecutor*> FleetWorker::ExecutorFor(const std::string& spec_hash) {
  {
    MutexLock lock(&mu_);
    auto it = executors_.find(spec_hash);
    if (it != executors_.end()) return it->second.get();
  }
  GAGGLE_ASSIGN_OR_RETURN(auto spec, queue_->FindSpec(spec_hash));
  if (!spec) return Status::NotFound("spec " + spec_hash.substr(0, 12) + " was never published to the store");
  GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<TaskExecutor> made, options_.make_executor(spec->first, spec->second));
  MutexLock lock(&mu_);
  auto& slot = executors_[spec_hash];
  if (!slot) slot = std::move(made);  // another thread may have made it meanwhile
  return slot.get();
}

Status FleetWorker::Fence(int64_t id, int64_t epoch) {
  // A store that does not answer (a dropped connection, a restarting server) is asked
  // again a few times within the lease; the output is published only on a confirmed lease.
  Result<std::vector<int64_t>> lost = std::vector<int64_t>{};
  for (int i = 0; i < 5; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 * i));
    lost = queue_->Extend({{id, epoch}}, options_.clock->NowMillis(), options_.lease.count());
    if (lost.ok()) break;
  }
  if (lost.ok() && lost->empty()) return Status::OK();
  const std::string why = lost.ok() ? "another worker may hold it now" : lost.status().ToString();
  // Retryable: if this worker's result is recorded at all (the store was only unreachable),
  // the attempt is tried again rather than failed.
  return Status(StatusCode::kConflict,
                "worker '" + options_.name + "' could not confirm its lease on work item " + std::to_string(id) + " (" +
                    why + "): the output was not published",
                /*retryable=*/true);
}

Result<std::string> FleetWorker::Perform(const ClaimedWork& item, const TaskRecord& task, CancellationToken* token,
                                         bool* ok) {
  GAGGLE_ASSIGN_OR_RETURN(TaskExecutor * executor, ExecutorFor(item.request.spec_hash));
  if (item.request.kind == WorkKind::kValidate) {
    auto v = executor->Validate(task, token);
    *ok = v.ok();
    return EncodeValidation(v);
  }
  TaskContext context;
  context.threads = CoreShare(HostCores(), options_.slots);  // the worker's slots share its host
  context.before_publish = [this, id = item.id, epoch = item.epoch] { return Fence(id, epoch); };
  const std::string log = RunLog::AgentLogPathFor(options_.artifacts, task.migration, task.dataset_id);
  const bool mirrored = !options_.artifacts.empty() && options_.sync_agent_log != nullptr;
  if (mirrored) options_.sync_agent_log(log, /*starting=*/true);  // creates its folder too
  if (!options_.artifacts.empty() && IsDirectory(log.substr(0, log.rfind('/')))) context.agent_log_path = log;
  auto outcome = executor->Execute(task, token, context);
  if (mirrored) options_.sync_agent_log(log, /*starting=*/false);
  *ok = outcome.ok();
  if (!outcome.ok()) return EncodeOutcome(outcome);
  Line((outcome->skipped ? "already current: " : "published: ") + Describe(item) + ", " +
       std::to_string(outcome->rows_out) + " rows");
  if (item.request.kind != WorkKind::kAgentThenValidate) return EncodeOutcome(outcome);
  const auto begin = std::chrono::steady_clock::now();
  auto validation = executor->Validate(task, token);
  if (validation.ok())
    validation->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return EncodeAttemptReport(outcome, &validation);
}

void FleetWorker::Work(const ClaimedWork& item) {
  std::shared_ptr<CancellationToken> token;
  {
    MutexLock lock(&mu_);
    token = held_[item.id].token;
  }
  bool ok = false;
  std::string report;
  auto task = DecodeWorkTask(item.request.payload);
  auto performed = task.ok() ? Perform(item, *task, token.get(), &ok) : Result<std::string>(task.status());
  if (!performed.ok()) {  // no executor, or a damaged item: the coordinator hears the error
    report = item.request.kind == WorkKind::kValidate ? EncodeValidation(performed.status())
                                                      : EncodeOutcome(performed.status());
  } else {
    report = std::move(performed).value();
  }
  bool give_back = false;
  {
    MutexLock lock(&mu_);
    give_back = stopping_ && !held_[item.id].lost;
  }
  if (give_back) {
    in_flight_--;  // it will not report
    auto released = queue_->Release(item.id, item.epoch);
    Line("gave back " + Describe(item) + (released.ok() && *released ? "" : " (its lease was lost already)"));
    MutexLock lock(&mu_);
    summary_.released++;
  } else {
    Report(item, ok, report);
    in_flight_--;
  }
  MutexLock lock(&mu_);
  held_.erase(item.id);
  cv_.SignalAll();
}

void FleetWorker::Report(const ClaimedWork& item, bool ok, const std::string& result) {
  // Store errors (a restarting server) are retried while the lease can still be valid.
  const int tries = std::max<int>(1, static_cast<int>(options_.lease.count() / 500));
  for (int i = 0; i < tries; ++i) {
    auto recorded = results_.Report({item.id, item.epoch, ok, result});
    if (recorded.ok()) {
      MutexLock lock(&mu_);
      (*recorded ? summary_.recorded : summary_.fenced)++;
      if (!*recorded) Line("fenced: " + Describe(item) + " lost its lease; the result was not recorded");
      return;
    }
    if (i == 0) Line("cannot report " + Describe(item) + ": " + recorded.status().ToString() + " (retrying)");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  MutexLock lock(&mu_);
  summary_.failed_reports++;
  Line("gave up reporting " + Describe(item) + "; its lease will expire and it runs again");
}

void FleetWorker::Heartbeat() {
  const auto every = std::max(options_.lease / 3, std::chrono::milliseconds(10));
  auto next_beat = std::chrono::steady_clock::now();
  for (;;) {
    std::vector<std::pair<int64_t, int64_t>> held;
    {
      MutexLock lock(&mu_);
      if (stopping_ && held_.empty()) return;
      cv_.WaitUntil(&mu_, next_beat);
      if (std::chrono::steady_clock::now() < next_beat) continue;
      for (const auto& [id, h] : held_) {
        if (!h.lost) held.emplace_back(id, h.epoch);
      }
    }
    next_beat = std::chrono::steady_clock::now() + every;
    auto lost = queue_->Extend(held, options_.clock->NowMillis(), options_.lease.count());
    (void)queue_->WorkerSeen(options_.name, options_.clock->NowMillis());
    if (!lost.ok()) {
      Line("cannot extend leases: " + lost.status().ToString());
      continue;
    }
    MutexLock lock(&mu_);
    for (int64_t id : *lost) {
      auto it = held_.find(id);
      if (it == held_.end()) continue;
      it->second.lost = true;
      it->second.token->Cancel();
      Line("lease lost on work item " + std::to_string(id) + ": stopping it (it was reclaimed or cancelled)");
    }
  }
}

}  // namespace gaggle
