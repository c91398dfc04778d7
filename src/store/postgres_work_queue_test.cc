// The work queue of many-host runs on a private PostgreSQL server
// (store/postgres_test_server_test_util.h): claims that never hand one item to two
// workers, leases and the epoch that fences a worker who lost its lease, the reaper,
// adoption by a coordinator that took over, cancellation, and NOTIFY wake-ups.
#include "store/postgres_work_queue.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "store/postgres_test_server_test_util.h"
#include "store/state_store.h"

namespace gaggle {
namespace {

using namespace store_test;  // NOLINT

class WorkQueueTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    url_ = url();
    auto store = OpenStateStore(url_);  // creates and migrates the schema
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    queue_ = Open();
  }
  std::unique_ptr<PostgresWorkQueue> Open() {
    auto q = PostgresWorkQueue::Open(url_);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(q).value() : nullptr;
  }
  static WorkRequest Request(const std::string& dataset, WorkKind kind = WorkKind::kAgent,
                             const std::string& identity = "same") {
    return WorkRequest{"m1", dataset, kind, "spec1", identity, "{\"dataset\":\"" + dataset + "\"}", ""};
  }
  int64_t Enqueue(const WorkRequest& r) {
    auto id = queue_->Enqueue(r, 1000);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  std::string url_;
  std::unique_ptr<PostgresWorkQueue> queue_;
};

TEST_F(WorkQueueTest, AResultIsTakenExactlyOnce) {
  const int64_t id = Enqueue(Request("d1"));
  auto claimed = queue_->Claim("w1", 5, 1000, 30000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 1u);
  const ClaimedWork& item = (*claimed)[0];
  EXPECT_EQ(item.id, id);
  EXPECT_EQ(item.request.dataset_id, "d1");
  EXPECT_EQ(item.request.payload, "{\"dataset\":\"d1\"}");
  EXPECT_EQ(item.lease_expires_ms, 31000);
  EXPECT_TRUE(queue_->Claim("w2", 5, 1000, 30000)->empty()) << "a claimed item is not claimable while its lease holds";

  EXPECT_TRUE(queue_->TakeFinished({id})->empty()) << "not finished yet";
  ASSERT_TRUE(*queue_->Finish("w1", id, item.epoch, true, "result-1", 2000));
  auto taken = queue_->TakeFinished({id});
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ((*taken)[0].result, "result-1");
  EXPECT_EQ((*taken)[0].worker, "w1");
  EXPECT_TRUE(queue_->TakeFinished({id})->empty());
  EXPECT_EQ(queue_->Count("m1")->queued + queue_->Count("m1")->claimed + queue_->Count("m1")->finished, 0);
}

// A worker claims an item only when its labels cover the item's; an unlabelled item goes
// to any worker, and a worker that never registered has no labels.
TEST_F(WorkQueueTest, WorkersClaimOnlyItemsTheirLabelsCover) {
  WorkRequest eu = Request("eu-data");
  eu.labels = "region=eu";
  WorkRequest eu_gpu = Request("eu-gpu-data");
  eu_gpu.labels = "gpu=yes,region=eu";
  const int64_t eu_id = Enqueue(eu), gpu_id = Enqueue(eu_gpu);
  ASSERT_TRUE(queue_->RegisterWorker({"us", "h", "region=us", 4, "t", 0, 0, 0}).ok());
  ASSERT_TRUE(queue_->RegisterWorker({"eu", "h", "region=eu,zone=a", 4, "t", 0, 0, 0}).ok());
  EXPECT_TRUE(queue_->Claim("us", 4, 1000, 30000)->empty());
  EXPECT_TRUE(queue_->Claim("unregistered", 4, 1000, 30000)->empty());
  auto got = queue_->Claim("eu", 4, 1000, 30000);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, eu_id) << "region=eu,zone=a covers region=eu, not gpu=yes,region=eu";
  const int64_t any_id = Enqueue(Request("anywhere"));
  got = queue_->Claim("us", 4, 1000, 30000);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, any_id);
  EXPECT_EQ(queue_->Count("m1")->queued, 1) << "item " << gpu_id << " waits for a gpu worker in eu";
}

TEST(WorkerLabels, ParseAndFormatSorted) {
  auto labels = ParseWorkerLabels("zone=a,region=eu");
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(FormatWorkerLabels(*labels), "region=eu,zone=a");
  EXPECT_TRUE(ParseWorkerLabels("")->empty());
  for (const char* bad : {"region", "region=", "=eu", "a=b,,c=d", "a=b=c", "a=b,a=c", "a b=c"}) {
    EXPECT_FALSE(ParseWorkerLabels(bad).ok()) << bad;
  }
}

TEST_F(WorkQueueTest, ConcurrentClaimersNeverShareAnItem) {
  constexpr int kItems = 200, kClaimers = 4;
  for (int i = 0; i < kItems; ++i) Enqueue(Request("d" + std::to_string(i)));
  std::mutex mu;
  std::map<int64_t, int> times_claimed;
  std::vector<std::thread> threads;
  for (int w = 0; w < kClaimers; ++w) {
    threads.emplace_back([&, w] {
      auto q = Open();
      for (int round = 0; round < 200; ++round) {  // bounded
        auto got = q->Claim("w" + std::to_string(w), 3, 1000, 30000);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        if (got->empty()) return;
        std::lock_guard<std::mutex> lock(mu);
        for (const ClaimedWork& c : *got) times_claimed[c.id]++;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(times_claimed.size(), static_cast<size_t>(kItems));
  for (const auto& [id, n] : times_claimed) EXPECT_EQ(n, 1) << "item " << id;
}

TEST_F(WorkQueueTest, AWorkerThatLostItsLeaseCanNeitherExtendNorRecord) {
  const int64_t id = Enqueue(Request("d1"));
  ASSERT_TRUE(queue_->RegisterWorker({"slow", "h", "", 1, "t", 0, 0, 0}).ok());
  ASSERT_TRUE(queue_->RegisterWorker({"fast", "h", "", 1, "t", 0, 0, 0}).ok());
  const ClaimedWork first = (*queue_->Claim("slow", 1, 1000, 10000))[0];
  // Past the lease the item is claimable again, with a new epoch.
  const ClaimedWork second = (*queue_->Claim("fast", 1, 12000, 10000))[0];
  EXPECT_EQ(second.id, id);
  EXPECT_GT(second.epoch, first.epoch);
  EXPECT_EQ(second.expirations, 1);

  auto lost = queue_->Extend({{id, first.epoch}}, 12500, 10000);
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(*lost, std::vector<int64_t>{id});
  EXPECT_FALSE(*queue_->Finish("slow", id, first.epoch, true, "stale", 13000));
  EXPECT_TRUE(queue_->Extend({{id, second.epoch}}, 12500, 10000)->empty());
  EXPECT_TRUE(*queue_->Finish("fast", id, second.epoch, true, "fresh", 13000));
  auto taken = queue_->TakeFinished({id});
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ((*taken)[0].result, "fresh");
  std::map<std::string, WorkerInfo> workers;
  auto listed = queue_->ListWorkers();
  ASSERT_TRUE(listed.ok());
  for (const WorkerInfo& w : *listed) workers[w.name] = w;
  EXPECT_EQ(workers["slow"].fenced, 1);
  EXPECT_EQ(workers["slow"].finished, 0);
  EXPECT_EQ(workers["fast"].finished, 1);
}

TEST_F(WorkQueueTest, TheReaperRequeuesExpiredLeasesUnderANewEpoch) {
  const int64_t id = Enqueue(Request("d1"));
  const ClaimedWork held = (*queue_->Claim("w1", 1, 1000, 5000))[0];
  EXPECT_TRUE(queue_->ReapExpired(5999)->empty());
  auto reaped = queue_->ReapExpired(6001);
  ASSERT_TRUE(reaped.ok());
  EXPECT_EQ(*reaped, std::vector<std::string>{"d1 (w1)"});
  EXPECT_EQ(queue_->Count("m1")->queued, 1);
  EXPECT_FALSE(*queue_->Finish("w1", id, held.epoch, true, "late", 7000));
  const ClaimedWork again = (*queue_->Claim("w2", 1, 7000, 5000))[0];
  EXPECT_EQ(again.id, id);
  EXPECT_EQ(again.expirations, 1);
}

TEST_F(WorkQueueTest, ACoordinatorThatTookOverAdoptsTheSameWorkAndReplacesOtherWork) {
  const int64_t id = Enqueue(Request("d1"));
  const ClaimedWork held = (*queue_->Claim("w1", 1, 1000, 30000))[0];
  EXPECT_EQ(Enqueue(Request("d1")), id) << "same task, same target: the running item is adopted";
  EXPECT_TRUE(queue_->Extend({{id, held.epoch}}, 2000, 30000)->empty()) << "and its worker keeps its lease";

  const int64_t moved = Enqueue(Request("d1", WorkKind::kAgent, "another target"));
  EXPECT_NE(moved, id);
  EXPECT_FALSE(*queue_->Finish("w1", id, held.epoch, true, "for the old target", 3000));

  const int64_t validation = Enqueue(Request("d2", WorkKind::kValidate));
  Enqueue(Request("d2", WorkKind::kAgent));
  EXPECT_TRUE(queue_->Claim("w1", 10, 4000, 30000).ok());
  EXPECT_TRUE(queue_->Extend({{validation, 1}}, 4000, 30000)->size() == 1)
      << "a new attempt drops the validation of the old output";
}

TEST_F(WorkQueueTest, CancelAndReleaseEndAHoldersLease) {
  const int64_t a = Enqueue(Request("a"));
  const int64_t b = Enqueue(Request("b"));
  auto held = *queue_->Claim("w1", 2, 1000, 30000);
  ASSERT_EQ(held.size(), 2u);
  std::map<int64_t, int64_t> epoch;
  for (const ClaimedWork& c : held) epoch[c.id] = c.epoch;
  ASSERT_TRUE(queue_->Cancel(a).ok());
  EXPECT_EQ(*queue_->Extend({{a, epoch[a]}, {b, epoch[b]}}, 2000, 30000), std::vector<int64_t>{a});
  EXPECT_TRUE(*queue_->Release(b, epoch[b]));
  EXPECT_FALSE(*queue_->Release(b, epoch[b]));
  auto again = *queue_->Claim("w2", 5, 2000, 30000);
  ASSERT_EQ(again.size(), 1u) << "the cancelled item is gone; the released one is back";
  EXPECT_EQ(again[0].id, b);
  EXPECT_GT(again[0].epoch, epoch[b]);
}

TEST_F(WorkQueueTest, ResultsFinishedTogetherAreRecordedTogetherEachUnderItsOwnEpoch) {
  ASSERT_TRUE(queue_->RegisterWorker({"w1", "h", "", 4, "t", 0, 0, 0}).ok());
  std::vector<int64_t> ids = {Enqueue(Request("a")), Enqueue(Request("b")), Enqueue(Request("c"))};
  auto held = *queue_->Claim("w1", 3, 1000, 30000);
  ASSERT_EQ(held.size(), 3u);
  std::map<int64_t, int64_t> epoch;
  for (const ClaimedWork& c : held) epoch[c.id] = c.epoch;
  ASSERT_TRUE(*queue_->Release(ids[1], epoch[ids[1]]));  // b's lease is gone: its result is fenced
  const std::string odd = "{\"why\": \"a \\\"quoted\\\" path C:\\\\x, {braces}, commas\"}";
  auto recorded = queue_->FinishAll("w1",
                                    {{ids[0], epoch[ids[0]], true, odd},
                                     {ids[1], epoch[ids[1]], true, "stale"},
                                     {ids[2], epoch[ids[2]], false, "failed: \u00e9t\u00e9"}},
                                    2000);
  ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  EXPECT_EQ(*recorded, (std::vector<bool>{true, false, true}));
  auto taken = queue_->TakeFinished(ids);
  ASSERT_TRUE(taken.ok());
  std::map<int64_t, FinishedWork> by_id;
  for (FinishedWork& f : *taken) by_id[f.id] = f;
  ASSERT_EQ(by_id.size(), 2u);
  EXPECT_EQ(by_id[ids[0]].result, odd);
  EXPECT_TRUE(by_id[ids[0]].ok);
  EXPECT_EQ(by_id[ids[2]].result, "failed: \u00e9t\u00e9");
  EXPECT_FALSE(by_id[ids[2]].ok);
  auto workers = *queue_->ListWorkers();
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0].finished, 2);
  EXPECT_EQ(workers[0].fenced, 1);
  EXPECT_TRUE(queue_->FinishAll("w1", {}, 3000)->empty());
}

TEST_F(WorkQueueTest, AWaitingWorkerWakesOnEnqueue) {
  auto listener = Open();
  listener->WaitForWork("", std::chrono::milliseconds(1));  // LISTEN is in place from here on
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Enqueue(Request("d1"));
  });
  const auto start = std::chrono::steady_clock::now();
  listener->WaitForWork("", std::chrono::seconds(20));
  const auto waited = std::chrono::steady_clock::now() - start;
  producer.join();
  EXPECT_LT(waited, std::chrono::seconds(10)) << "woken by the notification, not the timeout";
}

// Two workers wait (as `names`), each on its own thread, while `enqueue` runs. Returns
// the reasons they woke with (nullopt: the timeout, nothing arrived).
std::vector<std::optional<WakeReason>> WaitBoth(PostgresWorkQueue* a, PostgresWorkQueue* b,
                                                const std::function<void()>& enqueue,
                                                std::pair<std::string, std::string> names = {"w1", "w2"}) {
  std::vector<std::optional<WakeReason>> woken(2);
  auto wait = [&](PostgresWorkQueue* q, const std::string& name, size_t k) {
    const auto start = std::chrono::steady_clock::now();
    WakeReason r = q->WaitForWork(name, std::chrono::milliseconds(1500));
    if (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1200)) woken[k] = r;
  };
  std::thread ta(wait, a, names.first, 0), tb(wait, b, names.second, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  enqueue();
  ta.join();
  tb.join();
  return woken;
}

// An enqueue wakes the fewest waiting workers whose free slots cover the queued items,
// the one with the most free slots first; when they fall short, every waiter hears of a
// backlog. No-op work then costs no empty claims by workers that were not needed.
TEST_F(WorkQueueTest, AnEnqueueWakesOnlyTheWorkersItsItemsNeed) {
  for (const char* name : {"w1", "w2"}) ASSERT_TRUE(queue_->RegisterWorker({name, "h", "", 4, "t", 1000, 0, 0}).ok());
  auto l1 = Open(), l2 = Open();
  // The listening sessions are up from here on (each times out at once: nothing queued).
  EXPECT_EQ(l1->WaitForWork("w1", std::chrono::milliseconds(1)), WakeReason::kBacklog);
  EXPECT_EQ(l2->WaitForWork("w2", std::chrono::milliseconds(1)), WakeReason::kBacklog);

  auto three = WaitBoth(l1.get(), l2.get(), [&] {
    ASSERT_TRUE(queue_->EnqueueAll({Request("d1"), Request("d2"), Request("d3")}, 1000).ok());
  });
  EXPECT_EQ(int(three[0].has_value()) + int(three[1].has_value()), 1) << "one worker's 4 free slots cover 3 items";
  for (const auto& r : three) {
    EXPECT_EQ(r.value_or(WakeReason::kPicked), WakeReason::kPicked);
  }

  ASSERT_EQ(queue_->Claim("w1", 3, 1000, 30000)->size(), 3u);  // w1 has 1 slot free, w2 4
  auto two = WaitBoth(l1.get(), l2.get(), [&] { Enqueue(Request("d4")); });
  EXPECT_FALSE(two[0].has_value()) << "the worker with the most free slots goes first";
  ASSERT_TRUE(two[1].has_value());
  EXPECT_EQ(*two[1], WakeReason::kPicked);

  auto more = WaitBoth(l1.get(), l2.get(), [&] {
    ASSERT_TRUE(queue_->EnqueueAll({Request("d5"), Request("d6"), Request("d7"), Request("d8")}, 1000).ok());
  });
  for (size_t k = 0; k < 2; ++k) {
    ASSERT_TRUE(more[k].has_value()) << "5 queued items and 5 free slots: worker " << k + 1;
  }
  auto backlog = WaitBoth(l1.get(), l2.get(), [&] { Enqueue(Request("d9")); });
  for (size_t k = 0; k < 2; ++k) {
    ASSERT_TRUE(backlog[k].has_value()) << "6 queued items, 5 free slots: worker " << k + 1;
    EXPECT_EQ(*backlog[k], WakeReason::kBacklog);
  }
}

// A worker whose listening session ended (a killed process) is not picked; labelled
// items, which only some workers may claim, wake every waiter.
TEST_F(WorkQueueTest, GoneWorkersAreNotPickedAndLabelledItemsWakeEveryone) {
  for (const char* name : {"w1", "w2"}) ASSERT_TRUE(queue_->RegisterWorker({name, "h", "", 4, "t", 1000, 0, 0}).ok());
  auto l1 = Open(), l2 = Open();
  EXPECT_EQ(l2->WaitForWork("w2", std::chrono::milliseconds(1)), WakeReason::kBacklog);
  {
    auto gone = Open();
    EXPECT_EQ(gone->WaitForWork("w1", std::chrono::milliseconds(1)), WakeReason::kBacklog);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // its session ends on the server
  // l1 waits as nobody in particular: it hears only what every waiter hears.
  auto one = WaitBoth(l1.get(), l2.get(), [&] { Enqueue(Request("d1")); }, {"", "w2"});
  EXPECT_FALSE(one[0].has_value()) << "w2 was picked, so nobody else is woken";
  ASSERT_TRUE(one[1].has_value()) << "w1 is gone: w2 is picked";
  EXPECT_EQ(*one[1], WakeReason::kPicked);

  WorkRequest gpu = Request("d2");
  gpu.labels = "gpu=yes";
  auto labelled = WaitBoth(l1.get(), l2.get(), [&] { Enqueue(gpu); }, {"", "w2"});
  for (size_t k = 0; k < 2; ++k) {
    ASSERT_TRUE(labelled[k].has_value()) << "worker " << k + 1;
    EXPECT_EQ(*labelled[k], WakeReason::kBacklog);
  }
}

TEST_F(WorkQueueTest, SpecsArePublishedOnceAndFoundByHash) {
  ASSERT_TRUE(queue_->PublishSpec("h1", "m1", "name: m1\n", "/specs/m1.yaml", "t").ok());
  ASSERT_TRUE(queue_->PublishSpec("h1", "m1", "ignored", "elsewhere", "t").ok());
  auto found = queue_->FindSpec("h1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->first, "name: m1\n");
  EXPECT_EQ((*found)->second, "/specs/m1.yaml");
  EXPECT_FALSE(queue_->FindSpec("h2")->has_value());
}

TEST(WorkQueueOpen, ASQLiteStateHasNoWorkQueue) {
  auto q = PostgresWorkQueue::Open("/tmp/gaggle.db");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(q.status().message().find("PostgreSQL"), std::string::npos);
}

}  // namespace
}  // namespace gaggle
