// Planning a migration: load its spec, optionally import a catalog first, plan against
// the catalog as it was before this migration's own cut-over (so planning again after
// a cut-over selects the same datasets), and save the plan under its content hash
// unless asked not to. `gaggle plan` shows the result; StartRun (run_operations.h)
// plans the same way and runs the saved plan with the same hash.
// Thread-safety: see service_context.h.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "plan/plan.h"
#include "service/catalog_operations.h"
#include "service/service_context.h"
#include "spec/migration_spec.h"

namespace gaggle::service {

struct PlanRequest {
  std::string spec_path;
  std::string catalog_path;  // import this first when set
  bool save = true;
  std::string spec_text;  // when set, the spec is parsed from this text (spec_path names its origin)
};

struct PlanOutcome {
  MigrationSpec spec;
  Catalog catalog;  // as planned against (before this migration's cut-over); without queries
  Plan plan;
  bool saved = false;          // stored in the state store (now or earlier)
  bool saved_earlier = false;  // a plan with this hash was already stored
  std::optional<CatalogImportResult> imported;
  std::string state;              // the store's location
  nlohmann::json ToJson() const;  // the whole plan, every dataset
};

Result<PlanOutcome> PreparePlan(const ServiceContext& ctx, const PlanRequest& request);

}  // namespace gaggle::service
