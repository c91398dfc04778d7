// The SQLite state store's schema: an ordered list of migrations, each applied
// once, in order, in its own transaction, and recorded in `schema_version`.
// Never edit a released migration; append a new one.
#pragma once

#include "common/status.h"
#include "store/sqlite_db.h"

namespace gaggle {

// The schema version this build of gaggle writes.
int LatestSqliteSchemaVersion();

// Checks that the file is a gaggle state file (or empty), refuses one written by a
// newer gaggle, and applies the missing migrations. Returns the version in force.
Result<int> ApplySqliteMigrations(SqliteDb* db, const std::string& now);

}  // namespace gaggle
