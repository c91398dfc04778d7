// The audit archive (`gaggle archive`): everything needed to audit a finished migration in one
// .tar.zst, with a manifest of sha256 checksums that makes any later change detectable.
//
// Layout: the caller's files (relative '/'-separated paths, in byte order of path), then
// MANIFEST.sha256 as the last entry, in sha256sum format ("<hex>  <path>\n", sorted by path),
// covering every other file, so `tar -xf` then `sha256sum -c MANIFEST.sha256` checks it too.
// When present, events.jsonl is the full hash-chained event log (audit/event_jsonl.h for the
// line format, store/event_chain.h for the chain). Every entry has mtime 0, owner 0/0: the same
// files always give the same bytes.
//
// VerifyAuditArchive reads the archive once, streaming (memory bounded by the largest entry),
// and reports every problem it finds as a finding, not an error; an error Status means the
// bytes themselves are unreadable (Corruption naming the tar or compressed offset) or unsafe.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/tar_reader.h"
#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

inline constexpr const char* kAuditManifestPath = "MANIFEST.sha256";
inline constexpr const char* kAuditEventsPath = "events.jsonl";

struct AuditFile {
  std::string path;
  std::string data;
  // When set, the entry's bytes are streamed from this file when the archive is written
  // (`data` is unused): task logs are never loaded whole. `size` is its size when listed.
  std::string source{};
  uint64_t size = 0;

  uint64_t bytes() const { return source.empty() ? data.size() : size; }
};

// Writes `files` plus the manifest to `out_path` atomically (TarZstWriter), streaming the
// entries that name a `source` file (memory bounded by one read buffer for them). InvalidArgument for
// an unsafe path (see TarZstWriter::Add), a path with a newline or carriage return, a duplicate
// path, or a file named MANIFEST.sha256. `fs` null means FileSystem::Default().
Status WriteAuditArchive(const std::string& out_path, const std::vector<AuditFile>& files, FileSystem* fs = nullptr);

// The manifest text for `files` (what WriteAuditArchive stores as MANIFEST.sha256).
std::string AuditManifest(const std::vector<AuditFile>& files);

struct ArchiveCheck {
  std::string path;     // the file concerned (MANIFEST.sha256 for a bad manifest line, events.jsonl for the chain)
  std::string problem;  // what is wrong, e.g. "sha256 differs from the manifest"
};

struct ArchiveVerifyReport {
  int64_t files = 0;                   // files that are both in the archive and in the manifest
  int64_t bytes = 0;                   // their total size
  int64_t events = 0;                  // events in events.jsonl, when present
  int64_t unchained_events = 0;        // of which from before the chain existed (no hash)
  std::string event_chain_head;        // hash of the last chained event
  std::vector<ArchiveCheck> problems;  // empty: the archive is intact
  bool ok() const { return problems.empty(); }
};

// Problems reported: a file whose sha256 differs from the manifest, a file the manifest lists
// but the archive lacks, a file not in the manifest, a path stored twice, a malformed or
// duplicate manifest line, no manifest, and in events.jsonl a malformed line, a seq that does
// not increase, a broken link or hash (named by seq), or an unchained event after chained ones.
// Directory entries (from archives re-made with tar) are ignored.
Result<ArchiveVerifyReport> VerifyAuditArchive(const std::string& path, FileSystem* fs = nullptr);
// The same for the archive's bytes in memory (fuzzing, tests), with the reader's limits.
Result<ArchiveVerifyReport> VerifyAuditArchiveInMemory(std::string_view tar_zst, const TarReadLimits& limits = {});

}  // namespace gaggle
