// Gate pauses: the reason a runner records when a gate pauses a migration, and how an
// operator command recognises such a pause. Approving a gate (`gaggle approve`) is
// allowed only while the run is paused by that gate, and only then does approval
// un-pause it: a run an operator paused stays paused, and no gate can be approved
// before it has failed.
// The reason text is the one the operator reads in `gaggle status`; the suffix that
// names the approve command is the marker, written and read only here.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "store/fleet_records.h"

namespace gaggle {

// The stage number under which the final gate (downstream verification) is approved.
inline constexpr int kFinalGateStage = -1;

// "<summary>. Fix and `gaggle resume`, or `gaggle approve --stage N` to go on".
std::string StageGatePauseReason(int stage, const std::string& summary);
// "final verification: <summary>. See `gaggle verify`; fix and ..., or `gaggle approve --final` ...".
std::string FinalGatePauseReason(const std::string& summary);

// The gate a paused run waits on: a stage number, kFinalGateStage, or nullopt when the
// run is not paused by a gate (running, completed, or paused by an operator).
std::optional<int> PausedAtGate(const MigrationRun& run);

}  // namespace gaggle
