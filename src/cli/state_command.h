// `gaggle state copy FROM TO`: copies a whole state store into an empty one through the
// store's backend seam (store/store_copy.h): a SQLite state file to PostgreSQL
// (`gaggle state copy gaggle.db postgres://user@host/db`), or back.
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddStateCommands(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
