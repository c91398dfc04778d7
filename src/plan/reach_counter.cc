#include "plan/reach_counter.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <memory>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= m; i += 16) {  // register-wise max, 16 at a time (m is a power of two >= 16)
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
      __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(a + i), _mm_max_epu8(x, y));
    }
#endif
    for (; i < m; ++i) a[i] = std::max(a[i], b[i]);
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

// The nodes of each component, contiguous: component k's are members[start[k]..start[k+1]).
struct ComponentMembers {
  std::vector<uint32_t> start;
  std::vector<uint32_t> members;
};

ComponentMembers GroupByComponent(size_t n, const LineageGraph::Components& comps) {
  ComponentMembers out;
  out.start.assign(comps.count + 1, 0);
  for (uint32_t v = 0; v < n; ++v) ++out.start[comps.component_of[v] + 1];
  for (uint32_t k = 0; k < comps.count; ++k) out.start[k + 1] += out.start[k];
  out.members.resize(n);
  std::vector<uint32_t> fill(out.start.begin(), out.start.end() - 1);
  for (uint32_t v = 0; v < n; ++v) out.members[fill[comps.component_of[v]]++] = v;
  return out;
}

// How many cross-component edges still have to read each component's set.
std::vector<uint32_t> PendingReads(const LineageGraph& g, const LineageGraph::Components& comps) {
  std::vector<uint32_t> pending(comps.count, 0);
  for (uint32_t v = 0; v < g.size(); ++v) {
    for (uint32_t u : g.Upstream(v)) pending[comps.component_of[v]] += comps.component_of[u] != comps.component_of[v];
  }
  return pending;
}

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
  const ComponentMembers grouped = GroupByComponent(n, comps);
  const std::vector<uint32_t>& start = grouped.start;
  const std::vector<uint32_t>& members = grouped.members;
  std::vector<uint32_t> pending = PendingReads(g, comps);

  std::vector<ReachSet> sets(comps.count);
  std::vector<uint32_t> edges_to;  // successor components, one entry per cross edge
  std::vector<uint32_t> scratch;   // exact members gathered for the current component
  size_t live_sketches = 0;
  const size_t limit = options.exact_limit;
  // Sorts and dedups the scratch list; true while it still fits the exact limit.
  auto compact = [&] {
    std::sort(scratch.begin(), scratch.end());
    scratch.erase(std::unique(scratch.begin(), scratch.end()), scratch.end());
    return scratch.size() <= limit;
  };
  for (uint32_t k = 0; k < comps.count; ++k) {
    edges_to.clear();
    for (uint32_t i = start[k]; i < start[k + 1]; ++i) {
      for (uint32_t w : g.Downstream(members[i])) {
        uint32_t cw = comps.component_of[w];
        if (cw != k) edges_to.push_back(cw);
      }
    }
    // Each successor's set and members, once per successor. Exact while small: gather
    // ids and dedup in batches; switch to a sketch as soon as the union passes the limit.
    ReachSet& set = sets[k];
    scratch.clear();
    uint32_t prev = UINT32_MAX;
    std::sort(edges_to.begin(), edges_to.end());
    for (uint32_t s : edges_to) {
      if (s == prev) continue;
      prev = s;
      const ReachSet& child = sets[s];
      if (!set.is_sketch() && !child.is_sketch()) {
        scratch.insert(scratch.end(), child.ids().begin(), child.ids().end());
        scratch.insert(scratch.end(), members.begin() + start[s], members.begin() + start[s + 1]);
        if (scratch.size() <= 4 * limit || compact()) continue;
      }
      if (!set.is_sketch()) {
        set.ids_.swap(scratch);
        scratch.clear();
        set.ToSketch(m, p, hashes);
        ++live_sketches;
        out.peak_sketches = std::max(out.peak_sketches, live_sketches);
        if (!child.is_sketch()) continue;  // already in the ids just sketched
      }
      if (child.is_sketch()) {
        set.MergeSketch(child, m);
      } else {
        for (uint32_t id : child.ids()) set.AddSketchItem(hashes[id], p);
      }
      for (uint32_t i = start[s]; i < start[s + 1]; ++i) set.AddSketchItem(hashes[members[i]], p);
    }
    if (!set.is_sketch()) {
      if (compact()) {
        set.ids_.assign(scratch.begin(), scratch.end());
      } else {
        set.ids_.swap(scratch);
        scratch.clear();
        set.ToSketch(m, p, hashes);
        ++live_sketches;
        out.peak_sketches = std::max(out.peak_sketches, live_sketches);
      }
    }
    const bool exact = !set.is_sketch();
    const uint64_t reach = exact ? set.ids().size() : static_cast<uint64_t>(std::llround(set.Estimate(m)));
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
