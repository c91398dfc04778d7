// The audit and recovery commands: `gaggle approve` (let a stage past its failed gate,
// recorded with who and why), `gaggle rollback` (undo datasets of a migration: outputs
// to quarantine, tasks rolled-back, all in the event log) and `gaggle events` (the
// audit trail, and the verification of its hash chain).
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddGateCommands(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
