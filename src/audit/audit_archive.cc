#include "audit/audit_archive.h"

#include <algorithm>
#include <map>
#include <optional>

#include "audit/event_jsonl.h"
#include "audit/tar_reader.h"
#include "audit/tar_writer.h"
#include "common/digest.h"
#include "store/event_chain.h"

namespace gaggle {

namespace {

// A broken log can break on every line; past this many findings the rest are only counted.
constexpr int64_t kMaxEventProblems = 100;

std::vector<const AuditFile*> SortedByPath(const std::vector<AuditFile>& files) {
  std::vector<const AuditFile*> sorted;
  sorted.reserve(files.size());
  for (const auto& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](const AuditFile* a, const AuditFile* b) { return a->path < b->path; });
  return sorted;
}

// Checks events.jsonl line by line: the format, increasing seqs, and the hash chains
// (one per migration; store/event_chain.h).
void CheckEventLog(std::string_view data, ArchiveVerifyReport* report) {
  int64_t findings = 0;
  auto problem = [&](std::string what) {
    if (++findings <= kMaxEventProblems) report->problems.push_back({kAuditEventsPath, std::move(what)});
  };
  EventChainFollower chains;
  int64_t last_seq = 0;
  bool have_seq = false;
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    std::string where = "line " + std::to_string(++line_no);
    if (line.empty()) {
      problem(where + " is empty");
      continue;
    }
    auto parsed = EventFromJsonLine(line);
    if (!parsed.ok()) {
      problem(where + ": " + parsed.status().message());
      chains.Unreadable();
      continue;
    }
    const Event& e = *parsed;
    ++report->events;
    std::string seq = "event " + std::to_string(e.seq) + " (" + where + ")";
    if (have_seq && e.seq <= last_seq) {
      problem(seq + ": seq does not increase (the previous event is " + std::to_string(last_seq) + ")");
    }
    const bool had_prev = have_seq;
    const bool had_chained = chains.newest_seq() != 0;
    last_seq = e.seq;
    have_seq = true;
    const EventChainFollower::Check check = chains.Next(e);
    if (!check.chained) {
      ++report->unchained_events;
      if (check.after_chained) {
        problem(seq + " has no hash but follows chained events (the chain was cut or an event inserted)");
      }
      continue;
    }
    if (!check.link_ok) {
      const std::string before =
          check.expected_seq != 0
              ? "event " + std::to_string(check.expected_seq)
              : std::string(had_chained || had_prev ? (had_chained ? "none: it is the first event of its chain"
                                                                   : "none: it is the first chained event")
                                                    : "none: it is the first event");
      problem(seq + ": its prev_hash does not match the hash of the event before it (" + before +
              "): an event was changed, removed or inserted there");
    }
    if (!check.hash_ok) {
      problem(seq + ": its content does not match its hash (it was changed after it was written)");
    }
    report->event_chain_head = e.hash;
  }
  if (findings > kMaxEventProblems) {
    report->problems.push_back({kAuditEventsPath, std::to_string(findings - kMaxEventProblems) +
                                                      " more problems in the event log not listed"});
  }
}

struct ManifestLine {
  std::string sha256;
  int64_t line = 0;
};

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
}

// sha256sum escapes a name holding '\\' or '\n' and marks the line with a leading '\\'.
bool Unescape(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out->push_back(in[i]);
      continue;
    }
    if (++i == in.size()) return false;
    if (in[i] == '\\') {
      out->push_back('\\');
    } else if (in[i] == 'n') {
      out->push_back('\n');
    } else if (in[i] == 'r') {
      out->push_back('\r');
    } else {
      return false;
    }
  }
  return true;
}

// Parses MANIFEST.sha256 ("<hex>  <path>" or "<hex> *<path>" per line) into path -> line.
std::map<std::string, ManifestLine> ParseManifest(std::string_view text, ArchiveVerifyReport* report) {
  std::map<std::string, ManifestLine> out;
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    auto bad = [&](const std::string& why) {
      report->problems.push_back({kAuditManifestPath, "line " + std::to_string(line_no) + " " + why});
    };
    bool escaped = !line.empty() && line[0] == '\\';
    if (escaped) line.remove_prefix(1);
    if (line.size() < 67 || !IsHex64(line.substr(0, 64)) || line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
      bad("is not \"<sha256 hex>  <path>\"");
      continue;
    }
    std::string path;
    if (escaped ? !Unescape(line.substr(66), &path) : (path.assign(line.substr(66)), false)) {
      bad("has a bad escape in its path");
      continue;
    }
    if (path == kAuditManifestPath) {
      bad("lists the manifest itself");
      continue;
    }
    std::string hex(line.substr(0, 64));
    std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return c >= 'A' && c <= 'F' ? c + 32 : c; });
    auto [it, inserted] = out.emplace(path, ManifestLine{hex, line_no});
    if (!inserted) {
      report->problems.push_back({path, "listed twice in the manifest (lines " + std::to_string(it->second.line) +
                                            " and " + std::to_string(line_no) + ")"});
    }
  }
  return out;
}

struct SeenFile {
  std::string sha256;
  int64_t size = 0;
};

Result<ArchiveVerifyReport> Verify(const std::function<Status(const TarEntryFn&)>& for_each) {
  ArchiveVerifyReport report;
  std::map<std::string, SeenFile> seen;
  std::optional<std::string> manifest;
  Status st = for_each([&](const TarEntry& entry, std::string_view data) -> Status {
    if (entry.type != TarEntryType::kRegular) return Status::OK();
    if (entry.path == kAuditManifestPath) {
      if (manifest) {
        report.problems.push_back({entry.path, "stored twice in the archive; the first one is used"});
      } else {
        manifest.emplace(data);
      }
      return Status::OK();
    }
    if (seen.count(entry.path) > 0) {
      report.problems.push_back({entry.path, "stored twice in the archive; the first copy is checked"});
      return Status::OK();
    }
    seen[entry.path] = SeenFile{Sha256Hex(data), entry.size};
    if (entry.path == kAuditEventsPath) CheckEventLog(data, &report);
    return Status::OK();
  });
  if (!st.ok()) return st;
  if (!manifest) {
    report.problems.push_back({kAuditManifestPath,
                               "missing: the archive has no manifest, so nothing in it can be "
                               "checked"});
    return report;
  }
  auto listed = ParseManifest(*manifest, &report);
  for (const auto& [path, line] : listed) {
    auto it = seen.find(path);
    if (it == seen.end()) {
      report.problems.push_back(
          {path, "missing from the archive (the manifest lists it on line " + std::to_string(line.line) + ")"});
      continue;
    }
    ++report.files;
    report.bytes += it->second.size;
    if (it->second.sha256 != line.sha256) {
      report.problems.push_back({path, "sha256 differs from the manifest (archive " + it->second.sha256 +
                                           ", manifest " + line.sha256 + "): the file was changed"});
    }
  }
  for (const auto& [path, file] : seen) {
    if (listed.count(path) == 0) report.problems.push_back({path, "not in the manifest (added to the archive?)"});
  }
  return report;
}

}  // namespace

std::string AuditManifest(const std::vector<AuditFile>& files) {
  std::string out;
  for (const AuditFile* f : SortedByPath(files)) {
    if (f->source.empty()) {
      out += Sha256Hex(f->data);
    } else {
      auto digest = Sha256File(FileSystem::Default(), f->source);
      out += digest.ok() ? *digest : std::string(64, '0');
    }
    out += "  ";
    out += f->path;
    out += '\n';
  }
  return out;
}

Status WriteAuditArchive(const std::string& out_path, const std::vector<AuditFile>& files, FileSystem* fs) {
  std::vector<const AuditFile*> sorted = SortedByPath(files);
  for (size_t i = 0; i < sorted.size(); ++i) {
    const std::string& p = sorted[i]->path;
    if (p == kAuditManifestPath)
      return Status::InvalidArgument("audit archive: '" + p + "' is reserved for the manifest");
    if (p.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument("audit archive: path '" + p + "' contains a line break");
    }
    if (i > 0 && sorted[i - 1]->path == p) return Status::InvalidArgument("audit archive: duplicate path '" + p + "'");
  }
  GAGGLE_ASSIGN_OR_RETURN(TarZstWriter writer, TarZstWriter::Create(out_path, kTarZstDefaultLevel, fs));
  // The manifest is written last, from the digests of the bytes actually archived.
  std::string manifest;
  for (const AuditFile* f : sorted) {
    if (f->source.empty()) {
      GAGGLE_RETURN_IF_ERROR(writer.Add(f->path, f->data));
      manifest += Sha256Hex(f->data);
    } else {
      Sha256 digest;
      GAGGLE_RETURN_IF_ERROR(writer.AddFile(f->path, f->source, [&](std::string_view b) { digest.Update(b); }));
      manifest += digest.FinishHex();
    }
    manifest += "  " + f->path + "\n";
  }
  GAGGLE_RETURN_IF_ERROR(writer.Add(kAuditManifestPath, manifest));
  return writer.Finish();
}

Result<ArchiveVerifyReport> VerifyAuditArchive(const std::string& path, FileSystem* fs) {
  return Verify([&](const TarEntryFn& fn) { return ForEachEntry(path, fn, {}, fs); });
}

Result<ArchiveVerifyReport> VerifyAuditArchiveInMemory(std::string_view tar_zst, const TarReadLimits& limits) {
  return Verify([&](const TarEntryFn& fn) { return ForEachEntryInMemory(tar_zst, fn, limits); });
}

}  // namespace gaggle
