#include "store/run_lease.h"

#include <cstdio>
#include <ctime>

namespace gaggle {

std::string MillisToIso8601(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  if (::gmtime_r(&secs, &tm) == nullptr) return std::to_string(ms) + " ms";
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((ms % 1000) + 1000) % 1000));
  return buf;
}

LeaseClaim ClaimRunLease(MigrationRun* run, const std::string& owner, int64_t now_ms, int64_t ttl_ms,
                         const std::function<bool(const std::string& holder)>& is_dead) {
  const std::string holder = run->runner;
  LeaseClaim claim;
  if (holder == owner) {
    // a renewal
  } else if (holder.empty()) {
    claim.why = "runner " + owner + " took the lease";
  } else if (run->runner_expires_ms <= now_ms) {
    claim.why = "runner " + owner + " took over from " + holder + " (its lease expired at " +
                MillisToIso8601(run->runner_expires_ms) + ")";
  } else if (is_dead && is_dead(holder)) {
    claim.why = "runner " + owner + " took over from " + holder + " (that process is gone)";
  } else {
    claim.why = "migration " + run->migration + " is being run by " + holder + " (lease valid until " +
                MillisToIso8601(run->runner_expires_ms) + ")";
    return claim;
  }
  claim.granted = true;
  run->runner = owner;
  run->runner_expires_ms = now_ms + ttl_ms;
  return claim;
}

bool HoldsRunLease(const MigrationRun& run, const std::string& owner) { return !owner.empty() && run.runner == owner; }

std::string ReleasedRunLease(const std::string& owner) { return "runner " + owner + " released the lease"; }

}  // namespace gaggle
