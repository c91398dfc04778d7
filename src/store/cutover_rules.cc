#include "store/cutover_rules.h"

#include <algorithm>

#include "common/location_identity.h"

namespace gaggle {
namespace {

// The same location however it is spelled (scheme, trailing slash, "." and ".."), so a
// descriptor that differs from the cut-over record only in spelling still lags.
bool SameUri(const std::string& a, const std::string& b) {
  if (a == b) return true;
  auto ca = gaggle::Canonicalize(a);
  auto cb = gaggle::Canonicalize(b);
  return ca.ok() && cb.ok() && SameLocation(*ca, *cb);
}

}  // namespace

CutoverLag::CutoverLag(const std::vector<CutoverRecord>& current) {
  std::vector<const CutoverRecord*> sorted;
  for (const CutoverRecord& r : current) {
    // Collected (or being collected) datasets moved too: their old location is gone, so a
    // lagging descriptor must not point the catalog back at it.
    if (r.state != CutoverState::kRolledBack) sorted.push_back(&r);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const CutoverRecord* a, const CutoverRecord* b) { return a->cut_at < b->cut_at; });
  for (const CutoverRecord* r : sorted) moved_[r->dataset_id].emplace_back(r->previous.uri, r->next);
}

Entity CutoverLag::AsStored(const Entity& imported) const {
  Entity e = imported;
  if (!e.is_dataset()) return e;
  auto it = moved_.find(e.id);
  if (it == moved_.end()) return e;
  for (const auto& [previous_uri, next] : it->second) {
    if (!SameUri(e.uri, previous_uri)) continue;
    e.uri = next.uri;
    e.format = next.format;
    e.schema = next.schema;
    e.schema_version = next.schema_version;
  }
  return e;
}

bool IsCutOver(const std::optional<CutoverRecord>& existing) {
  // Collected (or being collected): the catalog points at the new data and the old is
  // gone; cutting over again would record previous == next and a rollback would then
  // quarantine the only copy.
  return existing && existing->state != CutoverState::kRolledBack;
}

Result<CutoverRecord> CollectingCutover(const std::optional<CutoverRecord>& existing, const std::string& migration,
                                        const std::string& dataset, const std::string& now, const std::string& actor) {
  if (!existing || existing->state != CutoverState::kCurrent) {
    return Status::Conflict("migration '" + migration + "', dataset '" + dataset +
                            "': the cut-over is no longer current (rolled back meanwhile?); gc leaves it alone");
  }
  CutoverRecord r = *existing;
  r.state = CutoverState::kCollecting;
  r.changed_at = now;
  r.changed_by = actor;
  return r;
}

bool CollectionBegan(const std::optional<CutoverRecord>& existing) {
  return existing && (existing->state == CutoverState::kCollecting || existing->state == CutoverState::kCollected);
}

CutoverRecord CurrentCutover(const CutoverRecord& requested, const std::string& now, const std::string& actor) {
  CutoverRecord r = requested;
  r.state = CutoverState::kCurrent;
  if (r.cut_at.empty()) r.cut_at = now;
  r.changed_at = r.cut_at;
  r.changed_by = actor;
  return r;
}

CutoverRecord RolledBackCutover(CutoverRecord record, const std::string& now, const std::string& actor) {
  record.state = CutoverState::kRolledBack;
  record.changed_at = now;
  record.changed_by = actor;
  return record;
}

Result<CutoverRecord> CollectedCutover(const std::optional<CutoverRecord>& existing, const std::string& migration,
                                       const std::string& dataset, const std::string& now, const std::string& actor) {
  if (!existing || (existing->state != CutoverState::kCurrent && existing->state != CutoverState::kCollecting)) {
    return Status::Conflict("migration '" + migration + "', dataset '" + dataset +
                            "': no current cut-over to mark collected");
  }
  CutoverRecord r = *existing;
  r.state = CutoverState::kCollected;
  r.changed_at = now;
  r.changed_by = actor;
  return r;
}

}  // namespace gaggle
