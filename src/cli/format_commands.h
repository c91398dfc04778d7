// `gaggle inspect` and `gaggle convert`: the format layer from the command line.
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

// Registers the subcommands on `app`; each sets *exit_code when it runs.
void AddInspectCommand(CLI::App* app, int* exit_code);
void AddConvertCommand(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
