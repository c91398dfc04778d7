#include "fleet/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace gaggle {
namespace {

TEST(WorkerPoolTest, RunsEveryJobBeforeItIsDestroyed) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool;
    pool.EnsureThreads(3);
    EXPECT_EQ(pool.threads(), 3u);
    pool.EnsureThreads(2);  // never shrinks
    EXPECT_EQ(pool.threads(), 3u);
    for (int i = 0; i < 100; ++i) pool.Submit([&ran] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 100);
}

TEST(WorkerPoolTest, OneThreadRunsJobsInSubmissionOrder) {
  std::vector<int> order;  // one thread: no lock needed
  {
    WorkerPool pool;
    pool.EnsureThreads(1);
    for (int i = 0; i < 20; ++i) pool.Submit([&order, i] { order.push_back(i); });
  }
  ASSERT_EQ(order.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(order[i], i);
}

}  // namespace
}  // namespace gaggle
