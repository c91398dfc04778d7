#include "store/sqlite_schema.h"

#include <vector>

#include "store/sqlite_control_schema.h"

namespace gaggle {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// Migration 1: catalog, import history, plans, and the append-only event log.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE entities (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('dataset', 'component', 'system', 'resource')),
  name TEXT NOT NULL,
  namespace TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT '',
  lifecycle TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}',
  annotations TEXT NOT NULL DEFAULT '{}',
  source TEXT NOT NULL DEFAULT '',
  uri TEXT NOT NULL DEFAULT '',
  format TEXT NOT NULL DEFAULT '',
  schema TEXT NOT NULL DEFAULT '',
  schema_version INTEGER NOT NULL DEFAULT 1,
  tier TEXT NOT NULL DEFAULT 'standard' CHECK (tier IN ('critical', 'standard', 'low')),
  cadence TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL DEFAULT 0,
  content_hash INTEGER NOT NULL,
  import_id INTEGER NOT NULL
);
CREATE TABLE entity_queries (
  entity_pk INTEGER NOT NULL REFERENCES entities(pk) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  sql TEXT NOT NULL,
  PRIMARY KEY (entity_pk, ordinal)
) WITHOUT ROWID;
CREATE TABLE lineage_edges (
  upstream_pk INTEGER NOT NULL REFERENCES entities(pk) ON DELETE CASCADE,
  downstream_pk INTEGER NOT NULL REFERENCES entities(pk) ON DELETE CASCADE,
  PRIMARY KEY (upstream_pk, downstream_pk)
) WITHOUT ROWID;
CREATE INDEX lineage_edges_by_downstream ON lineage_edges (downstream_pk, upstream_pk);

CREATE TABLE catalog_imports (
  import_id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  source TEXT NOT NULL,
  added INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  edges_added INTEGER NOT NULL,
  edges_removed INTEGER NOT NULL,
  entities INTEGER NOT NULL,
  edges INTEGER NOT NULL
);
CREATE TABLE catalog_import_changes (
  import_id INTEGER NOT NULL REFERENCES catalog_imports(import_id),
  change TEXT NOT NULL CHECK (change IN ('added', 'updated', 'removed')),
  entity_id TEXT NOT NULL
);
CREATE INDEX catalog_import_changes_by_import ON catalog_import_changes (import_id);

CREATE TABLE plans (
  plan_pk INTEGER PRIMARY KEY,
  plan_hash TEXT NOT NULL UNIQUE,
  migration TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  datasets INTEGER NOT NULL,
  waves INTEGER NOT NULL,
  stages INTEGER NOT NULL,
  header TEXT NOT NULL
);
CREATE INDEX plans_by_migration ON plans (migration, plan_pk);
CREATE TABLE plan_rows (
  plan_pk INTEGER NOT NULL REFERENCES plans(plan_pk) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  dataset_id TEXT NOT NULL,
  wave INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  tier TEXT NOT NULL,
  blast_radius INTEGER NOT NULL,
  blast_radius_exact INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  source_uri TEXT NOT NULL,
  source_format TEXT NOT NULL,
  source_schema_version INTEGER NOT NULL,
  target_uri TEXT NOT NULL,
  PRIMARY KEY (plan_pk, ordinal)
) WITHOUT ROWID;

-- The audit trail. Append-only: the triggers refuse any update or delete.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  migration TEXT NOT NULL DEFAULT '',
  dataset TEXT NOT NULL DEFAULT '',
  from_state TEXT NOT NULL DEFAULT '',
  to_state TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_migration ON events (migration, seq);
CREATE INDEX events_by_dataset ON events (dataset, seq);
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
)sql";

// Migration 2 (issue 5): the fleet's run records and task records.
//  - runs: one row per migration, with the operators' requests and the run lease.
//  - tasks: one row per (migration, dataset). Plan order is (stage, ordinal): the
//    plan's rows are sorted by stage, and tasks dropped from the plan get ordinals
//    after its rows. tasks_by_state serves both ListTasks (a state's tasks in plan
//    order) and CountTasks (counts and sums per state and stage from the index
//    alone). It is the only index a transition rewrites (transitions change `state`,
//    so the summed columns ride along for free); a second one would cost every
//    transition two more WAL pages.
constexpr const char* kMigration2 = R"sql(
CREATE TABLE runs (
  migration TEXT NOT NULL PRIMARY KEY,
  plan_hash TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  spec_path TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'completed')),
  state_reason TEXT NOT NULL DEFAULT '',
  concurrency INTEGER NOT NULL CHECK (concurrency >= 1),
  requeue_seq INTEGER NOT NULL DEFAULT 0,
  requeue_applied_seq INTEGER NOT NULL DEFAULT 0,
  runner TEXT NOT NULL DEFAULT '',
  runner_expires_ms INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE tasks (
  migration TEXT NOT NULL REFERENCES runs(migration),
  dataset_id TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  wave INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  source_uri TEXT NOT NULL,
  source_format TEXT NOT NULL,
  target_uri TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'retrying', 'needs-attention',
                                       'paused', 'cancelled', 'rolled-back', 'validating', 'validated',
                                       'invalid')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  runner TEXT NOT NULL DEFAULT '',
  lease_expires_ms INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL DEFAULT '',
  finished_at TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  skipped INTEGER NOT NULL DEFAULT 0,
  rows_in INTEGER NOT NULL DEFAULT 0,
  rows_out INTEGER NOT NULL DEFAULT 0,
  dead_lettered INTEGER NOT NULL DEFAULT 0,
  filtered INTEGER NOT NULL DEFAULT 0,
  bytes_out INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (migration, dataset_id)
);
CREATE INDEX tasks_by_plan_order ON tasks (migration, stage, ordinal);
CREATE INDEX tasks_by_state ON tasks (migration, state, stage, ordinal, size_bytes, rows_in, rows_out, dead_lettered,
                                      filtered);
)sql";

// Migration 3: the gates' evidence and decisions. Every validation of a dataset (the
// ValidationResult JSON, kept whole) and every operator approval of a failed stage gate.
// Both are append-only, like the event log.
constexpr const char* kMigration3 = R"sql(
CREATE TABLE validations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  migration TEXT NOT NULL,
  dataset_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  time TEXT NOT NULL,
  passed INTEGER NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  report TEXT NOT NULL DEFAULT ''
);
CREATE INDEX validations_by_dataset ON validations (migration, dataset_id, seq);
CREATE TABLE stage_approvals (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  migration TEXT NOT NULL,
  stage INTEGER NOT NULL,
  actor TEXT NOT NULL,
  time TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX stage_approvals_by_migration ON stage_approvals (migration, stage);
CREATE TRIGGER validations_are_append_only BEFORE UPDATE ON validations
  BEGIN SELECT RAISE(ABORT, 'validations are append-only'); END;
CREATE TRIGGER stage_approvals_are_append_only BEFORE UPDATE ON stage_approvals
  BEGIN SELECT RAISE(ABORT, 'approvals are append-only'); END;
)sql";

// Migration 4: the event log's hash chain (store/event_chain.h). Events written before it
// keep empty hashes; the chain starts with the first event written after.
constexpr const char* kMigration4 = R"sql(
ALTER TABLE events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
)sql";

// Migration 5: after the migration. Every downstream query verification (append-only,
// its report kept whole) and each dataset's cut-over: where the catalog pointed before,
// where it points now, and until when the old data is retained.
constexpr const char* kMigration5 = R"sql(
CREATE TABLE verifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  migration TEXT NOT NULL,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  passed INTEGER NOT NULL,
  sampled INTEGER NOT NULL,
  matched INTEGER NOT NULL,
  mismatched INTEGER NOT NULL,
  refused INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  report TEXT NOT NULL DEFAULT ''
);
CREATE INDEX verifications_by_migration ON verifications (migration, seq);
CREATE TRIGGER verifications_are_append_only BEFORE UPDATE ON verifications
  BEGIN SELECT RAISE(ABORT, 'verifications are append-only'); END;
CREATE TABLE cutovers (
  migration TEXT NOT NULL,
  dataset_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('current', 'rolled-back', 'collected')),
  previous_uri TEXT NOT NULL,
  previous_format TEXT NOT NULL,
  previous_schema TEXT NOT NULL,
  previous_schema_version INTEGER NOT NULL,
  next_uri TEXT NOT NULL,
  next_format TEXT NOT NULL,
  next_schema TEXT NOT NULL,
  next_schema_version INTEGER NOT NULL,
  cut_at TEXT NOT NULL,
  retain_until TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  PRIMARY KEY (migration, dataset_id)
) WITHOUT ROWID;
CREATE INDEX cutovers_by_retention ON cutovers (state, retain_until);
CREATE INDEX cutovers_by_dataset ON cutovers (dataset_id);
)sql";

// Migration 6: one hash chain per migration (store/event_chain.h), catalog events forming
// the chain of migration ''. Each chain's newest event is its head, written in the same
// transaction as the append: appends to one migration serialize on its head row, appends
// to different migrations need not (PostgreSQL locks the row; SQLite has one writer
// anyway), and removing a chain's newest events no longer goes unnoticed. Events written
// before it formed one chain through the whole log; each migration's newest of them
// becomes its head, so the chains continue from there.
constexpr const char* kMigration6 = R"sql(
CREATE TABLE event_chains (
  migration TEXT NOT NULL PRIMARY KEY,
  head_seq INTEGER NOT NULL,
  head_hash TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO event_chains (migration, head_seq, head_hash)
  SELECT migration, MAX(seq), hash FROM events WHERE hash <> '' GROUP BY migration;
)sql";

// A cut-over whose collection by gc has begun is "collecting" (gc marks it before it
// deletes anything, so rollback refuses it and the next gc resumes it). SQLite cannot
// change a CHECK constraint in place: the table is rebuilt with the rows kept.
constexpr const char* kMigration7 = R"sql(
CREATE TABLE cutovers_v6 (
  migration TEXT NOT NULL,
  dataset_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('current', 'rolled-back', 'collected', 'collecting')),
  previous_uri TEXT NOT NULL,
  previous_format TEXT NOT NULL,
  previous_schema TEXT NOT NULL,
  previous_schema_version INTEGER NOT NULL,
  next_uri TEXT NOT NULL,
  next_format TEXT NOT NULL,
  next_schema TEXT NOT NULL,
  next_schema_version INTEGER NOT NULL,
  cut_at TEXT NOT NULL,
  retain_until TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  PRIMARY KEY (migration, dataset_id)
) WITHOUT ROWID;
INSERT INTO cutovers_v6 SELECT migration, dataset_id, state, previous_uri, previous_format, previous_schema,
  previous_schema_version, next_uri, next_format, next_schema, next_schema_version, cut_at, retain_until,
  changed_at, changed_by FROM cutovers;
DROP TABLE cutovers;
ALTER TABLE cutovers_v6 RENAME TO cutovers;
CREATE INDEX cutovers_by_retention ON cutovers (state, retain_until);
CREATE INDEX cutovers_by_dataset ON cutovers (dataset_id);
)sql";

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> m = {
      {1, "catalog, lineage, imports, plans, events", kMigration1},
      {2, "fleet runs, tasks and leases", kMigration2},
      {3, "validations and stage approvals", kMigration3},
      {4, "hash-chained event log", kMigration4},
      {5, "verifications and cut-overs", kMigration5},
      {6, "one event chain per migration, with its head", kMigration6},
      {7, "cut-overs being collected", kMigration7},
      {kControlSchemaVersion, "control plane: API tokens, approval links", ControlSchemaSql()},
  };
  return m;
}

}  // namespace

int LatestSqliteSchemaVersion() { return Migrations().back().version; }

Result<int> ApplySqliteMigrations(SqliteDb* db, const std::string& now) {
  // Reading sqlite_master is the first real read of the file: a file that is not a
  // database fails here, with SQLite's own diagnosis.
  GAGGLE_ASSIGN_OR_RETURN(auto tables, db->Prepare("SELECT name FROM sqlite_master WHERE type = 'table'"));
  bool has_version_table = false, has_other_tables = false;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, tables.Step());
    if (!row) break;
    std::string name = tables.Text(0);
    if (name == "schema_version") {
      has_version_table = true;
    } else if (name.rfind("sqlite_", 0) != 0) {
      has_other_tables = true;
    }
  }
  if (!has_version_table && has_other_tables) {
    return Status::Corruption("state file '" + db->path() +
                              "' is a SQLite database but not a gaggle state file (it has no schema_version table)");
  }
  int current = 0;
  if (has_version_table) {
    GAGGLE_ASSIGN_OR_RETURN(auto q, db->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) current = static_cast<int>(q.Int(0));
  }
  if (current > LatestSqliteSchemaVersion()) {
    return Status::Unsupported("state file '" + db->path() + "' has schema version " + std::to_string(current) +
                               ", written by a newer gaggle (this one knows up to " +
                               std::to_string(LatestSqliteSchemaVersion()) + ")");
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
    // Another process may have migrated while we waited for the lock.
    GAGGLE_RETURN_IF_ERROR(
        db->Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, "
                 "description TEXT NOT NULL)"));
    GAGGLE_ASSIGN_OR_RETURN(auto check, db->Prepare("SELECT 1 FROM schema_version WHERE version = ?"));
    check.Bind(1, static_cast<int64_t>(m.version));
    GAGGLE_ASSIGN_OR_RETURN(bool already, check.Step());
    if (already) continue;
    GAGGLE_RETURN_IF_ERROR(db->Exec(m.sql));
    GAGGLE_ASSIGN_OR_RETURN(auto ins, db->Prepare("INSERT INTO schema_version VALUES (?, ?, ?)"));
    ins.Bind(1, static_cast<int64_t>(m.version)).Bind(2, now).Bind(3, m.description);
    GAGGLE_RETURN_IF_ERROR(ins.Run());
    GAGGLE_RETURN_IF_ERROR(tx->Commit());
    current = m.version;
  }
  return current;
}

}  // namespace gaggle
