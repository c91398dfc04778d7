// SqliteRecords: the gates' records — validations and stage approvals (schema migration
// 3, append-only) — and after the migration: verifications (append-only) and cut-overs
// (schema migration 5).
#include "store/sqlite_records.h"

namespace gaggle {

using sqlite_records::ResetOnExit;

namespace {

constexpr const char* kCutoverColumns =
    "migration, dataset_id, state, previous_uri, previous_format, previous_schema, previous_schema_version, "
    "next_uri, next_format, next_schema, next_schema_version, cut_at, retain_until, changed_at, changed_by";

Result<CutoverRecord> ReadCutover(const SqliteStatement& q, const std::string& state_file) {
  CutoverRecord r;
  r.migration = q.Text(0);
  r.dataset_id = q.Text(1);
  auto state = ParseCutoverState(q.Text(2));
  if (!state.ok()) return state.status().WithContext(state_file);
  r.state = *state;
  r.previous = {q.Text(3), q.Text(4), q.Text(5), static_cast<int>(q.Int(6))};
  r.next = {q.Text(7), q.Text(8), q.Text(9), static_cast<int>(q.Int(10))};
  r.cut_at = q.Text(11);
  r.retain_until = q.Text(12);
  r.changed_at = q.Text(13);
  r.changed_by = q.Text(14);
  return r;
}

}  // namespace

// ---------------------------------------------------------------- gates

Status SqliteRecords::AppendValidation(const ValidationRecord& r) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * ins,
                          Cached("INSERT INTO validations (migration, dataset_id, attempt, time, passed, summary, "
                                 "report) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  ResetOnExit reset(ins);
  ins->Bind(1, r.migration)
      .Bind(2, r.dataset_id)
      .Bind(3, static_cast<int64_t>(r.attempt))
      .Bind(4, r.time)
      .Bind(5, static_cast<int64_t>(r.passed ? 1 : 0))
      .Bind(6, r.summary)
      .Bind(7, r.report);
  return ins->Run();
}

Result<std::optional<ValidationRecord>> SqliteRecords::LatestValidation(const std::string& migration,
                                                                        const std::string& dataset) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached("SELECT attempt, time, passed, summary, report FROM validations "
                                 "WHERE migration = ? AND dataset_id = ? ORDER BY seq DESC LIMIT 1"));
  ResetOnExit reset(q);
  q->Bind(1, migration).Bind(2, dataset);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<ValidationRecord>();
  ValidationRecord r;
  r.migration = migration;
  r.dataset_id = dataset;
  r.attempt = static_cast<int>(q->Int(0));
  r.time = q->Text(1);
  r.passed = q->Int(2) != 0;
  r.summary = q->Text(3);
  r.report = q->Text(4);
  return std::optional<ValidationRecord>(std::move(r));
}

Status SqliteRecords::ScanValidations(const std::function<bool(const ValidationRecord& record)>& fn) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached("SELECT migration, dataset_id, attempt, time, passed, summary, "
                                                      "report FROM validations ORDER BY seq"));
  ResetOnExit reset(q);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (!fn(ValidationRecord{q->Text(0), q->Text(1), static_cast<int>(q->Int(2)), q->Text(3), q->Int(4) != 0,
                             q->Text(5), q->Text(6)})) {
      break;
    }
  }
  return Status::OK();
}

Status SqliteRecords::AppendApproval(const StageApproval& a) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * ins,
      Cached("INSERT INTO stage_approvals (migration, stage, actor, time, reason) VALUES (?, ?, ?, ?, ?)"));
  ResetOnExit reset(ins);
  ins->Bind(1, a.migration).Bind(2, static_cast<int64_t>(a.stage)).Bind(3, a.actor).Bind(4, a.time).Bind(5, a.reason);
  return ins->Run();
}

Result<std::vector<StageApproval>> SqliteRecords::ListApprovals(const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached("SELECT stage, actor, time, reason FROM stage_approvals "
                                                      "WHERE migration = ? ORDER BY seq"));
  ResetOnExit reset(q);
  q->Bind(1, migration);
  std::vector<StageApproval> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back({migration, static_cast<int>(q->Int(0)), q->Text(1), q->Text(2), q->Text(3)});
  }
  return out;
}

// ---------------------------------------------------------------- verifications

Result<int64_t> SqliteRecords::AppendVerification(const VerificationRecord& r) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * ins,
      Cached("INSERT INTO verifications (migration, time, actor, passed, sampled, matched, "
             "mismatched, refused, errors, summary, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  ResetOnExit reset(ins);
  ins->Bind(1, r.migration)
      .Bind(2, r.time)
      .Bind(3, r.actor)
      .Bind(4, static_cast<int64_t>(r.passed ? 1 : 0))
      .Bind(5, r.sampled)
      .Bind(6, r.matched)
      .Bind(7, r.mismatched)
      .Bind(8, r.refused)
      .Bind(9, r.errors)
      .Bind(10, r.summary)
      .Bind(11, r.report);
  GAGGLE_RETURN_IF_ERROR(ins->Run());
  return db_->LastInsertRowId();
}

Result<std::vector<VerificationRecord>> SqliteRecords::ListVerifications(const std::string& migration, size_t limit) {
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

// ---------------------------------------------------------------- cut-overs

Result<std::optional<CutoverRecord>> SqliteRecords::FindCutover(const std::string& migration,
                                                                const std::string& dataset) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached(std::string("SELECT ") + kCutoverColumns +
                                                      " FROM cutovers WHERE migration = ? AND dataset_id = ?"));
  ResetOnExit reset(q);
  q->Bind(1, migration).Bind(2, dataset);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<CutoverRecord>();
  GAGGLE_ASSIGN_OR_RETURN(CutoverRecord r, ReadCutover(*q, StateFile()));
  return std::optional<CutoverRecord>(std::move(r));
}

Result<std::vector<CutoverRecord>> SqliteRecords::ListCutovers(const CutoverQuery& query) {
  // With a dataset the cutovers_by_dataset index finds its few records; with a state of
  // every migration, cutovers_by_retention.
  std::string sql = std::string("SELECT ") + kCutoverColumns + " FROM cutovers WHERE (?1 = '' OR migration = ?1)";
  if (!query.dataset.empty()) sql += " AND dataset_id = ?2";
  if (query.state) sql += " AND state = ?3";
  sql += " ORDER BY migration, dataset_id";
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached(sql));
  ResetOnExit reset(q);
  q->Bind(1, query.migration);
  if (!query.dataset.empty()) q->Bind(2, query.dataset);
  if (query.state) q->Bind(3, CutoverStateName(*query.state));
  std::vector<CutoverRecord> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    GAGGLE_ASSIGN_OR_RETURN(CutoverRecord r, ReadCutover(*q, StateFile()));
    out.push_back(std::move(r));
  }
  return out;
}

Status SqliteRecords::PutCutover(const CutoverRecord& r) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * upsert,
                          Cached(std::string("INSERT OR REPLACE INTO cutovers (") + kCutoverColumns +
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  ResetOnExit reset(upsert);
  upsert->Bind(1, r.migration)
      .Bind(2, r.dataset_id)
      .Bind(3, CutoverStateName(r.state))
      .Bind(4, r.previous.uri)
      .Bind(5, r.previous.format)
      .Bind(6, r.previous.schema)
      .Bind(7, static_cast<int64_t>(r.previous.schema_version))
      .Bind(8, r.next.uri)
      .Bind(9, r.next.format)
      .Bind(10, r.next.schema)
      .Bind(11, static_cast<int64_t>(r.next.schema_version))
      .Bind(12, r.cut_at)
      .Bind(13, r.retain_until)
      .Bind(14, r.changed_at)
      .Bind(15, r.changed_by);
  return upsert->Run();
}

}  // namespace gaggle
