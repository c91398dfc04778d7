// The after-the-migration commands:
//   gaggle verify MIGRATION      run the downstream query verification again, by hand
//   gaggle gc                    delete old datasets whose retention passed (or --dry-run)
//   gaggle archive MIGRATION     write the audit archive; `gaggle archive verify FILE` checks one
//   gaggle report MIGRATION      a human summary (text, or --html FILE)
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddAfterCommands(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
