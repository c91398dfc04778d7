#include "service/mirrored_task_log.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

namespace gaggle::service {
namespace {

namespace fs = std::filesystem;

// "segment-000042.jsonl" / ".index": the names inside one writer's folder.
std::string SegmentName(uint64_t n) { return fs::path(TaskLogSegmentPath(".", n)).filename().string(); }
std::string IndexName(uint64_t n) { return fs::path(TaskLogIndexPath(".", n)).filename().string(); }

// One writer's folder: its objects by file name, and its spool folder.
class MirroredSegments final : public TaskLogSegmentSource {
 public:
  MirroredSegments(ArtifactMirror* mirror, std::string relative_dir, std::map<std::string, ArtifactObject> objects,
                   uint64_t merge_gap)
      : mirror_(mirror),
        relative_dir_(std::move(relative_dir)),
        local_dir_(mirror->spool() + "/" + relative_dir_),
        objects_(std::move(objects)),
        merge_gap_(merge_gap),
        local_(LocalTaskLogSegments(local_dir_)) {}

  Result<bool> HasSegment(uint64_t n) override {
    if (RemoteSegment(n)) return true;
    return local_->HasSegment(n);
  }

  Result<uint64_t> SegmentSize(uint64_t n) override {
    if (const ArtifactObject* segment = RemoteSegment(n)) return segment->size;
    return local_->SegmentSize(n);
  }

  Result<std::string> LocalIndex(uint64_t n) override {
    if (!RemoteSegment(n)) return local_->LocalIndex(n);
    if (!Remote(IndexName(n))) return std::string();  // scanned, as the segment of a writer that died
    GAGGLE_ASSIGN_OR_RETURN(bool copied, CopyToSpool(IndexName(n)));
    if (!copied) return std::string();  // gone since the listing: scan
    const std::string path = local_dir_ + "/" + IndexName(n);
    // A live index, or one that changed since the listing (the segment closed meanwhile):
    // the listed segment may have been replaced by a longer version.
    std::error_code ec;
    if (IsLiveIndex(path) || fs::file_size(path, ec) != Remote(IndexName(n))->size) growing_.insert(n);
    return path;
  }

  Result<std::vector<std::string>> ReadRanges(uint64_t n, const std::vector<TaskLogRange>& ranges) override {
    if (!RemoteSegment(n)) return local_->ReadRanges(n, ranges);
    std::vector<size_t> order(ranges.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return ranges[a].offset < ranges[b].offset; });
    std::vector<std::string> out(ranges.size());
    for (size_t i = 0; i < order.size();) {
      // ranges[order[i..j)] are read with one GET of [from, to).
      const uint64_t from = ranges[order[i]].offset;
      uint64_t to = from + ranges[order[i]].length;
      size_t j = i + 1;
      while (j < order.size() && ranges[order[j]].offset <= to + merge_gap_) {
        to = std::max(to, ranges[order[j]].offset + ranges[order[j]].length);
        ++j;
      }
      GAGGLE_ASSIGN_OR_RETURN(std::string bytes, ReadSegmentRange(n, from, to - from));
      for (; i < j; ++i) {
        const TaskLogRange& r = ranges[order[i]];
        const uint64_t at = r.offset - from;
        if (at < bytes.size()) out[order[i]] = bytes.substr(at, std::min<uint64_t>(r.length, bytes.size() - at));
      }
    }
    return out;
  }

  Result<std::string> LocalSegment(uint64_t n) override {
    if (RemoteSegment(n)) {
      GAGGLE_ASSIGN_OR_RETURN(bool copied, CopyToSpool(SegmentName(n)));
      (void)copied;  // gone since the listing: the scan finds no file, as it would have
    }
    return local_->LocalSegment(n);
  }

 private:
  const ArtifactObject* Remote(const std::string& name) const {
    auto it = objects_.find(name);
    return it == objects_.end() ? nullptr : &it->second;
  }

  // The listed object of segment `n`; nullptr when there is none, or when the spool holds
  // a copy at least as long: this process's own segment, perhaps still being written
  // (never overwritten by an older version of itself), or a copy of the same bytes.
  const ArtifactObject* RemoteSegment(uint64_t n) {
    const ArtifactObject* listed = Remote(SegmentName(n));
    if (!listed) return nullptr;
    auto [it, fresh] = spool_is_newer_.emplace(n, false);
    if (fresh) {
      std::error_code ec;
      const uintmax_t size = fs::file_size(local_dir_ + "/" + SegmentName(n), ec);
      it->second = !ec && size >= listed->size;
    }
    return it->second ? nullptr : listed;
  }

  // `length` bytes at `offset` of the listed segment `n`. A closed segment is never
  // rewritten: the read is checked against its listed ETag. A live one is published again
  // every period, as a longer version of the same bytes (and once more when it closes), so
  // it is read from whichever version is there: each holds the listed bytes at the listed
  // offsets (with If-Match the read would fail whenever a publish came in between).
  Result<std::string> ReadSegmentRange(uint64_t n, uint64_t offset, uint64_t length) {
    const std::string etag = growing_.count(n) ? std::string() : Remote(SegmentName(n))->etag;
    return mirror_->ReadRange(relative_dir_ + "/" + SegmentName(n), etag, offset, length);
  }

  // Whether the index copy at `path` is a live one (task_log_segments.h).
  static bool IsLiveIndex(const std::string& path) {
    char head[sizeof kLiveIndexMark - 1];
    std::ifstream in(path, std::ios::binary);
    return in.read(head, sizeof head) && std::memcmp(head, kLiveIndexMark, sizeof head) == 0;
  }

  // Copies the listed object `name` into the spool unless a copy of its size is there: a
  // segment only grows until it closes, so the same size means the same bytes, and an
  // index of the same size names the same lines or (a live one replaced by the final one)
  // fewer, which the reader of a live index handles. False when the object is gone.
  Result<bool> CopyToSpool(const std::string& name) {
    std::error_code ec;
    const uintmax_t size = fs::file_size(local_dir_ + "/" + name, ec);
    if (!ec && size == Remote(name)->size) return true;
    return mirror_->FetchFile(relative_dir_ + "/" + name);
  }

  ArtifactMirror* const mirror_;
  const std::string relative_dir_;
  const std::string local_dir_;
  const std::map<std::string, ArtifactObject> objects_;
  std::set<uint64_t> growing_;  // segments that may have grown since the listing
  const uint64_t merge_gap_;
  std::map<uint64_t, bool> spool_is_newer_;  // RemoteSegment's answers, by segment
  const std::unique_ptr<TaskLogSegmentSource> local_;
};

}  // namespace

Result<std::vector<std::unique_ptr<TaskLogSegmentSource>>> MirroredTaskLogWriters(ArtifactMirror* mirror,
                                                                                  const std::string& relative_dir,
                                                                                  uint64_t merge_gap) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<ArtifactObject> listed, mirror->List(relative_dir));
  // By writer ("" = the folder itself), then by file name; deeper objects only make
  // their writer's folder exist, as they would in a spool that fetched them.
  std::map<std::string, std::map<std::string, ArtifactObject>> by_writer;
  by_writer[""];
  for (ArtifactObject& o : listed) {
    const size_t slash = o.path.find('/');
    if (slash == std::string::npos) {
      std::string name = o.path;
      by_writer[""].emplace(std::move(name), std::move(o));
      continue;
    }
    auto& files = by_writer[o.path.substr(0, slash)];
    const std::string rest = o.path.substr(slash + 1);
    if (rest.find('/') == std::string::npos) files.emplace(rest, std::move(o));
  }
  std::error_code ec;
  const fs::path local = fs::path(mirror->spool()) / relative_dir;
  for (auto it = fs::directory_iterator(local, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) by_writer[it->path().filename().string()];
  }
  std::vector<std::unique_ptr<TaskLogSegmentSource>> writers;
  for (auto& [writer, files] : by_writer) {  // "" sorts first, the writers by name after it
    const std::string dir = writer.empty() ? relative_dir : relative_dir + "/" + writer;
    writers.push_back(std::make_unique<MirroredSegments>(mirror, dir, std::move(files), merge_gap));
  }
  return writers;
}

}  // namespace gaggle::service
