// `gaggle catalog ...`: import, list, show, graph, export and history of the
// catalog kept in the state store (--state, default ./gaggle.db).
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

// Registers `catalog` and its subcommands on `app`; each sets *exit_code when it runs.
void AddCatalogCommands(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
