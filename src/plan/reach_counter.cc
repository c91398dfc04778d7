#include "plan/reach_counter.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <memory>

namespace gaggle {
namespace {

uint64_t Mix64(uint64_t x) {  // splitmix64 finalizer: a well-spread hash of a node number
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class ReachSet {
 public:
  bool is_sketch() const { return registers_ != nullptr; }
  const std::vector<uint32_t>& ids() const { return ids_; }

  void AddSketchItem(uint64_t hash, int p) {
    uint32_t idx = static_cast<uint32_t>(hash >> (64 - p));
    uint64_t rest = (hash << p) | (uint64_t{1} << (p - 1));  // guard bit bounds the rank
    uint8_t rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);
    if (rank > registers_[idx]) registers_[idx] = rank;
  }
  void MergeSketch(const ReachSet& o, size_t m) {
    uint8_t* a = registers_.get();
    const uint8_t* b = o.registers_.get();
    for (size_t i = 0; i < m; ++i) a[i] = std::max(a[i], b[i]);
  }
  void ToSketch(size_t m, int p, const std::vector<uint64_t>& hashes) {
    registers_ = std::make_unique<uint8_t[]>(m);
    std::fill(registers_.get(), registers_.get() + m, 0);
    for (uint32_t id : ids_) AddSketchItem(hashes[id], p);
    ids_.clear();
    ids_.shrink_to_fit();
  }
  double Estimate(size_t m) const {
    static const std::array<double, 66> kInversePowers = [] {
      std::array<double, 66> t{};
      for (size_t r = 0; r < t.size(); ++r) t[r] = std::ldexp(1.0, -static_cast<int>(r));
      return t;
    }();
    double sum = 0;
    size_t zeros = 0;
    for (size_t i = 0; i < m; ++i) {
      sum += kInversePowers[registers_[i]];
      zeros += registers_[i] == 0;
    }
    double md = static_cast<double>(m);
    double alpha = m == 16 ? 0.673 : m == 32 ? 0.697 : m == 64 ? 0.709 : 0.7213 / (1 + 1.079 / md);
    double e = alpha * md * md / sum;
    if (e <= 2.5 * md && zeros > 0) e = md * std::log(md / static_cast<double>(zeros));  // linear counting
    return e;
  }

  std::vector<uint32_t> ids_;
  std::unique_ptr<uint8_t[]> registers_;
};

}  // namespace

DownstreamReach ComputeDownstreamReach(const LineageGraph& g, const LineageGraph::Components& comps,
                                       const ReachOptions& options) {
  const size_t n = g.size();
  const int p = std::clamp(options.precision, 4, 16);
  const size_t m = size_t{1} << p;
  DownstreamReach out;
  out.count.assign(n, 0);
  out.exact.assign(n, true);

  std::vector<uint64_t> hashes(n);
  for (size_t v = 0; v < n; ++v) hashes[v] = Mix64(v ^ options.hash_seed);

  // Members of each component (component numbers are reverse topological: sinks first).
  std::vector<uint32_t> start(comps.count + 1, 0);
  for (uint32_t v = 0; v < n; ++v) ++start[comps.component_of[v] + 1];
  for (uint32_t k = 0; k < comps.count; ++k) start[k + 1] += start[k];
  std::vector<uint32_t> members(n);
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (uint32_t v = 0; v < n; ++v) members[fill[comps.component_of[v]]++] = v;
  }
  // How many cross-component edges still have to read each component's set.
  std::vector<uint32_t> pending(comps.count, 0);
  for (uint32_t v = 0; v < n; ++v) {
    for (uint32_t u : g.Upstream(v)) pending[comps.component_of[v]] += comps.component_of[u] != comps.component_of[v];
  }

  std::vector<ReachSet> sets(comps.count);
  std::vector<uint32_t> succ;
  std::vector<uint32_t> merged;
  size_t live_sketches = 0;
  for (uint32_t k = 0; k < comps.count; ++k) {
    succ.clear();
    for (uint32_t i = start[k]; i < start[k + 1]; ++i) {
      for (uint32_t w : g.Downstream(members[i])) {
        uint32_t cw = comps.component_of[w];
        if (cw != k) succ.push_back(cw);
      }
    }
    // Each cross edge releases one reference, duplicates included (matches `pending`).
    std::vector<uint32_t> edges_to = succ;
    std::sort(succ.begin(), succ.end());
    succ.erase(std::unique(succ.begin(), succ.end()), succ.end());

    ReachSet& set = sets[k];
    for (uint32_t s : succ) {
      const ReachSet& child = sets[s];
      if (!set.is_sketch()) {
        // Exact union of the child's set and the child's own members.
        merged.clear();
        std::vector<uint32_t> child_members(members.begin() + start[s], members.begin() + start[s + 1]);
        std::sort(child_members.begin(), child_members.end());
        if (!child.is_sketch()) {
          std::vector<uint32_t> tmp;
          std::set_union(child.ids().begin(), child.ids().end(), child_members.begin(), child_members.end(),
                         std::back_inserter(tmp));
          std::set_union(set.ids_.begin(), set.ids_.end(), tmp.begin(), tmp.end(), std::back_inserter(merged));
          set.ids_.swap(merged);
          if (set.ids_.size() <= options.exact_limit) continue;
        }
        set.ToSketch(m, p, hashes);
        ++live_sketches;
        out.peak_sketches = std::max(out.peak_sketches, live_sketches);
        if (!child.is_sketch()) continue;  // the exact child was already included above
      }
      // set is a sketch here.
      if (child.is_sketch()) {
        set.MergeSketch(child, m);
      } else {
        for (uint32_t id : child.ids()) set.AddSketchItem(hashes[id], p);
      }
      for (uint32_t i = start[s]; i < start[s + 1]; ++i) set.AddSketchItem(hashes[members[i]], p);
    }
    uint64_t reach;
    bool exact = !set.is_sketch();
    if (exact) {
      reach = set.ids().size();
    } else {
      reach = static_cast<uint64_t>(std::llround(set.Estimate(m)));
    }
    const uint64_t own = comps.size[k] - 1;  // the other members of a cycle
    for (uint32_t i = start[k]; i < start[k + 1]; ++i) {
      out.count[members[i]] = reach + own;
      out.exact[members[i]] = exact;
    }
    for (uint32_t s : edges_to) {
      if (--pending[s] == 0) {
        if (sets[s].is_sketch()) --live_sketches;
        sets[s] = ReachSet();
      }
    }
    if (pending[k] == 0) {
      if (set.is_sketch()) --live_sketches;
      set = ReachSet();
    }
  }
  return out;
}

}  // namespace gaggle
