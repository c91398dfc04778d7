#include "service/service_context.h"

#include <filesystem>

#include "fleet/run_log.h"
#include "store/postgres_url.h"

namespace gaggle::service {

std::string DefaultArtifactsDir(const std::string& state_location) {
  // A PostgreSQL state has no folder: ./gaggle-logs (never a path made of its URL).
  if (IsPostgresUrl(state_location)) return "gaggle-logs";
  std::filesystem::path dir = std::filesystem::path(state_location).parent_path();
  return (dir.empty() ? std::filesystem::path(".") : dir).append("gaggle-logs").string();
}

std::string ArtifactsShown(const ServiceContext& ctx) { return ctx.mirror ? ctx.mirror->remote() : ctx.artifacts; }

Status FetchArtifacts(const ServiceContext& ctx, const std::string& migration, const std::string& subdir) {
  if (ctx.mirror == nullptr) return Status::OK();
  const std::string prefix = RunLog::SafeFileName(migration) + (subdir.empty() ? "" : "/" + subdir);
  return ctx.mirror->Fetch(prefix).status();
}

Status PublishArtifacts(const ServiceContext& ctx, const std::string& migration) {
  if (ctx.mirror == nullptr) return Status::OK();
  return ctx.mirror->UploadChanged(RunLog::SafeFileName(migration)).status();
}

Result<MigrationRun> RequireRun(const ServiceContext& ctx, const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> run, ctx.store->FindRun(migration));
  if (run) return *run;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<MigrationRun> runs, ctx.store->ListRuns());
  std::string known;
  for (const MigrationRun& r : runs) known += (known.empty() ? "" : ", ") + r.migration;
  return Status::NotFound("no migration '" + migration + "' has been run with state " + ctx.store->location() +
                          (known.empty() ? " (none has)" : " (known: " + known + ")"));
}

Result<ControlStore*> RequireControl(const ServiceContext& ctx, const char* operation) {
  if (ctx.control == nullptr) {
    return Status::InvalidArgument(std::string(operation) + " needs the control store of " + ctx.store->location());
  }
  return ctx.control;
}

}  // namespace gaggle::service
