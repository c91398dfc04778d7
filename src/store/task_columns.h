// The tasks table's columns as both backends (SQLite and PostgreSQL) name them, and the one
// reader that turns a row's first kTaskColumnCount columns, in kTaskColumns' order, into a
// TaskRecord. A backend passes accessors for its own row type: text(i) and integer(i) read
// column i (a NULL integer reads as 0). An unknown state is a Corruption naming the store
// (`state_name`, e.g. "state file '...'"), the task and its migration.
#pragma once

#include <string>

#include "common/status.h"
#include "store/fleet_records.h"
#include "store/task_state.h"

namespace gaggle {

inline constexpr const char* kTaskColumns =
    "migration, dataset_id, ordinal, stage, wave, priority, source_uri, source_format, target_uri, size_bytes, "
    "state, attempts, next_attempt_ms, runner, lease_expires_ms, started_at, finished_at, last_error, skipped, "
    "rows_in, rows_out, dead_lettered, filtered, bytes_out, duration_ms";
inline constexpr int kTaskColumnCount = 25;

// kTaskColumns, each named through `alias` ("t.migration, t.dataset_id, ...").
std::string TaskColumnsOf(const std::string& alias);

template <typename TextAt, typename IntAt>
Result<TaskRecord> ReadTaskColumns(const TextAt& text, const IntAt& integer, const std::string& state_name) {
  TaskRecord t;
  t.migration = text(0);
  t.dataset_id = text(1);
  t.ordinal = integer(2);
  t.stage = static_cast<int>(integer(3));
  t.wave = static_cast<int>(integer(4));
  t.priority = static_cast<int>(integer(5));
  t.source_uri = text(6);
  t.source_format = text(7);
  t.target_uri = text(8);
  t.size_bytes = integer(9);
  auto state = ParseTaskState(text(10));
  if (!state.ok()) {
    return Status::Corruption(state_name + ": task '" + t.dataset_id + "' of migration '" + t.migration +
                              "': " + state.status().message());
  }
  t.state = *state;
  t.attempts = static_cast<int>(integer(11));
  t.next_attempt_ms = integer(12);
  t.runner = text(13);
  t.lease_expires_ms = integer(14);
  t.started_at = text(15);
  t.finished_at = text(16);
  t.last_error = text(17);
  t.skipped = integer(18) != 0;
  t.rows_in = integer(19);
  t.rows_out = integer(20);
  t.dead_lettered = integer(21);
  t.filtered = integer(22);
  t.bytes_out = integer(23);
  t.duration_ms = integer(24);
  return t;
}

}  // namespace gaggle
