// Rollback: undoes a migration for some or all of its datasets. Each new output is
// moved (never deleted) into a quarantine folder beside it —
//   <target parent>/_gaggle_quarantine/<migration>/<UTC time>/<dataset dir>
// — and its task becomes rolled-back, with an event naming where the output went.
// Old datasets are never touched: nothing in gaggle writes to a source. A dataset
// already cut over (cutover/cut_over.h) first gets its catalog entry pointed back at
// its previous location, before its new output is moved away; one whose old data gc
// already deleted is not rolled back (skipped, with the reason), since that would
// leave it without data.
// An object-store output (s3://, gs://) has no directory to rename: gaggle's objects of it
// (its manifest and attempts) are copied server-side into the same quarantine layout and
// then deleted, manifest first (agent/object_output_committer.h: QuarantineObjectOutput);
// other objects under it stay.
// A rolled-back dataset runs again on the next `gaggle run` and ends as a clean run.
// Thread-safety: one rollback per migration at a time (the caller holds the run
// lease or made sure no runner is active).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "storage/file_system_resolver.h"
#include "store/state_store.h"

namespace gaggle {

struct RollbackRequest {
  std::string migration;
  std::vector<std::string> datasets;  // empty: every dataset (of `stage` when set)
  int stage = -1;                     // -1: every stage
  std::string actor = "gaggle";
  std::string reason;
  // The object stores of s3:// and gs:// outputs; nullptr: configured from the environment.
  FileSystemResolver* resolver = nullptr;
};

struct RollbackReport {
  int64_t rolled_back = 0;
  int64_t quarantined = 0;           // outputs moved (a failed dataset may have none)
  int64_t restored = 0;              // catalog entries pointed back at the previous location
  std::vector<std::string> moved;    // "dataset: from -> to"
  std::vector<std::string> skipped;  // "dataset: why" (running, pending, unknown ...)
  std::string quarantine_dir;        // where this rollback put outputs ("" when none moved)
};

Result<RollbackReport> RollbackMigration(StateStore* store, const RollbackRequest& request);

}  // namespace gaggle
