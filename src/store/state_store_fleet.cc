// StateStore: the fleet — run records, the run lease, reading tasks and task
// transitions. UpsertRun is in state_store_upsert.cc.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "store/event_vocabulary.h"
#include "store/run_lease.h"
#include "store/state_store.h"
#include "store/state_store_internal.h"
#include "store/task_reconcile.h"

namespace gaggle {

using store_internal::Append;
using store_internal::MigrationContext;
using store_internal::TaskContext;
using store_internal::WithContext;

namespace {

// Bulk transitions read the tasks to move a page at a time.
constexpr size_t kTransitionPage = 1000;

Status NoRun(const std::string& state_file) {
  return Status::NotFound(state_file + " has no run record for it (start one with `gaggle run`)");
}

}  // namespace

// ---------------------------------------------------------------- runs

Result<std::optional<MigrationRun>> StateStore::FindRun(const std::string& migration) {
  return WithContext(ReadValue<std::optional<MigrationRun>>([&](StoreReader& r) { return r.FindRun(migration); }),
                     MigrationContext(migration));
}

Result<std::vector<MigrationRun>> StateStore::ListRuns() {
  return ReadValue<std::vector<MigrationRun>>([](StoreReader& r) { return r.ListRuns(); });
}

Result<MigrationRun> StateStore::UpdateRun(const std::string& migration, const MigrationRunUpdate& update,
                                           const std::string& actor, const std::string& detail) {
  if (update.concurrency && *update.concurrency < 1) {
    return Status::InvalidArgument(MigrationContext(migration) + ": " + StateFile() +
                                   ": concurrency must be at least 1 (got " + std::to_string(*update.concurrency) +
                                   ")");
  }
  MigrationRun run;
  Status st = backend_->Write([&](StoreTransaction& tx) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> found, tx.FindRun(migration));
    if (!found) return NoRun(StateFile());
    const RunState before = found->state;
    run = std::move(*found);
    ApplyRunUpdate(update, &run);
    run.updated_at = Now();
    GAGGLE_RETURN_IF_ERROR(tx.PutRun(run));
    return Append(tx, events::RunChanged(migration, before, run.state, detail), run.updated_at, actor);
  });
  if (!st.ok()) return st.WithContext(MigrationContext(migration));
  return run;
}

// ---------------------------------------------------------------- the run lease

Result<MigrationRun> StateStore::ClaimRunner(const std::string& migration, const std::string& owner, int64_t now_ms,
                                             int64_t ttl_ms,
                                             const std::function<bool(const std::string& holder)>& is_dead) {
  if (owner.empty()) {
    return Status::InvalidArgument(MigrationContext(migration) + ": " + StateFile() + ": a runner needs an identity");
  }
  if (ttl_ms <= 0) {
    return Status::InvalidArgument(MigrationContext(migration) + ": " + StateFile() +
                                   ": the lease time must be positive");
  }
  MigrationRun run;
  Status st = backend_->Write([&](StoreTransaction& tx) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> found, tx.FindRun(migration));
    if (!found) return NoRun(StateFile());
    run = std::move(*found);
    const LeaseClaim claim = ClaimRunLease(&run, owner, now_ms, ttl_ms, is_dead);
    if (!claim.granted) return Status::Conflict(StateFile() + ": " + claim.why);
    const bool changed = !claim.why.empty();  // empty: a renewal
    if (changed) run.updated_at = Now();
    GAGGLE_RETURN_IF_ERROR(tx.PutRun(run));
    if (!changed) return Status::OK();
    return Append(tx, events::RunChanged(migration, run.state, run.state, claim.why), run.updated_at, "gaggle");
  });
  if (!st.ok()) return st.WithContext(MigrationContext(migration));
  return run;
}

Status StateStore::ReleaseRunner(const std::string& migration, const std::string& owner) {
  Status st = backend_->Write([&](StoreTransaction& tx) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> found, tx.FindRun(migration));
    if (!found) return NoRun(StateFile());
    if (!HoldsRunLease(*found, owner)) return Status::OK();  // not ours (any more): nothing to free
    MigrationRun run = std::move(*found);
    run.runner.clear();
    run.runner_expires_ms = 0;
    run.updated_at = Now();
    GAGGLE_RETURN_IF_ERROR(tx.PutRun(run));
    return Append(tx, events::RunChanged(migration, run.state, run.state, ReleasedRunLease(owner)), run.updated_at,
                  "gaggle");
  });
  return st.WithContext(MigrationContext(migration));
}

// ---------------------------------------------------------------- reading tasks

Result<std::vector<TaskRecord>> StateStore::LoadTasks(const std::string& migration) {
  return WithContext(ReadValue<std::vector<TaskRecord>>([&](StoreReader& r) { return r.LoadTasks(migration); }),
                     MigrationContext(migration));
}

Status StateStore::ScanTasks(const std::string& migration, const std::function<void(TaskRecord&& task)>& fn) {
  return backend_->Read([&](StoreReader& r) { return r.ScanTasks(migration, fn); })
      .WithContext(MigrationContext(migration));
}

Result<std::optional<TaskRecord>> StateStore::FindTask(const std::string& migration, const std::string& dataset) {
  return WithContext(
      ReadValue<std::optional<TaskRecord>>([&](StoreReader& r) { return r.FindTask(migration, dataset); }),
      TaskContext(migration, dataset));
}

Result<std::vector<TaskRecord>> StateStore::ListTasks(const std::string& migration,
                                                      const std::vector<TaskState>& states, bool oldest_started_first,
                                                      size_t limit) {
  if (states.empty() || limit == 0) return std::vector<TaskRecord>{};
  TaskQuery q;
  q.migration = migration;
  q.states = states;
  q.oldest_started_first = oldest_started_first;
  q.limit = limit;
  return QueryTasks(q);
}

Result<std::vector<TaskRecord>> StateStore::QueryTasks(const TaskQuery& query) {
  if (query.limit == 0) return std::vector<TaskRecord>{};
  return WithContext(ReadValue<std::vector<TaskRecord>>([&](StoreReader& r) { return r.QueryTasks(query); }),
                     MigrationContext(query.migration));
}

Result<std::vector<StageCounts>> StateStore::CountTasks(const std::string& migration) {
  auto counts = ReadValue<std::vector<TaskStateCount>>([&](StoreReader& r) { return r.CountTaskStates(migration); });
  if (!counts.ok()) return counts.status().WithContext(MigrationContext(migration));
  return SumStageCounts(*counts);
}

// ---------------------------------------------------------------- transitions

Status StateStore::TransitionTask(TaskState from, const TaskRecord& record, const std::string& actor,
                                  const std::string& detail, const TransitionOptions& options) {
  return MoveTasksTogether({TaskMove{from, record, detail, options.validation}}, actor, options.lease_holder);
}

Status StateStore::MoveTasksTogether(const std::vector<TaskMove>& moves, const std::string& actor,
                                     const std::string& lease_holder) {
  for (const TaskMove& m : moves) {
    if (!IsAllowedTransition(m.from, m.record.state)) {
      return Status::Conflict(TaskContext(m.record.migration, m.record.dataset_id) + ": " + StateFile() +
                              ": a task cannot move from " + TaskStateName(m.from) + " to " +
                              TaskStateName(m.record.state) + " (not an edge of the task state machine)");
    }
  }
  if (moves.empty()) return Status::OK();
  const std::string now = Now();
  const TaskMove* failed = nullptr;
  Status st = backend_->Write([&](StoreTransaction& tx) -> Status {
    failed = nullptr;
    // In runs where each task is one chain of moves (a move from the state its previous
    // one left extends the chain; any other repeat starts a new run), each run's updates
    // and events written by one batch call each.
    std::map<std::pair<std::string, std::string>, size_t> chain_of;
    std::vector<std::vector<size_t>> chains;
    size_t begin = 0;
    for (size_t i = 0; i <= moves.size(); ++i) {
      if (i < moves.size()) {
        auto [it, fresh] = chain_of.try_emplace({moves[i].record.migration, moves[i].record.dataset_id}, chains.size());
        if (fresh) {
          chains.push_back({i});
          continue;
        }
        if (moves[chains[it->second].back()].record.state == moves[i].from) {
          chains[it->second].push_back(i);
          continue;
        }
      }
      GAGGLE_RETURN_IF_ERROR(MoveTasks(tx, moves, begin, i, chains, now, actor, lease_holder, &failed));
      begin = i;
      chains.clear();
      chain_of.clear();
      if (i < moves.size()) {
        chain_of[{moves[i].record.migration, moves[i].record.dataset_id}] = 0;
        chains.push_back({i});
      }
    }
    return Status::OK();
  });
  if (failed != nullptr) return st.WithContext(TaskContext(failed->record.migration, failed->record.dataset_id));
  return moves.size() == 1 ? st.WithContext(TaskContext(moves[0].record.migration, moves[0].record.dataset_id)) : st;
}

Status StateStore::CheckLeaseHolder(StoreTransaction& tx, const std::string& migration, const std::string& holder) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> run, tx.FindRun(migration));
  if (run && run->runner == holder) return Status::OK();
  return Status::Conflict(StateFile() + ": runner " + holder + " no longer holds the run lease (now: " +
                          (run ? run->runner : "no run") + "), so it may not move tasks");
}

Status StateStore::MoveTasks(StoreTransaction& tx, const std::vector<TaskMove>& moves, size_t begin, size_t end,
                             const std::vector<std::vector<size_t>>& chains, const std::string& now,
                             const std::string& actor, const std::string& lease_holder, const TaskMove** failed) {
  std::vector<Event> events;
  for (size_t i = begin; i < end; ++i) {
    const TaskMove& m = moves[i];
    if (m.validation != nullptr) {
      ValidationRecord v = *m.validation;
      if (v.time.empty()) v.time = now;
      GAGGLE_RETURN_IF_ERROR(tx.AppendValidation(v));
    }
    Event e = events::TaskMoved(m.record.migration, m.record.dataset_id, m.from, m.record.state, m.detail);
    e.time = now;
    e.actor = actor;
    events.push_back(std::move(e));
  }
  std::vector<std::pair<TaskRecord, TaskState>> updates;
  updates.reserve(chains.size());
  for (const std::vector<size_t>& chain : chains)
    updates.emplace_back(moves[chain.back()].record, moves[chain[0]].from);
  GAGGLE_ASSIGN_OR_RETURN(std::vector<bool> moved, tx.UpdateTasks(updates, lease_holder));
  for (size_t k = 0; k < chains.size(); ++k) {
    if (moved[k]) continue;
    // The lease is a condition of the update: a runner that lost it moved nothing.
    if (!lease_holder.empty())
      GAGGLE_RETURN_IF_ERROR(CheckLeaseHolder(tx, moves[begin].record.migration, lease_holder));
    const TaskMove& m = moves[chains[k][0]];
    *failed = &m;
    GAGGLE_ASSIGN_OR_RETURN(std::optional<TaskRecord> found, tx.FindTask(m.record.migration, m.record.dataset_id));
    if (!found) return Status::NotFound(StateFile() + " has no such task");
    return Status::Conflict(StateFile() + ": the task is " + TaskStateName(found->state) + ", not " +
                            TaskStateName(m.from) + ", so it was not moved to " + TaskStateName(m.record.state));
  }
  return tx.AppendEvents(events);
}

namespace {

// The tasks of `datasets` (operators name few) in one of `from`, in plan order.
Result<std::vector<TaskRecord>> NamedTasks(StoreTransaction& tx, const std::string& migration,
                                           const std::set<TaskState>& from, const std::vector<std::string>& datasets) {
  std::vector<TaskRecord> out;
  for (const std::string& d : std::set<std::string>(datasets.begin(), datasets.end())) {
    GAGGLE_ASSIGN_OR_RETURN(std::optional<TaskRecord> t, tx.FindTask(migration, d));
    if (t && from.count(t->state) > 0) out.push_back(std::move(*t));
  }
  std::sort(out.begin(), out.end(), [](const TaskRecord& a, const TaskRecord& b) {
    return std::tie(a.stage, a.ordinal, a.dataset_id) < std::tie(b.stage, b.ordinal, b.dataset_id);
  });
  return out;
}

}  // namespace

Result<int64_t> StateStore::TransitionTasks(const std::string& migration, const std::vector<TaskState>& from,
                                            TaskState to, const std::vector<std::string>& datasets, bool reset_attempts,
                                            const std::string& actor, const std::string& detail) {
  std::set<TaskState> movable;
  for (TaskState f : from) {
    if (IsAllowedTransition(f, to)) movable.insert(f);
  }
  int64_t moved = 0;
  Status st = backend_->Write([&](StoreTransaction& tx) -> Status {
    moved = 0;
    if (movable.empty()) return Status::OK();
    const std::string now = Now();
    auto move = [&](const std::vector<TaskRecord>& tasks) -> Status {
      for (const TaskRecord& t : tasks) {
        GAGGLE_ASSIGN_OR_RETURN(bool done, tx.UpdateTask(BulkMovedTask(t, to, reset_attempts), t.state));
        if (!done) continue;
        ++moved;
        GAGGLE_RETURN_IF_ERROR(Append(tx, events::TaskMoved(migration, t.dataset_id, t.state, to, detail), now, actor));
      }
      return Status::OK();
    };
    if (!datasets.empty()) {
      GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> named, NamedTasks(tx, migration, movable, datasets));
      return move(named);
    }
    // Page through the tasks to move in plan order; moved tasks are behind the cursor.
    TaskQuery q;
    q.migration = migration;
    q.states.assign(movable.begin(), movable.end());
    q.limit = kTransitionPage;
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> page, tx.QueryTasks(q));
      GAGGLE_RETURN_IF_ERROR(move(page));
      if (page.size() < q.limit) return Status::OK();
      q.after = TaskCursor::After(page.back());
    }
  });
  if (!st.ok()) return st.WithContext(MigrationContext(migration));
  return moved;
}

}  // namespace gaggle
