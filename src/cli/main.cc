// gaggle: migrate a fleet of datasets without breaking anything downstream.
// Entry point: one binary, one subcommand per job (see `gaggle --help`).
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/after_commands.h"
#include "cli/catalog_commands.h"
#include "cli/cli_support.h"
#include "cli/consumers_command.h"
#include "cli/estate_command.h"
#include "cli/fleet_commands.h"
#include "cli/format_commands.h"
#include "cli/gate_commands.h"
#include "cli/generate_command.h"
#include "cli/plan_command.h"
#include "cli/run_command.h"
#include "cli/serve_command.h"
#include "cli/state_command.h"
#include "cli/transform_command.h"
#include "cli/validate_command.h"
#include "cli/worker_command.h"

int main(int argc, char** argv) {
  // Batches reuse multi-megabyte buffers; glibc's adaptive thresholds would hand them
  // back to the kernel and fault them in again batch after batch. Keep allocations up to
  // 32 MiB on the heap and trim only past 64 MiB of free memory (bounded, well under
  // the agent's memory budget).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  CLI::App app{
      "gaggle: migrate a fleet of datasets from an old format/schema/location to a new one,\n"
      "ordered by lineage, in canary stages with validation gates."};
  app.set_version_flag("--version", std::string("gaggle ") + GAGGLE_VERSION);
  app.require_subcommand(1);
  int exit_code = gaggle::cli::kExitOk;
  gaggle::cli::AddInspectCommand(&app, &exit_code);
  gaggle::cli::AddConvertCommand(&app, &exit_code);
  gaggle::cli::AddGenerateCommand(&app, &exit_code);
  gaggle::cli::AddGenerateEstateCommand(&app, &exit_code);
  gaggle::cli::AddValidateCommand(&app, &exit_code);
  gaggle::cli::AddCatalogCommands(&app, &exit_code);
  gaggle::cli::AddPlanCommand(&app, &exit_code);
  gaggle::cli::AddTransformCommand(&app, &exit_code);
  gaggle::cli::AddRunCommand(&app, &exit_code);
  gaggle::cli::AddWorkerCommand(&app, &exit_code);
  gaggle::cli::AddFleetCommands(&app, &exit_code);
  gaggle::cli::AddGateCommands(&app, &exit_code);
  gaggle::cli::AddAfterCommands(&app, &exit_code);
  gaggle::cli::AddConsumersCommands(&app, &exit_code);
  gaggle::cli::AddServeCommand(&app, &exit_code);
  gaggle::cli::AddTokenCommands(&app, &exit_code);
  gaggle::cli::AddStateCommands(&app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
