// StateStore: opening, events and the chains' verification, plans. The catalog is in
// state_store_catalog.cc, the fleet in state_store_fleet.cc and state_store_upsert.cc,
// gates and after-migration records in state_store_after.cc.
#include "store/state_store.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>
#include <map>

#include "common/iso8601.h"
#include "store/event_chain.h"
#include "store/event_vocabulary.h"
#include "store/postgres_backend.h"
#include "store/postgres_url.h"
#include "store/sqlite_backend.h"
#include "store/state_store_internal.h"

namespace gaggle {

using store_internal::Append;

std::string NowIso8601() {
  struct timeval tv;
  ::gettimeofday(&tv, nullptr);
  struct tm tm;
  ::gmtime_r(&tv.tv_sec, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(tv.tv_usec / 1000));
  return buf;
}

Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& location, const StateStoreOptions& options) {
  if (IsPostgresUrl(location)) {
    PostgresBackend::Options o;
    o.busy_timeout_ms = options.busy_timeout_ms;
    o.create_if_missing = options.create_if_missing;
    o.clock = options.clock;
    GAGGLE_ASSIGN_OR_RETURN(auto backend, PostgresBackend::Open(location, o));
    return std::make_unique<StateStore>(std::move(backend), options);
  }
  SqliteBackend::Options o;
  o.busy_timeout_ms = options.busy_timeout_ms;
  o.create_if_missing = options.create_if_missing;
  o.clock = options.clock;
  o.read_connections = options.read_connections;
  GAGGLE_ASSIGN_OR_RETURN(auto backend, SqliteBackend::Open(location, o));
  return std::make_unique<StateStore>(std::move(backend), options);
}

StateStore::StateStore(std::unique_ptr<StoreBackend> backend, StateStoreOptions options)
    : backend_(std::move(backend)), options_(std::move(options)) {}

std::string StateStore::Now() const {
  return Iso8601Millis((options_.clock ? options_.clock : Clock::System())->NowMicros());
}

std::string StateStore::StateFile() const { return store_internal::StateFile(location()); }

// ---------------------------------------------------------------- events

Result<int64_t> StateStore::AppendEvent(const Event& event) {
  int64_t seq = 0;
  GAGGLE_RETURN_IF_ERROR(backend_->Write([&](StoreTransaction& tx) -> Status {
    Event e = event;
    if (e.time.empty()) e.time = Now();
    if (e.actor.empty()) e.actor = "gaggle";
    GAGGLE_ASSIGN_OR_RETURN(seq, tx.AppendEvent(e));
    return Status::OK();
  }));
  return seq;
}

Result<std::vector<Event>> StateStore::ListEvents(const EventFilter& filter) {
  return ReadValue<std::vector<Event>>([&](StoreReader& r) { return r.ListEvents(filter); });
}

namespace {

// Marks `chain` broken at `seq` unless it broke earlier.
void Break(EventChainStatus* chain, int64_t seq, std::string problem) {
  if (!chain->intact) return;
  chain->intact = false;
  chain->first_broken_seq = seq;
  chain->problem = std::move(problem);
}

std::string At(int64_t seq, const std::string& migration) {
  return "event " + std::to_string(seq) + " (" + EventChainName(migration) + "): ";
}

// Compares each chain as followed with the head the store recorded for it.
void CheckHeads(const EventChainFollower& follower, const std::vector<EventChainHead>& heads,
                std::map<std::string, EventChainStatus>* chains) {
  std::map<std::string, const EventChainHead*> recorded;
  for (const EventChainHead& h : heads) recorded[h.migration] = &h;
  for (const auto& [migration, h] : recorded) {
    EventChainStatus& c = (*chains)[migration];
    c.migration = migration;
    auto f = follower.chains().find(migration);
    if (f == follower.chains().end() || f->second.events == 0) {
      Break(&c, h->seq, At(h->seq, migration) + "is its chain's recorded head, but the log has no event of that chain");
    } else if (f->second.head != h->hash || f->second.head_seq != h->seq) {
      Break(&c, std::min(h->seq, f->second.head_seq),
            At(h->seq, migration) + "is its chain's recorded head, but the chain ends at event " +
                std::to_string(f->second.head_seq) + " (events at its end were removed, or the head was changed)");
    }
  }
  for (const auto& [migration, f] : follower.chains()) {
    if (f.events == 0 || recorded.count(migration) > 0) continue;
    EventChainStatus& c = (*chains)[migration];
    Break(&c, f.head_seq,
          At(f.head_seq, migration) + "ends a chain that has no recorded head (the heads were changed)");
  }
}

}  // namespace

Result<EventChainReport> StateStore::VerifyEventChain() {
  EventChainReport report;
  GAGGLE_RETURN_IF_ERROR(backend_->Read([&](StoreReader& r) -> Status {
    report = EventChainReport{};
    EventChainFollower follower;
    std::map<std::string, EventChainStatus> chains;
    GAGGLE_RETURN_IF_ERROR(r.ScanEvents([&](const Event& e) {
      ++report.events;
      const EventChainFollower::Check check = follower.Next(e);
      if (!check.chained && !check.after_chained) {
        ++report.unchained;  // written before the chain existed
        return true;
      }
      ++report.chained;
      EventChainStatus& c = chains[e.migration];
      c.migration = e.migration;
      if (!check.chained) {
        Break(&c, e.seq, At(e.seq, e.migration) + "it has no hash but follows chained events (an event was inserted)");
      } else if (!check.link_ok) {
        Break(&c, e.seq,
              At(e.seq, e.migration) +
                  "its link to the previous event does not match (an event before it was changed, removed or "
                  "inserted)");
      } else if (!check.hash_ok) {
        Break(&c, e.seq,
              At(e.seq, e.migration) + "its content does not match its hash (it was changed after it was written)");
      }
      return true;
    }));
    GAGGLE_ASSIGN_OR_RETURN(std::vector<EventChainHead> heads, r.ListEventChainHeads());
    CheckHeads(follower, heads, &chains);
    for (auto& [migration, c] : chains) {
      auto f = follower.chains().find(migration);
      if (f != follower.chains().end()) {
        c.events = f->second.events;
        c.head = f->second.head;
        c.head_seq = f->second.head_seq;
      }
      if (!c.intact && (report.intact || c.first_broken_seq < report.first_broken_seq)) {
        report.intact = false;
        report.first_broken_seq = c.first_broken_seq;
        report.problem = c.problem;
      }
      report.chains.push_back(c);
    }
    report.head = follower.newest_hash();
    return Status::OK();
  }));
  return report;
}

// ---------------------------------------------------------------- plans

Status StateStore::SavePlan(const Plan& plan) {
  if (plan.hash.empty()) return Status::InvalidArgument("plan has no hash");
  return backend_->Write([&](StoreTransaction& tx) -> Status {
    const std::string now = Now();
    GAGGLE_ASSIGN_OR_RETURN(bool inserted, tx.InsertPlan(plan, now));
    if (!inserted) return Status::OK();  // same content already reviewed and saved
    return Append(tx, events::Planned(plan), now, "gaggle");
  });
}

Result<std::optional<Plan>> StateStore::LoadPlan(const std::string& hash) {
  return ReadValue<std::optional<Plan>>([&](StoreReader& r) { return r.LoadPlan(hash); });
}

Result<std::vector<PlanSummary>> StateStore::ListPlans(const std::string& migration) {
  return ReadValue<std::vector<PlanSummary>>([&](StoreReader& r) { return r.ListPlans(migration); });
}

Result<std::vector<MigrationTarget>> StateStore::ListMigrationTargets() {
  return ReadValue<std::vector<MigrationTarget>>([&](StoreReader& r) { return r.ListMigrationTargets(); });
}

}  // namespace gaggle
