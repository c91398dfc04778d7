// `gaggle transform`: migrate one dataset with a migration spec (one agent run).
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddTransformCommand(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
