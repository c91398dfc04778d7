// VerificationRecord: one run of the downstream query verification of a migration
// (gaggle verify, or the final gate of gaggle run), as the state store keeps it.
// Append-only: a re-run adds a record; the newest one decides the final gate.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

namespace gaggle {

struct VerificationRecord {
  int64_t seq = 0;  // set by the store
  std::string migration;
  std::string time;  // set by the store when empty
  std::string actor;
  bool passed = false;
  int64_t sampled = 0;     // queries drawn
  int64_t matched = 0;     // same answer on old and new data
  int64_t mismatched = 0;  // different answers: the migration broke the query
  int64_t refused = 0;     // cannot be rewritten (a dropped column, an ambiguity)
  int64_t errors = 0;      // could not run (unreadable data, SQL error)
  std::string summary;     // one line
  std::string report;      // VerificationReport JSON, compact
};

}  // namespace gaggle
