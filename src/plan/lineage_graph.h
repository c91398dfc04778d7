// LineageGraph: the directed lineage graph the planner orders (node = catalog
// entity, edge u -> d = "d reads u"), with the graph algorithms the plan needs:
// strongly connected components, a printable cycle, and waves.
//
// All algorithms are iterative (no recursion, so a million-node chain cannot
// overflow the stack) and linear in nodes + edges.
// Thread-safety: immutable after construction; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"

namespace gaggle {

class LineageGraph {
 public:
  // Edges are (upstream, downstream) node pairs, each < num_nodes; duplicates are fine.
  LineageGraph(size_t num_nodes, const std::vector<std::pair<uint32_t, uint32_t>>& edges);
  static LineageGraph FromCatalog(const Catalog& catalog);

  size_t size() const { return num_nodes_; }
  std::span<const uint32_t> Downstream(uint32_t n) const {
    return {down_.data() + down_off_[n], down_.data() + down_off_[n + 1]};
  }
  std::span<const uint32_t> Upstream(uint32_t n) const {
    return {up_.data() + up_off_[n], up_.data() + up_off_[n + 1]};
  }

  struct Components {
    // Component of each node. Numbered in reverse topological order: every edge
    // u -> d between different components has component_of[u] > component_of[d].
    std::vector<uint32_t> component_of;
    std::vector<uint32_t> size;  // nodes per component
    uint32_t count = 0;
    bool IsCyclic(uint32_t node) const { return size[component_of[node]] > 1; }
  };
  Components StronglyConnected() const;

  // A shortest cycle through `node`, as [node, ..., node]; empty when `node` is on none.
  std::vector<uint32_t> CycleThrough(uint32_t node, const Components& components) const;

  // wave[n] for every selected node n: the largest number of selected nodes on any path
  // that ends just above n (paths may pass through unselected nodes), so a selected node
  // without selected ancestors is in wave 0 and every selected ancestor of n is in an
  // earlier wave. Unselected nodes get -1.
  // REQUIRES: no selected node lies on a cycle (check with StronglyConnected first).
  std::vector<int> Waves(const std::vector<bool>& selected, const Components& components) const;

 private:
  size_t num_nodes_;
  std::vector<uint32_t> down_off_, down_, up_off_, up_;
};

}  // namespace gaggle
