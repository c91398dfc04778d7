// Small helpers shared by StateStore's files (state_store*.cc): message context and
// appending an event inside a transaction. Private to src/store.
#pragma once

#include <string>

#include "common/status.h"
#include "store/store_backend.h"

namespace gaggle::store_internal {

inline std::string StateFile(const std::string& location) { return "state file '" + location + "'"; }
inline std::string MigrationContext(const std::string& migration) { return "migration '" + migration + "'"; }
inline std::string TaskContext(const std::string& migration, const std::string& dataset) {
  return "migration '" + migration + "', dataset '" + dataset + "'";
}

template <typename T>
Result<T> WithContext(Result<T> r, const std::string& context) {
  if (r.ok()) return r;
  return r.status().WithContext(context);
}

// Appends `event` at `time` by `actor` (both as given) inside `tx`.
inline Status Append(StoreTransaction& tx, Event event, const std::string& time, const std::string& actor) {
  event.time = time;
  event.actor = actor;
  return tx.AppendEvent(event).status();
}

}  // namespace gaggle::store_internal
