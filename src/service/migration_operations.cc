#include "service/migration_operations.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>

#include "service/plan_operations.h"
#include "service/spec_source.h"

namespace gaggle::service {
namespace {

constexpr const char* kCreatedMarker = "; not started (start it from the API, or `gaggle resume` then `gaggle run`)";

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Status::IOError("creating the directory of " + path + ": " + ec.message());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Status::IOError("writing " + tmp);
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IOError("renaming " + tmp + " to " + path + ": " + ec.message());
  return Status::OK();
}

constexpr const char* kIdempotencyLine = "# gaggle idempotency-key: ";

Status CheckIdempotencyKey(const std::string& key) {
  if (key.size() > 128) return Status::InvalidArgument("idempotency_key: longer than 128 characters");
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != ':') {
      return Status::InvalidArgument("idempotency_key: '" + key +
                                     "' has a character other than letters, digits, '.', '_', '-' and ':'");
    }
  }
  return Status::OK();
}

// The text saved as the migration's spec file: the key (when given) on a comment line
// first, so that the file itself records which request created it.
std::string SavedSpecText(const CreateMigrationRequest& r) {
  if (r.idempotency_key.empty()) return r.spec_text;
  return kIdempotencyLine + r.idempotency_key + "\n" + r.spec_text;
}

// `run` as an earlier Create with the same idempotency key and spec made it, or nullopt
// when its saved spec file is not byte-identical to `saved_text`.
Result<std::optional<CreatedMigration>> SameCreate(const ServiceContext& ctx, const MigrationRun& run,
                                                   const std::string& saved_text) {
  Result<std::string> text = ReadSpecText(ctx, run.spec_path);
  if (!text.ok() || *text != saved_text) return std::optional<CreatedMigration>();
  CreatedMigration out;
  out.migration = run.migration;
  out.plan_hash = run.plan_hash;
  out.spec_path = run.spec_path;
  out.existing = true;
  out.state = RunStateName(run.state);
  out.created_not_started = IsCreatedNotStarted(run);
  GAGGLE_ASSIGN_OR_RETURN(std::optional<Plan> plan, ctx.store->LoadPlan(run.plan_hash));
  if (plan) {
    out.datasets = static_cast<int64_t>(plan->rows.size());
    out.stages = static_cast<int>(plan->stages.size());
  }
  return std::optional<CreatedMigration>(std::move(out));
}

}  // namespace

Status CheckMigrationName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '.') {
    return Status::InvalidArgument("migration name '" + name + "' must be 1 to 128 characters, not starting with '.'");
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return Status::InvalidArgument("migration name '" + name +
                                     "' has a character other than letters, digits, '.', '_' and '-'");
    }
  }
  return Status::OK();
}

nlohmann::json PlanPreview::ToJson() const {
  return {{"migration", migration},
          {"hash", hash},
          {"datasets", datasets},
          {"waves", waves},
          {"stages", stages},
          {"waves_detail", waves_detail},
          {"blast_radius", {{"max", blast_radius_max}, {"sum", blast_radius_sum}, {"top", top}}},
          {"warnings", warnings}};
}

Result<PlanPreview> PreviewPlan(const ServiceContext& ctx, const PlanPreviewRequest& request) {
  if (request.spec_text.empty()) return Status::InvalidArgument("spec: the migration spec's YAML text is empty");
  PlanRequest pr;
  pr.spec_text = request.spec_text;
  pr.save = false;
  GAGGLE_ASSIGN_OR_RETURN(PlanOutcome planned, PreparePlan(ctx, pr));
  const Plan& plan = planned.plan;
  PlanPreview out;
  out.migration = plan.migration;
  out.hash = plan.hash;
  out.datasets = static_cast<int64_t>(plan.rows.size());
  out.waves = plan.num_waves;
  out.warnings = plan.warnings;
  for (const PlanStage& s : plan.stages) {
    out.stages.push_back(
        {{"stage", s.index},
         {"percent", s.percent},
         {"canary", s.canary},
         {"datasets", s.datasets},
         {"bytes", s.bytes},
         {"first_wave", s.first_wave},
         {"last_wave", s.last_wave},
         {"by_tier", {{"critical", s.by_tier[0]}, {"standard", s.by_tier[1]}, {"low", s.by_tier[2]}}}});
  }
  std::map<int, std::pair<int64_t, int64_t>> waves;  // wave -> (datasets, bytes)
  for (const PlanRow& r : plan.rows) {
    waves[r.wave].first += 1;
    waves[r.wave].second += r.size_bytes;
    out.blast_radius_max = std::max(out.blast_radius_max, r.blast_radius);
    out.blast_radius_sum += r.blast_radius;
  }
  for (const auto& [w, c] : waves)
    out.waves_detail.push_back({{"wave", w}, {"datasets", c.first}, {"bytes", c.second}});
  std::vector<const PlanRow*> rows;
  rows.reserve(plan.rows.size());
  for (const PlanRow& r : plan.rows) rows.push_back(&r);
  const size_t top = std::min(request.top, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(top), rows.end(),
                    [](const PlanRow* a, const PlanRow* b) {
                      return a->blast_radius != b->blast_radius ? a->blast_radius > b->blast_radius
                                                                : a->dataset_id < b->dataset_id;
                    });
  for (size_t i = 0; i < top; ++i) out.top.push_back(PlanRowToJson(*rows[i]));
  return out;
}

nlohmann::json CreatedMigration::ToJson() const {
  return {{"migration", migration},
          {"plan", plan_hash},
          {"spec", spec_path},
          {"datasets", datasets},
          {"stages", stages},
          {"state", state},
          {"started", !created_not_started},
          {"existing", existing}};
}

Result<CreatedMigration> CreateMigration(const ServiceContext& ctx, const CreateMigrationRequest& request) {
  if (request.spec_text.empty()) return Status::InvalidArgument("spec: the migration spec's YAML text is empty");
  GAGGLE_ASSIGN_OR_RETURN(MigrationSpec spec, ParseMigrationSpec(request.spec_text, "request body"));
  GAGGLE_RETURN_IF_ERROR(CheckMigrationName(spec.name));
  GAGGLE_RETURN_IF_ERROR(CheckIdempotencyKey(request.idempotency_key));
  const std::string saved_text = SavedSpecText(request);
  GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> existing, ctx.store->FindRun(spec.name));
  if (existing && !request.idempotency_key.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(std::optional<CreatedMigration> same, SameCreate(ctx, *existing, saved_text));
    if (same) return std::move(*same);
  }
  if (existing) {
    return Status::AlreadyExists("migration '" + spec.name + "' exists (" + RunStateName(existing->state) +
                                 "); start, resume or cancel it instead");
  }
  if (ctx.artifacts.empty()) return Status::InvalidArgument("creating a migration needs an artefact location");
  std::string spec_path = (std::filesystem::path(ctx.artifacts) / "specs" / (spec.name + ".yaml")).string();
  GAGGLE_RETURN_IF_ERROR(WriteFileAtomically(spec_path, saved_text));
  if (ctx.mirror) {
    // In object storage at once, and recorded by its URL: the spool is this process's
    // alone, and a coordinator on another host (or this one after a restart) reads the
    // spec from the record (service/spec_source.h).
    GAGGLE_RETURN_IF_ERROR(ctx.mirror->Upload(spec_path));
    GAGGLE_ASSIGN_OR_RETURN(spec_path, ctx.mirror->RemoteFor(spec_path));
  }
  PlanRequest pr;
  pr.spec_path = spec_path;
  pr.spec_text = saved_text;
  pr.save = true;
  GAGGLE_ASSIGN_OR_RETURN(PlanOutcome planned, PreparePlan(ctx, pr));
  GAGGLE_RETURN_IF_ERROR(
      ctx.store->UpsertRun(planned.plan, spec_path, planned.spec.fleet.concurrency, ctx.actor).status());
  MigrationRunUpdate hold;
  hold.state = RunState::kPaused;
  hold.state_reason = "created by " + ctx.actor + kCreatedMarker;
  GAGGLE_RETURN_IF_ERROR(ctx.store->UpdateRun(spec.name, hold, ctx.actor, "created").status());
  CreatedMigration out;
  out.migration = spec.name;
  out.plan_hash = planned.plan.hash;
  out.spec_path = spec_path;
  out.datasets = static_cast<int64_t>(planned.plan.rows.size());
  out.stages = static_cast<int>(planned.plan.stages.size());
  return out;
}

bool IsCreatedNotStarted(const MigrationRun& run) {
  const std::string marker = kCreatedMarker;
  return run.state == RunState::kPaused && run.state_reason.size() >= marker.size() &&
         run.state_reason.compare(run.state_reason.size() - marker.size(), marker.size(), marker) == 0;
}

Result<MigrationRun> PrepareStart(const ServiceContext& ctx, const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, RequireRun(ctx, migration));
  if (run.spec_path.empty()) {
    return Status::InvalidArgument("migration '" + migration + "' has no spec file recorded; run it with `gaggle run`");
  }
  if (!IsCreatedNotStarted(run)) return run;
  MigrationRunUpdate u;
  u.state = RunState::kRunning;
  u.state_reason = "started by " + ctx.actor;
  return ctx.store->UpdateRun(migration, u, ctx.actor, "started");
}

nlohmann::json ReportToJson(const MigrationReport& r) {
  auto moments = [](const std::vector<MigrationReport::Moment>& v) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& m : v) j.push_back({{"time", m.time}, {"what", m.what}});
    return j;
  };
  auto lines = [](const std::vector<MigrationReport::DatasetLine>& v) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& l : v) j.push_back({{"dataset", l.dataset}, {"text", l.text}});
    return j;
  };
  nlohmann::json verifications = nlohmann::json::array();
  for (const VerificationRecord& v : r.verifications) {
    verifications.push_back({{"time", v.time},
                             {"passed", v.passed},
                             {"sampled", v.sampled},
                             {"matched", v.matched},
                             {"mismatched", v.mismatched},
                             {"refused", v.refused},
                             {"errors", v.errors},
                             {"summary", v.summary}});
  }
  return {
      {"migration", r.run.migration},
      {"state", RunStateName(r.run.state)},
      {"reason", r.run.state_reason},
      {"timeline", moments(r.timeline)},
      {"gates", moments(r.gates)},
      {"tasks", r.tasks},
      {"done", r.done},
      {"attention", r.attention},
      {"rows_in", r.rows_in},
      {"rows_out", r.rows_out},
      {"dead_lettered", r.dead_lettered},
      {"filtered", r.filtered},
      {"bytes_out", r.bytes_out},
      {"retried_tasks", r.retried_tasks},
      {"retries", r.retries},
      {"top_dead_letters", lines(r.top_dead_letters)},
      {"top_retries", lines(r.top_retries)},
      {"needs_attention", lines(r.needs_attention)},
      {"verifications", verifications},
      {"verification_problems", r.verification_problems},
      {"cutovers", {{"current", r.cut_current}, {"rolled_back", r.cut_rolled_back}, {"collected", r.cut_collected}}},
      {"retain_until", r.retain_until},
      {"first_start", r.first_start},
      {"last_finish", r.last_finish}};
}

}  // namespace gaggle::service
