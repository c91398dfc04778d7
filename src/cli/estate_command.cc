#include "cli/estate_command.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "catalog/demo_estate.h"
#include "cli/cli_support.h"

namespace gaggle::cli {
namespace {

struct EstateArgs {
  std::string dir;
  DemoEstateOptions options;
  bool no_data = false;
  bool quiet = false;
};

void PrintSummary(const DemoEstate& e, const DemoEstateSummary& s) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.1f s", s.seconds);
  std::cout << "gaggle: demo estate in " << s.dir << " (" << seconds << ")\n"
            << "  datasets   " << s.datasets << " in " << s.layers << " lineage layers, " << s.dataset_edges
            << " lineage edges\n"
            << "  consumers  " << s.consumers << " services, dashboards and models, " << s.consumer_edges << " reads, "
            << s.queries << " queries\n"
            << "  data       " << HumanBytes(static_cast<double>(s.bytes)) << " of Avro in " << s.files << " files, "
            << HumanCount(static_cast<double>(s.rows)) << " rows\n"
            << "  faults     bad records: " << e.bad_records.size() << " datasets (README.txt lists them)\n"
            << "             too many bad records: " << e.datasets[e.too_many_bad_records].id << "\n"
            << "             schema mismatch: " << e.datasets[e.schema_mismatch].id << "\n"
            << "             stalls once: " << e.datasets[e.stall_once].id << " (faults.env)\n"
            << "  next       gaggle plan " << s.dir << "/migration.yaml --catalog " << s.dir << "/catalog --state "
            << s.dir << "/gaggle.db\n";
}

int Run(EstateArgs& args) {
  ProgressPrinter progress(!args.quiet && ::isatty(STDERR_FILENO));
  args.options.progress = [&progress](uint64_t done, uint64_t total) {
    progress.Maybe([&] {
      return "wrote " + HumanBytes(static_cast<double>(done)) + " of ~" + HumanBytes(static_cast<double>(total));
    });
  };
  args.options.write_data = !args.no_data;
  DemoEstate estate;
  auto summary = GenerateDemoEstate(args.dir, args.options, &estate);
  if (!summary.ok()) return ReportError(summary.status());
  if (!args.quiet) PrintSummary(estate, *summary);
  return kExitOk;
}

}  // namespace

void AddGenerateEstateCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<EstateArgs>();
  CLI::App* cmd = app->add_subcommand(
      "generate-estate",
      "Write the realistic demo estate that `make demo` migrates, deterministically for a seed:\n"
      "  DIR/catalog/        Backstage catalog (one file per team): datasets in a lineage DAG of\n"
      "                      5-8 layers (raw sources, derived layers with fan-in 1-4, a few hubs),\n"
      "                      owners from 8 teams, tiers, sizes, and ~40 services/dashboards with SQL\n"
      "  DIR/lake/v1/<id>/   Avro part files (events profile), 1-10 MB each, a few of 50-240 MB;\n"
      "                      about 1.3 GB at --size-scale 1\n"
      "  DIR/migration.yaml  the demo migration: events v1 Avro -> v2 Parquet in 4 stages\n"
      "  DIR/README.txt      the planted faults: bad records (~5% of datasets, within the dead-letter\n"
      "                      budget), one dataset with too many, one schema mismatch\n"
      "  DIR/faults.env      GAGGLE_INJECT_FAULTS=stall-once:<id> (one agent times out once)\n"
      "DIR must not hold an estate already.");
  cmd->add_option("dir", args->dir, "Directory to write the estate into (created if missing)")->required();
  cmd->add_option("--datasets", args->options.datasets, "Number of datasets (10..100000)")->capture_default_str();
  cmd->add_option("--seed", args->options.seed, "Seed: the same seed gives byte-identical files")
      ->capture_default_str();
  cmd->add_option("--size-scale", args->options.size_scale,
                  "Multiplies every dataset's row count (0.01 gives a ~13 MB estate for tests)")
      ->capture_default_str();
  cmd->add_option("--threads", args->options.threads, "Avro writers at once")->capture_default_str();
  cmd->add_option("--profile", args->options.profile,
                  "events: flat legacy events (make demo); nested: events with a device record, a list of item "
                  "records and a map of attributes, and a spec that migrates them to nested Parquet "
                  "(make demo-nested)")
      ->capture_default_str();
  cmd->add_flag("--no-data", args->no_data,
                "Write the catalog, spec and README only, no Avro files (sizes are then estimates)");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress or summary");
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace gaggle::cli
