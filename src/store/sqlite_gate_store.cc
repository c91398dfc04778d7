// SqliteStateStore: the gates' records — validations and stage approvals
// (tables of schema migration 3; both append-only).
#include <nlohmann/json.hpp>

#include "store/sqlite_state_store.h"

namespace gaggle {

Status SqliteStateStore::SaveValidation(const ValidationRecord& r) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * ins,
                          Cached("INSERT INTO validations (migration, dataset_id, attempt, time, passed, summary, "
                                 "report) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  ins->Bind(1, r.migration)
      .Bind(2, r.dataset_id)
      .Bind(3, static_cast<int64_t>(r.attempt))
      .Bind(4, r.time.empty() ? Now() : r.time)
      .Bind(5, static_cast<int64_t>(r.passed ? 1 : 0))
      .Bind(6, r.summary)
      .Bind(7, r.report);
  Status st = ins->Run();
  if (!st.ok()) return st.WithContext("saving the validation of '" + r.dataset_id + "' in " + path_);
  return tx->Commit();
}

Result<std::optional<ValidationRecord>> SqliteStateStore::LatestValidation(const std::string& migration,
                                                                           const std::string& dataset) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached("SELECT attempt, time, passed, summary, report FROM validations "
                                 "WHERE migration = ? AND dataset_id = ? ORDER BY seq DESC LIMIT 1"));
  q->Bind(1, migration).Bind(2, dataset);
  auto row = q->Step();
  if (!row.ok()) {
    q->Reset();
    return row.status();
  }
  std::optional<ValidationRecord> out;
  if (*row) {
    ValidationRecord r;
    r.migration = migration;
    r.dataset_id = dataset;
    r.attempt = static_cast<int>(q->Int(0));
    r.time = q->Text(1);
    r.passed = q->Int(2) != 0;
    r.summary = q->Text(3);
    r.report = q->Text(4);
    out = std::move(r);
  }
  q->Reset();
  return out;
}

Status SqliteStateStore::ApproveStage(const StageApproval& a) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  const std::string time = a.time.empty() ? Now() : a.time;
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * ins,
      Cached("INSERT INTO stage_approvals (migration, stage, actor, time, reason) VALUES (?, ?, ?, ?, ?)"));
  ins->Bind(1, a.migration).Bind(2, static_cast<int64_t>(a.stage)).Bind(3, a.actor).Bind(4, time).Bind(5, a.reason);
  GAGGLE_RETURN_IF_ERROR(ins->Run());
  nlohmann::json detail = {{"stage", a.stage}, {"reason", a.reason}};
  GAGGLE_RETURN_IF_ERROR(
      InsertFleetEvent(time, a.actor, a.migration, "", "gate-failed", "gate-approved", detail.dump()));
  return tx->Commit();
}

Result<std::vector<StageApproval>> SqliteStateStore::ListApprovals(const std::string& migration) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached("SELECT stage, actor, time, reason FROM stage_approvals "
                                                      "WHERE migration = ? ORDER BY seq"));
  q->Bind(1, migration);
  std::vector<StageApproval> out;
  while (true) {
    auto row = q->Step();
    if (!row.ok()) {
      q->Reset();
      return row.status();
    }
    if (!*row) break;
    out.push_back({migration, static_cast<int>(q->Int(0)), q->Text(1), q->Text(2), q->Text(3)});
  }
  q->Reset();
  return out;
}

}  // namespace gaggle
