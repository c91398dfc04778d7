// The run lease rule alone: who gets the lease, until when, and why.
#include "store/run_lease.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

MigrationRun Held(const std::string& runner, int64_t until) {
  MigrationRun r;
  r.migration = "m";
  r.runner = runner;
  r.runner_expires_ms = until;
  return r;
}

TEST(RunLease, FreeRenewedExpiredDeadOrRefused) {
  MigrationRun run = Held("", 0);
  LeaseClaim c = ClaimRunLease(&run, "r1", 1000, 100, nullptr);
  EXPECT_TRUE(c.granted);
  EXPECT_EQ(c.why, "runner r1 took the lease");
  EXPECT_EQ(run.runner, "r1");
  EXPECT_EQ(run.runner_expires_ms, 1100);

  c = ClaimRunLease(&run, "r1", 1090, 100, nullptr);  // renewal
  EXPECT_TRUE(c.granted);
  EXPECT_EQ(c.why, "");
  EXPECT_EQ(run.runner_expires_ms, 1190);

  std::vector<std::string> asked;
  auto alive = [&asked](const std::string& h) {
    asked.push_back(h);
    return false;
  };
  c = ClaimRunLease(&run, "r2", 1150, 100, alive);
  EXPECT_FALSE(c.granted);
  EXPECT_EQ(c.why, "migration m is being run by r1 (lease valid until 1970-01-01T00:00:01.190Z)");
  EXPECT_EQ(run.runner, "r1");  // unchanged
  EXPECT_EQ(run.runner_expires_ms, 1190);
  EXPECT_EQ(asked, std::vector<std::string>{"r1"});

  c = ClaimRunLease(&run, "r2", 1190, 100, alive);  // expired at exactly its time
  EXPECT_TRUE(c.granted);
  EXPECT_EQ(c.why, "runner r2 took over from r1 (its lease expired at 1970-01-01T00:00:01.190Z)");
  EXPECT_EQ(run.runner_expires_ms, 1290);

  c = ClaimRunLease(&run, "r3", 1200, 100, [](const std::string& h) { return h == "r2"; });
  EXPECT_TRUE(c.granted);
  EXPECT_EQ(c.why, "runner r3 took over from r2 (that process is gone)");
  EXPECT_EQ(run.runner, "r3");
}

TEST(RunLease, OnlyTheHolderReleases) {
  const MigrationRun run = Held("r1", 5);
  EXPECT_TRUE(HoldsRunLease(run, "r1"));
  EXPECT_FALSE(HoldsRunLease(run, "r2"));
  EXPECT_FALSE(HoldsRunLease(Held("", 0), ""));
  EXPECT_EQ(ReleasedRunLease("r1"), "runner r1 released the lease");
}

TEST(RunLease, MillisecondsAsUtcTimes) {
  EXPECT_EQ(MillisToIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(MillisToIso8601(1714564800123), "2024-05-01T12:00:00.123Z");
}

}  // namespace
}  // namespace gaggle
