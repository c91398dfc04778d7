#include "service/mirrored_run_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

namespace gaggle::service {
namespace {

namespace fs = std::filesystem;

// The first read of a file's end allows this much per line still wanted (run-log lines are
// 150-300 bytes), and at least kMinTailRead: most tails take one request per file.
constexpr uint64_t kTailBytesPerLine = 512;
constexpr uint64_t kMinTailRead = uint64_t{4} << 10;
// Reads double up to this: a long tail takes few requests, and memory stays bounded.
constexpr uint64_t kMaxTailRead = uint64_t{4} << 20;

// One run log: an object (remote, with its ETag) or a spool file.
struct RunLogFile {
  std::string relative;  // to the mirror's root
  bool remote = false;
  uint64_t size = 0;
  std::string etag;
};

// `length` bytes at `offset` of `file` (all of them: the file is at least that long).
Result<std::string> ReadRunLogRange(ArtifactMirror* mirror, const RunLogFile& file, uint64_t offset, uint64_t length) {
  std::string bytes;
  if (file.remote) {
    GAGGLE_ASSIGN_OR_RETURN(bytes, mirror->ReadRange(file.relative, file.etag, offset, length));
  } else {
    const std::string path = mirror->spool() + "/" + file.relative;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError("cannot open run log '" + path + "': " + std::strerror(errno));
    bytes.resize(length);
    const ssize_t got = ::pread(fd, bytes.data(), length, static_cast<off_t>(offset));
    const int e = errno;
    ::close(fd);
    if (got < 0) return Status::IOError("cannot read run log '" + path + "': " + std::strerror(e));
    bytes.resize(static_cast<size_t>(got));
  }
  if (bytes.size() != length) {
    return Status::IOError("run log " + file.relative + " is shorter than listed (" + std::to_string(file.size) +
                           " bytes): it changed while it was read");
  }
  return bytes;
}

// A line assembled from its end: the first `max` bytes seen so far (reading backwards,
// the head comes last) and how many more it has.
struct PartialLine {
  std::string head;
  uint64_t cut = 0;
  void Prepend(std::string_view piece, size_t max) {
    head.insert(0, piece);
    if (head.size() > max) {
      cut += head.size() - max;
      head.resize(max);
    }
  }
  std::string Take() {
    std::string line = std::move(head);
    if (cut > 0) line += " [gaggle: " + std::to_string(cut) + " more bytes of this line not shown]";
    head.clear();
    cut = 0;
    return line;
  }
};

// Adds the last lines of `file` to `newest_first` until it holds `want`, reading from
// the end. A last newline ends the last line; every other newline separates two.
Status CollectLastRunLogLines(ArtifactMirror* mirror, const RunLogFile& file, size_t want, size_t max_line_bytes,
                              std::vector<std::string>* newest_first) {
  uint64_t pos = file.size;
  uint64_t chunk = std::clamp<uint64_t>((want - newest_first->size()) * kTailBytesPerLine, kMinTailRead, kMaxTailRead);
  PartialLine line;
  while (pos > 0 && newest_first->size() < want) {
    const uint64_t length = std::min(chunk, pos);
    GAGGLE_ASSIGN_OR_RETURN(std::string bytes, ReadRunLogRange(mirror, file, pos - length, length));
    std::string_view rest(bytes);
    if (pos == file.size && rest.ends_with('\n')) rest.remove_suffix(1);
    pos -= length;
    chunk = std::min(chunk * 2, kMaxTailRead);
    for (size_t nl; (nl = rest.rfind('\n')) != std::string_view::npos;) {
      line.Prepend(rest.substr(nl + 1), max_line_bytes);
      newest_first->push_back(line.Take());
      if (newest_first->size() == want) return Status::OK();
      rest = rest.substr(0, nl);
    }
    line.Prepend(rest, max_line_bytes);
  }
  if (pos == 0 && file.size > 0 && newest_first->size() < want) newest_first->push_back(line.Take());
  return Status::OK();
}

// Whether `name` (inside runs/) is a run log: WRITER.jsonl or one of its parts.
bool IsRunLogName(const std::string& name) { return name.find('/') == std::string::npos && name.ends_with(".jsonl"); }

// The run logs of the migration in RunLog::RunLogFilesFor's order: an object where one
// exists, else the spool's file.
Result<std::vector<RunLogFile>> ListRunLogFiles(ArtifactMirror* mirror, const std::string& migration_dir) {
  std::vector<RunLogFile> files;
  // A spool file (one that is not there, or not a file, is none).
  auto spool_file = [&](const std::string& relative) -> std::optional<RunLogFile> {
    std::error_code ec;
    const std::string path = mirror->spool() + "/" + relative;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    const uintmax_t size = fs::file_size(path, ec);
    if (ec) return std::nullopt;
    return RunLogFile{relative, false, static_cast<uint64_t>(size), ""};
  };
  const std::string single = migration_dir + "/run.jsonl";  // a run without a writer id
  if (auto f = spool_file(single)) files.push_back(std::move(*f));
  std::map<std::string, RunLogFile> runs;  // by name: the order of RunLogFilesFor
  const std::string runs_dir = migration_dir + "/runs";
  GAGGLE_ASSIGN_OR_RETURN(std::vector<ArtifactObject> listed, mirror->List(runs_dir));
  for (const ArtifactObject& o : listed) {
    if (IsRunLogName(o.path)) runs[o.path] = RunLogFile{runs_dir + "/" + o.path, true, o.size, o.etag};
  }
  std::error_code ec;
  for (auto it = fs::directory_iterator(mirror->spool() + "/" + runs_dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!IsRunLogName(name) || runs.count(name)) continue;
    if (auto f = spool_file(runs_dir + "/" + name)) runs[name] = std::move(*f);
  }
  for (auto& [name, file] : runs) files.push_back(std::move(file));
  return files;
}

}  // namespace

Result<RunLogTail> TailMirroredRunLogs(ArtifactMirror* mirror, const std::string& migration_dir, size_t tail,
                                       size_t max_line_bytes) {
  if (tail == 0) return Status::InvalidArgument("a tail of the run log needs a number of lines above 0");
  GAGGLE_ASSIGN_OR_RETURN(std::vector<RunLogFile> files, ListRunLogFiles(mirror, migration_dir));
  RunLogTail out;
  out.found = !files.empty();
  for (auto it = files.rbegin(); it != files.rend() && out.lines.size() < tail; ++it) {
    GAGGLE_RETURN_IF_ERROR(CollectLastRunLogLines(mirror, *it, tail, max_line_bytes, &out.lines));
  }
  std::reverse(out.lines.begin(), out.lines.end());
  return out;
}

}  // namespace gaggle::service
