// CutoverRecord: where one migrated dataset's catalog entry pointed before its
// cut-over and where it points now, and how long the old data is kept.
//
// Life of a record: current (the catalog points at `next`, the old data at `previous`
// is retained until `retain_until`) -> rolled-back (a rollback during retention pointed
// the catalog back at `previous`) or collected (`gaggle gc` deleted `previous` after
// `retain_until`, by way of collecting: gc marks the record before it deletes anything,
// so an interrupted gc is resumed and a rollback can never point back at partly deleted
// data). A rolled-back dataset cut over again gets a fresh current record.
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace gaggle {

// kCollecting: gc began deleting `previous` (it was current); the next gc finishes it.
enum class CutoverState { kCurrent, kRolledBack, kCollected, kCollecting };

// "current", "rolled-back", "collected", "collecting"
const char* CutoverStateName(CutoverState state);
Result<CutoverState> ParseCutoverState(const std::string& text);

// The catalog facts a cut-over changes.
struct DatasetLocation {
  std::string uri;
  std::string format;  // "avro", "parquet", ...
  std::string schema;  // columnar/schema.h text form; may be empty
  int schema_version = 1;

  bool operator==(const DatasetLocation&) const = default;
};

struct CutoverRecord {
  std::string migration;
  std::string dataset_id;
  CutoverState state = CutoverState::kCurrent;
  DatasetLocation previous;  // the old data, kept until retain_until
  DatasetLocation next;      // what the catalog points at after the cut-over
  std::string cut_at;        // ISO 8601 UTC
  std::string retain_until;  // ISO 8601 UTC: gc may delete `previous` after this
  std::string changed_at;    // last state change (cut_at for a current record)
  std::string changed_by;
};

}  // namespace gaggle
