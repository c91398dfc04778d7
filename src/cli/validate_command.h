// `gaggle validate OLD NEW --spec MIGRATION.yaml [--json]`: compares an old dataset
// with its migrated new dataset (validate/dataset_validator.h) and prints the report.
// Exit 0 when every check passes, 1 when a check fails (stderr names the failed
// checks), other codes for errors as in cli_support.h.
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddValidateCommand(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
