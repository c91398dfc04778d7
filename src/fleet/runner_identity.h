// Runner identity: who holds a migration's run lease, as "HOST:PID:START" (START =
// the process's start time in clock ticks since boot, so a recycled pid is not
// mistaken for the old runner). A holder on this host whose process is gone is
// dead: its lease can be taken at once instead of waiting for it to expire —
// which is what lets `gaggle run` restart immediately after a kill -9.
// Thread-safety: pure functions of the process and /proc.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "store/fleet_records.h"

namespace gaggle {

// This process's identity.
std::string CurrentRunnerIdentity();
// True when `holder` names a process on this host that no longer exists. Holders on
// other hosts, or that cannot be parsed, are never declared dead (their lease expires).
bool IsDeadLocalRunner(const std::string& holder);
// A runner holds `run`'s lease (unexpired on `clock`) and is alive, as far as this host can tell.
bool HasLiveRunner(const MigrationRun& run, Clock* clock = Clock::System());
// Milliseconds since the Unix epoch on the system clock (leases and retry times are
// stored so). Code that is handed a Clock reads that instead.
int64_t UnixMillis();

}  // namespace gaggle
