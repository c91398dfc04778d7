#include "store/event_vocabulary.h"

#include "common/json_text.h"

namespace gaggle::events {
namespace {

using Json = nlohmann::json;

std::string Text(const Json& detail) { return JsonText(detail, -1); }  // never throws

Event Make(const std::string& migration, const std::string& dataset, std::string from, std::string to,
           std::string detail) {
  Event e;
  e.migration = migration;
  e.dataset = dataset;
  e.from_state = std::move(from);
  e.to_state = std::move(to);
  e.detail = std::move(detail);
  return e;
}

Json LocationJson(const DatasetLocation& l) {
  return {{"uri", l.uri}, {"format", l.format}, {"schema_version", l.schema_version}};
}

// The detail of `e` as a JSON object when its to_state is one of `kinds`.
std::optional<Json> DetailOf(const Event& e, std::initializer_list<const char*> kinds) {
  bool match = false;
  for (const char* k : kinds) match |= e.to_state == k;
  if (!match) return std::nullopt;
  Json d = Json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
  if (!d.is_object()) return std::nullopt;
  return d;
}

int64_t Int(const Json& d, const char* key, int64_t fallback = 0) {
  auto it = d.find(key);
  return it != d.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

std::optional<int64_t> OptInt(const Json& d, const char* key) {
  auto it = d.find(key);
  if (it == d.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::string Str(const Json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_string() ? it->get<std::string>() : "";
}

DatasetLocation Location(const Json& d, const char* key) {
  DatasetLocation l;
  auto it = d.find(key);
  if (it == d.end() || !it->is_object()) return l;
  l.uri = Str(*it, "uri");
  l.format = Str(*it, "format");
  l.schema_version = static_cast<int>(Int(*it, "schema_version", 1));
  return l;
}

}  // namespace

Event CatalogImported(const CatalogChangeSet& c) {
  Event e = Make("", "", "", kCatalogImported,
                 Text(Json{{"import_id", c.import_id},
                           {"source", c.source},
                           {"added", c.num_added},
                           {"updated", c.num_updated},
                           {"removed", c.num_removed},
                           {"edges_added", c.edges_added},
                           {"edges_removed", c.edges_removed}}));
  e.time = c.time;
  e.actor = c.actor;
  return e;
}

Event Planned(const Plan& plan) {
  return Make(plan.migration, "", "", kPlanned,
              Text(Json{{"plan_hash", plan.hash},
                        {"datasets", plan.rows.size()},
                        {"stages", plan.stages.size()},
                        {"waves", plan.num_waves}}));
}

Event RunPlanned(const std::string& migration, const std::optional<RunState>& before, RunState after,
                 const RunPlannedDetail& d) {
  Json detail = {{"change", d.created ? "run created" : "plan refreshed"},
                 {"plan_hash", d.plan_hash},
                 {"spec_hash", d.spec_hash},
                 {"spec_path", d.spec_path},
                 {"datasets", d.datasets},
                 {"created", d.tasks_created},
                 {"cancelled", d.tasks_cancelled}};
  return Make(migration, "", before ? RunStateName(*before) : "", RunStateName(after), Text(detail));
}

Event RunChanged(const std::string& migration, RunState before, RunState after, const std::string& detail) {
  return Make(migration, "", RunStateName(before), RunStateName(after), detail);
}

Event TaskCreated(const std::string& migration, const std::string& dataset) {
  return Make(migration, dataset, "", TaskStateName(TaskState::kPending), kTaskPlannedDetail);
}

Event TaskDropped(const std::string& migration, const std::string& dataset, TaskState before) {
  return Make(migration, dataset, TaskStateName(before), TaskStateName(TaskState::kCancelled), kTaskDroppedDetail);
}

Event TaskMoved(const std::string& migration, const std::string& dataset, TaskState from, TaskState to,
                const std::string& detail) {
  return Make(migration, dataset, TaskStateName(from), TaskStateName(to), detail);
}

Event GateDecided(const std::string& migration, bool passed, const nlohmann::json& detail) {
  return Make(migration, "", kGate, passed ? kGatePassed : kGateFailed, Text(detail));
}

Event GateApproved(const StageApproval& a) {
  Event e = Make(a.migration, "", kGateFailed, kGateApproved, Text(Json{{"stage", a.stage}, {"reason", a.reason}}));
  e.time = a.time;
  e.actor = a.actor;
  return e;
}

Event Verification(const VerificationRecord& r) {
  Json detail = {{"sampled", r.sampled}, {"matched", r.matched}, {"mismatched", r.mismatched},
                 {"refused", r.refused}, {"errors", r.errors},   {"summary", r.summary}};
  Event e = Make(r.migration, "", kVerifying, r.passed ? kVerified : kVerificationFailed, Text(detail));
  e.time = r.time;
  e.actor = r.actor;
  return e;
}

Event CutOver(const CutoverRecord& r) {
  Json detail = {
      {"previous", LocationJson(r.previous)}, {"next", LocationJson(r.next)}, {"retain_until", r.retain_until}};
  Event e = Make(r.migration, r.dataset_id, TaskStateName(TaskState::kValidated), kCutOver, Text(detail));
  e.time = r.cut_at;
  e.actor = r.changed_by;
  return e;
}

Event CutOverReverted(const CutoverRecord& r, const std::string& reason) {
  Json detail = {{"restored", LocationJson(r.previous)}, {"reason", reason}};
  return Make(r.migration, r.dataset_id, kCutOver, kCutOverReverted, Text(detail));
}

Event Collecting(const std::string& migration, const std::string& dataset, const std::string& detail) {
  return Make(migration, dataset, kCutOver, kCollecting, detail);
}

Event Collected(const std::string& migration, const std::string& dataset, const std::string& detail) {
  return Make(migration, dataset, kCutOver, kCollected, detail);
}

bool IsGateEvent(const Event& e) { return e.from_state == kGate || e.to_state == kGateApproved; }

std::optional<GateDetail> ParseGateDecided(const Event& e) {
  auto d = DetailOf(e, {kGatePassed, kGateFailed});
  if (!d) return std::nullopt;
  GateDetail g;
  g.passed = e.to_state == kGatePassed;
  g.stage = OptInt(*d, "stage");
  g.failing = OptInt(*d, "failing");
  g.settled = Int(*d, "settled");
  return g;
}

std::optional<GateApprovedDetail> ParseGateApproved(const Event& e) {
  auto d = DetailOf(e, {kGateApproved});
  if (!d) return std::nullopt;
  return GateApprovedDetail{static_cast<int>(Int(*d, "stage")), Str(*d, "reason")};
}

std::optional<VerificationDetail> ParseVerification(const Event& e) {
  auto d = DetailOf(e, {kVerified, kVerificationFailed});
  if (!d) return std::nullopt;
  VerificationDetail v;
  v.passed = e.to_state == kVerified;
  v.sampled = Int(*d, "sampled");
  v.matched = Int(*d, "matched");
  v.mismatched = Int(*d, "mismatched");
  v.refused = Int(*d, "refused");
  v.errors = Int(*d, "errors");
  v.summary = Str(*d, "summary");
  return v;
}

std::optional<CatalogImportedDetail> ParseCatalogImported(const Event& e) {
  auto d = DetailOf(e, {kCatalogImported});
  if (!d) return std::nullopt;
  CatalogImportedDetail c;
  c.import_id = Int(*d, "import_id");
  c.source = Str(*d, "source");
  c.added = Int(*d, "added");
  c.updated = Int(*d, "updated");
  c.removed = Int(*d, "removed");
  c.edges_added = Int(*d, "edges_added");
  c.edges_removed = Int(*d, "edges_removed");
  return c;
}

std::optional<CutOverDetail> ParseCutOver(const Event& e) {
  auto d = DetailOf(e, {kCutOver});
  if (!d) return std::nullopt;
  return CutOverDetail{Location(*d, "previous"), Location(*d, "next"), Str(*d, "retain_until")};
}

}  // namespace gaggle::events
