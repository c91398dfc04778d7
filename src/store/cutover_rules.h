// Cut-over rules: the life of a CutoverRecord (store/cutover_record.h) and the cut-over
// lag rule of catalog re-imports.
//
// The lag rule: catalog descriptors are written by teams and lag behind gaggle's
// cut-over. A dataset cut over by a migration keeps pointing at its new location when the
// imported descriptor still names the location it was moved from (compared by identity,
// not spelling; collected cut-overs count, their old data is gone); a descriptor naming any
// other location wins (the team moved it themselves). Cut-overs apply oldest first, so a
// dataset moved twice follows the chain. The stored content hash stays the descriptor's,
// so re-importing it unchanged changes nothing.
// Thread-safety: pure functions; a CutoverLag is immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/entity.h"
#include "common/status.h"
#include "store/cutover_record.h"

namespace gaggle {

class CutoverLag {
 public:
  // `current`: the cut-over records (any order; rolled-back ones are ignored).
  explicit CutoverLag(const std::vector<CutoverRecord>& current);

  // The entity to store for `imported`: its location, format and schema follow the
  // cut-overs whose previous location it names.
  Entity AsStored(const Entity& imported) const;

 private:
  // dataset id -> (previous uri, next location), oldest cut-over first
  std::unordered_map<std::string, std::vector<std::pair<std::string, DatasetLocation>>> moved_;
};

// A dataset whose record is current, collecting or collected is not cut over again.
bool IsCutOver(const std::optional<CutoverRecord>& existing);
// gc began deleting the old data (collecting or collected): rollback refuses it.
bool CollectionBegan(const std::optional<CutoverRecord>& existing);
// The record stored by a cut-over of `requested` (previous, next, retain_until):
// current, cut at requested.cut_at (or `now`), changed then by `actor`.
CutoverRecord CurrentCutover(const CutoverRecord& requested, const std::string& now, const std::string& actor);
// current -> rolled-back.
CutoverRecord RolledBackCutover(CutoverRecord record, const std::string& now, const std::string& actor);
// current -> collecting, before gc deletes anything; Conflict when not current (a
// rollback won the race).
Result<CutoverRecord> CollectingCutover(const std::optional<CutoverRecord>& existing, const std::string& migration,
                                        const std::string& dataset, const std::string& now, const std::string& actor);
// current or collecting -> collected; Conflict otherwise.
Result<CutoverRecord> CollectedCutover(const std::optional<CutoverRecord>& existing, const std::string& migration,
                                       const std::string& dataset, const std::string& now, const std::string& actor);

}  // namespace gaggle
