// PostgresRecords: saved plans — a header row with the plan's JSON header and one row
// per dataset.
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "store/postgres_records.h"

namespace gaggle {

using postgres_records::Int;
using postgres_records::Text;

Result<bool> PostgresRecords::InsertPlan(const Plan& plan, const std::string& created_at) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result exists, Q("SELECT 1 FROM plans WHERE plan_hash = $1", plan.hash));
  if (!exists.empty()) return false;
  Plan header = plan;
  header.rows.clear();
  header.created_at = created_at;
  nlohmann::json hj = PlanHeaderToJson(header);
  hj["datasets"] = plan.rows.size();
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result inserted,
      Q("INSERT INTO plans (plan_hash, migration, spec_hash, created_at, datasets, waves, stages, header) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING plan_pk",
        plan.hash, plan.migration, plan.spec_hash, created_at, plan.rows.size(), plan.num_waves, plan.stages.size(),
        hj.dump()));
  const int64_t plan_pk = Int(inserted[0][0]);
  for (size_t i = 0; i < plan.rows.size(); ++i) {
    const PlanRow& r = plan.rows[i];
    GAGGLE_RETURN_IF_ERROR(
        Q("INSERT INTO plan_rows (plan_pk, ordinal, dataset_id, wave, stage, priority, tier, blast_radius, "
          "blast_radius_exact, size_bytes, source_uri, source_format, source_schema_version, target_uri) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
          plan_pk, i, r.dataset_id, r.wave, r.stage, r.priority, TierName(r.tier), static_cast<int64_t>(r.blast_radius),
          r.blast_radius_exact ? 1 : 0, r.size_bytes, r.source_uri, r.source_format, r.source_schema_version,
          r.target_uri)
            .status());
  }
  return true;
}

Result<std::optional<Plan>> PostgresRecords::LoadPlan(const std::string& hash) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result found, Q("SELECT plan_pk, header FROM plans WHERE plan_hash = $1", hash));
  if (found.empty()) return std::optional<Plan>();
  const int64_t plan_pk = Int(found[0][0]);
  nlohmann::json hj = nlohmann::json::parse(Text(found[0][1]), nullptr, /*allow_exceptions=*/false);
  if (hj.is_discarded()) return Status::Corruption(StateName() + ": plan " + hash + " has a malformed header");
  GAGGLE_ASSIGN_OR_RETURN(Plan plan, PlanHeaderFromJson(hj));
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("SELECT dataset_id, wave, stage, priority, tier, blast_radius, blast_radius_exact, size_bytes, source_uri, "
        "source_format, source_schema_version, target_uri FROM plan_rows WHERE plan_pk = $1 ORDER BY ordinal",
        plan_pk));
  plan.rows.reserve(rows.size());
  for (const pqxx::row& q : rows) {
    PlanRow r;
    r.dataset_id = Text(q[0]);
    r.wave = static_cast<int>(Int(q[1]));
    r.stage = static_cast<int>(Int(q[2]));
    r.priority = static_cast<int>(Int(q[3]));
    auto tier = ParseTier(Text(q[4]));
    if (!tier.ok()) return tier.status().WithContext(StateName() + ": plan " + hash);
    r.tier = *tier;
    r.blast_radius = static_cast<uint64_t>(Int(q[5]));
    r.blast_radius_exact = Int(q[6]) != 0;
    r.size_bytes = Int(q[7]);
    r.source_uri = Text(q[8]);
    r.source_format = Text(q[9]);
    r.source_schema_version = static_cast<int>(Int(q[10]));
    r.target_uri = Text(q[11]);
    plan.rows.push_back(std::move(r));
  }
  return std::optional<Plan>(std::move(plan));
}

Result<std::vector<PlanSummary>> PostgresRecords::ListPlans(const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows,
                          Q("SELECT plan_hash, migration, spec_hash, created_at, datasets, waves, stages FROM plans "
                            "WHERE $1 = '' OR migration = $1 ORDER BY plan_pk DESC",
                            migration));
  std::vector<PlanSummary> out;
  for (const pqxx::row& q : rows) {
    out.push_back(PlanSummary{Text(q[0]), Text(q[1]), Text(q[2]), Text(q[3]), Int(q[4]), static_cast<int>(Int(q[5])),
                              static_cast<int>(Int(q[6]))});
  }
  return out;
}

Result<std::vector<MigrationTarget>> PostgresRecords::ListMigrationTargets() {
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("SELECT r.dataset_id, p.plan_pk, p.migration, p.plan_hash, p.header, r.target_uri, r.stage, r.wave, "
        "p.created_at FROM plan_rows r JOIN plans p ON p.plan_pk = r.plan_pk "
        "WHERE p.plan_pk IN (SELECT MAX(plan_pk) FROM plans GROUP BY migration) "
        "ORDER BY r.dataset_id, p.migration"));
  std::vector<MigrationTarget> out;
  std::map<int64_t, Plan> headers;
  for (const pqxx::row& q : rows) {
    const int64_t plan_pk = Int(q[1]);
    auto it = headers.find(plan_pk);
    if (it == headers.end()) {
      nlohmann::json hj = nlohmann::json::parse(Text(q[4]), nullptr, false);
      if (hj.is_discarded()) return Status::Corruption(StateName() + ": a plan header is malformed");
      GAGGLE_ASSIGN_OR_RETURN(Plan h, PlanHeaderFromJson(hj));
      it = headers.emplace(plan_pk, std::move(h)).first;
    }
    const Plan& h = it->second;
    out.push_back(MigrationTarget{Text(q[0]), Text(q[2]), Text(q[3]), Text(q[8]), h.agent, h.agent_version, Text(q[5]),
                                  h.target_format, h.target_version, static_cast<int>(Int(q[6])),
                                  static_cast<int>(Int(q[7]))});
  }
  return out;
}

}  // namespace gaggle
