#include "audit/audit_collector.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/event_jsonl.h"
#include "common/dataset_location.h"
#include "dataset/manifest.h"
#include "fleet/run_log.h"
#include "storage/object_uri.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Status::IOError("error reading " + path.string());
  return out.str();
}

std::string Dump(const Json& j) { return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"; }
std::string Line(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n"; }

Json TaskJson(const TaskRecord& t) {
  return {{"dataset", t.dataset_id},
          {"state", TaskStateName(t.state)},
          {"stage", t.stage},
          {"wave", t.wave},
          {"ordinal", t.ordinal},
          {"source_uri", t.source_uri},
          {"source_format", t.source_format},
          {"target_uri", t.target_uri},
          {"size_bytes", t.size_bytes},
          {"attempts", t.attempts},
          {"started_at", t.started_at},
          {"finished_at", t.finished_at},
          {"last_error", t.last_error},
          {"skipped", t.skipped},
          {"rows_in", t.rows_in},
          {"rows_out", t.rows_out},
          {"dead_lettered", t.dead_lettered},
          {"filtered", t.filtered},
          {"bytes_out", t.bytes_out},
          {"duration_ms", t.duration_ms}};
}

Json LocationJson(const DatasetLocation& l) {
  return {{"uri", l.uri}, {"format", l.format}, {"schema", l.schema}, {"schema_version", l.schema_version}};
}

constexpr const char* kReadme =
    "gaggle audit archive\n"
    "====================\n"
    "\n"
    "One migration's complete record: the spec and plan it ran, every task's outcome, the agents\n"
    "(versions and digests) that wrote each output, the full hash-chained event log, the\n"
    "validation gates' evidence, operators' approvals, downstream query verifications and their\n"
    "per-consumer patches, cut-over records, output manifests and logs.\n"
    "\n"
    "Check it:   gaggle archive verify THIS_FILE\n"
    "  - every file's sha256 against MANIFEST.sha256 (also: tar -xf, then sha256sum -c MANIFEST.sha256)\n"
    "  - the event log's hash chains, one per migration: each event in events.jsonl carries the hash\n"
    "    of the one before it in its chain, and its own hash covers that link and all its fields\n"
    "    (see docs/after-migration.md)\n";

Json RunJson(const MigrationRun& run, const std::string& spec_path) {
  return {{"migration", run.migration},   {"state", RunStateName(run.state)}, {"state_reason", run.state_reason},
          {"plan_hash", run.plan_hash},   {"spec_hash", run.spec_hash},       {"spec_path", spec_path},
          {"created_at", run.created_at}, {"updated_at", run.updated_at},     {"concurrency", run.concurrency}};
}

// Adds the dataset to its agent's entry (by digest), from the agent recorded in a manifest.
void NoteAgent(const std::string& manifest_text, const std::string& dataset_id, std::map<std::string, Json>* agents) {
  Json m = Json::parse(manifest_text, nullptr, false);
  if (!m.is_object() || !m.contains("agent") || !m["agent"].is_object()) return;
  const Json& a = m["agent"];
  const std::string digest = a.value("digest", "");
  Json& entry = (*agents)[digest];
  if (entry.is_null()) {
    entry = {{"name", a.value("name", "")},
             {"version", a.value("version", "")},
             {"digest", digest},
             {"datasets", Json::array()}};
  }
  entry["datasets"].push_back(dataset_id);
}

// The object store serving `uri`: `resolver`'s, else one configured from the environment.
Result<ObjectStoreFileSystem*> ObjectStoreOf(const ObjectUri& uri, FileSystemResolver* resolver) {
  static FileSystemResolver* environment = new FileSystemResolver();
  return (resolver ? resolver : environment)->ObjectStore(uri.scheme);
}

// tasks.jsonl, validations.jsonl, each committed output's manifest, and agents.json.
// The text of an output's commit record: its manifest (on an object store, the one naming
// the committed attempt). An error when nothing is committed there.
Result<std::string> CommittedManifestText(const std::string& target_uri, FileSystemResolver* resolver) {
  if (IsObjectStoreUri(target_uri)) {
    GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, ParseObjectUri(target_uri));
    GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * store, ObjectStoreOf(uri, resolver));
    return ReadFileToString(store, uri.Child(kManifestFileName).ToString());
  }
  GAGGLE_ASSIGN_OR_RETURN(std::string dir, LocalPathFromUri(target_uri));
  return ReadWholeFile(fs::path(dir) / kManifestFileName);
}

// The spec file: a local path, or the object an API-created migration's record names
// when its artefacts are in object storage.
Result<std::string> SpecText(const std::string& path, FileSystemResolver* resolver) {
  if (!IsObjectStoreUri(path)) return ReadWholeFile(path);
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, ParseObjectUri(path));
  GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * store, ObjectStoreOf(uri, resolver));
  return ReadFileToString(store, path);
}

Status CollectTasks(StateStore* store, const std::string& migration, FileSystemResolver* resolver,
                    std::vector<AuditFile>* files) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, store->LoadTasks(migration));
  std::string tasks_jsonl, validations_jsonl;
  std::map<std::string, Json> agents;  // digest -> identity and datasets
  for (const TaskRecord& t : tasks) {
    tasks_jsonl += Line(TaskJson(t));
    GAGGLE_ASSIGN_OR_RETURN(std::optional<ValidationRecord> v, store->LatestValidation(migration, t.dataset_id));
    if (v) {
      Json report = Json::parse(v->report, nullptr, false);
      validations_jsonl += Line({{"dataset", t.dataset_id},
                                 {"attempt", v->attempt},
                                 {"time", v->time},
                                 {"passed", v->passed},
                                 {"summary", v->summary},
                                 {"report", report.is_discarded() ? Json(v->report) : report}});
    }
    auto manifest_text = CommittedManifestText(t.target_uri, resolver);
    if (!manifest_text.ok()) continue;  // nothing committed (failed, rolled back)
    files->push_back({"manifests/" + RunLog::SafeFileName(t.dataset_id) + ".json", *manifest_text});
    NoteAgent(*manifest_text, t.dataset_id, &agents);
  }
  files->push_back({"tasks.jsonl", tasks_jsonl});
  files->push_back({"validations.jsonl", validations_jsonl});
  Json agent_list = Json::array();
  for (auto& [digest, entry] : agents) agent_list.push_back(entry);
  files->push_back({"agents.json", Dump(agent_list)});
  return Status::OK();
}

// The whole event log: every migration's chain and the catalog's (older logs chain through
// all of them at once).
Result<AuditFile> EventsFile(StateStore* store) {
  std::vector<Event> events;
  EventFilter f;
  f.limit = 10000;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(std::vector<Event> page, store->ListEvents(f));
    if (page.empty()) break;
    f.after_seq = page.back().seq;
    events.insert(events.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
  }
  return AuditFile{kAuditEventsPath, EventsToJsonl(events)};
}

Result<AuditFile> ApprovalsFile(StateStore* store, const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<StageApproval> approvals, store->ListApprovals(migration));
  Json approvals_json = Json::array();
  for (const StageApproval& a : approvals) {
    approvals_json.push_back({{"stage", a.stage}, {"actor", a.actor}, {"time", a.time}, {"reason", a.reason}});
  }
  return AuditFile{"approvals.json", Dump(approvals_json)};
}

Result<AuditFile> VerificationsFile(StateStore* store, const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<VerificationRecord> verifications, store->ListVerifications(migration, 0));
  std::string verifications_jsonl;
  for (const VerificationRecord& v : verifications) {
    Json report = Json::parse(v.report, nullptr, false);
    verifications_jsonl += Line({{"seq", v.seq},
                                 {"time", v.time},
                                 {"actor", v.actor},
                                 {"passed", v.passed},
                                 {"summary", v.summary},
                                 {"report", report.is_discarded() ? Json(v.report) : report}});
  }
  return AuditFile{"verifications.jsonl", verifications_jsonl};
}

Result<AuditFile> CutoversFile(StateStore* store, const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> cutovers, store->ListCutovers(migration));
  Json cut_json = Json::array();
  for (const CutoverRecord& c : cutovers) {
    cut_json.push_back({{"dataset", c.dataset_id},
                        {"state", CutoverStateName(c.state)},
                        {"previous", LocationJson(c.previous)},
                        {"next", LocationJson(c.next)},
                        {"cut_at", c.cut_at},
                        {"retain_until", c.retain_until},
                        {"changed_at", c.changed_at},
                        {"changed_by", c.changed_by}});
  }
  return AuditFile{"cutovers.json", Dump(cut_json)};
}

// The run's logs, as written, under logs/.
Status CollectLogs(const std::string& logs_dir, const std::string& migration, std::vector<AuditFile>* files) {
  if (logs_dir.empty()) return Status::OK();
  const fs::path root = fs::path(logs_dir) / RunLog::SafeFileName(migration);
  std::error_code ec;
  std::vector<fs::path> logs;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) logs.push_back(it->path());
  }
  std::sort(logs.begin(), logs.end());
  for (const fs::path& p : logs) {
    // Streamed when the archive is written, never loaded whole (a log can be large).
    AuditFile f;
    f.path = "logs/" + fs::relative(p, root).generic_string();
    f.source = p.string();
    f.size = static_cast<uint64_t>(fs::file_size(p, ec));
    if (ec) return Status::IOError("cannot read the size of " + p.string() + ": " + ec.message());
    files->push_back(std::move(f));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<AuditFile>> CollectAuditFiles(StateStore* store, const std::string& migration,
                                                 const AuditCollectOptions& options) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> run, store->FindRun(migration));
  if (!run) return Status::NotFound("no migration '" + migration + "' in " + store->location());
  std::vector<AuditFile> files;
  files.push_back({"README.txt", kReadme});

  const std::string spec_path = options.spec_path.empty() ? run->spec_path : options.spec_path;
  auto spec_text = SpecText(spec_path, options.resolver);
  if (!spec_text.ok()) {
    return Status::NotFound("the spec of migration '" + migration + "' (" + spec_path +
                            ") cannot be read; pass its path with --spec");
  }
  files.push_back({"spec.yaml", *spec_text});
  GAGGLE_ASSIGN_OR_RETURN(std::optional<Plan> plan, store->LoadPlan(run->plan_hash));
  if (plan) files.push_back({"plan.json", Dump(PlanToJson(*plan))});
  files.push_back({"run.json", Dump(RunJson(*run, spec_path))});

  GAGGLE_RETURN_IF_ERROR(CollectTasks(store, migration, options.resolver, &files));
  GAGGLE_ASSIGN_OR_RETURN(AuditFile events, EventsFile(store));
  files.push_back(std::move(events));
  GAGGLE_ASSIGN_OR_RETURN(AuditFile approvals, ApprovalsFile(store, migration));
  files.push_back(std::move(approvals));
  GAGGLE_ASSIGN_OR_RETURN(AuditFile verifications, VerificationsFile(store, migration));
  files.push_back(std::move(verifications));
  GAGGLE_ASSIGN_OR_RETURN(AuditFile cutovers, CutoversFile(store, migration));
  files.push_back(std::move(cutovers));
  GAGGLE_RETURN_IF_ERROR(CollectLogs(options.logs_dir, migration, &files));
  std::sort(files.begin(), files.end(), [](const AuditFile& a, const AuditFile& b) { return a.path < b.path; });
  return files;
}

}  // namespace gaggle
