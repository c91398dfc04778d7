// `gaggle serve` (the HTTP API, dashboard and /metrics: src/server/) and `gaggle token
// create|list|revoke` (who may use it: service/token_operations.h).
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddServeCommand(CLI::App* app, int* exit_code);
void AddTokenCommands(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
