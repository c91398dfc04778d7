// Garbage collection of old datasets: `gaggle gc`. Deletes the previous location of a
// cut-over dataset only when all of these hold, and reports why it kept any other:
//   - its cut-over record is current (not rolled back, not already collected);
//   - its migration's run is completed (not running, paused or cancelled);
//   - its retention has passed (`retain_until` <= now);
//   - the location is a local path, is not the new location nor inside or around it,
//     and no dataset of the catalog points at it any more.
// Every deletion is recorded (the cut-over becomes collected, with an event naming the
// path, files and bytes). A dry run deletes and records nothing. Nothing else is ever
// deleted by gaggle.
// Thread-safety: one collection at a time per state store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/state_store.h"

namespace gaggle {

struct GcOptions {
  std::string now;        // ISO 8601 UTC; the current time when empty (tests and drills pass a later one)
  std::string migration;  // only this migration's datasets; all when empty
  bool dry_run = false;
  std::string actor = "gaggle";
};

struct GcItem {
  std::string migration;
  std::string dataset;
  std::string path;  // the previous location on disk
  std::string retain_until;
  int64_t files = 0;
  int64_t bytes = 0;
  std::string reason;  // kept: why; deleted: "" (or "already gone")
};

struct GcReport {
  std::vector<GcItem> deleted;  // or, in a dry run, would be deleted
  std::vector<GcItem> kept;     // current cut-overs not collected, with the reason
  int64_t files = 0, bytes = 0;
};

Result<GcReport> CollectGarbage(StateStore* store, const GcOptions& options);

}  // namespace gaggle
