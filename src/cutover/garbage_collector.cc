#include "cutover/garbage_collector.h"

#include <map>
#include <nlohmann/json.hpp>

#include "agent/object_output_committer.h"
#include "common/file_system.h"
#include "common/listed_file_deleter.h"
#include "common/location_identity.h"
#include "cutover/cut_over.h"
#include "dataset/manifest.h"
#include "storage/listed_object_deleter.h"
#include "storage/object_uri.h"

namespace gaggle {
namespace {

struct CatalogLocation {
  std::string id;
  std::string uri;
  CanonicalLocation where;  // symlinks resolved
};

// What the ownership rules compare a victim against, read afresh for each check.
struct Estate {
  std::vector<CatalogLocation> catalog;
  std::vector<std::string> uncomparable;  // catalog datasets whose location cannot be compared
  std::vector<CutoverRecord> cutovers;    // every migration's
};

// Canonical catalog locations with symlinks resolved, memoised by URI for one gc run (the
// catalog is read afresh before every deletion; resolving 100k paths each time is not).
using ResolvedCache = std::map<std::string, Result<CanonicalLocation>>;

Result<Estate> LoadEstate(StateStore* store, ResolvedCache* cache) {
  Estate e;
  GAGGLE_RETURN_IF_ERROR(store->ForEachEntity([&](const Entity& entity) {
    if (!entity.is_dataset()) return true;
    auto it = cache->find(entity.uri);
    if (it == cache->end()) {
      it = cache->emplace(entity.uri, Canonicalize(entity.uri, {SymlinkPolicy::kResolveSymlinks, ""})).first;
    }
    const Result<CanonicalLocation>& where = it->second;
    if (where.ok()) {
      e.catalog.push_back({entity.id, entity.uri, *where});
    } else if (entity.uri.find("://") == std::string::npos || entity.uri.rfind("file://", 0) == 0) {
      e.uncomparable.push_back("dataset '" + entity.id + "' of the catalog has a location that cannot be compared (" +
                               where.status().message() + ")");
    }  // another scheme (a table, a database) never overlaps a file path
    return true;
  }));
  GAGGLE_ASSIGN_OR_RETURN(e.cutovers, store->ListCutovers(""));
  return e;
}

class RunStates {
 public:
  explicit RunStates(StateStore* store) : store_(store) {}
  // "" when the migration's run is completed, else why not.
  Result<std::string> NotCompleted(const std::string& migration) {
    auto it = runs_.find(migration);
    if (it == runs_.end()) {
      GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> r, store_->FindRun(migration));
      it = runs_.emplace(migration, std::move(r)).first;
    }
    if (it->second && it->second->state == RunState::kCompleted) return std::string();
    return "migration '" + migration + "' is " +
           (it->second ? RunStateName(it->second->state) : std::string("without a run record")) + ", not completed";
  }

 private:
  StateStore* store_;
  std::map<std::string, std::optional<MigrationRun>> runs_;
};

std::string Relation(const CanonicalLocation& victim, const CanonicalLocation& other) {
  if (SameLocation(victim, other)) return "is the location of";
  if (IsInside(other, victim)) return "contains";
  return "lies inside";
}

// Why another cut-over still needs `prev`, or "".
Result<std::string> RetainedElsewhere(const CutoverRecord& c, const CanonicalLocation& prev, const Estate& estate,
                                      int64_t now_us, RunStates* runs) {
  for (const CutoverRecord& r : estate.cutovers) {
    if (r.migration == c.migration && r.dataset_id == c.dataset_id) continue;
    if (r.state != CutoverState::kCurrent) continue;
    if (auto next = Canonicalize(r.next.uri); next.ok() && Overlaps(prev, *next)) {
      return "it " + Relation(prev, *next) + " the new data of '" + r.dataset_id + "' (migration '" + r.migration +
             "', " + r.next.uri + ")";
    }
    auto other = Canonicalize(r.previous.uri);
    if (!other.ok() || !Overlaps(prev, *other)) continue;
    GAGGLE_ASSIGN_OR_RETURN(std::string running, runs->NotCompleted(r.migration));
    auto until = IsoToMicros(r.retain_until);
    if (!running.empty() || !until.ok() || *until > now_us) {
      return "migration '" + r.migration + "' still retains it for '" + r.dataset_id + "' (" + r.previous.uri +
             ", retained until " + r.retain_until + (running.empty() ? "" : "; " + running) + ")";
    }
  }
  return std::string();
}

FileSystemResolver* ResolverOf(const GcOptions& options) {
  static FileSystemResolver* environment = new FileSystemResolver();
  return options.resolver ? options.resolver : environment;
}

// Why `prev` (the previous location of `c`) must not be deleted, or "" when it may.
Result<std::string> OwnershipProblem(const CutoverRecord& c, const CanonicalLocation& prev, const Estate& estate,
                                     int64_t now_us, RunStates* runs) {
  if (Status st = CheckNotSystemLocation(prev); !st.ok()) return st.message();
  std::string link;
  if (prev.is_local() && !HasNoSymlinkComponent(prev.path, &link)) {
    return "its previous location passes through the symlink " + link +
           ", which gaggle did not create (it never deletes through one)";
  }
  if (!estate.uncomparable.empty()) return estate.uncomparable.front();
  for (const CatalogLocation& d : estate.catalog) {
    if (Overlaps(prev, d.where)) {
      return "its previous location " + prev.path + " " + Relation(prev, d.where) + " dataset '" + d.id +
             "' of the catalog (" + d.uri + ")";
    }
  }
  if (auto next = Canonicalize(c.next.uri); next.ok() && Overlaps(prev, *next)) {
    return "its previous location " + prev.path + " overlaps its new location " + c.next.uri;
  }
  return RetainedElsewhere(c, prev, estate, now_us, runs);
}

// The files the migration read at `prev`: the input listing of the new output's
// manifest. Sets `why` when there is none that describes `prev`.
std::vector<ListedFile> Listing(const CutoverRecord& c, const CanonicalLocation& prev, FileSystemResolver* resolver,
                                std::string* why) {
  auto next = Canonicalize(c.next.uri);
  if (!next.ok() || (!next->is_local() && !IsObjectStoreUri(c.next.uri))) {
    *why = "no listing of its files: the new location " + c.next.uri + " is neither a local path nor object storage";
    return {};
  }
  const std::string manifest_path = next->is_local() ? next->path + "/" + kManifestFileName : next->ToUri();
  Result<Manifest> manifest = Status::NotFound("");
  if (next->is_local()) {
    manifest = Manifest::Load(FileSystem::Default(), manifest_path);
  } else if (auto store = resolver->ObjectStore(next->scheme); !store.ok()) {
    manifest = store.status();
  } else if (auto committed = LoadCommittedObjectOutput(*store, next->ToUri()); committed.ok()) {
    manifest = std::move(committed->manifest);  // the commit that checks out against its listing
  } else {
    manifest = committed.status();
  }
  if (!manifest.ok()) {
    *why = "no listing of its files (" + manifest.status().message() + "); gaggle deletes only files it listed";
    return {};
  }
  auto root = Canonicalize(manifest->input.root);
  if (!root.ok() || !SameLocation(*root, prev)) {
    *why = "the listing in " + manifest_path + " describes " + manifest->input.root + ", not " + prev.ToUri();
    return {};
  }
  std::vector<ListedFile> out;
  for (const InputFile& f : manifest->input.files) out.push_back({f.relative_path, f.size, f.mtime_ns});
  return out;
}

// Listed files that are still there, for a dry run.
void MeasureListed(FileSystem* fs, const std::string& root, const std::vector<ListedFile>& files, GcItem* item) {
  for (const ListedFile& f : files) {
    auto info = fs->Stat(f.relative_path.empty() ? root : root + "/" + f.relative_path);
    if (!info.ok() || info->is_directory) continue;
    item->files += 1;
    item->bytes += static_cast<int64_t>(info->size);
  }
}

// Why `c` is not due for collection yet, or "".
Result<std::string> NotDue(const CutoverRecord& c, int64_t now_us, RunStates* runs) {
  GAGGLE_ASSIGN_OR_RETURN(std::string running, runs->NotCompleted(c.migration));
  if (!running.empty()) return running;
  auto retain = IsoToMicros(c.retain_until);
  if (!retain.ok()) return "its retention deadline '" + c.retain_until + "' is not a timestamp";
  if (*retain > now_us) return "retained until " + c.retain_until;
  return std::string();
}

// Marks `c` collecting (unless an earlier gc did), deletes the listed files of `item`
// (checked by the caller just before) and records it collected.
Status Collect(StateStore* store, const CutoverRecord& c, const CanonicalLocation& prev,
               const std::vector<ListedFile>& files, const GcOptions& options, const std::string& now, GcItem* item,
               bool* done) {
  *done = false;
  if (c.state == CutoverState::kCurrent) {
    nlohmann::json begin = {{"path", prev.path}, {"uri", c.previous.uri}, {"listed_files", files.size()}, {"now", now}};
    Status st = store->BeginCollection(c.migration, c.dataset_id, options.actor, begin.dump());
    if (st.code() == StatusCode::kConflict) {  // a rollback won: the data is live again
      item->reason = st.message();
      return Status::OK();
    }
    GAGGLE_RETURN_IF_ERROR(st);
  }
  ListedDeleteReport del;
  if (prev.is_local()) {
    GAGGLE_ASSIGN_OR_RETURN(del, DeleteListedFiles(prev.path, files, options.before_unlink));
  } else {
    GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * store, ResolverOf(options)->ObjectStore(prev.scheme));
    GAGGLE_ASSIGN_OR_RETURN(del, DeleteListedObjects(store, prev.ToUri(), files, options.before_unlink));
  }
  item->files = del.files;
  item->bytes = del.bytes;
  item->left = del.left;
  if (!del.errors.empty()) {
    item->reason = "collection incomplete: " + std::to_string(del.errors.size()) + " listed file(s) not deleted (" +
                   del.errors.front() + "); the next gc resumes it";
    item->left.insert(item->left.end(), del.errors.begin(), del.errors.end());
    return Status::OK();
  }
  if (del.files == 0 && del.already_gone > 0 && del.left.empty()) item->reason = "already gone";
  nlohmann::json detail = {{"deleted", prev.path}, {"uri", c.previous.uri},           {"files", del.files},
                           {"bytes", del.bytes},   {"retain_until", c.retain_until},  {"now", now},
                           {"left", del.left},     {"already_gone", del.already_gone}};
  GAGGLE_RETURN_IF_ERROR(store->MarkCollected(c.migration, c.dataset_id, options.actor, detail.dump()));
  *done = true;
  return Status::OK();
}

}  // namespace

Result<GcReport> CollectGarbage(StateStore* store, const GcOptions& options) {
  const std::string now = options.now.empty() ? NowIso8601() : options.now;
  GAGGLE_ASSIGN_OR_RETURN(int64_t now_us, IsoToMicros(now));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> cutovers, store->ListCutovers(options.migration));
  ResolvedCache resolved;
  GAGGLE_ASSIGN_OR_RETURN(Estate planned, LoadEstate(store, &resolved));
  RunStates runs(store);
  GcReport report;
  for (const CutoverRecord& c : cutovers) {
    const bool resume = c.state == CutoverState::kCollecting;  // an earlier gc began it
    if (c.state != CutoverState::kCurrent && !resume) continue;
    GcItem item{c.migration, c.dataset_id, "", c.retain_until, 0, 0, "", {}};
    if (!resume) {
      GAGGLE_ASSIGN_OR_RETURN(item.reason, NotDue(c, now_us, &runs));
    }
    auto prev = Canonicalize(c.previous.uri);
    if (item.reason.empty() && (!prev.ok() || (!prev->is_local() && !IsObjectStoreUri(c.previous.uri)))) {
      item.reason = "its previous location " + c.previous.uri + " is neither an absolute local path nor object storage";
    }
    if (prev.ok()) item.path = prev->is_local() ? prev->path : prev->ToUri();
    if (item.reason.empty()) {
      GAGGLE_ASSIGN_OR_RETURN(item.reason, OwnershipProblem(c, *prev, planned, now_us, &runs));
    }
    std::vector<ListedFile> files;
    if (item.reason.empty()) files = Listing(c, *prev, ResolverOf(options), &item.reason);
    if (!item.reason.empty()) {
      if (resume) item.reason = "collection began at " + c.changed_at + " but stopped: " + item.reason;
      report.kept.push_back(std::move(item));
      continue;
    }
    if (options.dry_run) {
      FileSystem* fs = FileSystem::Default();
      if (!prev->is_local()) {
        GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * store, ResolverOf(options)->ObjectStore(prev->scheme));
        fs = store;
      }
      MeasureListed(fs, prev->is_local() ? prev->path : prev->ToUri(), files, &item);
    } else {
      // Right before deleting: the same rules against the estate as it is now.
      GAGGLE_ASSIGN_OR_RETURN(Estate fresh, LoadEstate(store, &resolved));
      GAGGLE_ASSIGN_OR_RETURN(item.reason, OwnershipProblem(c, *prev, fresh, now_us, &runs));
      bool done = false;
      if (item.reason.empty()) {
        GAGGLE_RETURN_IF_ERROR(Collect(store, c, *prev, files, options, now, &item, &done));
      }
      if (!done) {
        report.kept.push_back(std::move(item));
        continue;
      }
    }
    report.files += item.files;
    report.bytes += item.bytes;
    report.deleted.push_back(std::move(item));
  }
  return report;
}

}  // namespace gaggle
