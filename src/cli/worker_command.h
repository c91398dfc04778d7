// `gaggle worker`: runs agents for coordinators on other hosts (service/worker_operations.h).
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddWorkerCommand(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
