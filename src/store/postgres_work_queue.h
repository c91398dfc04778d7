// PostgresWorkQueue: the WorkQueue (store/work_queue.h) in the tables of a PostgreSQL
// state store (schema version 2, store/postgres_schema.cc). Claims use
// FOR UPDATE SKIP LOCKED, so claimers never wait on each other; statements run in
// READ COMMITTED transactions of one row-set each. Enqueue wakes, at commit, the fewest
// listening workers whose free slots cover the queued items (each listens on a channel
// of its own), and every waiter (NOTIFY gaggle_work, a backlog) when they do not, when
// nobody fits, or when its items carry labels. WaitForWork LISTENs on a second
// connection and falls back to the timeout (polling) when notifications are lost.
// A lost connection fails the call with a retryable IOError and the next call
// reconnects. Messages name the store by its URL without the password.
// Thread-safety: every method may be called from any thread (one mutex per connection).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <string>

#include "common/mutex.h"
#include "store/work_queue.h"

namespace gaggle {

class PostgresWorkQueue final : public WorkQueue {
 public:
  // Opens the queue of the store at `url`; the store's schema must be at version 2 or
  // later (open it with OpenStateStore first, which migrates).
  static Result<std::unique_ptr<PostgresWorkQueue>> Open(const std::string& url);
  ~PostgresWorkQueue() override;

  const std::string& location() const override { return location_; }
  Status PublishSpec(const std::string& spec_hash, const std::string& migration, const std::string& spec_text,
                     const std::string& origin, const std::string& now) override;
  Result<std::optional<std::pair<std::string, std::string>>> FindSpec(const std::string& spec_hash) override;
  Result<int64_t> Enqueue(const WorkRequest& request, int64_t now_ms) override;
  Result<std::vector<int64_t>> EnqueueAll(const std::vector<WorkRequest>& requests, int64_t now_ms) override;
  Result<std::vector<FinishedWork>> TakeFinished(const std::vector<int64_t>& ids) override;
  Status Cancel(int64_t id) override;
  Result<std::vector<std::string>> ReapExpired(int64_t now_ms) override;
  Result<WorkQueueCounts> Count(const std::string& migration) override;
  Result<std::vector<ClaimedWork>> Claim(const std::string& worker, int max_items, int64_t now_ms,
                                         int64_t lease_ms) override;
  Result<std::vector<int64_t>> Extend(const std::vector<std::pair<int64_t, int64_t>>& held, int64_t now_ms,
                                      int64_t lease_ms) override;
  Result<std::vector<bool>> FinishAll(const std::string& worker, const std::vector<WorkResult>& results,
                                      int64_t now_ms) override;
  Result<bool> Release(int64_t id, int64_t epoch) override;
  Status RegisterWorker(const WorkerInfo& worker) override;
  Status WorkerSeen(const std::string& name, int64_t now_ms) override;
  Result<std::vector<WorkerInfo>> ListWorkers() override;
  WakeReason WaitForWork(const std::string& worker, std::chrono::milliseconds timeout) override;

 private:
  class Receiver;
  explicit PostgresWorkQueue(std::string url);
  // Runs `body` in one READ COMMITTED transaction on the statement connection; a body
  // of one message runs without BEGIN and COMMIT (`one_statement`: one statement, or
  // several in one simple query, is its own implicit transaction), one round trip
  // instead of three.
  Status Run(const std::string& what, const std::function<void(pqxx::transaction_base&)>& body,
             bool one_statement = false) EXCLUDES(mu_);
  Status Connect() REQUIRES(mu_);
  Status Error(const std::exception& e, const std::string& what);
  bool Listen(const std::string& worker) REQUIRES(listen_mu_);
  // The notifications received so far, as one reason (a backlog wins), cleared.
  std::optional<WakeReason> TakeWakeUp();

  const std::string url_;       // holds the password, never shown
  const std::string location_;  // without it
  Mutex mu_;
  std::unique_ptr<pqxx::connection> conn_ GUARDED_BY(mu_);
  Mutex listen_mu_;
  std::unique_ptr<pqxx::connection> listen_conn_ GUARDED_BY(listen_mu_);
  std::unique_ptr<Receiver> receiver_ GUARDED_BY(listen_mu_);       // any enqueue
  std::unique_ptr<Receiver> wake_receiver_ GUARDED_BY(listen_mu_);  // this worker's own wake-ups
  std::string listening_as_ GUARDED_BY(listen_mu_);
  std::atomic<bool> picked_{false};   // a notification on this worker's channel
  std::atomic<bool> backlog_{false};  // one on the channel of every waiter
};

}  // namespace gaggle
