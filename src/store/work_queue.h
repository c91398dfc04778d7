// WorkQueue: how a coordinator hands task attempts and validations to `gaggle worker`
// processes on other hosts, through the state store they share (the PostgreSQL
// implementation is store/postgres_work_queue.h).
//
// The coordinator keeps the migration's task state machine (fleet/run_session.h); the
// queue holds only the work that is out, one item per (migration, dataset, kind):
//  - Enqueue puts an item in `queued`, or adopts the item already there for the same
//    task and target (a coordinator that took over continues its predecessor's work
//    instead of starting it again). An attempt item (either kind) replaces the dataset's
//    validation item and its attempt item of the other kind.
//  - Claim moves up to N items from `queued` (or `claimed` with an expired lease) to
//    `claimed` by a worker, with a lease deadline, and bumps each item's epoch. Concurrent
//    claimers never get the same item (FOR UPDATE SKIP LOCKED). A worker claims only items
//    whose labels its registered labels include (RegisterWorker).
//  - Every later write of the worker names the (id, epoch) it claimed: Extend renews the
//    lease, Finish records the result. Either fails (returns false, writes nothing) when
//    the item was reclaimed, reaped, cancelled or taken: the epoch fences a worker that
//    lost its lease, so its result is never recorded.
//  - ReapExpired puts claimed items whose lease passed back to `queued` (a new epoch)
//    without touching the task's attempt count.
//  - TakeFinished hands finished items to the coordinator and deletes them, once.
//  - Cancel deletes an item: its worker's next Extend fails, and it stops.
// Lease times are milliseconds on the callers' clocks (hosts keep NTP time; the lease is
// tens of seconds). Fencing does not depend on clocks: only the epoch decides.
// Thread-safety: every method may be called from any thread; WaitForWork blocks only
// its caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle {

// kAgentThenValidate: an attempt whose worker, when it succeeds, validates the output
// at once and reports both (one item instead of two, when the fleet validates).
enum class WorkKind { kAgent, kValidate, kAgentThenValidate };
const char* WorkKindName(WorkKind kind);
Result<WorkKind> ParseWorkKind(const std::string& name);

// Worker labels as "k=v,k=v": parsed (each pair once, keys and values non-empty, without
// ',', '=' or spaces) and written back sorted, so equal sets are equal strings.
Result<std::map<std::string, std::string>> ParseWorkerLabels(const std::string& text);
std::string FormatWorkerLabels(const std::map<std::string, std::string>& labels);

// What the coordinator asks for: one attempt (or validation) of one task.
struct WorkRequest {
  std::string migration;
  std::string dataset_id;
  WorkKind kind = WorkKind::kAgent;
  std::string spec_hash;  // a spec published with PublishSpec
  // What makes two requests the same work (source, format, target): an item is adopted
  // only when its spec hash and identity match.
  std::string identity;
  std::string payload;  // the task record (fleet/work_payload.h)
  // Only a worker whose labels include all of these may claim it ("k=v,k=v"; "" = any).
  std::string labels;
};

// A worker's result for the item (id, epoch) it claimed.
struct WorkResult {
  int64_t id = 0;
  int64_t epoch = 0;
  bool ok = false;
  std::string result;  // the worker's report (fleet/work_payload.h)
};

// An item as a worker holds it after Claim.
struct ClaimedWork {
  int64_t id = 0;
  int64_t epoch = 0;
  WorkRequest request;
  int64_t lease_expires_ms = 0;
  int64_t expirations = 0;  // times an earlier holder's lease ran out
  int64_t enqueued_ms = 0;  // when the coordinator queued it (claim latency = now - this)
};

// A finished item as the coordinator takes it.
struct FinishedWork {
  int64_t id = 0;
  bool ok = false;
  std::string result;  // the worker's report (fleet/work_payload.h)
  std::string worker;
};

struct WorkerInfo {
  std::string name;
  std::string host;
  std::string labels;  // "k=v,k=v"
  int64_t slots = 0;
  std::string started_at;
  int64_t seen_ms = 0;
  int64_t finished = 0;  // results recorded
  int64_t fenced = 0;    // results refused because the lease was lost
};

// Why WaitForWork returned.
enum class WakeReason {
  // An enqueue picked this worker for some of the queued items; other waiting workers
  // were picked for the rest, so one claim is this worker's share.
  kPicked,
  // More is queued than the waiting workers' free slots (or a lease came back, or the
  // timeout passed): claim as slots free up until a claim leaves slots free.
  kBacklog,
};

struct WorkQueueCounts {
  int64_t queued = 0, claimed = 0, finished = 0;
};

class WorkQueue {
 public:
  virtual ~WorkQueue() = default;
  virtual const std::string& location() const = 0;

  // --- specs: workers read the migration's spec from the store, not from a file
  virtual Status PublishSpec(const std::string& spec_hash, const std::string& migration, const std::string& spec_text,
                             const std::string& origin, const std::string& now) = 0;
  // The spec text and where it came from; nullopt when never published.
  virtual Result<std::optional<std::pair<std::string, std::string>>> FindSpec(const std::string& spec_hash) = 0;

  // --- the coordinator
  // Returns the item's id (a new one, or the adopted one).
  virtual Result<int64_t> Enqueue(const WorkRequest& request, int64_t now_ms) = 0;
  // Enqueue of several requests (of distinct tasks) in one transaction and one NOTIFY;
  // the ids in the requests' order.
  virtual Result<std::vector<int64_t>> EnqueueAll(const std::vector<WorkRequest>& requests, int64_t now_ms) = 0;
  // The finished items among `ids`, deleted as they are returned.
  virtual Result<std::vector<FinishedWork>> TakeFinished(const std::vector<int64_t>& ids) = 0;
  virtual Status Cancel(int64_t id) = 0;
  // Returns the datasets whose lease expired, as "dataset (worker)".
  virtual Result<std::vector<std::string>> ReapExpired(int64_t now_ms) = 0;
  virtual Result<WorkQueueCounts> Count(const std::string& migration) = 0;

  // --- workers
  virtual Result<std::vector<ClaimedWork>> Claim(const std::string& worker, int max_items, int64_t now_ms,
                                                 int64_t lease_ms) = 0;
  // Extends each held (id, epoch) to now + lease_ms; returns the ids whose lease is lost.
  virtual Result<std::vector<int64_t>> Extend(const std::vector<std::pair<int64_t, int64_t>>& held, int64_t now_ms,
                                              int64_t lease_ms) = 0;
  // Records the result of (id, epoch); false (nothing written) when the lease was lost.
  Result<bool> Finish(const std::string& worker, int64_t id, int64_t epoch, bool ok, const std::string& result,
                      int64_t now_ms);
  // Finish of several items (distinct ids) in one transaction: per result, in order,
  // whether it was recorded. A worker reports the results that finished together at once.
  virtual Result<std::vector<bool>> FinishAll(const std::string& worker, const std::vector<WorkResult>& results,
                                              int64_t now_ms) = 0;
  // Gives (id, epoch) back to the queue at once (a worker shutting down): queued again,
  // with a new epoch; false when the lease was lost already.
  virtual Result<bool> Release(int64_t id, int64_t epoch) = 0;
  virtual Status RegisterWorker(const WorkerInfo& worker) = 0;
  virtual Status WorkerSeen(const std::string& name, int64_t now_ms) = 0;
  virtual Result<std::vector<WorkerInfo>> ListWorkers() = 0;
  // Blocks until work may have been enqueued (a notification) or `timeout` passes.
  // `worker` names the registered worker that waits: an enqueue wakes only as many
  // waiting workers as the queued items need (the others sleep on); "" is woken by
  // every enqueue, as a backlog.
  virtual WakeReason WaitForWork(const std::string& worker, std::chrono::milliseconds timeout) = 0;
};

}  // namespace gaggle
