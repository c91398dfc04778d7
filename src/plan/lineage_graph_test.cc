#include "plan/lineage_graph.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "plan/reach_counter.h"

namespace gaggle {
namespace {

using Edges = std::vector<std::pair<uint32_t, uint32_t>>;

TEST(LineageGraphTest, ComponentsAreInReverseTopologicalOrder) {
  // 0 -> 1 -> 2 -> 1 (cycle 1,2), 2 -> 3
  LineageGraph g(4, Edges{{0, 1}, {1, 2}, {2, 1}, {2, 3}});
  auto c = g.StronglyConnected();
  EXPECT_EQ(c.count, 3u);
  EXPECT_EQ(c.component_of[1], c.component_of[2]);
  EXPECT_TRUE(c.IsCyclic(1));
  EXPECT_FALSE(c.IsCyclic(0));
  EXPECT_GT(c.component_of[0], c.component_of[1]);
  EXPECT_GT(c.component_of[2], c.component_of[3]);
}

TEST(LineageGraphTest, CycleThroughPrintsAShortestCycle) {
  // 0 -> 1 -> 2 -> 0 and a longer way 1 -> 3 -> 4 -> 2
  LineageGraph g(5, Edges{{0, 1}, {1, 2}, {2, 0}, {1, 3}, {3, 4}, {4, 2}});
  auto c = g.StronglyConnected();
  EXPECT_EQ(g.CycleThrough(0, c), (std::vector<uint32_t>{0, 1, 2, 0}));
  EXPECT_EQ(g.CycleThrough(3, c), (std::vector<uint32_t>{3, 4, 2, 0, 1, 3}));
  LineageGraph acyclic(2, Edges{{0, 1}});
  EXPECT_TRUE(acyclic.CycleThrough(0, acyclic.StronglyConnected()).empty());
}

TEST(LineageGraphTest, LongChainDoesNotOverflowTheStack) {
  const uint32_t n = 300000;
  Edges e;
  for (uint32_t i = 0; i + 1 < n; ++i) e.emplace_back(i, i + 1);
  e.emplace_back(n - 1, 0);  // one big cycle
  LineageGraph g(n, e);
  auto c = g.StronglyConnected();
  EXPECT_EQ(c.count, 1u);
  EXPECT_EQ(g.CycleThrough(5, c).size(), n + 1);
}

TEST(LineageGraphTest, WavesCountSelectedAncestorsThroughUnselectedNodes) {
  // 0 -> 1(unselected) -> 2 ; 0 -> 3 ; 3 -> 2 ; 4 alone
  LineageGraph g(5, Edges{{0, 1}, {1, 2}, {0, 3}, {3, 2}});
  std::vector<bool> sel = {true, false, true, true, true};
  auto w = g.Waves(sel, g.StronglyConnected());
  EXPECT_EQ(w, (std::vector<int>{0, -1, 2, 1, 0}));
  // Without 3 selected, 2 is one wave after 0 via the unselected 1.
  sel[3] = false;
  w = g.Waves(sel, g.StronglyConnected());
  EXPECT_EQ(w[2], 1);
}

// Brute-force reach by DFS from every node.
std::vector<uint64_t> BruteReach(const LineageGraph& g) {
  std::vector<uint64_t> out(g.size());
  for (uint32_t s = 0; s < g.size(); ++s) {
    std::vector<bool> seen(g.size(), false);
    std::vector<uint32_t> todo{s};
    uint64_t count = 0;
    while (!todo.empty()) {
      uint32_t v = todo.back();
      todo.pop_back();
      for (uint32_t w : g.Downstream(v)) {
        if (!seen[w]) {
          seen[w] = true;
          if (w != s) ++count;
          todo.push_back(w);
        }
      }
    }
    out[s] = count;
  }
  return out;
}

TEST(DownstreamReachTest, ExactBelowTheLimitAndCloseAbove) {
  std::mt19937 rng(7);
  const uint32_t n = 3000;
  Edges e;
  // A layered DAG with a few hubs, plus one small cycle.
  for (uint32_t v = 1; v < n; ++v) {
    int parents = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < parents; ++k) {
      uint32_t u = (rng() % 10 == 0) ? static_cast<uint32_t>(rng() % 5) : static_cast<uint32_t>(rng() % v);
      if (u != v) e.emplace_back(u, v);
    }
  }
  e.emplace_back(n - 1, n - 2);
  e.emplace_back(n - 2, n - 1);
  LineageGraph g(n, e);
  auto comps = g.StronglyConnected();
  ReachOptions opt;
  opt.exact_limit = 64;
  auto reach = ComputeDownstreamReach(g, comps, opt);
  auto truth = BruteReach(g);
  size_t approx = 0;
  for (uint32_t v = 0; v < n; ++v) {
    if (reach.exact[v]) {
      EXPECT_EQ(reach.count[v], truth[v]) << v;
      EXPECT_LE(truth[v], 64u);
    } else {
      ++approx;
      double err =
          std::abs(static_cast<double>(reach.count[v]) - static_cast<double>(truth[v])) / static_cast<double>(truth[v]);
      EXPECT_LT(err, 0.08) << v << " truth " << truth[v] << " est " << reach.count[v];
    }
  }
  EXPECT_GT(approx, 100u);            // the sketch path was exercised
  EXPECT_EQ(reach.count[n - 1], 1u);  // the cycle's other member
}

}  // namespace
}  // namespace gaggle
