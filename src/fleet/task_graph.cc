#include "fleet/task_graph.h"

#include <algorithm>

namespace gaggle {

TaskGraph TaskGraph::Build(const Catalog& catalog, const Plan& plan) {
  TaskGraph graph;
  const size_t n = catalog.size();
  std::vector<char> selected(n, 0);
  std::vector<NodeId> plan_nodes;
  plan_nodes.reserve(plan.rows.size());
  for (const PlanRow& row : plan.rows) {
    auto node = catalog.Find(row.dataset_id);
    if (!node) continue;
    selected[*node] = 1;
    plan_nodes.push_back(*node);
  }
  // Upward search from each selected node, stopping at selected ancestors. `seen`
  // holds the search number that last visited a node, so it is never cleared.
  std::vector<uint32_t> seen(n, 0);
  uint32_t search = 0;
  std::vector<NodeId> stack;
  for (NodeId start : plan_nodes) {
    ++search;
    std::vector<std::string> found;
    stack.assign(catalog.Upstream(start).begin(), catalog.Upstream(start).end());
    while (!stack.empty()) {
      NodeId u = stack.back();
      stack.pop_back();
      if (seen[u] == search || u == start) continue;
      seen[u] = search;
      if (selected[u]) {
        found.push_back(catalog.entity(u).id);
      } else {
        for (NodeId up : catalog.Upstream(u)) {
          if (seen[up] != search) stack.push_back(up);
        }
      }
    }
    if (found.empty()) continue;
    std::sort(found.begin(), found.end());
    graph.num_edges_ += found.size();
    graph.upstreams_[catalog.entity(start).id] = std::move(found);
  }
  return graph;
}

const std::vector<std::string>& TaskGraph::Upstreams(const std::string& dataset) const {
  static const std::vector<std::string> kNone;
  auto it = upstreams_.find(dataset);
  return it == upstreams_.end() ? kNone : it->second;
}

}  // namespace gaggle
