// PostgresRecords: the gates' records — validations and stage approvals (append-only) —
// and after the migration: verifications (append-only) and cut-overs.
#include <pqxx/pqxx>

#include "store/postgres_records.h"

namespace gaggle {

using postgres_records::Int;
using postgres_records::Text;

namespace {

constexpr const char* kCutoverColumns =
    "migration, dataset_id, state, previous_uri, previous_format, previous_schema, previous_schema_version, "
    "next_uri, next_format, next_schema, next_schema_version, cut_at, retain_until, changed_at, changed_by";

Result<CutoverRecord> ReadCutover(const pqxx::row& q, const std::string& state_name) {
  CutoverRecord r;
  r.migration = Text(q[0]);
  r.dataset_id = Text(q[1]);
  auto state = ParseCutoverState(Text(q[2]));
  if (!state.ok()) return state.status().WithContext(state_name);
  r.state = *state;
  r.previous = {Text(q[3]), Text(q[4]), Text(q[5]), static_cast<int>(Int(q[6]))};
  r.next = {Text(q[7]), Text(q[8]), Text(q[9]), static_cast<int>(Int(q[10]))};
  r.cut_at = Text(q[11]);
  r.retain_until = Text(q[12]);
  r.changed_at = Text(q[13]);
  r.changed_by = Text(q[14]);
  return r;
}

}  // namespace

// ---------------------------------------------------------------- gates

Status PostgresRecords::AppendValidation(const ValidationRecord& r) {
  return Q("INSERT INTO validations (migration, dataset_id, attempt, time, passed, summary, report) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7)",
           r.migration, r.dataset_id, r.attempt, r.time, r.passed ? 1 : 0, r.summary, r.report)
      .status();
}

Result<std::optional<ValidationRecord>> PostgresRecords::LatestValidation(const std::string& migration,
                                                                          const std::string& dataset) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows, Q("SELECT attempt, time, passed, summary, report FROM validations "
                                               "WHERE migration = $1 AND dataset_id = $2 ORDER BY seq DESC LIMIT 1",
                                               migration, dataset));
  if (rows.empty()) return std::optional<ValidationRecord>();
  const pqxx::row& q = rows[0];
  ValidationRecord r;
  r.migration = migration;
  r.dataset_id = dataset;
  r.attempt = static_cast<int>(Int(q[0]));
  r.time = Text(q[1]);
  r.passed = Int(q[2]) != 0;
  r.summary = Text(q[3]);
  r.report = Text(q[4]);
  return std::optional<ValidationRecord>(std::move(r));
}

Status PostgresRecords::ScanValidations(const std::function<bool(const ValidationRecord& record)>& fn) {
  return Scan("SELECT migration, dataset_id, attempt, time, passed, summary, report FROM validations ORDER BY seq",
              [&](const pqxx::row& q) {
                return fn(ValidationRecord{Text(q[0]), Text(q[1]), static_cast<int>(Int(q[2])), Text(q[3]),
                                           Int(q[4]) != 0, Text(q[5]), Text(q[6])});
              });
}

Status PostgresRecords::AppendApproval(const StageApproval& a) {
  return Q("INSERT INTO stage_approvals (migration, stage, actor, time, reason) VALUES ($1, $2, $3, $4, $5)",
           a.migration, a.stage, a.actor, a.time, a.reason)
      .status();
}

Result<std::vector<StageApproval>> PostgresRecords::ListApprovals(const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("SELECT stage, actor, time, reason FROM stage_approvals WHERE migration = $1 ORDER BY seq", migration));
  std::vector<StageApproval> out;
  for (const pqxx::row& q : rows) {
    out.push_back({migration, static_cast<int>(Int(q[0])), Text(q[1]), Text(q[2]), Text(q[3])});
  }
  return out;
}

// ---------------------------------------------------------------- verifications

Result<int64_t> PostgresRecords::AppendVerification(const VerificationRecord& r) {
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("INSERT INTO verifications (migration, time, actor, passed, sampled, matched, mismatched, refused, errors, "
        "summary, report) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING seq",
        r.migration, r.time, r.actor, r.passed ? 1 : 0, r.sampled, r.matched, r.mismatched, r.refused, r.errors,
        r.summary, r.report));
  return Int(rows[0][0]);
}

Result<std::vector<VerificationRecord>> PostgresRecords::ListVerifications(const std::string& migration, size_t limit) {
  // The newest `limit`, returned oldest first.
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("SELECT * FROM (SELECT seq, time, actor, passed, sampled, matched, mismatched, refused, errors, summary, "
        "report FROM verifications WHERE migration = $1 ORDER BY seq DESC LIMIT $2) newest ORDER BY seq",
        migration, limit == 0 ? INT64_MAX : static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX))));
  std::vector<VerificationRecord> out;
  for (const pqxx::row& q : rows) {
    VerificationRecord r;
    r.seq = Int(q[0]);
    r.migration = migration;
    r.time = Text(q[1]);
    r.actor = Text(q[2]);
    r.passed = Int(q[3]) != 0;
    r.sampled = Int(q[4]);
    r.matched = Int(q[5]);
    r.mismatched = Int(q[6]);
    r.refused = Int(q[7]);
    r.errors = Int(q[8]);
    r.summary = Text(q[9]);
    r.report = Text(q[10]);
    out.push_back(std::move(r));
  }
  return out;
}

// ---------------------------------------------------------------- cut-overs

Result<std::optional<CutoverRecord>> PostgresRecords::FindCutover(const std::string& migration,
                                                                  const std::string& dataset) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows, Q(std::string("SELECT ") + kCutoverColumns +
                                                   " FROM cutovers WHERE migration = $1 AND dataset_id = $2",
                                               migration, dataset));
  if (rows.empty()) return std::optional<CutoverRecord>();
  GAGGLE_ASSIGN_OR_RETURN(CutoverRecord r, ReadCutover(rows[0], StateName()));
  return std::optional<CutoverRecord>(std::move(r));
}

Result<std::vector<CutoverRecord>> PostgresRecords::ListCutovers(const CutoverQuery& query) {
  Params params = {query.migration};
  std::string sql = std::string("SELECT ") + kCutoverColumns + " FROM cutovers WHERE ($1 = '' OR migration = $1)";
  if (!query.dataset.empty()) {
    params.push_back(query.dataset);
    sql += " AND dataset_id = $" + std::to_string(params.size());
  }
  if (query.state) {
    params.push_back(CutoverStateName(*query.state));
    sql += " AND state = $" + std::to_string(params.size());
  }
  sql += " ORDER BY migration, dataset_id";
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows, Exec(sql, params));
  std::vector<CutoverRecord> out;
  for (const pqxx::row& q : rows) {
    GAGGLE_ASSIGN_OR_RETURN(CutoverRecord r, ReadCutover(q, StateName()));
    out.push_back(std::move(r));
  }
  return out;
}

Status PostgresRecords::PutCutover(const CutoverRecord& r) {
  return Q(std::string("INSERT INTO cutovers (") + kCutoverColumns +
               ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
               "ON CONFLICT (migration, dataset_id) DO UPDATE SET state = $3, previous_uri = $4, "
               "previous_format = $5, previous_schema = $6, previous_schema_version = $7, next_uri = $8, "
               "next_format = $9, next_schema = $10, next_schema_version = $11, cut_at = $12, retain_until = $13, "
               "changed_at = $14, changed_by = $15",
           r.migration, r.dataset_id, CutoverStateName(r.state), r.previous.uri, r.previous.format, r.previous.schema,
           r.previous.schema_version, r.next.uri, r.next.format, r.next.schema, r.next.schema_version, r.cut_at,
           r.retain_until, r.changed_at, r.changed_by)
      .status();
}

}  // namespace gaggle
