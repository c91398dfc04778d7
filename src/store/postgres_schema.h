// The PostgreSQL state store's schema: an ordered list of migrations, applied once, in
// order, in one transaction that holds an advisory lock (two processes opening a new
// store do not both create it), and recorded in `schema_version` (version, applied_at,
// description), as in the SQLite store. Version 1 holds the records of SQLite schema 8
// (catalog, plans, the chained event log, runs and tasks, gate records, verifications,
// cut-overs with their 'collecting' state); version 2 the work queue; version 3 the
// control plane's (API tokens and approval links, store/postgres_control_store.h);
// version 4 the task counts that triggers keep; version 5 work items' worker labels;
// version 6 the index of claimed items and the work queue's vacuum settings. Text columns
// that are ordered or compared use COLLATE "C", so ids order by their bytes whatever the
// database's collation. Never edit a released migration; append a new one.
// Thread-safety: the caller owns the connection.
#pragma once

#include <pqxx/connection>
#include <string>

#include "common/status.h"

namespace gaggle {

// The schema version this build of gaggle writes to PostgreSQL.
int LatestPostgresSchemaVersion();

// Checks that the database's current schema is a gaggle store (or empty), refuses one
// written by a newer gaggle, and applies the missing migrations (every one not recorded,
// whatever the highest recorded is). `location` (the URL
// without its password) names the store in messages. Returns the version in force.
Result<int> ApplyPostgresMigrations(pqxx::connection& conn, const std::string& location, const std::string& now);

}  // namespace gaggle
