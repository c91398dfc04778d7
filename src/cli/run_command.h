// `gaggle run`: executes a migration across the fleet (fleet/fleet_runner.h).
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddRunCommand(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
