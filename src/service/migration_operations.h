// Migrations as the control plane creates them: a plan preview from a spec's text
// (the waves, stages and blast radius, nothing saved), creating a migration from a
// spec's text, and the start rule of a migration that was created but not started.
//  - Create saves the spec under the artefact location (specs/NAME.yaml), plans it
//    against the stored catalog, saves the plan and creates the run record with its
//    tasks, held paused ("created ...; not started") until someone starts it. A name
//    that already has a run is refused (AlreadyExists): re-planning a migration is
//    `gaggle run` with its spec file.
//  - Starting takes a created migration out of that hold; any other pause (an
//    operator's, a gate's) stays: starting is not resuming.
//  - An idempotency key makes Create safe to retry (a client that crashed after sending
//    it, such as a Backstage scaffolder task being recovered): the key is written as the
//    first line of the saved spec file, and a Create whose key and spec text are those
//    of the existing migration's saved spec returns that migration (existing = true)
//    instead of AlreadyExists. The same key with another spec is still AlreadyExists.
// Thread-safety: see service_context.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/migration_report.h"
#include "service/service_context.h"

namespace gaggle::service {

struct PlanPreviewRequest {
  std::string spec_text;
  size_t top = 20;  // datasets with the largest blast radius to list
};

struct PlanPreview {
  std::string migration;
  std::string hash;
  int64_t datasets = 0;
  int waves = 0;
  nlohmann::json stages = nlohmann::json::array();
  nlohmann::json waves_detail = nlohmann::json::array();  // per wave: datasets, bytes
  uint64_t blast_radius_max = 0;
  uint64_t blast_radius_sum = 0;
  nlohmann::json top = nlohmann::json::array();  // the `top` rows by blast radius
  std::vector<std::string> warnings;
  nlohmann::json ToJson() const;
};

Result<PlanPreview> PreviewPlan(const ServiceContext& ctx, const PlanPreviewRequest& request);

struct CreateMigrationRequest {
  std::string spec_text;
  std::string idempotency_key;  // optional: 1 to 128 of [A-Za-z0-9._:-]
};

struct CreatedMigration {
  std::string migration;
  std::string plan_hash;
  std::string spec_path;
  int64_t datasets = 0;
  int stages = 0;
  bool existing = false;            // an earlier Create with the same idempotency key made it
  std::string state = "paused";     // the run's state (a new migration is held until started)
  bool created_not_started = true;  // still in the hold of a migration never started
  nlohmann::json ToJson() const;
};

Result<CreatedMigration> CreateMigration(const ServiceContext& ctx, const CreateMigrationRequest& request);

// True when `run` is held because it was created and never started.
bool IsCreatedNotStarted(const MigrationRun& run);

// Prepares a start: takes a created migration out of its hold. Returns the run record
// (its spec_path is what StartRun runs).
Result<MigrationRun> PrepareStart(const ServiceContext& ctx, const std::string& migration);

// The migration report as JSON (the API's report endpoint).
nlohmann::json ReportToJson(const MigrationReport& r);

// A migration name usable as a file name: letters, digits, '.', '_', '-', not starting with '.'.
Status CheckMigrationName(const std::string& name);

}  // namespace gaggle::service
