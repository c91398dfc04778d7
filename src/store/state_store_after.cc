// StateStore: the gates' records (validations, approvals) and after the migration
// (verifications, cut-overs). A cut-over and its catalog change are one transaction, so
// the catalog never points at a location without a record of where it pointed before.
#include <set>

#include "store/cutover_rules.h"
#include "store/event_vocabulary.h"
#include "store/state_store.h"
#include "store/state_store_internal.h"

namespace gaggle {

using store_internal::Append;

// ---------------------------------------------------------------- gates

Status StateStore::SaveValidation(const ValidationRecord& record) {
  return backend_->Write([&](StoreTransaction& tx) -> Status {
    ValidationRecord r = record;
    if (r.time.empty()) r.time = Now();
    Status st = tx.AppendValidation(r);
    if (!st.ok()) return st.WithContext("saving the validation of '" + r.dataset_id + "' in " + location());
    return Status::OK();
  });
}

Result<std::optional<ValidationRecord>> StateStore::LatestValidation(const std::string& migration,
                                                                     const std::string& dataset) {
  return ReadValue<std::optional<ValidationRecord>>(
      [&](StoreReader& r) { return r.LatestValidation(migration, dataset); });
}

Status StateStore::ApproveStage(const StageApproval& approval) {
  return backend_->Write([&](StoreTransaction& tx) -> Status {
    StageApproval a = approval;
    if (a.time.empty()) a.time = Now();
    GAGGLE_RETURN_IF_ERROR(tx.AppendApproval(a));
    return tx.AppendEvent(events::GateApproved(a)).status();
  });
}

Result<std::vector<StageApproval>> StateStore::ListApprovals(const std::string& migration) {
  return ReadValue<std::vector<StageApproval>>([&](StoreReader& r) { return r.ListApprovals(migration); });
}

// ---------------------------------------------------------------- verification

Status StateStore::SaveVerification(const VerificationRecord& record) {
  return backend_->Write([&](StoreTransaction& tx) -> Status {
    VerificationRecord r = record;
    if (r.time.empty()) r.time = Now();
    auto seq = tx.AppendVerification(r);
    if (!seq.ok()) {
      return seq.status().WithContext("saving a verification of migration '" + r.migration + "' in " + location());
    }
    return tx.AppendEvent(events::Verification(r)).status();
  });
}

Result<std::vector<VerificationRecord>> StateStore::ListVerifications(const std::string& migration, size_t limit) {
  return ReadValue<std::vector<VerificationRecord>>(
      [&](StoreReader& r) { return r.ListVerifications(migration, limit); });
}

// ---------------------------------------------------------------- cut-over

Result<int64_t> StateStore::CutOver(const std::vector<CutoverRecord>& records, const std::string& actor) {
  int64_t cut = 0;
  GAGGLE_RETURN_IF_ERROR(backend_->Write([&](StoreTransaction& tx) -> Status {
    cut = 0;
    const std::string now = Now();
    for (const CutoverRecord& requested : records) {
      GAGGLE_ASSIGN_OR_RETURN(std::optional<CutoverRecord> existing,
                              tx.FindCutover(requested.migration, requested.dataset_id));
      if (IsCutOver(existing)) continue;
      GAGGLE_ASSIGN_OR_RETURN(bool found, tx.PointDataset(requested.dataset_id, requested.next));
      if (!found) {
        return Status::NotFound("cannot cut over '" + requested.dataset_id +
                                "': it is not a dataset of the catalog in " + location());
      }
      const CutoverRecord r = CurrentCutover(requested, now, actor);
      GAGGLE_RETURN_IF_ERROR(tx.PutCutover(r));
      GAGGLE_RETURN_IF_ERROR(tx.AppendEvent(events::CutOver(r)).status());
      ++cut;
    }
    return Status::OK();
  }));
  return cut;
}

Result<std::vector<CutoverRecord>> StateStore::ListCutovers(const std::string& migration, const std::string& dataset) {
  CutoverQuery q;
  q.migration = migration;
  q.dataset = dataset;
  return ReadValue<std::vector<CutoverRecord>>([&](StoreReader& r) { return r.ListCutovers(q); });
}

Result<int64_t> StateStore::RestoreCutovers(const std::string& migration, const std::vector<std::string>& datasets,
                                            const std::string& actor, const std::string& detail) {
  int64_t restored = 0;
  GAGGLE_RETURN_IF_ERROR(backend_->Write([&](StoreTransaction& tx) -> Status {
    restored = 0;
    const std::set<std::string> only(datasets.begin(), datasets.end());
    // gc and rollback exclude each other here: a named dataset whose collection began
    // (read inside this transaction) is refused, and nothing is restored.
    for (const std::string& d : only) {
      GAGGLE_ASSIGN_OR_RETURN(std::optional<CutoverRecord> existing, tx.FindCutover(migration, d));
      if (CollectionBegan(existing)) {
        return Status::Conflict("migration '" + migration + "', dataset '" + d +
                                "': gc began deleting its old data at " + existing->changed_at + " (" +
                                CutoverStateName(existing->state) +
                                "); rolling back would point the catalog at partly deleted data; nothing was restored");
      }
    }
    CutoverQuery q;
    q.migration = migration;
    q.state = CutoverState::kCurrent;
    GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> current, tx.ListCutovers(q));
    const std::string now = Now();
    for (const CutoverRecord& r : current) {
      if (!only.empty() && only.count(r.dataset_id) == 0) continue;
      // A dataset gone from the catalog has no entry to point back.
      GAGGLE_RETURN_IF_ERROR(tx.PointDataset(r.dataset_id, r.previous).status());
      GAGGLE_RETURN_IF_ERROR(tx.PutCutover(RolledBackCutover(r, now, actor)));
      GAGGLE_RETURN_IF_ERROR(Append(tx, events::CutOverReverted(r, detail), now, actor));
      ++restored;
    }
    return Status::OK();
  }));
  return restored;
}

Status StateStore::BeginCollection(const std::string& migration, const std::string& dataset, const std::string& actor,
                                   const std::string& detail) {
  return backend_->Write([&](StoreTransaction& tx) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(std::optional<CutoverRecord> existing, tx.FindCutover(migration, dataset));
    const std::string now = Now();
    GAGGLE_ASSIGN_OR_RETURN(CutoverRecord collecting, CollectingCutover(existing, migration, dataset, now, actor));
    GAGGLE_RETURN_IF_ERROR(tx.PutCutover(collecting));
    return Append(tx, events::Collecting(migration, dataset, detail), now, actor);
  });
}

Status StateStore::MarkCollected(const std::string& migration, const std::string& dataset, const std::string& actor,
                                 const std::string& detail) {
  return backend_->Write([&](StoreTransaction& tx) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(std::optional<CutoverRecord> existing, tx.FindCutover(migration, dataset));
    const std::string now = Now();
    GAGGLE_ASSIGN_OR_RETURN(CutoverRecord collected, CollectedCutover(existing, migration, dataset, now, actor));
    GAGGLE_RETURN_IF_ERROR(tx.PutCutover(collected));
    return Append(tx, events::Collected(migration, dataset, detail), now, actor);
  });
}

}  // namespace gaggle
