#include "plan/planner.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <tuple>

#include "dataset/format_table.h"
#include "plan/column_report.h"
#include "plan/lineage_graph.h"
#include "plan/location_support.h"
#include "plan/selection.h"
#include "plan/target_ownership.h"
#include "plan/target_template.h"

namespace gaggle {
namespace {

// Printing more cycles than this helps nobody; fixing these reveals the rest.
constexpr size_t kMaxReportedCycles = 10;

std::string RolloutPercentText(double p) {
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
                                     std::to_string(i + 1) + " is " + RolloutPercentText(p) + "%");
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

// Builds one plan in named steps, in the order BuildPlan calls them; each step reads what
// the earlier ones decided.
class PlanBuilder {
 public:
  PlanBuilder(const Catalog& catalog, const MigrationSpec& spec, const PlannerOptions& options)
      : catalog_(catalog), spec_(spec), options_(options) {}

  // The selection, the target template, the stage sizes and the canary tiers.
  Status ReadSpec() {
    GAGGLE_ASSIGN_OR_RETURN(picked_, SelectDatasets(catalog_, spec_.select));
    GAGGLE_ASSIGN_OR_RETURN(target_, TargetTemplate::Parse(spec_.target.uri_template));
    GAGGLE_ASSIGN_OR_RETURN(cumulative_, StageCounts(spec_.rollout, picked_.size()));
    for (const std::string& t : spec_.rollout.canary_tiers) {
      auto tier = ParseTier(t);
      if (!tier.ok()) return Status::InvalidArgument("rollout.canary.tier: " + tier.status().message());
      canary_tiers_.push_back(*tier);
    }
    selected_.assign(catalog_.size(), false);
    for (NodeId v : picked_) selected_[v] = true;
    return Status::OK();
  }

  // A cycle through a selected dataset is an error that prints the cycle (the first few).
  Status CheckLineageIsAcyclic() {
    graph_.emplace(LineageGraph::FromCatalog(catalog_));
    comps_ = graph_->StronglyConnected();
    std::vector<std::string> cycles;
    std::vector<bool> reported(comps_.count, false);
    for (NodeId v : picked_) {
      if (!comps_.IsCyclic(v) || reported[comps_.component_of[v]]) continue;
      reported[comps_.component_of[v]] = true;
      if (cycles.size() < kMaxReportedCycles) {
        cycles.push_back(DescribeCycle(catalog_, graph_->CycleThrough(v, comps_)));
      }
    }
    if (cycles.empty()) return Status::OK();
    std::string msg = "lineage cycle" + std::string(cycles.size() > 1 ? "s" : "") +
                      " through selected datasets (waves need an acyclic lineage):";
    for (const std::string& c : cycles) msg += "\n  " + c;
    return Status::InvalidArgument(msg);
  }

  // Waves, blast radius, and per selected dataset, precomputed: the tier, and a
  // deterministic pseudo-random draw for this seed (sorting compares them millions of
  // times on a large estate).
  void RankDatasets() {
    wave_ = graph_->Waves(selected_, comps_);
    reach_ = ComputeDownstreamReach(*graph_, comps_, options_.reach);
    tiers_.assign(catalog_.size(), 0);
    draws_.assign(catalog_.size(), 0);
    for (NodeId v : picked_) {
      const Entity& e = catalog_.entity(v);
      tiers_[v] = static_cast<uint8_t>(e.tier);
      draws_[v] = XXH3_64bits_withSeed(e.id.data(), e.id.size(), spec_.rollout.seed);
    }
    stage_.assign(catalog_.size(), -1);
  }

  bool has_canary() const { return spec_.rollout.stages.size() >= 2; }

  // Stage 0: datasets of the canary tiers, earliest waves first, least critical first,
  // drawn at random for the seed, and closed upward.
  void PlaceCanary() {
    std::vector<NodeId> candidates = CanaryCandidates();
    const size_t want = static_cast<size_t>(cumulative_[0]);
    for (NodeId v : candidates) {
      if (canary_size_ >= want) break;
      if (wave_[v] > 0 && !UpstreamInCanary(v)) continue;
      stage_[v] = 0;
      ++canary_size_;
    }
    if (canary_size_ < want) {
      plan_.warnings.push_back("the canary holds " + std::to_string(canary_size_) + " of the " + std::to_string(want) +
                               " datasets its " + RolloutPercentText(spec_.rollout.stages[0]) +
                               "% asks for: not enough datasets of the canary tiers without upstreams outside it");
    }
  }

  // The other stages fill in wave order: every upstream lands in an earlier or equal
  // stage; inside a wave the least risky datasets go to the earlier stages.
  void PlaceOtherStages() {
    std::vector<NodeId> rest;
    for (NodeId v : picked_) {
      if (stage_[v] < 0) rest.push_back(v);
    }
    std::sort(rest.begin(), rest.end(), [&](NodeId a, NodeId b) {
      if (wave_[a] != wave_[b]) return wave_[a] < wave_[b];
      if (tiers_[a] != tiers_[b]) return tiers_[a] > tiers_[b];
      if (reach_.count[a] != reach_.count[b]) return reach_.count[a] < reach_.count[b];
      return a < b;
    });
    const size_t num_stages = spec_.rollout.stages.size();
    size_t k = has_canary() ? 1 : 0;
    int64_t placed = static_cast<int64_t>(canary_size_);
    for (NodeId v : rest) {
      while (k + 1 < num_stages && placed >= cumulative_[k]) ++k;
      stage_[v] = static_cast<int>(k);
      ++placed;
    }
  }

  // The plan's header and its rows in execution order: stage, wave, critical first,
  // larger blast radius first, id.
  void WriteRows() {
    std::vector<NodeId> order = picked_;
    std::sort(order.begin(), order.end(), [&](NodeId a, NodeId b) {
      if (stage_[a] != stage_[b]) return stage_[a] < stage_[b];
      if (wave_[a] != wave_[b]) return wave_[a] < wave_[b];
      if (tiers_[a] != tiers_[b]) return tiers_[a] < tiers_[b];  // critical first
      if (reach_.count[a] != reach_.count[b]) return reach_.count[a] > reach_.count[b];
      return a < b;
    });
    const std::string target_format = FormatName(spec_.target.format);
    plan_.migration = spec_.name;
    plan_.spec_hash = spec_.hash;
    plan_.target_version = spec_.version;
    plan_.target_format = target_format;
    plan_.agent = AgentName(spec_.agent);
    plan_.agent_version = spec_.agent.version;
    plan_.seed = spec_.rollout.seed;
    plan_.rows.reserve(picked_.size());
    for (size_t i = 0; i < order.size(); ++i) {
      NodeId v = order[i];
      const Entity& e = catalog_.entity(v);
      PlanRow r;
      r.dataset_id = e.id;
      r.wave = wave_[v];
      r.stage = stage_[v];
      bool same_group = i > 0 && stage_[order[i - 1]] == stage_[v] && wave_[order[i - 1]] == wave_[v];
      r.priority = same_group ? plan_.rows.back().priority + 1 : 1;
      r.tier = e.tier;
      r.blast_radius = reach_.count[v];
      r.blast_radius_exact = reach_.exact[v];
      r.size_bytes = e.size_bytes;
      r.source_uri = e.uri;
      r.source_format = e.format;
      r.source_schema_version = e.schema_version;
      r.target_uri = target_->Render(e, spec_.version, target_format);
      max_wave_ = std::max(max_wave_, r.wave);
      plan_.rows.push_back(std::move(r));
    }
  }

  // Per dataset, which renames apply and which entries its columns miss (column_report.h).
  void ReportColumns() { ReportPlanColumns(catalog_, spec_.transform, &plan_); }

  // Every source and target is a location a run can use (plan/location_support.h).
  Status CheckLocationsAreSupported() const { return gaggle::CheckLocationsAreSupported(plan_.rows, spec_); }

  // No target replaces data gaggle does not own (plan/target_ownership.h).
  Status CheckTargetsAreOwned() const { return CheckTargetOwnership(plan_.rows, catalog_); }

  // Two datasets sent to one place would overwrite each other.
  Status CheckTargetsAreDistinct() const {
    const std::vector<PlanRow>& rows = plan_.rows;
    std::vector<uint32_t> by_uri(rows.size());
    std::iota(by_uri.begin(), by_uri.end(), 0);
    std::sort(by_uri.begin(), by_uri.end(), [&](uint32_t a, uint32_t b) {
      return std::tie(rows[a].target_uri, rows[a].dataset_id) < std::tie(rows[b].target_uri, rows[b].dataset_id);
    });
    std::vector<std::string> collisions;
    for (size_t i = 1; i < by_uri.size() && collisions.size() < kMaxReportedCycles; ++i) {
      const PlanRow& a = rows[by_uri[i - 1]];
      const PlanRow& b = rows[by_uri[i]];
      if (a.target_uri == b.target_uri) {
        collisions.push_back(a.target_uri + " (" + a.dataset_id + " and " + b.dataset_id + ")");
      }
    }
    if (collisions.empty()) return Status::OK();
    std::string msg = "target.uri '" + target_->text() + "' sends several datasets to the same place:";
    for (const std::string& c : collisions) msg += "\n  " + c;
    return Status::InvalidArgument(msg);
  }

  // Per stage: datasets, bytes, tiers and the waves it spans; then the plan's hash.
  Plan Finish() {
    plan_.num_waves = max_wave_ + 1;
    for (size_t k = 0; k < spec_.rollout.stages.size(); ++k) {
      PlanStage s;
      s.index = static_cast<int>(k);
      s.percent = spec_.rollout.stages[k];
      s.canary = has_canary() && k == 0;
      s.first_wave = -1;
      s.last_wave = -1;
      plan_.stages.push_back(s);
    }
    for (const PlanRow& r : plan_.rows) {
      PlanStage& s = plan_.stages[static_cast<size_t>(r.stage)];
      ++s.datasets;
      s.bytes += r.size_bytes;
      ++s.by_tier[static_cast<size_t>(r.tier)];
      if (s.first_wave < 0 || r.wave < s.first_wave) s.first_wave = r.wave;
      s.last_wave = std::max(s.last_wave, r.wave);
    }
    plan_.hash = ComputePlanHash(plan_);
    return std::move(plan_);
  }

 private:
  // The canary's candidates in the order they join: the canary tiers' datasets (every
  // dataset when none is in them), earliest wave, least critical, then the seed's draw.
  std::vector<NodeId> CanaryCandidates() {
    std::vector<NodeId> candidates;
    for (NodeId v : picked_) {
      if (canary_tiers_.empty() ||
          std::count(canary_tiers_.begin(), canary_tiers_.end(), static_cast<Tier>(tiers_[v]))) {
        candidates.push_back(v);
      }
    }
    if (candidates.empty()) {
      plan_.warnings.push_back("no selected dataset is in the canary tiers; the canary is drawn from every tier");
      candidates = picked_;
    }
    std::sort(candidates.begin(), candidates.end(), [&](NodeId a, NodeId b) {
      if (wave_[a] != wave_[b]) return wave_[a] < wave_[b];
      if (tiers_[a] != tiers_[b]) return tiers_[a] > tiers_[b];  // least critical first
      uint64_t da = draws_[a], db = draws_[b];
      if (da != db) return da < db;
      return a < b;
    });
    return candidates;
  }

  // A candidate joins only when every selected upstream already has (upward closure):
  // walk its ancestors through unselected entities, stopping at selected ones.
  bool UpstreamInCanary(NodeId v) {
    if (seen_.empty()) seen_.assign(catalog_.size(), 0);
    ++generation_;
    todo_.assign(1, v);
    seen_[v] = generation_;
    while (!todo_.empty()) {
      NodeId x = todo_.back();
      todo_.pop_back();
      for (NodeId u : graph_->Upstream(x)) {
        if (seen_[u] == generation_) continue;
        seen_[u] = generation_;
        if (selected_[u]) {
          if (stage_[u] != 0) return false;
        } else {
          todo_.push_back(u);
        }
      }
    }
    return true;
  }

  const Catalog& catalog_;
  const MigrationSpec& spec_;
  const PlannerOptions& options_;
  std::vector<NodeId> picked_;
  std::optional<TargetTemplate> target_;
  std::vector<int64_t> cumulative_;  // datasets in stages 0..k, per stage k
  std::vector<Tier> canary_tiers_;
  std::vector<bool> selected_;  // per catalog node
  std::optional<LineageGraph> graph_;
  LineageGraph::Components comps_;
  std::vector<int> wave_;
  DownstreamReach reach_;
  std::vector<uint8_t> tiers_;
  std::vector<uint64_t> draws_;
  std::vector<int> stage_;  // -1 until placed
  size_t canary_size_ = 0;
  int max_wave_ = -1;
  Plan plan_;
  // UpstreamInCanary's walk, reused from call to call.
  std::vector<uint32_t> seen_;
  uint32_t generation_ = 0;
  std::vector<NodeId> todo_;
};

}  // namespace

Result<Plan> BuildPlan(const Catalog& catalog, const MigrationSpec& spec, const PlannerOptions& options) {
  if (!catalog.finalized()) return Status::InvalidArgument("catalog is not finalized");
  PlanBuilder builder(catalog, spec, options);
  GAGGLE_RETURN_IF_ERROR(builder.ReadSpec());
  GAGGLE_RETURN_IF_ERROR(builder.CheckLineageIsAcyclic());
  builder.RankDatasets();
  if (builder.has_canary()) builder.PlaceCanary();
  builder.PlaceOtherStages();
  builder.WriteRows();
  builder.ReportColumns();
  GAGGLE_RETURN_IF_ERROR(builder.CheckTargetsAreDistinct());
  GAGGLE_RETURN_IF_ERROR(builder.CheckLocationsAreSupported());
  GAGGLE_RETURN_IF_ERROR(builder.CheckTargetsAreOwned());
  return builder.Finish();
}

}  // namespace gaggle
