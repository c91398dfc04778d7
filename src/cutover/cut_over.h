// Cut-over: after a migration's last gate passed, its validated datasets' catalog
// entries point at their new locations, formats, schemas and schema versions. The old
// location is kept as `previous`, retained until cut-over time + spec.retention
// (store/cutover_record.h); `gaggle gc` deletes it after that, `gaggle rollback`
// points the catalog back before it. Cutting over twice changes nothing.
// Thread-safety: one cut-over per migration at a time (the caller holds the run lease).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "spec/migration_spec.h"
#include "storage/file_system_resolver.h"
#include "store/state_store.h"

namespace gaggle {

struct CutOverOptions {
  std::string actor = "gaggle";
  std::string now;  // ISO 8601 UTC; the current time when empty
  // The object stores of s3:// and gs:// outputs, whose commit record holds the schema
  // recorded in the catalog; nullptr: configured from the environment alone.
  FileSystemResolver* resolver = nullptr;
};

struct CutOverReport {
  int64_t cut_over = 0;               // datasets whose catalog entry moved now
  int64_t already = 0;                // already cut over earlier
  std::vector<std::string> datasets;  // those cut over now, plan order
  std::string retain_until;           // when their old data may be collected
};

// Cuts over every validated dataset of `spec`'s migration (succeeded ones when the
// run did not validate: `validated_only` false).
Result<CutOverReport> CutOverMigration(StateStore* store, const MigrationSpec& spec, const CutOverOptions& options,
                                       bool validated_only = true);

// The catalog as `migration` found it: every dataset it cut over (current records) back
// at its previous location, format, schema and version. Planning a migration again
// after its cut-over must select the same datasets it selected before (they moved to
// the new format it selects away from). Returns `catalog` unchanged (moved) when there
// is nothing to undo.
Result<Catalog> CatalogBeforeCutOver(Catalog catalog, const std::vector<CutoverRecord>& cutovers);

// `iso` + `seconds`, as ISO 8601 UTC. InvalidArgument when `iso` is not a timestamp.
Result<std::string> AddSecondsIso(const std::string& iso, int64_t seconds);
// Microseconds since the epoch of an ISO 8601 timestamp ("2024-05-01T12:00:00Z").
Result<int64_t> IsoToMicros(const std::string& iso);

}  // namespace gaggle
