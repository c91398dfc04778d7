// `gaggle plan MIGRATION.yaml`: select, order and stage the datasets a migration
// will migrate, print the plan, and save it in the state store under its content
// hash (what `gaggle run` executes).
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddPlanCommand(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
