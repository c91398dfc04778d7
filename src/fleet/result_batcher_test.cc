// ResultBatcher on a private PostgreSQL server: results that finish while a write is in
// flight are written together, each caller hears its own outcome, and a write that
// fails fails only the results in it.
#include "fleet/result_batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "store/postgres_test_server_test_util.h"
#include "store/postgres_work_queue.h"
#include "store/state_store.h"

namespace gaggle {
namespace {

using namespace store_test;  // NOLINT

class ResultBatcherTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    url_ = url();
    ASSERT_TRUE(OpenStateStore(url_).ok());  // creates the schema
    auto queue = PostgresWorkQueue::Open(url_);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();
    ASSERT_TRUE(queue_->RegisterWorker({"w1", "h", "", 8, "t", 0, 0, 0}).ok());
  }
  // `n` items claimed by w1, in id order.
  std::vector<ClaimedWork> Claimed(int n) {
    for (int i = 0; i < n; ++i) {
      WorkRequest r{"m1", "d" + std::to_string(i), WorkKind::kAgent, "spec1", "same", "{}", ""};
      EXPECT_TRUE(queue_->Enqueue(r, 1000).ok());
    }
    auto held = queue_->Claim("w1", n, 1000, 60000);
    EXPECT_TRUE(held.ok());
    return held.ok() ? *held : std::vector<ClaimedWork>{};
  }
  // Waits (bounded) until `n` results queue behind the write in flight.
  static bool WaitForWaiting(const ResultBatcher& batcher, int64_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (batcher.waiting() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return batcher.waiting() == n;
  }

  // Reports each held item's result ("r" + id) from a thread of its own while `lock` holds
  // the first item's row: the first write waits on the row, the others queue behind it.
  // False when that arrangement was not reached in time; the caller then ends the lock
  // (abort, or cancelling the waiting statement) and joins the threads.
  bool ReportBehindABlockedWrite(ResultBatcher* batcher, const std::vector<ClaimedWork>& held, pqxx::work* lock,
                                 std::vector<Result<bool>>* outcome, std::vector<std::thread>* threads) {
    lock->exec_params("SELECT id FROM work_items WHERE id = $1 FOR UPDATE", held[0].id);
    auto report = [batcher, outcome, &held](size_t k) {
      (*outcome)[k] = batcher->Report({held[k].id, held[k].epoch, true, "r" + std::to_string(held[k].id)});
    };
    threads->emplace_back(report, 0);
    if (!WaitForLockWait()) return false;
    for (size_t k = 1; k < held.size(); ++k) threads->emplace_back(report, k);
    return WaitForWaiting(*batcher, static_cast<int64_t>(held.size()) - 1);
  }

  // Waits (bounded) until a session of this database waits for a row lock.
  bool WaitForLockWait() {
    pqxx::connection c(url_);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = pqxx::nontransaction(c).exec(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      if (r[0][0].as<int>() == 1) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  std::string url_;
  std::unique_ptr<PostgresWorkQueue> queue_;
};

TEST_F(ResultBatcherTest, ResultsThatFinishDuringAWriteGoTogetherInTheNext) {
  auto held = Claimed(8);
  ASSERT_EQ(held.size(), 8u);
  ResultBatcher batcher(queue_.get(), "w1", Clock::System());
  pqxx::connection blocker(url_);
  pqxx::work lock(blocker);
  std::vector<Result<bool>> outcome(held.size(), false);
  std::vector<std::thread> threads;
  EXPECT_TRUE(ReportBehindABlockedWrite(&batcher, held, &lock, &outcome, &threads));
  lock.abort();
  for (std::thread& t : threads) t.join();

  for (size_t k = 0; k < 8; ++k) {
    ASSERT_TRUE(outcome[k].ok()) << k << ": " << outcome[k].status().ToString();
    EXPECT_TRUE(*outcome[k]) << k;
  }
  EXPECT_EQ(batcher.writes(), 2);
  EXPECT_EQ(batcher.results(), 8);
  std::vector<int64_t> ids;
  for (const ClaimedWork& c : held) ids.push_back(c.id);
  auto taken = queue_->TakeFinished(ids);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->size(), 8u);
  for (const FinishedWork& f : *taken) EXPECT_EQ(f.result, "r" + std::to_string(f.id));
}

TEST_F(ResultBatcherTest, AFailedWriteFailsOnlyItsOwnResultsAndTheNextWriteGoesThrough) {
  auto held = Claimed(3);
  ASSERT_EQ(held.size(), 3u);
  ResultBatcher batcher(queue_.get(), "w1", Clock::System());
  pqxx::connection blocker(url_);
  pqxx::work lock(blocker);
  std::vector<Result<bool>> outcome(held.size(), false);
  std::vector<std::thread> threads;
  const bool blocked = ReportBehindABlockedWrite(&batcher, held, &lock, &outcome, &threads);
  EXPECT_TRUE(blocked);
  // The waiting write's statement is cancelled, so it fails. (Not its connection
  // terminated: libpqxx 6.4 then leaks the result it was reading, which LeakSanitizer
  // reports; lost connections are covered by tests/integration/many_hosts_faults.sh.)
  pqxx::connection admin(url_);
  pqxx::nontransaction(admin).exec(
      "SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND wait_event_type = 'Lock'");
  if (!blocked) lock.abort();  // the test has failed; let the threads end
  for (std::thread& t : threads) t.join();
  EXPECT_FALSE(outcome[0].ok()) << "the cancelled write reports its error to its caller";
  for (size_t k = 1; k < 3; ++k) {
    ASSERT_TRUE(outcome[k].ok()) << outcome[k].status().ToString();
    EXPECT_TRUE(*outcome[k]);
  }
  EXPECT_EQ(batcher.writes(), 2);
  if (blocked) lock.abort();
}

// Items claimed together mostly finish together: while fewer results wait than items
// are in flight, the first writer lingers for the others, and a lone result (nothing
// else in flight) is written at once.
TEST_F(ResultBatcherTest, AWriterLingersForTheResultsStillInFlight) {
  std::vector<ClaimedWork> held = Claimed(4);
  ASSERT_EQ(held.size(), 4u);
  std::atomic<int> in_flight{3};
  ResultBatcher batcher(queue_.get(), "w1", Clock::System(), &in_flight, std::chrono::seconds(20));
  std::vector<Result<bool>> outcome(3, false);
  std::vector<std::thread> threads;
  for (size_t k = 0; k < 3; ++k) {
    threads.emplace_back([&, k] { outcome[k] = batcher.Report({held[k].id, held[k].epoch, true, "r"}); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (std::thread& t : threads) t.join();
  for (const auto& r : outcome) EXPECT_TRUE(r.ok() && *r);
  EXPECT_EQ(batcher.writes(), 1) << "three results 50 ms apart, one write";

  in_flight = 1;
  const auto start = std::chrono::steady_clock::now();
  auto lone = batcher.Report({held[3].id, held[3].epoch, true, "r"});
  EXPECT_TRUE(lone.ok() && *lone);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10)) << "nothing to linger for";
  EXPECT_EQ(batcher.writes(), 2);
}

}  // namespace
}  // namespace gaggle
