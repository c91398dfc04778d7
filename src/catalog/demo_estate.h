// DemoEstate: the realistic estate that `make demo` migrates (`gaggle generate-estate`).
//
// DesignDemoEstate() lays out, as a pure function of the options, a data lake of
// Avro datasets (the `events` synthetic profile) owned by eight teams, arranged in
// a lineage DAG (raw sources on top, 5-8 layers of derived datasets below with
// fan-in 1-4, a few hubs that many read), the services and dashboards that query
// them, and a handful of planted faults for the demo to show:
//   - bad records: about 5% of the datasets carry unparsable amounts, below the
//     spec's dead-letter budget (they migrate, with dead letters);
//   - too many bad records: one dataset far above the budget (fails permanently);
//   - schema mismatch: one dataset whose `amount` column is called `amount_usd`
//     (the spec's transform.source_schema check fails);
//   - stall once: one mid-sized dataset named in faults.env for the fleet's
//     GAGGLE_INJECT_FAULTS=stall-once:<id> drill (the agent times out once).
// The permanent faults sit on leaves without consumers in the deepest layer, so
// they block nothing downstream and land in the last rollout stage.
//
// WriteDemoEstate() writes it under DIR:
//   DIR/catalog/*.yaml                 Backstage descriptors, one multi-document file per team
//   DIR/lake/v1/<id>/part-NNNNN.avro   the data (one or more part files per dataset)
//   DIR/migration.yaml                 the demo migration spec (events v1 Avro -> v2 Parquet; with
//                                      profile "nested", the nested spec)
//   DIR/README.txt                     what the estate holds and which dataset has which fault
//   DIR/faults.env                     GAGGLE_INJECT_FAULTS=stall-once:<id>
// The same options give byte-identical files, whatever the number of threads.
// Thread-safety: DesignDemoEstate is pure; WriteDemoEstate runs its own worker
// threads and calls the progress callback from them, one call at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "catalog/entity.h"
#include "common/file_system.h"
#include "common/status.h"
#include "formats/format.h"

namespace gaggle {

struct DemoEstateOptions {
  int datasets = 300;       // 10 .. 100000
  uint64_t seed = 1;        // same seed, same estate
  double size_scale = 1.0;  // multiplies every dataset's row count (> 0); 1.0 is about 1.3 GB
  int threads = 2;          // Avro writers running at once
  bool write_data = true;   // false: catalog, spec and README only (sizes are estimates)
  // "events" (flat) or "nested": the nested_events data (a device record, a list of item
  // records, a map of attributes) and the nested migration spec (DemoNestedMigrationSpecText).
  std::string profile = "events";
  // Called as data is written, with the bytes done and the total expected (estimated).
  std::function<void(uint64_t done, uint64_t total)> progress;
};

enum class DemoFault { kNone, kBadRecords, kTooManyBadRecords, kSchemaMismatch, kStallOnce };
// "none", "bad-records", "too-many-bad-records", "schema-mismatch", "stall-once".
const char* DemoFaultName(DemoFault fault);

struct DemoDataset {
  std::string id;      // catalog id and Backstage name, also a valid SQL identifier
  std::string noun;    // what it holds ("refunds"), inherited along the lineage
  std::string domain;  // "payments"
  std::string team;    // "team-payments"
  Tier tier = Tier::kStandard;
  std::string cadence;  // "hourly", "daily", "weekly"
  int layer = 0;        // 0 = raw source; its first upstream is always in layer - 1
  bool hub = false;     // read by many
  // Upstream datasets (indices into DemoEstate::datasets, all in earlier layers);
  // declared_by_upstream[i] says the edge is written as the upstream's dependencyOf.
  std::vector<uint32_t> upstream;
  std::vector<bool> declared_by_upstream;
  int64_t rows = 0;  // over all parts
  int parts = 1;
  Compression compression = Compression::kSnappy;
  double bad_fraction = 0;  // share of rows with an unparsable amount
  DemoFault fault = DemoFault::kNone;
  uint64_t data_seed = 0;
  uint64_t bytes = 0;  // written bytes (an estimate before WriteDemoEstate)
};

struct DemoConsumer {
  std::string name;  // Backstage Component name; id "component:<name>"
  std::string type;  // "service", "dashboard", "ml-model"
  std::string team;
  std::vector<uint32_t> reads;       // datasets it depends on
  std::vector<std::string> queries;  // SQL over the events columns, FROM <dataset id>
};

struct DemoEstate {
  DemoEstateOptions options;
  std::vector<DemoDataset> datasets;  // by layer, then creation order
  std::vector<DemoConsumer> consumers;
  int layers = 0;
  size_t dataset_edges = 0;   // dataset -> dataset lineage edges
  size_t consumer_edges = 0;  // dataset -> component edges
  // Indices of the planted faults.
  std::vector<uint32_t> bad_records;
  uint32_t too_many_bad_records = 0;
  uint32_t schema_mismatch = 0;
  uint32_t stall_once = 0;
};

// The spec's dead-letter budget; bad-records datasets stay below it, the
// too-many-bad-records one is far above it.
inline constexpr double kDemoDeadLetterMaxFraction = 0.01;
inline constexpr double kDemoTooManyBadFraction = 0.05;

// Lays the estate out (no I/O). InvalidArgument for options out of range.
Result<DemoEstate> DesignDemoEstate(const DemoEstateOptions& options);

struct DemoEstateSummary {
  std::string dir;  // absolute
  size_t datasets = 0, layers = 0, dataset_edges = 0, consumers = 0, consumer_edges = 0, queries = 0;
  size_t files = 0;  // Avro part files
  int64_t rows = 0;
  uint64_t bytes = 0;  // Avro bytes
  double seconds = 0;
};

// Writes the estate under `dir` (created if missing; its catalog/, lake/ and the
// files listed above must not exist yet) and fills in each dataset's bytes.
// The catalog's gaggle.dev/uri and the spec's target URI are absolute file:// URIs.
Result<DemoEstateSummary> WriteDemoEstate(DemoEstate* estate, const std::string& dir,
                                          FileSystem* fs = FileSystem::Default());

// DesignDemoEstate + WriteDemoEstate; `estate` (optional) receives the design.
Result<DemoEstateSummary> GenerateDemoEstate(const std::string& dir, const DemoEstateOptions& options,
                                             DemoEstate* estate = nullptr, FileSystem* fs = FileSystem::Default());

// The texts WriteDemoEstate writes (exposed for tests). `abs_dir` is the absolute estate directory.
std::string DemoMigrationSpecText(const DemoEstate& estate, const std::string& abs_dir);
std::string DemoReadmeText(const DemoEstate& estate, const DemoEstateSummary& summary);
// The nested profile's migration (demo_nested_spec.cc): Avro -> Parquet, the device record rebuilt
// as a struct with renamed fields and its model lifted out, values derived from list elements and
// map entries. Avro's top-level records read as dotted columns (device.os; docs/formats.md).
std::string DemoNestedMigrationSpecText(const DemoEstate& estate, const std::string& abs_dir);
// The synthetic profile of the estate's data, and its schema as gaggle reads the Avro files back.
const char* DemoDataProfile(const DemoEstateOptions& options);
std::string DemoSchemaAsRead(const DemoEstateOptions& options);
// (file name, multi-document YAML) per catalog file, in a fixed order.
std::vector<std::pair<std::string, std::string>> DemoCatalogFiles(const DemoEstate& estate, const std::string& abs_dir);

}  // namespace gaggle
