// Garbage collection of old datasets: `gaggle gc`. Deletes the previous location of a
// cut-over dataset only when all of these hold, and reports why it kept any other
// (docs/safety.md states the rules):
//   - its cut-over record is current (not rolled back, not already collected), or
//     collecting: an earlier gc began and was interrupted, and this one resumes it;
//   - its migration's run is completed (not running, paused or cancelled);
//   - its retention has passed (`retain_until` <= now);
//   - the location, compared by identity (common/location_identity.h) and not by
//     spelling, is a local path that is not a system location, passes through no
//     symlink, is not equal to, inside or around any catalog dataset's location nor
//     any current cut-over's new location, and no other cut-over (of this or another
//     migration) whose retention has not ended keeps the same data;
//   - the new output's manifest lists the files the migration read there.
// The checks run when the item is planned and again right before it is deleted, with
// the catalog read afresh. Only the listed files are deleted, and only while they keep
// the size and time they were listed with, never through a symlink; whatever else is
// there is left and reported (GcItem::left). Before the first file goes the record
// becomes collecting, compared and set in the store, so gc and rollback exclude each
// other (a rollback that won leaves the record rolled back and gc keeps the data; once
// collecting, rollback refuses it). Afterwards the record becomes collected, with an
// event naming the path, files, bytes and what was left.
// A dry run deletes and records nothing. Nothing else is ever deleted by gaggle.
// Thread-safety: one collection at a time per state store.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/file_system_resolver.h"
#include "store/state_store.h"

namespace gaggle {

struct GcOptions {
  // Tests only: called before each file is unlinked (fault and race injection).
  std::function<Status(const std::string& path)> before_unlink;
  std::string now;        // ISO 8601 UTC; the current time when empty (tests and drills pass a later one)
  std::string migration;  // only this migration's datasets; all when empty
  bool dry_run = false;
  std::string actor = "gaggle";
  // The object stores of s3:// and gs:// locations (old data there, manifests of new
  // outputs there); nullptr: configured from the environment.
  FileSystemResolver* resolver = nullptr;
};

struct GcItem {
  std::string migration;
  std::string dataset;
  std::string path;  // the previous location on disk
  std::string retain_until;
  int64_t files = 0;
  int64_t bytes = 0;
  std::string reason;             // kept: why; deleted: "" (or "already gone")
  std::vector<std::string> left;  // deleted: what stayed under `path`, "path: why"
};

struct GcReport {
  std::vector<GcItem> deleted;  // or, in a dry run, would be deleted
  std::vector<GcItem> kept;     // current cut-overs not collected, with the reason
  int64_t files = 0, bytes = 0;
};

Result<GcReport> CollectGarbage(StateStore* store, const GcOptions& options);

}  // namespace gaggle
