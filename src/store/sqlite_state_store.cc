// SqliteStateStore: opening, plans, events, import history. The catalog methods
// are in sqlite_catalog_store.cc.
#include "store/sqlite_state_store.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "common/iso8601.h"
#include "store/event_chain.h"
#include "store/sqlite_schema.h"

namespace gaggle {

std::string NowIso8601() {
  struct timeval tv;
  ::gettimeofday(&tv, nullptr);
  struct tm tm;
  ::gmtime_r(&tv.tv_sec, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(tv.tv_usec / 1000));
  return buf;
}

Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& location, const StateStoreOptions& options) {
  if (location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0) {
    return Status::Unsupported("PostgreSQL state stores are not implemented yet (state '" + location + "')");
  }
  SqliteStateStore::Options o;
  static_cast<StateStoreOptions&>(o) = options;
  GAGGLE_ASSIGN_OR_RETURN(auto store, SqliteStateStore::Open(location, o));
  return std::unique_ptr<StateStore>(std::move(store));
}

std::string SqliteStateStore::Now() const {
  return Iso8601Millis((options_.clock ? options_.clock : Clock::System())->NowMicros());
}

Result<std::unique_ptr<SqliteStateStore>> SqliteStateStore::Open(const std::string& path, const Options& options) {
  if (path.empty()) return Status::InvalidArgument("state path is empty");
  GAGGLE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, options.busy_timeout_ms));
  // journal_mode is the first statement that reads the file: a non-database fails here.
  GAGGLE_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = WAL"));
  GAGGLE_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON"));
  GAGGLE_RETURN_IF_ERROR(db->Exec(options.sync_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"));
  std::unique_ptr<SqliteStateStore> store(new SqliteStateStore(std::move(db), path, options));
  {
    MutexLock lock(&store->mu_);  // not shared yet, but db_ is read under its mutex everywhere
    GAGGLE_ASSIGN_OR_RETURN(store->schema_version_, ApplySqliteMigrations(store->db_.get(), store->Now()));
  }
  return store;
}

// ---------------------------------------------------------------- events

Result<int64_t> SqliteStateStore::InsertEvent(const Event& given) {
  Event e = given;
  if (e.time.empty()) e.time = Now();
  if (e.actor.empty()) e.actor = "gaggle";
  // The chain's link: the newest event's hash, read inside the caller's transaction.
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * last, Cached("SELECT hash FROM events ORDER BY seq DESC LIMIT 1"));
  auto row = last->Step();
  if (!row.ok()) {
    last->Reset();
    return row.status();
  }
  e.prev_hash = *row ? last->Text(0) : "";
  last->Reset();
  e.hash = EventHash(e.prev_hash, e);
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * ins,
                          Cached("INSERT INTO events (time, actor, migration, dataset, from_state, to_state, detail, "
                                 "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)"));
  ins->Bind(1, e.time)
      .Bind(2, e.actor)
      .Bind(3, e.migration)
      .Bind(4, e.dataset)
      .Bind(5, e.from_state)
      .Bind(6, e.to_state)
      .Bind(7, e.detail)
      .Bind(8, e.prev_hash)
      .Bind(9, e.hash);
  Status st = ins->Run();
  ins->Reset();
  GAGGLE_RETURN_IF_ERROR(st);
  return db_->LastInsertRowId();
}

Result<int64_t> SqliteStateStore::AppendEvent(const Event& event) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  GAGGLE_ASSIGN_OR_RETURN(int64_t seq, InsertEvent(event));
  GAGGLE_RETURN_IF_ERROR(tx->Commit());
  return seq;
}

Result<std::vector<Event>> SqliteStateStore::ListEvents(const EventFilter& f) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(
      auto q, db_->Prepare("SELECT seq, time, actor, migration, dataset, from_state, to_state, detail, prev_hash, hash "
                           "FROM events WHERE seq > ?1 AND (?2 = '' OR migration = ?2) AND (?3 = '' OR dataset = ?3) "
                           "ORDER BY seq LIMIT ?4"));
  q.Bind(1, f.after_seq).Bind(2, f.migration).Bind(3, f.dataset).Bind(4, static_cast<int64_t>(f.limit));
  std::vector<Event> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(Event{q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5), q.Text(6), q.Text(7),
                        q.Text(8), q.Text(9)});
  }
  return out;
}

Result<EventChainReport> SqliteStateStore::VerifyEventChain() {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(
      auto q, db_->Prepare("SELECT seq, time, actor, migration, dataset, from_state, to_state, detail, prev_hash, hash "
                           "FROM events ORDER BY seq"));
  EventChainReport report;
  std::string expected_prev;
  bool started = false;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    Event e{q.Int(0),  q.Text(1), q.Text(2), q.Text(3), q.Text(4),
            q.Text(5), q.Text(6), q.Text(7), q.Text(8), q.Text(9)};
    ++report.events;
    if (e.hash.empty() && !started) {
      ++report.unchained;  // written before the chain existed
      continue;
    }
    started = true;
    ++report.chained;
    if (!report.intact) continue;
    std::string problem;
    if (e.prev_hash != expected_prev) {
      problem =
          "its link to the previous event does not match (an event before it was changed, removed or "
          "inserted)";
    } else if (EventHash(e.prev_hash, e) != e.hash) {
      problem = "its content does not match its hash (it was changed after it was written)";
    }
    if (!problem.empty()) {
      report.intact = false;
      report.first_broken_seq = e.seq;
      report.problem = "event " + std::to_string(e.seq) + ": " + problem;
    }
    expected_prev = e.hash;
  }
  report.head = expected_prev;
  return report;
}

// ---------------------------------------------------------------- import history

Result<CatalogStats> SqliteStateStore::GetCatalogStats() {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(
      auto q,
      db_->Prepare(
          "SELECT (SELECT COUNT(*) FROM entities WHERE kind = 'dataset'), (SELECT COUNT(*) FROM entities WHERE kind <> "
          "'dataset'), (SELECT COUNT(*) FROM lineage_edges), (SELECT COUNT(*) FROM catalog_imports), "
          "(SELECT COALESCE(MAX(time), '') FROM catalog_imports)"));
  GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
  CatalogStats s;
  if (row) s = CatalogStats{q.Int(0), q.Int(1), q.Int(2), q.Int(3), q.Text(4)};
  return s;
}

Status SqliteStateStore::LoadImportIds(CatalogChangeSet* set) {
  GAGGLE_ASSIGN_OR_RETURN(
      auto q,
      db_->Prepare("SELECT change, entity_id FROM catalog_import_changes WHERE import_id = ? ORDER BY entity_id"));
  q.Bind(1, set->import_id);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    std::string change = q.Text(0);
    std::vector<std::string>* list = change == "added"     ? &set->added
                                     : change == "updated" ? &set->updated
                                                           : &set->removed;
    list->push_back(q.Text(1));
  }
  return Status::OK();
}

Result<std::vector<CatalogChangeSet>> SqliteStateStore::ListImports(size_t limit, bool with_ids) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(
      auto q,
      db_->Prepare(
          "SELECT import_id, time, actor, source, added, updated, removed, edges_added, edges_removed, entities, edges "
          "FROM catalog_imports ORDER BY import_id DESC LIMIT ?"));
  q.Bind(1, static_cast<int64_t>(limit));
  std::vector<CatalogChangeSet> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    CatalogChangeSet c;
    c.import_id = q.Int(0);
    c.time = q.Text(1);
    c.actor = q.Text(2);
    c.source = q.Text(3);
    c.num_added = q.Int(4);
    c.num_updated = q.Int(5);
    c.num_removed = q.Int(6);
    c.edges_added = q.Int(7);
    c.edges_removed = q.Int(8);
    c.entities = q.Int(9);
    c.edges = q.Int(10);
    out.push_back(std::move(c));
  }
  if (with_ids) {
    for (CatalogChangeSet& c : out) GAGGLE_RETURN_IF_ERROR(LoadImportIds(&c));
  }
  return out;
}

// ---------------------------------------------------------------- plans

Status SqliteStateStore::SavePlan(const Plan& plan) {
  if (plan.hash.empty()) return Status::InvalidArgument("plan has no hash");
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  {
    GAGGLE_ASSIGN_OR_RETURN(auto exists, db_->Prepare("SELECT 1 FROM plans WHERE plan_hash = ?"));
    exists.Bind(1, plan.hash);
    GAGGLE_ASSIGN_OR_RETURN(bool found, exists.Step());
    if (found) return Status::OK();  // same content already reviewed and saved
  }
  Plan header = plan;
  header.rows.clear();
  header.created_at = Now();
  nlohmann::json hj = PlanHeaderToJson(header);
  hj["datasets"] = plan.rows.size();
  GAGGLE_ASSIGN_OR_RETURN(
      auto ins,
      db_->Prepare("INSERT INTO plans (plan_hash, migration, spec_hash, created_at, datasets, waves, stages, header) "
                   "VALUES (?,?,?,?,?,?,?,?)"));
  ins.Bind(1, plan.hash)
      .Bind(2, plan.migration)
      .Bind(3, plan.spec_hash)
      .Bind(4, header.created_at)
      .Bind(5, static_cast<int64_t>(plan.rows.size()))
      .Bind(6, static_cast<int64_t>(plan.num_waves))
      .Bind(7, static_cast<int64_t>(plan.stages.size()))
      .Bind(8, hj.dump());
  GAGGLE_RETURN_IF_ERROR(ins.Run());
  int64_t plan_pk = db_->LastInsertRowId();
  GAGGLE_ASSIGN_OR_RETURN(
      auto row,
      db_->Prepare("INSERT INTO plan_rows (plan_pk, ordinal, dataset_id, wave, stage, priority, tier, blast_radius, "
                   "blast_radius_exact, size_bytes, source_uri, source_format, source_schema_version, target_uri) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  for (size_t i = 0; i < plan.rows.size(); ++i) {
    const PlanRow& r = plan.rows[i];
    row.Bind(1, plan_pk)
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
    GAGGLE_RETURN_IF_ERROR(row.Run());
  }
  Event e;
  e.migration = plan.migration;
  e.to_state = "planned";
  e.detail = nlohmann::json{{"plan_hash", plan.hash},
                            {"datasets", plan.rows.size()},
                            {"stages", plan.stages.size()},
                            {"waves", plan.num_waves}}
                 .dump();
  GAGGLE_RETURN_IF_ERROR(InsertEvent(e).status());
  return tx->Commit();
}

Result<std::optional<Plan>> SqliteStateStore::LoadPlan(const std::string& hash) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT plan_pk, header FROM plans WHERE plan_hash = ?"));
  q.Bind(1, hash);
  GAGGLE_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return std::optional<Plan>();
  int64_t plan_pk = q.Int(0);
  nlohmann::json hj = nlohmann::json::parse(q.Text(1), nullptr, /*allow_exceptions=*/false);
  if (hj.is_discarded())
    return Status::Corruption("state file '" + path_ + "': plan " + hash + " has a malformed header");
  GAGGLE_ASSIGN_OR_RETURN(Plan plan, PlanHeaderFromJson(hj));
  GAGGLE_ASSIGN_OR_RETURN(
      auto rows,
      db_->Prepare(
          "SELECT dataset_id, wave, stage, priority, tier, blast_radius, blast_radius_exact, size_bytes, source_uri, "
          "source_format, source_schema_version, target_uri FROM plan_rows WHERE plan_pk = ? ORDER BY ordinal"));
  rows.Bind(1, plan_pk);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    PlanRow r;
    r.dataset_id = rows.Text(0);
    r.wave = static_cast<int>(rows.Int(1));
    r.stage = static_cast<int>(rows.Int(2));
    r.priority = static_cast<int>(rows.Int(3));
    auto tier = ParseTier(rows.Text(4));
    if (!tier.ok()) return tier.status().WithContext("state file '" + path_ + "': plan " + hash);
    r.tier = *tier;
    r.blast_radius = static_cast<uint64_t>(rows.Int(5));
    r.blast_radius_exact = rows.Int(6) != 0;
    r.size_bytes = rows.Int(7);
    r.source_uri = rows.Text(8);
    r.source_format = rows.Text(9);
    r.source_schema_version = static_cast<int>(rows.Int(10));
    r.target_uri = rows.Text(11);
    plan.rows.push_back(std::move(r));
  }
  return std::optional<Plan>(std::move(plan));
}

Result<std::vector<PlanSummary>> SqliteStateStore::ListPlans(const std::string& migration) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(
      auto q, db_->Prepare("SELECT plan_hash, migration, spec_hash, created_at, datasets, waves, stages FROM plans "
                           "WHERE ?1 = '' OR migration = ?1 ORDER BY plan_pk DESC"));
  q.Bind(1, migration);
  std::vector<PlanSummary> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(PlanSummary{q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Int(4), static_cast<int>(q.Int(5)),
                              static_cast<int>(q.Int(6))});
  }
  return out;
}

Result<std::vector<MigrationTarget>> SqliteStateStore::ListMigrationTargets() {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(
      auto q,
      db_->Prepare(
          "SELECT r.dataset_id, p.plan_pk, p.migration, p.plan_hash, p.header, r.target_uri, r.stage, r.wave, "
          "p.created_at "
          "FROM plan_rows r JOIN plans p ON p.plan_pk = r.plan_pk "
          "WHERE p.plan_pk IN (SELECT MAX(plan_pk) FROM plans GROUP BY migration) ORDER BY r.dataset_id, p.migration"));
  std::vector<MigrationTarget> out;
  std::map<int64_t, Plan> headers;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    int64_t plan_pk = q.Int(1);
    auto it = headers.find(plan_pk);
    if (it == headers.end()) {
      nlohmann::json hj = nlohmann::json::parse(q.Text(4), nullptr, false);
      if (hj.is_discarded()) return Status::Corruption("state file '" + path_ + "': a plan header is malformed");
      GAGGLE_ASSIGN_OR_RETURN(Plan h, PlanHeaderFromJson(hj));
      it = headers.emplace(plan_pk, std::move(h)).first;
    }
    const Plan& h = it->second;
    out.push_back(MigrationTarget{q.Text(0), q.Text(2), q.Text(3), q.Text(8), h.agent, h.agent_version, q.Text(5),
                                  h.target_format, h.target_version, static_cast<int>(q.Int(6)),
                                  static_cast<int>(q.Int(7))});
  }
  return out;
}

}  // namespace gaggle
