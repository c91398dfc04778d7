// DownstreamReach: for every node, how many distinct nodes lie downstream of it
// (its transitive consumers: the blast radius if it breaks).
//
// Exact sets cannot be afforded for a million nodes (a bitset per node is
// n^2/8 bytes), so sets are propagated over the strongly connected components in
// reverse topological order, each kept EXACT (a sorted id list) while it has at
// most `exact_limit` members and switched to a HyperLogLog sketch (2^precision
// one-byte registers, standard error 1.04/sqrt(2^precision): 2.3% at the default
// 11) beyond that. A set is freed once every component upstream of it has merged
// it, so memory follows the width of the graph, not its size. Counts up to
// `exact_limit` are exact; `exact[n]` says which are.
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <vector>

#include "plan/lineage_graph.h"

namespace gaggle {

struct ReachOptions {
  uint32_t exact_limit = 256;
  int precision = 11;  // HyperLogLog registers = 2^precision, 4..16
  uint64_t hash_seed = 0x9e3779b97f4a7c15ULL;
};

struct DownstreamReach {
  std::vector<uint64_t> count;  // per node, itself excluded
  std::vector<bool> exact;
  size_t peak_sketches = 0;  // most HyperLogLog sketches alive at once (memory diagnostics)
};

DownstreamReach ComputeDownstreamReach(const LineageGraph& graph, const LineageGraph::Components& components,
                                       const ReachOptions& options = {});

}  // namespace gaggle
