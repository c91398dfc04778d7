// Operator commands for running migrations: `gaggle pause`, `resume`, `cancel`,
// `fleet set`, `status` and `logs`. They work from any terminal while `gaggle
// run` runs (or not): they change the run record and task states in the state
// store, which the runner polls, and every change goes into the event log.
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddFleetCommands(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
