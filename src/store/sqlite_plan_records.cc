// SqliteRecords: saved plans (schema migration 1): a header row with the plan's JSON
// header and one row per dataset.
#include <map>
#include <nlohmann/json.hpp>

#include "store/sqlite_records.h"

namespace gaggle {

using sqlite_records::ResetOnExit;

Result<bool> SqliteRecords::InsertPlan(const Plan& plan, const std::string& created_at) {
  {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * exists, Cached("SELECT 1 FROM plans WHERE plan_hash = ?"));
    ResetOnExit reset(exists);
    exists->Bind(1, plan.hash);
    GAGGLE_ASSIGN_OR_RETURN(bool found, exists->Step());
    if (found) return false;
  }
  Plan header = plan;
  header.rows.clear();
  header.created_at = created_at;
  nlohmann::json hj = PlanHeaderToJson(header);
  hj["datasets"] = plan.rows.size();
  {
    GAGGLE_ASSIGN_OR_RETURN(
        SqliteStatement * ins,
        Cached("INSERT INTO plans (plan_hash, migration, spec_hash, created_at, datasets, waves, stages, header) "
               "VALUES (?,?,?,?,?,?,?,?)"));
    ResetOnExit reset(ins);
    ins->Bind(1, plan.hash)
        .Bind(2, plan.migration)
        .Bind(3, plan.spec_hash)
        .Bind(4, created_at)
        .Bind(5, static_cast<int64_t>(plan.rows.size()))
        .Bind(6, static_cast<int64_t>(plan.num_waves))
        .Bind(7, static_cast<int64_t>(plan.stages.size()))
        .Bind(8, hj.dump());
    GAGGLE_RETURN_IF_ERROR(ins->Run());
  }
  const int64_t plan_pk = db_->LastInsertRowId();
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * row,
      Cached("INSERT INTO plan_rows (plan_pk, ordinal, dataset_id, wave, stage, priority, tier, blast_radius, "
             "blast_radius_exact, size_bytes, source_uri, source_format, source_schema_version, target_uri) "
             "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  ResetOnExit reset(row);
  for (size_t i = 0; i < plan.rows.size(); ++i) {
    const PlanRow& r = plan.rows[i];
    row->Bind(1, plan_pk)
        .Bind(2, static_cast<int64_t>(i))
        .Bind(3, r.dataset_id)
        .Bind(4, static_cast<int64_t>(r.wave))
        .Bind(5, static_cast<int64_t>(r.stage))
        .Bind(6, static_cast<int64_t>(r.priority))
        .Bind(7, TierName(r.tier))
        .Bind(8, static_cast<int64_t>(r.blast_radius))
        .Bind(9, static_cast<int64_t>(r.blast_radius_exact ? 1 : 0))
        .Bind(10, r.size_bytes)
        .Bind(11, r.source_uri)
        .Bind(12, r.source_format)
        .Bind(13, static_cast<int64_t>(r.source_schema_version))
        .Bind(14, r.target_uri);
    GAGGLE_RETURN_IF_ERROR(row->Run());
  }
  return true;
}

Result<std::optional<Plan>> SqliteRecords::LoadPlan(const std::string& hash) {
  int64_t plan_pk = 0;
  Plan plan;
  {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached("SELECT plan_pk, header FROM plans WHERE plan_hash = ?"));
    ResetOnExit reset(q);
    q->Bind(1, hash);
    GAGGLE_ASSIGN_OR_RETURN(bool found, q->Step());
    if (!found) return std::optional<Plan>();
    plan_pk = q->Int(0);
    nlohmann::json hj = nlohmann::json::parse(q->Text(1), nullptr, /*allow_exceptions=*/false);
    if (hj.is_discarded()) return Status::Corruption(StateFile() + ": plan " + hash + " has a malformed header");
    GAGGLE_ASSIGN_OR_RETURN(plan, PlanHeaderFromJson(hj));
  }
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * rows,
      Cached("SELECT dataset_id, wave, stage, priority, tier, blast_radius, blast_radius_exact, size_bytes, "
             "source_uri, source_format, source_schema_version, target_uri FROM plan_rows WHERE plan_pk = ? "
             "ORDER BY ordinal"));
  ResetOnExit reset(rows);
  rows->Bind(1, plan_pk);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, rows->Step());
    if (!row) break;
    PlanRow r;
    r.dataset_id = rows->Text(0);
    r.wave = static_cast<int>(rows->Int(1));
    r.stage = static_cast<int>(rows->Int(2));
    r.priority = static_cast<int>(rows->Int(3));
    auto tier = ParseTier(rows->Text(4));
    if (!tier.ok()) return tier.status().WithContext(StateFile() + ": plan " + hash);
    r.tier = *tier;
    r.blast_radius = static_cast<uint64_t>(rows->Int(5));
    r.blast_radius_exact = rows->Int(6) != 0;
    r.size_bytes = rows->Int(7);
    r.source_uri = rows->Text(8);
    r.source_format = rows->Text(9);
    r.source_schema_version = static_cast<int>(rows->Int(10));
    r.target_uri = rows->Text(11);
    plan.rows.push_back(std::move(r));
  }
  return std::optional<Plan>(std::move(plan));
}

Result<std::vector<PlanSummary>> SqliteRecords::ListPlans(const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached("SELECT plan_hash, migration, spec_hash, created_at, datasets, waves, stages FROM "
                                 "plans WHERE ?1 = '' OR migration = ?1 ORDER BY plan_pk DESC"));
  ResetOnExit reset(q);
  q->Bind(1, migration);
  std::vector<PlanSummary> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(PlanSummary{q->Text(0), q->Text(1), q->Text(2), q->Text(3), q->Int(4), static_cast<int>(q->Int(5)),
                              static_cast<int>(q->Int(6))});
  }
  return out;
}

Result<std::vector<MigrationTarget>> SqliteRecords::ListMigrationTargets() {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * q,
      Cached("SELECT r.dataset_id, p.plan_pk, p.migration, p.plan_hash, p.header, r.target_uri, r.stage, r.wave, "
             "p.created_at FROM plan_rows r JOIN plans p ON p.plan_pk = r.plan_pk "
             "WHERE p.plan_pk IN (SELECT MAX(plan_pk) FROM plans GROUP BY migration) "
             "ORDER BY r.dataset_id, p.migration"));
  ResetOnExit reset(q);
  std::vector<MigrationTarget> out;
  std::map<int64_t, Plan> headers;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    const int64_t plan_pk = q->Int(1);
    auto it = headers.find(plan_pk);
    if (it == headers.end()) {
      nlohmann::json hj = nlohmann::json::parse(q->Text(4), nullptr, false);
      if (hj.is_discarded()) return Status::Corruption(StateFile() + ": a plan header is malformed");
      GAGGLE_ASSIGN_OR_RETURN(Plan h, PlanHeaderFromJson(hj));
      it = headers.emplace(plan_pk, std::move(h)).first;
    }
    const Plan& h = it->second;
    out.push_back(MigrationTarget{q->Text(0), q->Text(2), q->Text(3), q->Text(8), h.agent, h.agent_version, q->Text(5),
                                  h.target_format, h.target_version, static_cast<int>(q->Int(6)),
                                  static_cast<int>(q->Int(7))});
  }
  return out;
}

}  // namespace gaggle
