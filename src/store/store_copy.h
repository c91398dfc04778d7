// CopyStore: copies every record of one state store into another, empty one, through the
// StoreBackend seam, so any backend goes to any other (`gaggle state copy state.db
// postgres://...` moves a single-host state to PostgreSQL). What is copied: the catalog
// (entities with their labels, annotations and queries, lineage, the import history), saved
// plans, run records and tasks with their progress, validations, approvals,
// verifications, cut-overs and the event log. Events are appended in seq order to their
// migration's chain, so every event keeps its hash and the chains verify as before; the
// target gives new surrogate keys and sequence numbers. An entity's import id (which no
// reader returns) becomes the newest import's.
//
// The copy is one write transaction on the target around one read snapshot of the source:
// it lands whole or not at all. It refuses (writing nothing) a target that holds any record
// (AlreadyExists), and a source whose event log predates per-migration chains (SQLite
// schema < 6: those events' hashes would change; Unsupported).
// Thread-safety: as the backends; nothing else may write the target during the copy.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "store/store_backend.h"

namespace gaggle {

struct StoreCopySummary {
  int64_t entities = 0, edges = 0, imports = 0, plans = 0, runs = 0, tasks = 0;
  int64_t validations = 0, approvals = 0, verifications = 0, cutovers = 0, events = 0;

  // "12 entities, 3 edges, ..." for messages.
  std::string ToString() const;
};

Result<StoreCopySummary> CopyStore(StoreBackend* from, StoreBackend* to);

}  // namespace gaggle
