// `gaggle generate-estate DIR`: writes the realistic demo estate (Backstage catalog,
// Avro lake in a lineage DAG, planted faults, the demo migration spec) that
// `make demo` migrates. See catalog/demo_estate.h and docs/demo.md.
#pragma once

#include <CLI/CLI.hpp>

namespace gaggle::cli {

void AddGenerateEstateCommand(CLI::App* app, int* exit_code);

}  // namespace gaggle::cli
