#include "plan/planner.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <tuple>

#include "dataset/format_table.h"
#include "plan/lineage_graph.h"
#include "plan/selection.h"
#include "plan/target_template.h"

namespace gaggle {
namespace {

// Printing more cycles than this helps nobody; fixing these reveals the rest.
constexpr size_t kMaxReportedCycles = 10;

std::string PercentText(double p) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", p);
  return buf;
}

Result<std::vector<int64_t>> StageCounts(const RolloutSpec& rollout, size_t n) {
  if (rollout.stages.empty()) return Status::InvalidArgument("rollout.stages is empty");
  std::vector<int64_t> counts;
  double prev = 0;
  for (size_t i = 0; i < rollout.stages.size(); ++i) {
    double p = rollout.stages[i];
    if (!(p > prev) || p > 100) {
      return Status::InvalidArgument("rollout.stages must be increasing cumulative percentages in (0, 100]; stage " +
                                     std::to_string(i + 1) + " is " + PercentText(p) + "%");
    }
    prev = p;
    // Cumulative dataset count; the small epsilon keeps 0.1 * 30 = 3.0000000004 at 3.
    counts.push_back(std::min<int64_t>(static_cast<int64_t>(n),
                                       static_cast<int64_t>(std::ceil(static_cast<double>(n) * p / 100.0 - 1e-9))));
  }
  if (rollout.stages.back() != 100) {
    return Status::InvalidArgument("the last of rollout.stages must be 100%, so every selected dataset is migrated");
  }
  return counts;
}

std::string AgentName(const AgentSpec& a) {
  if (a.kind == AgentSpec::Kind::kExec) return "exec:" + a.exec;
  return "builtin:" + a.builtin;
}

std::string DescribeCycle(const Catalog& catalog, const std::vector<uint32_t>& cycle) {
  std::string s;
  for (size_t i = 0; i < cycle.size(); ++i) s += (i ? " -> " : "") + catalog.entity(cycle[i]).id;
  return s;
}

}  // namespace

Result<Plan> BuildPlan(const Catalog& catalog, const MigrationSpec& spec, const PlannerOptions& options) {
  if (!catalog.finalized()) return Status::InvalidArgument("catalog is not finalized");
  GAGGLE_ASSIGN_OR_RETURN(std::vector<NodeId> picked, SelectDatasets(catalog, spec.select));
  GAGGLE_ASSIGN_OR_RETURN(TargetTemplate target, TargetTemplate::Parse(spec.target.uri_template));
  const size_t n = picked.size();
  GAGGLE_ASSIGN_OR_RETURN(std::vector<int64_t> cumulative, StageCounts(spec.rollout, n));
  std::vector<Tier> canary_tiers;
  for (const std::string& t : spec.rollout.canary_tiers) {
    auto tier = ParseTier(t);
    if (!tier.ok()) return Status::InvalidArgument("rollout.canary.tier: " + tier.status().message());
    canary_tiers.push_back(*tier);
  }

  std::vector<bool> selected(catalog.size(), false);
  for (NodeId v : picked) selected[v] = true;

  LineageGraph graph = LineageGraph::FromCatalog(catalog);
  LineageGraph::Components comps = graph.StronglyConnected();
  {
    std::vector<std::string> cycles;
    std::vector<bool> reported(comps.count, false);
    for (NodeId v : picked) {
      if (!comps.IsCyclic(v) || reported[comps.component_of[v]]) continue;
      reported[comps.component_of[v]] = true;
      if (cycles.size() < kMaxReportedCycles) cycles.push_back(DescribeCycle(catalog, graph.CycleThrough(v, comps)));
    }
    if (!cycles.empty()) {
      std::string msg = "lineage cycle" + std::string(cycles.size() > 1 ? "s" : "") +
                        " through selected datasets (waves need an acyclic lineage):";
      for (const std::string& c : cycles) msg += "\n  " + c;
      return Status::InvalidArgument(msg);
    }
  }
  std::vector<int> wave = graph.Waves(selected, comps);
  DownstreamReach reach = ComputeDownstreamReach(graph, comps, options.reach);

  // Per selected dataset, precomputed: the tier, and a deterministic pseudo-random draw
  // for this seed (sorting compares them millions of times on a large estate).
  std::vector<uint8_t> tiers(catalog.size(), 0);
  std::vector<uint64_t> draws(catalog.size(), 0);
  for (NodeId v : picked) {
    const Entity& e = catalog.entity(v);
    tiers[v] = static_cast<uint8_t>(e.tier);
    draws[v] = XXH3_64bits_withSeed(e.id.data(), e.id.size(), spec.rollout.seed);
  }
  auto draw = [&](NodeId v) { return draws[v]; };
  auto tier_of = [&](NodeId v) { return tiers[v]; };

  // --- Stages.
  const size_t num_stages = spec.rollout.stages.size();
  const bool has_canary = num_stages >= 2;
  std::vector<int> stage(catalog.size(), -1);
  Plan plan;
  size_t canary_size = 0;
  if (has_canary) {
    std::vector<NodeId> candidates;
    for (NodeId v : picked) {
      if (canary_tiers.empty() || std::count(canary_tiers.begin(), canary_tiers.end(), static_cast<Tier>(tier_of(v)))) {
        candidates.push_back(v);
      }
    }
    if (candidates.empty()) {
      plan.warnings.push_back("no selected dataset is in the canary tiers; the canary is drawn from every tier");
      candidates = picked;
    }
    std::sort(candidates.begin(), candidates.end(), [&](NodeId a, NodeId b) {
      if (wave[a] != wave[b]) return wave[a] < wave[b];
      if (tier_of(a) != tier_of(b)) return tier_of(a) > tier_of(b);  // least critical first
      uint64_t da = draw(a), db = draw(b);
      if (da != db) return da < db;
      return a < b;
    });
    // A candidate joins only when every selected upstream already has (upward closure):
    // walk its ancestors through unselected entities, stopping at selected ones.
    std::vector<uint32_t> seen(catalog.size(), 0);
    uint32_t generation = 0;
    std::vector<NodeId> todo;
    auto upstream_in_canary = [&](NodeId v) {
      ++generation;
      todo.assign(1, v);
      seen[v] = generation;
      while (!todo.empty()) {
        NodeId x = todo.back();
        todo.pop_back();
        for (NodeId u : graph.Upstream(x)) {
          if (seen[u] == generation) continue;
          seen[u] = generation;
          if (selected[u]) {
            if (stage[u] != 0) return false;
          } else {
            todo.push_back(u);
          }
        }
      }
      return true;
    };
    const size_t want = static_cast<size_t>(cumulative[0]);
    for (NodeId v : candidates) {
      if (canary_size >= want) break;
      if (wave[v] > 0 && !upstream_in_canary(v)) continue;
      stage[v] = 0;
      ++canary_size;
    }
    if (canary_size < want) {
      plan.warnings.push_back("the canary holds " + std::to_string(canary_size) + " of the " + std::to_string(want) +
                              " datasets its " + PercentText(spec.rollout.stages[0]) +
                              "% asks for: not enough datasets of the canary tiers without upstreams outside it");
    }
  }
  {
    std::vector<NodeId> rest;
    for (NodeId v : picked) {
      if (stage[v] < 0) rest.push_back(v);
    }
    // Wave order keeps every upstream in an earlier or equal stage; inside a wave the
    // least risky datasets go to the earlier stages.
    std::sort(rest.begin(), rest.end(), [&](NodeId a, NodeId b) {
      if (wave[a] != wave[b]) return wave[a] < wave[b];
      if (tier_of(a) != tier_of(b)) return tier_of(a) > tier_of(b);
      if (reach.count[a] != reach.count[b]) return reach.count[a] < reach.count[b];
      return a < b;
    });
    size_t k = has_canary ? 1 : 0;
    int64_t placed = static_cast<int64_t>(canary_size);
    for (NodeId v : rest) {
      while (k + 1 < num_stages && placed >= cumulative[k]) ++k;
      stage[v] = static_cast<int>(k);
      ++placed;
    }
  }

  // --- Rows in execution order.
  std::vector<NodeId> order = picked;
  std::sort(order.begin(), order.end(), [&](NodeId a, NodeId b) {
    if (stage[a] != stage[b]) return stage[a] < stage[b];
    if (wave[a] != wave[b]) return wave[a] < wave[b];
    if (tier_of(a) != tier_of(b)) return tier_of(a) < tier_of(b);  // critical first
    if (reach.count[a] != reach.count[b]) return reach.count[a] > reach.count[b];
    return a < b;
  });
  const std::string target_format = FormatName(spec.target.format);
  plan.migration = spec.name;
  plan.spec_hash = spec.hash;
  plan.target_version = spec.version;
  plan.target_format = target_format;
  plan.agent = AgentName(spec.agent);
  plan.agent_version = spec.agent.version;
  plan.seed = spec.rollout.seed;
  plan.rows.reserve(n);
  int max_wave = -1;
  for (size_t i = 0; i < order.size(); ++i) {
    NodeId v = order[i];
    const Entity& e = catalog.entity(v);
    PlanRow r;
    r.dataset_id = e.id;
    r.wave = wave[v];
    r.stage = stage[v];
    bool same_group = i > 0 && stage[order[i - 1]] == stage[v] && wave[order[i - 1]] == wave[v];
    r.priority = same_group ? plan.rows.back().priority + 1 : 1;
    r.tier = e.tier;
    r.blast_radius = reach.count[v];
    r.blast_radius_exact = reach.exact[v];
    r.size_bytes = e.size_bytes;
    r.source_uri = e.uri;
    r.source_format = e.format;
    r.source_schema_version = e.schema_version;
    r.target_uri = target.Render(e, spec.version, target_format);
    max_wave = std::max(max_wave, r.wave);
    plan.rows.push_back(std::move(r));
  }
  // Two datasets sent to one place would overwrite each other.
  std::vector<uint32_t> by_uri(plan.rows.size());
  std::iota(by_uri.begin(), by_uri.end(), 0);
  std::sort(by_uri.begin(), by_uri.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(plan.rows[a].target_uri, plan.rows[a].dataset_id) <
           std::tie(plan.rows[b].target_uri, plan.rows[b].dataset_id);
  });
  std::vector<std::string> collisions;
  for (size_t i = 1; i < by_uri.size() && collisions.size() < kMaxReportedCycles; ++i) {
    const PlanRow& a = plan.rows[by_uri[i - 1]];
    const PlanRow& b = plan.rows[by_uri[i]];
    if (a.target_uri == b.target_uri)
      collisions.push_back(a.target_uri + " (" + a.dataset_id + " and " + b.dataset_id + ")");
  }
  if (!collisions.empty()) {
    std::string msg = "target.uri '" + target.text() + "' sends several datasets to the same place:";
    for (const std::string& c : collisions) msg += "\n  " + c;
    return Status::InvalidArgument(msg);
  }
  plan.num_waves = max_wave + 1;
  for (size_t k = 0; k < num_stages; ++k) {
    PlanStage s;
    s.index = static_cast<int>(k);
    s.percent = spec.rollout.stages[k];
    s.canary = has_canary && k == 0;
    s.first_wave = -1;
    s.last_wave = -1;
    plan.stages.push_back(s);
  }
  for (const PlanRow& r : plan.rows) {
    PlanStage& s = plan.stages[static_cast<size_t>(r.stage)];
    ++s.datasets;
    s.bytes += r.size_bytes;
    ++s.by_tier[static_cast<size_t>(r.tier)];
    if (s.first_wave < 0 || r.wave < s.first_wave) s.first_wave = r.wave;
    s.last_wave = std::max(s.last_wave, r.wave);
  }
  plan.hash = ComputePlanHash(plan);
  return plan;
}

}  // namespace gaggle
