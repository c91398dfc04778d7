#include "fleet/rollback.h"

#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "agent/object_output_committer.h"
#include "common/dataset_location.h"
#include "common/json_text.h"
#include "storage/object_uri.h"

namespace gaggle {
namespace {

std::string CompactUtcStamp() {
  std::time_t t = std::time(nullptr);
  struct tm tm;
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// States that may leave an output behind and can be rolled back.
bool CanRollBack(TaskState s) {
  return s == TaskState::kSucceeded || s == TaskState::kValidated || s == TaskState::kInvalid ||
         s == TaskState::kFailed || s == TaskState::kNeedsAttention;
}

}  // namespace

// The object-store branch of the quarantine: the same layout as a local one, by prefix.
static Status QuarantineObject(const RollbackRequest& request, const TaskRecord& t, const std::string& stamp,
                               nlohmann::json* detail, RollbackReport* report) {
  static FileSystemResolver* environment = new FileSystemResolver();
  FileSystemResolver* resolver = request.resolver ? request.resolver : environment;
  const std::string what = "rollback of '" + t.dataset_id + "'";
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri out, ParseObjectUri(t.target_uri));
  GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * store, resolver->ObjectStore(out.scheme));
  const size_t slash = out.key.rfind('/');
  const std::string parent = slash == std::string::npos ? "" : out.key.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? out.key : out.key.substr(slash + 1);
  ObjectUri dir = out;
  dir.key = parent + "_gaggle_quarantine/" + request.migration + "/" + stamp;
  const std::string dest = dir.ToString() + "/" + name;
  Result<int64_t> moved = QuarantineObjectOutput(store, out.ToString(), dest);
  if (!moved.ok()) return moved.status().WithContext(what);
  if (*moved == 0) return Status::OK();
  (*detail)["quarantined_to"] = dest;
  report->moved.push_back(t.dataset_id + ": " + out.ToString() + " -> " + dest);
  report->quarantine_dir = dir.ToString();
  ++report->quarantined;
  return Status::OK();
}

Result<RollbackReport> RollbackMigration(StateStore* store, const RollbackRequest& request) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, store->LoadTasks(request.migration));
  if (tasks.empty()) {
    return Status::NotFound("migration '" + request.migration + "' has no tasks in " + store->location());
  }
  std::set<std::string> wanted(request.datasets.begin(), request.datasets.end());
  std::set<std::string> seen;
  RollbackReport report;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> cutovers, store->ListCutovers(request.migration));
  std::map<std::string, const CutoverRecord*> cutover_of;
  for (const CutoverRecord& c : cutovers) cutover_of[c.dataset_id] = &c;
  const std::string stamp = CompactUtcStamp();
  namespace fs = std::filesystem;
  // Which tasks roll back; those already cut over are restored in the catalog first, all
  // in one transaction, so consumers read the old data again before any output moves.
  std::vector<TaskRecord*> chosen;
  std::vector<std::string> restore;
  for (TaskRecord& t : tasks) {
    if (!wanted.empty() && !wanted.count(t.dataset_id)) continue;
    if (request.stage >= 0 && t.stage != request.stage) continue;
    seen.insert(t.dataset_id);
    if (!CanRollBack(t.state)) {
      if (t.state != TaskState::kRolledBack) {
        report.skipped.push_back(t.dataset_id + ": " + TaskStateName(t.state) + " (nothing to roll back)");
      }
      continue;
    }
    if (auto c = cutover_of.find(t.dataset_id); c != cutover_of.end()) {
      const CutoverRecord& cut = *c->second;
      if (cut.state == CutoverState::kCollected) {
        report.skipped.push_back(t.dataset_id + ": its old data (" + cut.previous.uri + ") was deleted by gc at " +
                                 cut.changed_at + "; rolling back would leave it without data");
        continue;
      }
      if (cut.state == CutoverState::kCollecting) {
        report.skipped.push_back(t.dataset_id + ": gc began deleting its old data (" + cut.previous.uri + ") at " +
                                 cut.changed_at + "; rolling back would point the catalog at partly deleted data");
        continue;
      }
      if (cut.state == CutoverState::kCurrent) restore.push_back(t.dataset_id);
    }
    chosen.push_back(&t);
  }
  if (!restore.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(report.restored,
                            store->RestoreCutovers(request.migration, restore, request.actor, request.reason));
  }
  for (TaskRecord* task : chosen) {
    TaskRecord& t = *task;
    nlohmann::json detail = {{"reason", request.reason}};
    if (auto c = cutover_of.find(t.dataset_id); c != cutover_of.end() && c->second->state == CutoverState::kCurrent) {
      detail["catalog_restored_to"] = c->second->previous.uri;
    }
    if (IsObjectStoreUri(t.target_uri)) {
      GAGGLE_RETURN_IF_ERROR(QuarantineObject(request, t, stamp, &detail, &report));
    } else if (auto target = LocalPathFromUri(t.target_uri); target.ok()) {
      std::error_code ec;
      if (fs::exists(*target, ec)) {
        fs::path out(*target);
        fs::path dest = out.parent_path() / "_gaggle_quarantine" / request.migration / stamp / out.filename();
        fs::create_directories(dest.parent_path(), ec);
        if (ec)
          return Status::IOError("rollback of '" + t.dataset_id + "': cannot create " + dest.parent_path().string() +
                                 ": " + ec.message());
        fs::rename(out, dest, ec);
        if (ec) {
          return Status::IOError("rollback of '" + t.dataset_id + "': cannot move " + out.string() + " to " +
                                 dest.string() + ": " + ec.message());
        }
        // The rejected dead letters of a failed run sit beside the output: keep them with it.
        fs::path rejected = out.string() + ".rejected-dead-letter.jsonl";
        if (fs::exists(rejected, ec)) fs::rename(rejected, dest.string() + ".rejected-dead-letter.jsonl", ec);
        detail["quarantined_to"] = dest.string();
        report.moved.push_back(t.dataset_id + ": " + out.string() + " -> " + dest.string());
        report.quarantine_dir = (out.parent_path() / "_gaggle_quarantine" / request.migration / stamp).string();
        ++report.quarantined;
      }
    }
    const TaskState from = t.state;
    t.state = TaskState::kRolledBack;
    t.runner.clear();
    t.lease_expires_ms = 0;
    GAGGLE_RETURN_IF_ERROR(store->TransitionTask(from, t, request.actor, JsonText(detail, -1)));
    ++report.rolled_back;
  }
  for (const std::string& d : request.datasets) {
    if (!seen.count(d)) report.skipped.push_back(d + ": not a dataset of migration '" + request.migration + "'");
  }
  return report;
}

}  // namespace gaggle
