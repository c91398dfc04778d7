#include "plan/lineage_graph.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

namespace gaggle {
namespace {

constexpr uint32_t kUnvisited = UINT32_MAX;

void BuildCsr(size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges, bool forward,
              std::vector<uint32_t>* off, std::vector<uint32_t>* list) {
  off->assign(n + 1, 0);
  for (const auto& [u, d] : edges) ++(*off)[(forward ? u : d) + 1];
  for (size_t i = 0; i < n; ++i) (*off)[i + 1] += (*off)[i];
  list->assign(edges.size(), 0);
  std::vector<uint32_t> fill(off->begin(), off->end() - 1);
  for (const auto& [u, d] : edges) (*list)[fill[forward ? u : d]++] = forward ? d : u;
  for (size_t i = 0; i < n; ++i) {
    auto b = list->begin() + (*off)[i], e = list->begin() + (*off)[i + 1];
    std::sort(b, e);
  }
}

}  // namespace

LineageGraph::LineageGraph(size_t num_nodes, const std::vector<std::pair<uint32_t, uint32_t>>& edges)
    : num_nodes_(num_nodes) {
  BuildCsr(num_nodes, edges, true, &down_off_, &down_);
  BuildCsr(num_nodes, edges, false, &up_off_, &up_);
}

LineageGraph LineageGraph::FromCatalog(const Catalog& catalog) { return LineageGraph(catalog.size(), catalog.edges()); }

LineageGraph::Components LineageGraph::StronglyConnected() const {
  // Tarjan's algorithm with an explicit call stack.
  const size_t n = num_nodes_;
  Components c;
  c.component_of.assign(n, kUnvisited);
  std::vector<uint32_t> index(n, kUnvisited), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<uint32_t> stack;
  std::vector<std::pair<uint32_t, uint32_t>> calls;  // (node, next edge position)
  uint32_t counter = 0;
  for (uint32_t root = 0; root < n; ++root) {
    if (index[root] != kUnvisited) continue;
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    calls.emplace_back(root, down_off_[root]);
    while (!calls.empty()) {
      auto& [v, pos] = calls.back();
      if (pos < down_off_[v + 1]) {
        uint32_t w = down_[pos++];
        if (index[w] == kUnvisited) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = true;
          calls.emplace_back(w, down_off_[w]);  // invalidates v/pos; re-read next iteration
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      uint32_t done = v;
      calls.pop_back();
      if (low[done] == index[done]) {
        uint32_t size = 0;
        while (true) {
          uint32_t w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          c.component_of[w] = c.count;
          ++size;
          if (w == done) break;
        }
        c.size.push_back(size);
        ++c.count;
      }
      if (!calls.empty()) {
        uint32_t parent = calls.back().first;
        low[parent] = std::min(low[parent], low[done]);
      }
    }
  }
  return c;
}

std::vector<uint32_t> LineageGraph::CycleThrough(uint32_t node, const Components& comps) const {
  if (node >= num_nodes_ || !comps.IsCyclic(node)) return {};
  const uint32_t comp = comps.component_of[node];
  std::unordered_map<uint32_t, uint32_t> parent;  // visited -> predecessor on the BFS tree
  std::deque<uint32_t> queue{node};
  parent[node] = node;
  while (!queue.empty()) {
    uint32_t v = queue.front();
    queue.pop_front();
    for (uint32_t w : Downstream(v)) {
      if (comps.component_of[w] != comp) continue;
      if (w == node) {
        std::vector<uint32_t> path{node};
        for (uint32_t x = v; x != node; x = parent[x]) path.push_back(x);
        path.push_back(node);
        std::reverse(path.begin() + 1, path.end() - 1);
        return path;
      }
      if (parent.emplace(w, v).second) queue.push_back(w);
    }
  }
  return {};
}

std::vector<int> LineageGraph::Waves(const std::vector<bool>& selected, const Components& comps) const {
  const size_t n = num_nodes_;
  // Nodes grouped by component, components visited in topological order (highest number first).
  std::vector<uint32_t> start(comps.count + 1, 0);
  for (uint32_t v = 0; v < n; ++v) ++start[comps.component_of[v] + 1];
  for (uint32_t k = 0; k < comps.count; ++k) start[k + 1] += start[k];
  std::vector<uint32_t> members(n);
  std::vector<uint32_t> fill(start.begin(), start.end() - 1);
  for (uint32_t v = 0; v < n; ++v) members[fill[comps.component_of[v]]++] = v;

  // in[c]: selected nodes on the longest path above c; out[c] = in[c] + (c holds a selected node).
  std::vector<int> in(comps.count, 0), out(comps.count, 0);
  std::vector<int> wave(n, -1);
  for (uint32_t k = comps.count; k-- > 0;) {
    int best = 0;
    bool has_selected = false;
    for (uint32_t i = start[k]; i < start[k + 1]; ++i) {
      uint32_t v = members[i];
      has_selected |= selected[v];
      for (uint32_t u : Upstream(v)) {
        uint32_t cu = comps.component_of[u];
        if (cu != k) best = std::max(best, out[cu]);
      }
    }
    in[k] = best;
    out[k] = best + (has_selected ? 1 : 0);
    for (uint32_t i = start[k]; i < start[k + 1]; ++i) {
      if (selected[members[i]]) wave[members[i]] = best;
    }
  }
  return wave;
}

}  // namespace gaggle
