// SqliteStateStore: the embedded StateStore — one SQLite file (./gaggle.db by
// default) in WAL mode, with a busy timeout, foreign keys on, and a versioned
// schema migrated at open (store/sqlite_schema.h). Each write method runs in one
// BEGIN IMMEDIATE transaction. WAL with synchronous=NORMAL loses nothing when the
// process is killed; set `sync_full` to also survive power loss.
// Thread-safety: all methods are serialized by an internal mutex.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite_db.h"
#include "store/state_store.h"

namespace gaggle {

class SqliteStateStore final : public StateStore {
 public:
  struct Options : StateStoreOptions {
    bool sync_full = false;
  };

  static Result<std::unique_ptr<SqliteStateStore>> Open(const std::string& path, const Options& options);

  const std::string& location() const override { return path_; }
  int schema_version() const override { return schema_version_; }

  Result<CatalogChangeSet> ReplaceCatalog(const Catalog& catalog, const ImportOptions& options) override;
  Result<Catalog> LoadCatalog(const LoadCatalogOptions& options) override;
  Result<std::optional<Entity>> FindEntity(const std::string& id) override;
  Result<std::vector<Entity>> Neighbors(const std::string& id, Direction direction) override;
  Status ForEachEntity(const std::function<bool(const Entity&)>& fn) override;
  Result<CatalogStats> GetCatalogStats() override;
  Result<std::vector<CatalogChangeSet>> ListImports(size_t limit, bool with_ids) override;

  Status SavePlan(const Plan& plan) override;
  Result<std::optional<Plan>> LoadPlan(const std::string& hash) override;
  Result<std::vector<PlanSummary>> ListPlans(const std::string& migration) override;
  Result<std::vector<MigrationTarget>> ListMigrationTargets() override;

  Result<int64_t> AppendEvent(const Event& event) override;
  Result<std::vector<Event>> ListEvents(const EventFilter& filter) override;

 private:
  SqliteStateStore(std::unique_ptr<SqliteDb> db, std::string path, Options options)
      : db_(std::move(db)), path_(std::move(path)), options_(std::move(options)) {}
  std::string Now() const;
  // REQUIRES: mu_ held. Inserts one event inside the caller's transaction.
  Result<int64_t> InsertEvent(const Event& event);
  Status ReplaceCatalogLocked(const Catalog& catalog, const ImportOptions& options, CatalogChangeSet* out);
  Status LoadImportIds(CatalogChangeSet* set);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // GUARDED_BY(mu_)
  std::string path_;
  Options options_;
  int schema_version_ = 0;
};

}  // namespace gaggle
