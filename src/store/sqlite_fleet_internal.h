// Small helpers shared by the SQLite fleet store's files (sqlite_fleet_store.cc,
// sqlite_fleet_upsert.cc): cached-statement hygiene and error context. Private to
// src/store.
#pragma once

#include <string>

#include "common/status.h"
#include "store/sqlite_db.h"

namespace gaggle::sqlite_fleet {

// Resets a cached statement when the scope ends, so no statement stays active
// (holding a read snapshot or blocking COMMIT) between calls.
class ResetOnExit {
 public:
  explicit ResetOnExit(SqliteStatement* s) : s_(s) {}
  ~ResetOnExit() { s_->Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  SqliteStatement* s_;
};

// Steps a statement without result rows of interest (an INSERT/UPDATE ... RETURNING)
// to completion; true when it returned at least one row.
inline Result<bool> StepAll(SqliteStatement* s) {
  bool any = false;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return any;
    any = true;
  }
}

inline std::string StateFile(const std::string& path) { return "state file '" + path + "'"; }
inline std::string MigrationContext(const std::string& migration) { return "migration '" + migration + "'"; }
inline std::string TaskContext(const std::string& migration, const std::string& dataset) {
  return "migration '" + migration + "', dataset '" + dataset + "'";
}

template <typename T>
Result<T> WithContext(Result<T> r, const std::string& context) {
  if (r.ok()) return r;
  return r.status().WithContext(context);
}

}  // namespace gaggle::sqlite_fleet
