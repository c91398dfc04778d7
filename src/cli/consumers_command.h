// The consumer-repository command:
//   gaggle consumers patch MIGRATION --repo PATH   rewrite consumers' SQL files in their own git
//                                                  repository, as a branch with one commit per
//                                                  consumer and a pull-request description
// A thin adapter over service/consumer_repo_operations.h.
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddConsumersCommands(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
