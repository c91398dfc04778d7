#include "fleet/task_log_segments.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fleet/run_log.h"

namespace gaggle {
namespace {

// Six digits keep the names in order in a listing; a migration that fills them has
// written terabytes of task lines and gets a clear error rather than a seventh digit.
constexpr uint64_t kMaxSegments = 999999;
// An index line is a KEY (at most 129 characters: SafeFileName's 120 and a hash) and two
// numbers: a longer one is a corrupt index, and the segment is scanned instead.
constexpr size_t kMaxIndexLine = 256;

std::string SegmentBase(const std::string& dir, uint64_t n) {
  char name[32];
  std::snprintf(name, sizeof name, "segment-%06llu", static_cast<unsigned long long>(n));
  return dir + "/" + name;
}

std::string DumpString(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string TaskLogSegmentPath(const std::string& segments_dir, uint64_t number) {
  return SegmentBase(segments_dir, number) + ".jsonl";
}
std::string TaskLogIndexPath(const std::string& segments_dir, uint64_t number) {
  return SegmentBase(segments_dir, number) + ".index";
}

TaskLogSegmentWriter::TaskLogSegmentWriter(std::string segments_dir, uint64_t segment_bytes)
    : dir_(std::move(segments_dir)), segment_bytes_(segment_bytes > 0 ? segment_bytes : kDefaultTaskLogSegmentBytes) {}

TaskLogSegmentWriter::~TaskLogSegmentWriter() { (void)Close(); }

Status TaskLogSegmentWriter::OpenNext() {
  // O_EXCL makes the creation the claim: a number another writer (another process, or an
  // earlier run) holds is skipped.
  for (uint64_t n = number_ + 1; n <= kMaxSegments; ++n) {
    const std::string path = TaskLogSegmentPath(dir_, n);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) return Status::IOError("cannot create task log segment '" + path + "': " + std::strerror(errno));
    file_ = ::fdopen(fd, "a");
    if (!file_) {
      int e = errno;
      ::close(fd);
      return Status::IOError("cannot open task log segment '" + path + "': " + std::strerror(e));
    }
    number_ = n;
    size_ = 0;
    published_size_ = 0;
    entries_.clear();
    return Status::OK();
  }
  return Status::IOError("no free task log segment number left in '" + dir_ + "' (" + std::to_string(kMaxSegments) +
                         " used)");
}

Status TaskLogSegmentWriter::Append(const std::string& dataset, const std::string& line) {
  if (!file_) GAGGLE_RETURN_IF_ERROR(OpenNext());
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    int e = errno;
    const std::string path = TaskLogSegmentPath(dir_, number_);
    (void)Close();  // what was written whole stays findable; the next line opens a new segment
    return Status::IOError("cannot write task log segment '" + path + "': " + std::strerror(e));
  }
  entries_.push_back(Entry{RunLog::SafeFileName(dataset), size_, line.size()});
  size_ += line.size();
  if (size_ >= segment_bytes_) return Close();
  return Status::OK();
}

Status TaskLogSegmentWriter::WriteIndex(bool live) {
  // Offsets ascend already: a stable sort by key keeps each dataset's lines in order (also
  // after a live index sorted the first ones: the lines appended since have higher offsets).
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
  std::string text;
  text.reserve(entries_.size() * 32 + 32);
  if (live) text += kLiveIndexMark + std::to_string(size_) + "\n";
  for (const Entry& e : entries_) {
    text += e.key;
    text += ' ';
    text += std::to_string(e.offset);
    text += ' ';
    text += std::to_string(e.length);
    text += '\n';
  }
  const std::string path = TaskLogIndexPath(dir_, number_);
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return Status::IOError("cannot create task log index '" + tmp + "': " + std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    std::remove(tmp.c_str());
    return Status::IOError("cannot write task log index '" + path + "': " + std::strerror(e));
  }
  return Status::OK();
}

Status TaskLogSegmentWriter::Close() {
  if (!file_) return Status::OK();
  Status closed = Status::OK();
  if (std::fclose(file_) != 0) {
    closed = Status::IOError("cannot close task log segment '" + TaskLogSegmentPath(dir_, number_) +
                             "': " + std::strerror(errno));
  }
  file_ = nullptr;
  Status indexed = WriteIndex(/*live=*/false);
  entries_.clear();
  entries_.shrink_to_fit();  // a long pause between segments holds no memory
  if (on_closed_) on_closed_(TaskLogSegmentPath(dir_, number_), TaskLogIndexPath(dir_, number_));
  return closed.ok() ? indexed : closed;
}

Result<std::vector<std::string>> TaskLogSegmentWriter::PublishOpen(uint64_t close_at) {
  if (!file_ || size_ == published_size_) return std::vector<std::string>{};
  if (size_ >= close_at) {
    GAGGLE_RETURN_IF_ERROR(Close());
    return std::vector<std::string>{};
  }
  // The index is renamed into place after the segment's lines were flushed: a reader of
  // the spool, like one of the uploaded pair, finds every line it names.
  GAGGLE_RETURN_IF_ERROR(WriteIndex(/*live=*/true));
  published_size_ = size_;
  return std::vector<std::string>{TaskLogSegmentPath(dir_, number_), TaskLogIndexPath(dir_, number_)};
}

namespace {

// Reads the next line of `f` (without its newline) into `line`, keeping at most `max`
// bytes and noting how many were left out. False at the end of the file.
bool NextLine(std::FILE* f, size_t max, std::string* line) {
  line->clear();
  size_t cut = 0;
  bool any = false;
  int c;
  while ((c = getc_unlocked(f)) != EOF) {
    any = true;
    if (c == '\n') break;
    if (line->size() < max) {
      line->push_back(static_cast<char>(c));
    } else {
      ++cut;
    }
  }
  if (cut > 0) *line += " [gaggle: " + std::to_string(cut) + " more bytes of this line not shown]";
  return any;
}

// A line of `dataset`: its "dataset" field says so. A line that does not parse (cut, or
// torn by a crash) counts when the field's text is in it.
bool IsLineOf(const std::string& line, const std::string& needle, const std::string& dumped) {
  if (line.find(needle) == std::string::npos) return false;
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object()) return true;
  auto it = j.find("dataset");
  return it != j.end() && it->is_string() &&
         it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) == dumped;
}

struct IndexEntry {
  std::string key;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// The index line starting at `pos` (without its newline); false when the index is corrupt
// there (no newline within kMaxIndexLine, or not "KEY OFFSET LENGTH").
bool ReadIndexEntry(int fd, uint64_t pos, IndexEntry* e, uint64_t* next) {
  char buf[kMaxIndexLine];
  ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(pos));
  if (n <= 0) return false;
  const char* end = static_cast<const char*>(std::memchr(buf, '\n', static_cast<size_t>(n)));
  if (!end) return false;
  *next = pos + static_cast<uint64_t>(end - buf) + 1;
  const char* sp1 = static_cast<const char*>(std::memchr(buf, ' ', static_cast<size_t>(end - buf)));
  if (!sp1) return false;
  e->key.assign(buf, static_cast<size_t>(sp1 - buf));
  auto r1 = std::from_chars(sp1 + 1, end, e->offset);
  if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != ' ') return false;
  auto r2 = std::from_chars(r1.ptr + 1, end, e->length);
  return r2.ec == std::errc() && r2.ptr == end && e->length > 0;
}

// The first line start at or after `pos` (`size` when none); false on a corrupt index.
bool NextLineStart(int fd, uint64_t pos, uint64_t size, uint64_t* start) {
  if (pos == 0) {
    *start = 0;
    return true;
  }
  char buf[kMaxIndexLine + 1];
  ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(pos - 1));
  if (n <= 0) return false;
  const char* nl = static_cast<const char*>(std::memchr(buf, '\n', static_cast<size_t>(n)));
  if (!nl) {
    if (pos - 1 + static_cast<uint64_t>(n) < size) return false;
    *start = size;
    return true;
  }
  *start = pos + static_cast<uint64_t>(nl - buf);
  return true;
}

// A live index's mark (kLiveIndexMark): sets `covered` to the bytes of the segment its
// entries cover and `begin` to its first entry. An index without the mark covers the
// whole segment: both are left as they are. False when the mark is corrupt.
bool ReadLiveIndexMark(int fd, uint64_t* covered, uint64_t* begin) {
  char buf[kMaxIndexLine];
  const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  const size_t mark = sizeof kLiveIndexMark - 1;
  if (n < 0) return false;
  if (static_cast<size_t>(n) < mark || std::memcmp(buf, kLiveIndexMark, mark) != 0) return true;
  const char* end = static_cast<const char*>(std::memchr(buf, '\n', static_cast<size_t>(n)));
  if (!end) return false;
  auto r = std::from_chars(buf + mark, end, *covered);
  if (r.ec != std::errc() || r.ptr != end) return false;
  *begin = static_cast<uint64_t>(end - buf) + 1;
  return true;
}

// The locations of `key`'s lines, by binary search of a sorted index whose entries begin
// at `begin` (as look(1) does on a sorted text file). False when the index is corrupt:
// the caller scans the segment.
bool LookUp(int fd, uint64_t begin, uint64_t size, const std::string& key, std::vector<IndexEntry>* found) {
  uint64_t lo = begin, hi = size;  // line starts: every line before lo is < key, every one from hi is >= key
  IndexEntry e;
  uint64_t next = 0;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    uint64_t p = 0;
    if (!NextLineStart(fd, mid, size, &p)) return false;
    if (p >= hi) break;  // no line starts in [mid, hi): at most a few lines from lo, read below
    if (!ReadIndexEntry(fd, p, &e, &next)) return false;
    if (e.key < key) {
      lo = next;
    } else {
      hi = p;
    }
  }
  for (uint64_t pos = lo; pos < size; pos = next) {
    if (!ReadIndexEntry(fd, pos, &e, &next)) return false;
    if (e.key > key) break;
    if (e.key == key) found->push_back(e);
  }
  return true;
}

// Passes the lines at `entries` of segment `n` that belong to the dataset.
Result<int64_t> ReadIndexed(TaskLogSegmentSource& segments, uint64_t n, const std::vector<IndexEntry>& entries,
                            size_t max_line_bytes, const std::string& needle, const std::string& dumped,
                            const std::function<void(const std::string&)>& sink) {
  if (entries.empty()) return int64_t{0};
  std::vector<TaskLogRange> ranges;
  ranges.reserve(entries.size());
  for (const IndexEntry& e : entries) {
    ranges.push_back(TaskLogRange{e.offset, std::min<uint64_t>(e.length - 1, max_line_bytes)});  // no newline
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> lines, segments.ReadRanges(n, ranges));
  int64_t passed = 0;
  for (size_t i = 0; i < entries.size() && i < lines.size(); ++i) {
    std::string& line = lines[i];
    const uint64_t body = entries[i].length - 1;
    if (body > ranges[i].length) {
      line += " [gaggle: " + std::to_string(body - ranges[i].length) + " more bytes of this line not shown]";
    }
    if (!IsLineOf(line, needle, dumped)) continue;
    sink(line);
    ++passed;
  }
  return passed;
}

// Passes the whole lines of `bytes` (each ending in a newline) that belong to the dataset;
// an unfinished last line is left out: it is still being written.
int64_t PassWholeTaskLines(const std::string& bytes, size_t max_line_bytes, const std::string& needle,
                           const std::string& dumped, const std::function<void(const std::string&)>& sink) {
  int64_t passed = 0;
  size_t nl = 0;
  for (size_t from = 0; (nl = bytes.find('\n', from)) != std::string::npos; from = nl + 1) {
    const size_t length = nl - from;
    std::string line = bytes.substr(from, std::min(length, max_line_bytes));
    if (length > max_line_bytes) {
      line += " [gaggle: " + std::to_string(length - max_line_bytes) + " more bytes of this line not shown]";
    }
    if (!IsLineOf(line, needle, dumped)) continue;
    sink(line);
    ++passed;
  }
  return passed;
}

// A segment with a live index covering its first `covered` bytes: the dataset's lines
// the index names, then those of the bytes after them (read whole: what was written
// since the index, at most one publish period's lines unless a publish failed).
Result<int64_t> ReadLiveTaskLogSegment(TaskLogSegmentSource& segments, uint64_t n, uint64_t covered,
                                       std::vector<IndexEntry> found, size_t max_line_bytes, const std::string& needle,
                                       const std::string& dumped, const std::function<void(const std::string&)>& sink) {
  GAGGLE_ASSIGN_OR_RETURN(uint64_t size, segments.SegmentSize(n));
  // An index uploaded after the segment was read names lines it does not hold yet.
  std::erase_if(found, [size](const IndexEntry& e) { return e.offset + e.length > size; });
  GAGGLE_ASSIGN_OR_RETURN(int64_t passed, ReadIndexed(segments, n, found, max_line_bytes, needle, dumped, sink));
  if (size <= covered) return passed;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> after,
                          segments.ReadRanges(n, {TaskLogRange{covered, size - covered}}));
  if (!after.empty()) passed += PassWholeTaskLines(after[0], max_line_bytes, needle, dumped, sink);
  return passed;
}

// The segments of one local directory, read in place.
class LocalSegments final : public TaskLogSegmentSource {
 public:
  explicit LocalSegments(std::string dir) : dir_(std::move(dir)) {}
  Result<bool> HasSegment(uint64_t n) override { return ::access(TaskLogSegmentPath(dir_, n).c_str(), F_OK) == 0; }
  Result<uint64_t> SegmentSize(uint64_t n) override {
    const std::string path = TaskLogSegmentPath(dir_, n);
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) return Status::IOError("cannot read the size of task log segment '" + path + "': " + ec.message());
    return static_cast<uint64_t>(size);
  }
  Result<std::string> LocalIndex(uint64_t n) override { return TaskLogIndexPath(dir_, n); }
  Result<std::string> LocalSegment(uint64_t n) override { return TaskLogSegmentPath(dir_, n); }
  Result<std::vector<std::string>> ReadRanges(uint64_t n, const std::vector<TaskLogRange>& ranges) override {
    const std::string path = TaskLogSegmentPath(dir_, n);
    Fd seg{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (seg.fd < 0) return Status::IOError("cannot open task log segment '" + path + "': " + std::strerror(errno));
    std::vector<std::string> out(ranges.size());
    for (size_t i = 0; i < ranges.size(); ++i) {
      out[i].resize(ranges[i].length);
      ssize_t got = ::pread(seg.fd, out[i].data(), ranges[i].length, static_cast<off_t>(ranges[i].offset));
      if (got < 0) return Status::IOError("cannot read task log segment '" + path + "': " + std::strerror(errno));
      out[i].resize(static_cast<size_t>(got));
    }
    return out;
  }

 private:
  const std::string dir_;
};

// Passes every line of the file at `path` that belongs to the dataset (`needle` empty:
// every line). -1 when the file does not exist.
Result<int64_t> Scan(const std::string& path, size_t max_line_bytes, const std::string& needle,
                     const std::string& dumped, const std::function<void(const std::string&)>& sink) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) {
    if (errno == ENOENT) return int64_t{-1};
    return Status::IOError("cannot open task log '" + path + "': " + std::strerror(errno));
  }
  int64_t passed = 0;
  std::string line;
  while (NextLine(f, max_line_bytes, &line)) {
    if (!needle.empty() && !IsLineOf(line, needle, dumped)) continue;
    sink(line);
    ++passed;
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status::IOError("cannot read task log '" + path + "'");
  return passed;
}

// Passes the dataset's lines of segment `n`: through its index when it has a usable one,
// else by a scan of the whole segment.
Result<int64_t> ReadOneTaskLogSegment(TaskLogSegmentSource& segments, uint64_t n, const std::string& key,
                                      size_t max_line_bytes, const std::string& needle, const std::string& dumped,
                                      const std::function<void(const std::string&)>& sink) {
  GAGGLE_ASSIGN_OR_RETURN(std::string index_path, segments.LocalIndex(n));
  std::vector<IndexEntry> found;
  constexpr uint64_t kWhole = UINT64_MAX;
  uint64_t covered = kWhole;
  bool indexed = false;
  if (!index_path.empty()) {
    Fd index{::open(index_path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (index.fd >= 0) {
      const off_t size = ::lseek(index.fd, 0, SEEK_END);
      uint64_t begin = 0;
      indexed = size >= 0 && ReadLiveIndexMark(index.fd, &covered, &begin) &&
                LookUp(index.fd, begin, static_cast<uint64_t>(size), key, &found);
    }
  }
  if (!indexed) {
    GAGGLE_ASSIGN_OR_RETURN(std::string segment_path, segments.LocalSegment(n));
    GAGGLE_ASSIGN_OR_RETURN(int64_t got, Scan(segment_path, max_line_bytes, needle, dumped, sink));
    return std::max<int64_t>(got, 0);
  }
  if (covered == kWhole) return ReadIndexed(segments, n, found, max_line_bytes, needle, dumped, sink);
  return ReadLiveTaskLogSegment(segments, n, covered, std::move(found), max_line_bytes, needle, dumped, sink);
}

}  // namespace

std::unique_ptr<TaskLogSegmentSource> LocalTaskLogSegments(std::string segments_dir) {
  return std::make_unique<LocalSegments>(std::move(segments_dir));
}

Result<int64_t> ForEachTaskLogLine(TaskLogSegmentSource& segments, const std::string& legacy_path,
                                   const std::string& dataset, size_t max_line_bytes,
                                   const std::function<void(const std::string& line)>& sink) {
  GAGGLE_ASSIGN_OR_RETURN(int64_t legacy, Scan(legacy_path, max_line_bytes, "", "", sink));
  int64_t passed = std::max<int64_t>(legacy, 0);
  const std::string dumped = DumpString(dataset);
  const std::string needle = "\"dataset\":" + dumped;
  const std::string key = RunLog::SafeFileName(dataset);
  for (uint64_t n = 1; n <= kMaxSegments; ++n) {
    GAGGLE_ASSIGN_OR_RETURN(bool exists, segments.HasSegment(n));
    if (!exists) break;  // numbers have no gaps: the first missing one ends them
    GAGGLE_ASSIGN_OR_RETURN(int64_t got, ReadOneTaskLogSegment(segments, n, key, max_line_bytes, needle, dumped, sink));
    passed += got;
  }
  return passed;
}

Result<int64_t> ForEachTaskLogLine(const std::string& segments_dir, const std::string& legacy_path,
                                   const std::string& dataset, size_t max_line_bytes,
                                   const std::function<void(const std::string& line)>& sink) {
  LocalSegments segments(segments_dir);
  return ForEachTaskLogLine(segments, legacy_path, dataset, max_line_bytes, sink);
}

namespace {
// The "time" field of a task line ("" when it has none: such lines sort first).
std::string LineTime(const std::string& line) {
  const size_t at = line.find("\"time\":\"");
  if (at == std::string::npos) return "";
  const size_t from = at + 8;
  const size_t to = line.find('"', from);
  return to == std::string::npos ? "" : line.substr(from, to - from);
}
}  // namespace

Result<int64_t> ForEachTaskLogLineOfWriters(const std::vector<std::unique_ptr<TaskLogSegmentSource>>& writers,
                                            const std::string& legacy_path, const std::string& dataset,
                                            size_t max_line_bytes,
                                            const std::function<void(const std::string& line)>& sink) {
  if (writers.empty()) return Status::InvalidArgument("reading a task log needs its directory");
  if (writers.size() == 1) return ForEachTaskLogLine(*writers[0], legacy_path, dataset, max_line_bytes, sink);
  std::vector<std::pair<std::string, std::string>> lines;  // (time, line)
  auto collect = [&](const std::string& line) { lines.emplace_back(LineTime(line), line); };
  for (size_t i = 0; i < writers.size(); ++i) {
    GAGGLE_RETURN_IF_ERROR(
        ForEachTaskLogLine(*writers[i], i == 0 ? legacy_path : "", dataset, max_line_bytes, collect).status());
  }
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [time, line] : lines) sink(line);
  return static_cast<int64_t>(lines.size());
}

std::vector<std::unique_ptr<TaskLogSegmentSource>> LocalTaskLogWriters(const std::string& task_log_dir) {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(task_log_dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) dirs.push_back(it->path().string());
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::unique_ptr<TaskLogSegmentSource>> writers;
  writers.push_back(LocalTaskLogSegments(task_log_dir));
  for (const std::string& d : dirs) writers.push_back(LocalTaskLogSegments(d));
  return writers;
}

Result<int64_t> ForEachTaskLogLineOfAllWriters(const std::string& task_log_dir, const std::string& legacy_path,
                                               const std::string& dataset, size_t max_line_bytes,
                                               const std::function<void(const std::string& line)>& sink) {
  return ForEachTaskLogLineOfWriters(LocalTaskLogWriters(task_log_dir), legacy_path, dataset, max_line_bytes, sink);
}

}  // namespace gaggle
