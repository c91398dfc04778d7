// `gaggle generate`: writes a deterministic synthetic dataset (for demos, benchmarks, tests).
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddGenerateCommand(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
