#include "cutover/migration_finisher.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "agent/readable_location.h"
#include "common/dataset_location.h"
#include "cutover/cut_over.h"
#include "fleet/run_log.h"
#include "storage/object_uri.h"
#include "verify/query_verifier.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

// Patches are sent inline up to this size each; the file always has all of it.
constexpr size_t kInlinePatchBytes = 8 * 1024;
constexpr size_t kListedDatasets = 200;

Status SavePatches(const std::string& logs_dir, const std::string& migration, VerificationReport* report) {
  if (logs_dir.empty()) return Status::OK();
  const fs::path dir = fs::path(logs_dir) / RunLog::SafeFileName(migration) / "patches";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  for (ConsumerPatch& p : report->patches) {
    if (p.patch.empty()) continue;  // its queries need no change
    const fs::path file = dir / (RunLog::SafeFileName(p.consumer) + ".patch");
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << p.patch;
    out.close();
    if (!out) return Status::IOError("cannot write " + file.string());
    p.file = file.string();
  }
  return Status::OK();
}

nlohmann::json VerificationJson(const VerificationReport& r) {
  return {{"summary", r.Summary()},
          {"passed", r.passed()},
          {"candidates", r.candidates},
          {"sampled", r.checks.size()},
          {"matched", r.Count(QueryCheck::Outcome::kMatched)},
          {"mismatched", r.Count(QueryCheck::Outcome::kMismatched)},
          {"refused", r.Count(QueryCheck::Outcome::kRefused)},
          {"errors", r.Count(QueryCheck::Outcome::kError)}};
}

nlohmann::json ConsumersJson(const VerificationReport& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const ConsumerPatch& p : r.patches) {
    nlohmann::json c = {{"consumer", p.consumer}, {"owner", p.owner},         {"datasets", p.datasets},
                        {"queries", p.queries},   {"rewritten", p.rewritten}, {"refused", p.refused},
                        {"patch_file", p.file}};
    c["patch"] = p.patch.size() <= kInlinePatchBytes ? p.patch : p.patch.substr(0, kInlinePatchBytes) + "\n[...]\n";
    out.push_back(std::move(c));
  }
  return out;
}

FileSystemResolver* EnvironmentResolver() {
  static FileSystemResolver* resolver = new FileSystemResolver();
  return resolver;
}

}  // namespace

Result<VerificationReport> VerifyMigration(StateStore* store, const MigrationSpec& spec, const FinishOptions& options) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, store->LoadTasks(spec.name));
  std::vector<VerifiedDataset> migrated;
  for (const TaskRecord& t : tasks) {
    if (t.state != TaskState::kValidated) continue;
    VerifiedDataset d;
    d.id = t.dataset_id;
    // The old data as the agent read it; the new data is the committed output (on an object
    // store, the attempt T's manifest names, checked; an output that does not check out fails).
    if (IsObjectStoreUri(t.source_uri)) {
      FileSystemResolver* resolver = options.resolver ? options.resolver : EnvironmentResolver();
      GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation old_side, resolver->Resolve(t.source_uri));
      d.old_fs = old_side.fs;
      d.old_root = old_side.path;
    } else {
      GAGGLE_ASSIGN_OR_RETURN(d.old_root, LocalPathFromUri(t.source_uri));
    }
    GAGGLE_ASSIGN_OR_RETURN(ReadableLocation new_side, ResolveReadableLocation(options.resolver, t.target_uri, true));
    if (new_side.fs != FileSystem::Default()) d.new_fs = new_side.fs;
    d.new_root = new_side.root;
    migrated.push_back(std::move(d));
  }
  // With annotations: a consumer's gaggle.dev/sql-dialect decides how its queries run.
  GAGGLE_ASSIGN_OR_RETURN(Catalog catalog, store->LoadCatalog());
  QueryVerifierOptions vo;
  vo.sample = options.sample.value_or(spec.verify.sample);
  vo.seed = options.seed.value_or(spec.verify.seed);
  vo.float_tolerance = spec.verify.float_tolerance;
  vo.progress = options.progress;
  vo.resolver = options.resolver;
  QueryVerifier verifier(spec, catalog, vo);
  GAGGLE_ASSIGN_OR_RETURN(VerificationReport report, verifier.Verify(migrated));
  report.time = NowIso8601();
  GAGGLE_RETURN_IF_ERROR(SavePatches(options.logs_dir, spec.name, &report));
  VerificationRecord record;
  record.migration = spec.name;
  record.time = report.time;
  record.actor = options.actor;
  record.passed = report.passed();
  record.sampled = static_cast<int64_t>(report.checks.size());
  record.matched = report.Count(QueryCheck::Outcome::kMatched);
  record.mismatched = report.Count(QueryCheck::Outcome::kMismatched);
  record.refused = report.Count(QueryCheck::Outcome::kRefused);
  record.errors = report.Count(QueryCheck::Outcome::kError);
  record.summary = report.Summary();
  record.report = report.ToJson().dump();
  GAGGLE_RETURN_IF_ERROR(store->SaveVerification(record));
  return report;
}

Result<FinishResult> FinishMigration(StateStore* store, const MigrationSpec& spec, const FinishOptions& options) {
  FinishResult out;
  out.detail = nlohmann::json::object();
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, store->LoadTasks(spec.name));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> cutovers, store->ListCutovers(spec.name));
  std::set<std::string> current;
  for (const CutoverRecord& c : cutovers) {
    if (c.state != CutoverState::kRolledBack) current.insert(c.dataset_id);  // collected ones stay cut over
  }
  int64_t to_cut = 0;
  for (const TaskRecord& t : tasks) to_cut += t.state == TaskState::kValidated && !current.count(t.dataset_id);
  if (to_cut == 0) {
    out.passed = true;
    out.summary = current.empty()
                      ? "no validated dataset to cut over"
                      : "nothing new to cut over (" + std::to_string(current.size()) + " datasets cut over earlier)";
    return out;
  }

  std::string why_cut;
  if (!spec.verify.enabled) {
    why_cut = "verification disabled (verify.enabled: false)";
  } else {
    // An operator's approval of the final gate, newer than the last failed verification.
    GAGGLE_ASSIGN_OR_RETURN(std::vector<VerificationRecord> last, store->ListVerifications(spec.name, 1));
    GAGGLE_ASSIGN_OR_RETURN(std::vector<StageApproval> approvals, store->ListApprovals(spec.name));
    for (const StageApproval& a : approvals) {
      if (a.stage == kFinalGateStage && !last.empty() && !last[0].passed && a.time >= last[0].time) {
        why_cut = "final gate approved by " + a.actor + (a.reason.empty() ? "" : " (" + a.reason + ")") +
                  " despite: " + last[0].summary;
      }
    }
  }
  if (why_cut.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(VerificationReport report, VerifyMigration(store, spec, options));
    out.detail["verification"] = VerificationJson(report);
    out.detail["consumers"] = ConsumersJson(report);
    if (!report.passed()) {
      out.passed = false;
      out.summary = report.Summary();
      return out;
    }
    why_cut = report.Summary();
  }
  CutOverOptions co;
  co.actor = options.actor;
  co.resolver = options.resolver;
  GAGGLE_ASSIGN_OR_RETURN(CutOverReport cut, CutOverMigration(store, spec, co));
  nlohmann::json listed = nlohmann::json::array();
  for (size_t i = 0; i < cut.datasets.size() && i < kListedDatasets; ++i) listed.push_back(cut.datasets[i]);
  out.detail["cut_over"] = {{"datasets", cut.cut_over},
                            {"affected", listed},
                            {"affected_truncated", cut.datasets.size() > kListedDatasets},
                            {"retain_until", cut.retain_until}};
  out.passed = true;
  out.summary =
      why_cut + "; " + std::to_string(cut.cut_over) + " datasets cut over, old data kept until " + cut.retain_until;
  return out;
}

}  // namespace gaggle
