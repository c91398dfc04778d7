#include "cutover/cut_over.h"

#include <filesystem>
#include <set>

#include "agent/object_output_committer.h"
#include "columnar/value_format.h"
#include "common/dataset_location.h"
#include "common/file_system.h"
#include "common/location_identity.h"
#include "dataset/format_table.h"
#include "dataset/manifest.h"
#include "storage/file_system_resolver.h"

namespace gaggle {

Result<int64_t> IsoToMicros(const std::string& iso) {
  int64_t micros = 0;
  if (!ParseTimestamp(iso, &micros)) {
    return Status::InvalidArgument("'" + iso + "' is not an ISO 8601 timestamp (like 2024-05-01T12:00:00Z)");
  }
  return micros;
}

Result<std::string> AddSecondsIso(const std::string& iso, int64_t seconds) {
  GAGGLE_ASSIGN_OR_RETURN(int64_t micros, IsoToMicros(iso));
  const int64_t at = micros + seconds * 1000000;
  return FormatTimestamp(at - ((at % 1000000) + 1000000) % 1000000);  // whole seconds
}

Result<Catalog> CatalogBeforeCutOver(Catalog catalog, const std::vector<CutoverRecord>& cutovers) {
  std::vector<std::pair<NodeId, const CutoverRecord*>> undo;
  for (const CutoverRecord& c : cutovers) {
    if (c.state != CutoverState::kCurrent) continue;
    if (auto n = catalog.Find(c.dataset_id)) undo.emplace_back(*n, &c);
  }
  if (undo.empty()) return catalog;
  std::vector<Entity> entities = catalog.entities();
  for (const auto& [n, c] : undo) {
    Entity& e = entities[n];
    e.uri = c->previous.uri;
    e.format = c->previous.format;
    e.schema = c->previous.schema;
    e.schema_version = c->previous.schema_version;
  }
  return Catalog::FromSorted(std::move(entities), catalog.edges());
}

// The output schema its manifest records; "" when there is no readable commit record.
static std::string CommittedSchema(const std::string& target_uri, FileSystemResolver* resolver) {
  if (IsObjectStoreUri(target_uri)) {
    static FileSystemResolver* environment = new FileSystemResolver();
    auto uri = ParseObjectUri(target_uri);
    if (!uri.ok()) return "";
    auto store = (resolver ? resolver : environment)->ObjectStore(uri->scheme);
    if (!store.ok()) return "";
    auto committed = LoadCommittedObjectOutput(*store, uri->ToString());
    return committed.ok() ? committed->manifest.output_schema.ToString() : "";
  }
  auto dir = LocalPathFromUri(target_uri);
  if (!dir.ok()) return "";
  auto manifest = Manifest::Load(FileSystem::Default(), (std::filesystem::path(*dir) / kManifestFileName).string());
  return manifest.ok() ? manifest->output_schema.ToString() : "";
}

Result<CutOverReport> CutOverMigration(StateStore* store, const MigrationSpec& spec, const CutOverOptions& options,
                                       bool validated_only) {
  const std::string now = options.now.empty() ? NowIso8601() : options.now;
  CutOverReport report;
  GAGGLE_ASSIGN_OR_RETURN(report.retain_until, AddSecondsIso(now, static_cast<int64_t>(spec.retention.count())));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, store->LoadTasks(spec.name));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> existing, store->ListCutovers(spec.name));
  std::set<std::string> current;
  for (const CutoverRecord& c : existing) {
    // Collected (or being collected): its old data is gone and the catalog already points
    // at the new; cutting it over again would record previous == new, and a rollback
    // would then quarantine the only copy.
    if (c.state != CutoverState::kRolledBack) current.insert(c.dataset_id);
  }
  std::vector<CutoverRecord> records;
  for (const TaskRecord& t : tasks) {
    const bool done = t.state == TaskState::kValidated || (!validated_only && t.state == TaskState::kSucceeded);
    if (!done) continue;
    if (current.count(t.dataset_id)) {
      ++report.already;
      continue;
    }
    GAGGLE_ASSIGN_OR_RETURN(std::optional<Entity> entity, store->FindEntity(t.dataset_id));
    if (!entity) {
      return Status::NotFound("cannot cut over '" + t.dataset_id + "' of migration '" + spec.name +
                              "': it is no longer in the catalog");
    }
    auto from = Canonicalize(entity->uri, {SymlinkPolicy::kResolveSymlinks, ""});
    auto to = Canonicalize(t.target_uri, {SymlinkPolicy::kResolveSymlinks, ""});
    if (from.ok() && to.ok() && SameLocation(*from, *to)) {
      ++report.already;  // the catalog already points at the output
      continue;
    }
    if (from.ok() && to.ok() && Overlaps(*from, *to)) {
      return Status::InvalidArgument("cannot cut over '" + t.dataset_id + "': its output " + t.target_uri +
                                     " and its catalog location " + entity->uri + " nest in each other");
    }
    CutoverRecord r;
    r.migration = spec.name;
    r.dataset_id = t.dataset_id;
    r.previous = {entity->uri, entity->format, entity->schema, entity->schema_version};
    r.next.uri = t.target_uri;
    r.next.format = FormatName(spec.target.format);
    r.next.schema_version = spec.version;
    // The schema the output was written with, from its commit record.
    r.next.schema = CommittedSchema(t.target_uri, options.resolver);
    r.cut_at = now;
    r.retain_until = report.retain_until;
    records.push_back(std::move(r));
    report.datasets.push_back(t.dataset_id);
  }
  if (records.empty()) return report;
  GAGGLE_ASSIGN_OR_RETURN(report.cut_over, store->CutOver(records, options.actor));
  return report;
}

}  // namespace gaggle
