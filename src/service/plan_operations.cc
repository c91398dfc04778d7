#include "service/plan_operations.h"

#include "cutover/cut_over.h"
#include "plan/planner.h"
#include "service/spec_source.h"

namespace gaggle::service {

nlohmann::json PlanOutcome::ToJson() const {
  nlohmann::json j = PlanToJson(plan);
  j["saved"] = saved;
  j["state"] = state;
  return j;
}

namespace {

// The stored catalog (imported first when asked), as it was before `spec`'s own cut-over.
Result<Catalog> CatalogToPlanAgainst(const ServiceContext& ctx, const MigrationSpec& spec) {
  LoadCatalogOptions load;
  load.with_queries = false;
  load.with_annotations = false;
  GAGGLE_ASSIGN_OR_RETURN(Catalog catalog, ctx.store->LoadCatalog(load));
  if (catalog.size() == 0) {
    return Status::NotFound("the catalog in " + ctx.store->location() +
                            " is empty: pass --catalog PATH or run `gaggle catalog import PATH` first");
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> cutovers, ctx.store->ListCutovers(spec.name));
  return CatalogBeforeCutOver(std::move(catalog), cutovers);
}

}  // namespace

Result<PlanOutcome> PreparePlan(const ServiceContext& ctx, const PlanRequest& request) {
  PlanOutcome out;
  if (request.spec_text.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(out.spec, LoadSpecAt(ctx, request.spec_path));
  } else {
    GAGGLE_ASSIGN_OR_RETURN(
        out.spec, ParseMigrationSpec(request.spec_text,
                                     request.spec_path.empty() ? std::string("request body") : request.spec_path));
  }
  if (!request.catalog_path.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(out.imported, ImportCatalog(ctx, CatalogImportRequest{request.catalog_path}));
  }
  GAGGLE_ASSIGN_OR_RETURN(out.catalog, CatalogToPlanAgainst(ctx, out.spec));
  auto plan = BuildPlan(out.catalog, out.spec);
  if (!plan.ok()) return plan.status().WithContext(request.spec_path);
  out.plan = std::move(plan).value();
  out.state = ctx.store->location();
  if (request.save) {
    // Summaries only: loading a stored plan would read every one of its rows.
    GAGGLE_ASSIGN_OR_RETURN(std::vector<PlanSummary> stored, ctx.store->ListPlans(out.spec.name));
    for (const PlanSummary& p : stored) out.saved_earlier |= p.hash == out.plan.hash;
    if (!out.saved_earlier) GAGGLE_RETURN_IF_ERROR(ctx.store->SavePlan(out.plan));
    out.saved = true;
  }
  return out;
}

}  // namespace gaggle::service
