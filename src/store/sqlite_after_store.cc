// SqliteStateStore: after the migration — verifications (append-only) and cut-overs
// (tables of schema migration 5). A cut-over and its catalog change are one transaction,
// so the catalog never points at a location without a record of where it pointed before.
#include <nlohmann/json.hpp>
#include <set>

#include "store/sqlite_fleet_internal.h"
#include "store/sqlite_state_store.h"

namespace gaggle {
namespace {

using sqlite_fleet::ResetOnExit;
using sqlite_fleet::StepAll;

constexpr const char* kCutoverColumns =
    "migration, dataset_id, state, previous_uri, previous_format, previous_schema, previous_schema_version, "
    "next_uri, next_format, next_schema, next_schema_version, cut_at, retain_until, changed_at, changed_by";

Result<CutoverRecord> ReadCutover(const SqliteStatement& q) {
  CutoverRecord r;
  r.migration = q.Text(0);
  r.dataset_id = q.Text(1);
  GAGGLE_ASSIGN_OR_RETURN(r.state, ParseCutoverState(q.Text(2)));
  r.previous = {q.Text(3), q.Text(4), q.Text(5), static_cast<int>(q.Int(6))};
  r.next = {q.Text(7), q.Text(8), q.Text(9), static_cast<int>(q.Int(10))};
  r.cut_at = q.Text(11);
  r.retain_until = q.Text(12);
  r.changed_at = q.Text(13);
  r.changed_by = q.Text(14);
  return r;
}

nlohmann::json LocationJson(const DatasetLocation& l) {
  return {{"uri", l.uri}, {"format", l.format}, {"schema_version", l.schema_version}};
}

}  // namespace

Status SqliteStateStore::SaveVerification(const VerificationRecord& r) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  const std::string time = r.time.empty() ? Now() : r.time;
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * ins,
      Cached("INSERT INTO verifications (migration, time, actor, passed, sampled, matched, "
             "mismatched, refused, errors, summary, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  ins->Bind(1, r.migration)
      .Bind(2, time)
      .Bind(3, r.actor)
      .Bind(4, static_cast<int64_t>(r.passed ? 1 : 0))
      .Bind(5, r.sampled)
      .Bind(6, r.matched)
      .Bind(7, r.mismatched)
      .Bind(8, r.refused)
      .Bind(9, r.errors)
      .Bind(10, r.summary)
      .Bind(11, r.report);
  Status st = ins->Run();
  if (!st.ok()) return st.WithContext("saving a verification of migration '" + r.migration + "' in " + path_);
  nlohmann::json detail = {{"sampled", r.sampled}, {"matched", r.matched}, {"mismatched", r.mismatched},
                           {"refused", r.refused}, {"errors", r.errors},   {"summary", r.summary}};
  GAGGLE_RETURN_IF_ERROR(InsertFleetEvent(time, r.actor, r.migration, "", "verifying",
                                          r.passed ? "verified" : "verification-failed", detail.dump()));
  return tx->Commit();
}

Result<std::vector<VerificationRecord>> SqliteStateStore::ListVerifications(const std::string& migration,
                                                                            size_t limit) {
  MutexLock lock(&mu_);
  // The newest `limit`, returned oldest first.
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached("SELECT * FROM (SELECT seq, time, actor, passed, sampled, matched, mismatched, "
                                 "refused, errors, summary, report FROM verifications WHERE migration = ? "
                                 "ORDER BY seq DESC LIMIT ?) ORDER BY seq"));
  ResetOnExit reset(q);
  q->Bind(1, migration).Bind(2, limit == 0 ? int64_t{-1} : static_cast<int64_t>(limit));
  std::vector<VerificationRecord> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    VerificationRecord r;
    r.seq = q->Int(0);
    r.migration = migration;
    r.time = q->Text(1);
    r.actor = q->Text(2);
    r.passed = q->Int(3) != 0;
    r.sampled = q->Int(4);
    r.matched = q->Int(5);
    r.mismatched = q->Int(6);
    r.refused = q->Int(7);
    r.errors = q->Int(8);
    r.summary = q->Text(9);
    r.report = q->Text(10);
    out.push_back(std::move(r));
  }
  return out;
}

Result<int64_t> SqliteStateStore::CutOver(const std::vector<CutoverRecord>& records, const std::string& actor) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * existing,
                          Cached("SELECT state FROM cutovers WHERE migration = ? AND dataset_id = ?"));
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * point,
                          Cached("UPDATE entities SET uri = ?, format = ?, schema = ?, schema_version = ? "
                                 "WHERE id = ? AND kind = 'dataset' RETURNING pk"));
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * upsert,
                          Cached(std::string("INSERT OR REPLACE INTO cutovers (") + kCutoverColumns +
                                 ") VALUES (?, ?, 'current', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  int64_t cut = 0;
  const std::string now = Now();
  for (const CutoverRecord& r : records) {
    existing->Bind(1, r.migration).Bind(2, r.dataset_id);
    auto row = existing->Step();
    const bool current = row.ok() && *row && existing->Text(0) == "current";
    existing->Reset();
    if (!row.ok()) return row.status();
    if (current) continue;

    point->Bind(1, r.next.uri)
        .Bind(2, r.next.format)
        .Bind(3, r.next.schema)
        .Bind(4, static_cast<int64_t>(r.next.schema_version))
        .Bind(5, r.dataset_id);
    auto found = StepAll(point);
    point->Reset();
    if (!found.ok()) return found.status();
    if (!*found) {
      return Status::NotFound("cannot cut over '" + r.dataset_id + "': it is not a dataset of the catalog in " + path_);
    }
    const std::string cut_at = r.cut_at.empty() ? now : r.cut_at;
    upsert->Bind(1, r.migration)
        .Bind(2, r.dataset_id)
        .Bind(3, r.previous.uri)
        .Bind(4, r.previous.format)
        .Bind(5, r.previous.schema)
        .Bind(6, static_cast<int64_t>(r.previous.schema_version))
        .Bind(7, r.next.uri)
        .Bind(8, r.next.format)
        .Bind(9, r.next.schema)
        .Bind(10, static_cast<int64_t>(r.next.schema_version))
        .Bind(11, cut_at)
        .Bind(12, r.retain_until)
        .Bind(13, cut_at)
        .Bind(14, actor);
    GAGGLE_RETURN_IF_ERROR(upsert->Run());
    nlohmann::json detail = {
        {"previous", LocationJson(r.previous)}, {"next", LocationJson(r.next)}, {"retain_until", r.retain_until}};
    GAGGLE_RETURN_IF_ERROR(
        InsertFleetEvent(cut_at, actor, r.migration, r.dataset_id, "validated", "cut-over", detail.dump()));
    ++cut;
  }
  GAGGLE_RETURN_IF_ERROR(tx->Commit());
  return cut;
}

Result<std::vector<CutoverRecord>> SqliteStateStore::ListCutovers(const std::string& migration,
                                                                  const std::string& dataset) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached(std::string("SELECT ") + kCutoverColumns + " FROM cutovers " +
                                 (dataset.empty() ? "WHERE ?1 = '' OR migration = ?1 ORDER BY migration, dataset_id"
                                                  : "WHERE dataset_id = ?2 AND (?1 = '' OR migration = ?1) "
                                                    "ORDER BY migration")));
  ResetOnExit reset(q);
  q->Bind(1, migration);
  if (!dataset.empty()) q->Bind(2, dataset);
  std::vector<CutoverRecord> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    GAGGLE_ASSIGN_OR_RETURN(CutoverRecord r, ReadCutover(*q));
    out.push_back(std::move(r));
  }
  return out;
}

Result<int64_t> SqliteStateStore::RestoreCutovers(const std::string& migration,
                                                  const std::vector<std::string>& datasets, const std::string& actor,
                                                  const std::string& detail) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  const std::set<std::string> only(datasets.begin(), datasets.end());
  std::vector<CutoverRecord> current;
  {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                            Cached(std::string("SELECT ") + kCutoverColumns +
                                   " FROM cutovers WHERE migration = ? AND state = 'current' ORDER BY dataset_id"));
    ResetOnExit reset(q);
    q->Bind(1, migration);
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      GAGGLE_ASSIGN_OR_RETURN(CutoverRecord r, ReadCutover(*q));
      if (only.empty() || only.count(r.dataset_id)) {
        current.push_back(std::move(r));
      }
    }
  }
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * point,
                          Cached("UPDATE entities SET uri = ?, format = ?, schema = ?, schema_version = ? "
                                 "WHERE id = ? AND kind = 'dataset' RETURNING pk"));
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * mark,
                          Cached("UPDATE cutovers SET state = 'rolled-back', changed_at = ?, changed_by = ? "
                                 "WHERE migration = ? AND dataset_id = ?"));
  const std::string now = Now();
  for (const CutoverRecord& r : current) {
    point->Bind(1, r.previous.uri)
        .Bind(2, r.previous.format)
        .Bind(3, r.previous.schema)
        .Bind(4, static_cast<int64_t>(r.previous.schema_version))
        .Bind(5, r.dataset_id);
    auto found = StepAll(point);  // a dataset gone from the catalog has no entry to point back
    point->Reset();
    if (!found.ok()) return found.status();
    mark->Bind(1, now).Bind(2, actor).Bind(3, migration).Bind(4, r.dataset_id);
    GAGGLE_RETURN_IF_ERROR(mark->Run());
    nlohmann::json d = {{"restored", LocationJson(r.previous)}, {"reason", detail}};
    GAGGLE_RETURN_IF_ERROR(
        InsertFleetEvent(now, actor, migration, r.dataset_id, "cut-over", "cut-over-reverted", d.dump()));
  }
  GAGGLE_RETURN_IF_ERROR(tx->Commit());
  return static_cast<int64_t>(current.size());
}

Status SqliteStateStore::MarkCollected(const std::string& migration, const std::string& dataset,
                                       const std::string& actor, const std::string& detail) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * mark,
                          Cached("UPDATE cutovers SET state = 'collected', changed_at = ?, changed_by = ? "
                                 "WHERE migration = ? AND dataset_id = ? AND state = 'current' RETURNING state"));
  const std::string now = Now();
  mark->Bind(1, now).Bind(2, actor).Bind(3, migration).Bind(4, dataset);
  auto found = StepAll(mark);
  mark->Reset();
  if (!found.ok()) return found.status();
  if (!*found) {
    return Status::Conflict("migration '" + migration + "', dataset '" + dataset +
                            "': no current cut-over to mark collected");
  }
  GAGGLE_RETURN_IF_ERROR(InsertFleetEvent(now, actor, migration, dataset, "cut-over", "collected", detail));
  return tx->Commit();
}

}  // namespace gaggle
