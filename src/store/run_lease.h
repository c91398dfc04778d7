// The run lease: at most one runner moves a migration's tasks at a time. A runner claims
// the lease on the run record until now + ttl and renews it by claiming again. The lease
// goes to a claimant when it is free, already the claimant's, expired, or held by a
// runner that `is_dead` says is gone (a crashed process on this host); otherwise the
// claim is refused, naming the holder. Releasing frees the lease only for its holder.
// Thread-safety: pure functions (`is_dead` is the caller's).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "store/fleet_records.h"

namespace gaggle {

struct LeaseClaim {
  bool granted = false;
  // Granted: why the lease changed hands ("runner B took over from A (its lease expired
  // at ...)"); empty for a renewal. Refused: who holds it until when.
  std::string why;
};

// Decides `owner`'s claim and, when granted, gives `run` the lease until now_ms + ttl_ms.
LeaseClaim ClaimRunLease(MigrationRun* run, const std::string& owner, int64_t now_ms, int64_t ttl_ms,
                         const std::function<bool(const std::string& holder)>& is_dead);

// True when `owner` holds the lease of `run` (then releasing clears it).
bool HoldsRunLease(const MigrationRun& run, const std::string& owner);
// The event detail of a release.
std::string ReleasedRunLease(const std::string& owner);

// "2024-05-01T12:00:00.123Z" for milliseconds since the epoch.
std::string MillisToIso8601(int64_t ms);

}  // namespace gaggle
