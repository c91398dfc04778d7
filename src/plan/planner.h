// The planner: turns a migration spec and the catalog into a Plan — which
// datasets (selection), in which order (waves by lineage, priority inside a
// wave), in which canary stage, and where each one goes (target URI).
//
// Rules (docs/catalog.md, "Planner rules"):
//  - a cycle through a selected dataset is an error that prints the cycle;
//  - wave = number of selected datasets on the longest lineage path above the
//    dataset (through unselected entities too), so foundational datasets come first;
//  - priority inside a stage's wave: critical before standard before low, then the
//    larger blast radius (transitive downstream entities) first, then id;
//  - stage k holds, cumulatively, ceil(percent_k% of N) datasets. Stage 0 (when
//    there are 2+ stages) is the canary: datasets of the canary tiers, earliest waves
//    first, least critical first, drawn at random for the seed, and closed upward
//    (every selected upstream of a canary dataset is in the canary). The other stages
//    fill in wave order, least risky first; no dataset is ever in an earlier stage
//    than one of its selected upstreams.
// The result is a pure function of (catalog, spec): same inputs, same plan and hash.
// Thread-safety: pure function.
#pragma once

#include "catalog/catalog.h"
#include "common/status.h"
#include "plan/plan.h"
#include "plan/reach_counter.h"
#include "spec/migration_spec.h"

namespace gaggle {

struct PlannerOptions {
  ReachOptions reach;
};

Result<Plan> BuildPlan(const Catalog& catalog, const MigrationSpec& spec, const PlannerOptions& options = {});

}  // namespace gaggle
