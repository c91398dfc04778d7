#include "cutover/garbage_collector.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/dataset_location.h"
#include "cutover/cut_over.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

// Files and bytes under `path` (a file or a directory tree).
void Measure(const fs::path& path, int64_t* files, int64_t* bytes) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    *files += 1;
    *bytes += static_cast<int64_t>(fs::file_size(path, ec));
    return;
  }
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      *files += 1;
      *bytes += static_cast<int64_t>(it->file_size(ec));
    }
  }
}

// True when `inner` is `outer` or lies inside it (both normalized, absolute).
bool Within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

fs::path Normal(const std::string& p) { return fs::path(p).lexically_normal(); }

// Why the previous location of `c` must not be deleted, or "" when it may.
std::string PathProblem(const CutoverRecord& c, const std::set<std::string>& uris_in_use, fs::path* path) {
  auto prev = LocalPathFromUri(c.previous.uri);
  if (!prev.ok()) return "its previous location " + c.previous.uri + " is not a local path";
  *path = Normal(*prev);
  if (!path->is_absolute() || path->relative_path().empty()) {
    return "its previous location " + path->string() + " is not an absolute path below /";
  }
  if (uris_in_use.count(c.previous.uri)) {
    return "a dataset of the catalog still points at " + c.previous.uri;
  }
  auto next = LocalPathFromUri(c.next.uri);
  if (next.ok() && (Within(Normal(*next), *path) || Within(*path, Normal(*next)))) {
    return "its previous location " + path->string() + " overlaps its new location " + *next;
  }
  return "";
}

}  // namespace

Result<GcReport> CollectGarbage(StateStore* store, const GcOptions& options) {
  const std::string now = options.now.empty() ? NowIso8601() : options.now;
  GAGGLE_ASSIGN_OR_RETURN(int64_t now_us, IsoToMicros(now));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> cutovers, store->ListCutovers(options.migration));
  std::set<std::string> uris_in_use;
  GAGGLE_RETURN_IF_ERROR(store->ForEachEntity([&](const Entity& e) {
    if (e.is_dataset()) uris_in_use.insert(e.uri);
    return true;
  }));
  std::map<std::string, std::optional<MigrationRun>> runs;
  GcReport report;
  for (const CutoverRecord& c : cutovers) {
    if (c.state != CutoverState::kCurrent) continue;
    GcItem item{c.migration, c.dataset_id, "", c.retain_until, 0, 0, ""};
    auto run = runs.find(c.migration);
    if (run == runs.end()) {
      GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> r, store->FindRun(c.migration));
      run = runs.emplace(c.migration, std::move(r)).first;
    }
    auto retain = IsoToMicros(c.retain_until);
    fs::path path;
    if (!run->second || run->second->state != RunState::kCompleted) {
      item.reason = "migration '" + c.migration + "' is " +
                    (run->second ? RunStateName(run->second->state) : std::string("without a run record")) +
                    ", not completed";
    } else if (!retain.ok()) {
      item.reason = "its retention deadline '" + c.retain_until + "' is not a timestamp";
    } else if (*retain > now_us) {
      item.reason = "retained until " + c.retain_until;
    } else {
      item.reason = PathProblem(c, uris_in_use, &path);
    }
    item.path = path.string();
    if (!item.reason.empty()) {
      report.kept.push_back(std::move(item));
      continue;
    }
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (exists) Measure(path, &item.files, &item.bytes);
    if (!exists) item.reason = "already gone";
    if (!options.dry_run) {
      if (exists) {
        fs::remove_all(path, ec);
        if (ec)
          return Status::IOError("gc: cannot delete " + path.string() + " (" + c.dataset_id + "): " + ec.message());
      }
      nlohmann::json detail = {{"deleted", path.string()}, {"uri", c.previous.uri},          {"files", item.files},
                               {"bytes", item.bytes},      {"retain_until", c.retain_until}, {"now", now}};
      if (!exists) detail["note"] = "already gone";
      GAGGLE_RETURN_IF_ERROR(store->MarkCollected(c.migration, c.dataset_id, options.actor, detail.dump()));
    }
    report.files += item.files;
    report.bytes += item.bytes;
    report.deleted.push_back(std::move(item));
  }
  return report;
}

}  // namespace gaggle
