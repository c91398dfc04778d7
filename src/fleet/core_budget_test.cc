#include "fleet/core_budget.h"

#include <gtest/gtest.h>

#include <vector>

namespace gaggle {
namespace {

TEST(CoreBudget, AgentsShareTheCoresEvenlyAndGetAtLeastOne) {
  struct Case {
    int cores, concurrency, share;
  };
  for (const Case& c : std::vector<Case>{{2, 1, 2}, {2, 2, 1}, {2, 4, 1}, {8, 3, 2}, {8, 1, 8}, {1, 1, 1}, {0, 0, 1}}) {
    EXPECT_EQ(CoreShare(c.cores, c.concurrency), c.share) << c.cores << " cores, concurrency " << c.concurrency;
  }
  EXPECT_GE(HostCores(), 1);
}

}  // namespace
}  // namespace gaggle
