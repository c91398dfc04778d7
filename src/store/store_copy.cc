#include "store/store_copy.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "store/event_chain.h"

namespace gaggle {
namespace {

// AlreadyExists naming what the target holds, unless it holds nothing.
Status RequireEmpty(StoreTransaction& tx, const std::string& location) {
  GAGGLE_ASSIGN_OR_RETURN(int64_t entities, tx.CountEntities());
  GAGGLE_ASSIGN_OR_RETURN(auto imports, tx.ListImports(1, false));
  GAGGLE_ASSIGN_OR_RETURN(auto plans, tx.ListPlans(""));
  GAGGLE_ASSIGN_OR_RETURN(auto runs, tx.ListRuns());
  EventFilter one;
  one.limit = 1;
  GAGGLE_ASSIGN_OR_RETURN(auto events, tx.ListEvents(one));
  GAGGLE_ASSIGN_OR_RETURN(auto cutovers, tx.ListCutovers({}));
  bool validations = false;
  GAGGLE_RETURN_IF_ERROR(tx.ScanValidations([&](const ValidationRecord&) {
    validations = true;
    return false;
  }));
  std::string held;
  auto note = [&](bool any, const std::string& what) {
    if (any) held += (held.empty() ? "" : ", ") + what;
  };
  note(entities > 0, std::to_string(entities) + " entities");
  note(!imports.empty(), "catalog imports");
  note(!plans.empty(), std::to_string(plans.size()) + " plans");
  note(!runs.empty(), std::to_string(runs.size()) + " runs");
  note(!events.empty(), "events");
  note(!cutovers.empty(), "cut-overs");
  note(validations, "validations");
  if (held.empty()) return Status::OK();
  return Status::AlreadyExists("state '" + location + "' is not empty (it holds " + held +
                               "): state copy writes only into an empty store");
}

// Imports (oldest first), entities, their queries and the lineage. Returns the old -> new key map.
Status CopyCatalog(StoreReader& src, StoreTransaction& dst, StoreCopySummary* summary) {
  GAGGLE_ASSIGN_OR_RETURN(auto imports, src.ListImports(std::numeric_limits<size_t>::max(), true));
  int64_t newest_import = 0;
  for (auto it = imports.rbegin(); it != imports.rend(); ++it) {
    CatalogChangeSet c = *it;
    GAGGLE_ASSIGN_OR_RETURN(c.import_id, dst.BeginImport(c));
    GAGGLE_RETURN_IF_ERROR(dst.FinishImport(c));
    newest_import = c.import_id;
    ++summary->imports;
  }
  std::unordered_map<int64_t, std::vector<std::string>> queries;
  GAGGLE_RETURN_IF_ERROR(
      src.ScanEntityQueries([&](int64_t key, std::string&& sql) { queries[key].push_back(std::move(sql)); }));
  std::unordered_map<int64_t, uint64_t> hashes;
  GAGGLE_RETURN_IF_ERROR(src.ScanEntityDigests([&](EntityDigest&& d) { hashes[d.key] = d.content_hash; }));
  std::unordered_map<int64_t, int64_t> keys;  // source key -> target key
  Status failed;
  GAGGLE_RETURN_IF_ERROR(src.ScanEntities({}, [&](int64_t key, Entity&& e) {
    auto q = queries.find(key);
    if (q != queries.end()) e.queries = std::move(q->second);
    auto inserted = dst.InsertEntity(e, hashes[key], newest_import);
    if (!inserted.ok()) {
      failed = inserted.status();
      return false;
    }
    keys[key] = *inserted;
    ++summary->entities;
    return true;
  }));
  GAGGLE_RETURN_IF_ERROR(failed);
  GAGGLE_RETURN_IF_ERROR(src.ScanEdges([&](int64_t upstream, int64_t downstream) {
    if (!failed.ok()) return;
    auto u = keys.find(upstream), d = keys.find(downstream);
    if (u == keys.end() || d == keys.end()) {
      failed = Status::Corruption("a lineage edge names an entity that is not stored");
      return;
    }
    failed = dst.InsertEdge(u->second, d->second);
    ++summary->edges;
  }));
  return failed;
}

// Plans (oldest first), runs with their tasks, the gates' records, verifications and cut-overs.
Status CopyFleet(StoreReader& src, StoreTransaction& dst, StoreCopySummary* summary) {
  GAGGLE_ASSIGN_OR_RETURN(auto plans, src.ListPlans(""));
  std::set<std::string> migrations;
  for (auto it = plans.rbegin(); it != plans.rend(); ++it) {
    GAGGLE_ASSIGN_OR_RETURN(auto plan, src.LoadPlan(it->hash));
    if (!plan) return Status::Corruption("plan " + it->hash + " is listed but cannot be loaded");
    GAGGLE_RETURN_IF_ERROR(dst.InsertPlan(*plan, it->created_at).status());
    migrations.insert(it->migration);
    ++summary->plans;
  }
  GAGGLE_ASSIGN_OR_RETURN(auto runs, src.ListRuns());
  for (const MigrationRun& run : runs) {
    GAGGLE_RETURN_IF_ERROR(dst.PutRun(run));
    migrations.insert(run.migration);
    ++summary->runs;
    GAGGLE_ASSIGN_OR_RETURN(auto tasks, src.LoadTasks(run.migration));
    for (const TaskRecord& t : tasks) {
      GAGGLE_ASSIGN_OR_RETURN(bool inserted, dst.InsertTask(t));
      if (!inserted) return Status::Corruption("task '" + t.dataset_id + "' of '" + t.migration + "' is stored twice");
      ++summary->tasks;
    }
  }
  Status failed;
  GAGGLE_RETURN_IF_ERROR(src.ScanValidations([&](const ValidationRecord& v) {
    failed = dst.AppendValidation(v);
    ++summary->validations;
    return failed.ok();
  }));
  GAGGLE_RETURN_IF_ERROR(failed);
  GAGGLE_ASSIGN_OR_RETURN(auto cutovers, src.ListCutovers({}));
  for (const CutoverRecord& c : cutovers) migrations.insert(c.migration);
  for (const std::string& m : migrations) {
    GAGGLE_ASSIGN_OR_RETURN(auto approvals, src.ListApprovals(m));
    for (const StageApproval& a : approvals) GAGGLE_RETURN_IF_ERROR(dst.AppendApproval(a));
    summary->approvals += static_cast<int64_t>(approvals.size());
    GAGGLE_ASSIGN_OR_RETURN(auto verifications, src.ListVerifications(m, 0));
    for (const VerificationRecord& v : verifications) GAGGLE_RETURN_IF_ERROR(dst.AppendVerification(v).status());
    summary->verifications += static_cast<int64_t>(verifications.size());
  }
  for (const CutoverRecord& c : cutovers) GAGGLE_RETURN_IF_ERROR(dst.PutCutover(c));
  summary->cutovers = static_cast<int64_t>(cutovers.size());
  return Status::OK();
}

// The event log in seq order, each event appended to its chain. Checks first that the
// target's chain gives the event the hash it has in the source.
Status CopyEvents(StoreReader& src, StoreTransaction& dst, const std::string& from, StoreCopySummary* summary) {
  std::map<std::string, std::string> heads;  // migration -> hash of its newest copied event
  Status failed;
  GAGGLE_RETURN_IF_ERROR(src.ScanEvents([&](const Event& e) {
    std::string& head = heads[e.migration];
    if (e.hash.empty() || e.prev_hash != head || EventHash(head, e) != e.hash) {
      failed = Status::Unsupported(
          "event " + std::to_string(e.seq) + " of state '" + from +
          "' is not chained to its migration's previous event (its log predates per-migration chains, or it was "
          "changed: `gaggle events --verify` tells which); copying would change its hash, so nothing was copied");
      return false;
    }
    auto seq = dst.AppendEvent(e);
    if (!seq.ok()) {
      failed = seq.status();
      return false;
    }
    head = e.hash;
    ++summary->events;
    return true;
  }));
  return failed;
}

}  // namespace

std::string StoreCopySummary::ToString() const {
  return std::to_string(entities) + " entities, " + std::to_string(edges) + " lineage edges, " +
         std::to_string(imports) + " imports, " + std::to_string(plans) + " plans, " + std::to_string(runs) +
         " runs, " + std::to_string(tasks) + " tasks, " + std::to_string(validations) + " validations, " +
         std::to_string(approvals) + " approvals, " + std::to_string(verifications) + " verifications, " +
         std::to_string(cutovers) + " cut-overs, " + std::to_string(events) + " events";
}

Result<StoreCopySummary> CopyStore(StoreBackend* from, StoreBackend* to) {
  StoreCopySummary summary;
  const std::string source = from->location();
  const std::string target = to->location();
  Status st = to->Write([&](StoreTransaction& dst) -> Status {
    summary = StoreCopySummary{};  // the body may run again after a conflict
    GAGGLE_RETURN_IF_ERROR(RequireEmpty(dst, target));
    return from->Read([&](StoreReader& src) -> Status {
      GAGGLE_RETURN_IF_ERROR(CopyCatalog(src, dst, &summary));
      GAGGLE_RETURN_IF_ERROR(CopyFleet(src, dst, &summary));
      return CopyEvents(src, dst, source, &summary);
    });
  });
  if (!st.ok()) return st.WithContext("state copy from '" + source + "' to '" + target + "'");
  return summary;
}

}  // namespace gaggle
