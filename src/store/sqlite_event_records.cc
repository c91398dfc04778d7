// SqliteRecords: the statement cache, transaction hooks, and the event log with its
// per-migration chain heads (schema migrations 1, 4 and 6).
#include "store/event_chain.h"
#include "store/sqlite_records.h"

namespace gaggle {

using sqlite_records::ResetOnExit;

namespace {

constexpr const char* kEventColumns =
    "seq, time, actor, migration, dataset, from_state, to_state, detail, prev_hash, hash";

Event ReadEvent(const SqliteStatement& q) {
  return Event{q.Int(0),  q.Text(1), q.Text(2), q.Text(3), q.Text(4),
               q.Text(5), q.Text(6), q.Text(7), q.Text(8), q.Text(9)};
}

}  // namespace

SqliteRecords::~SqliteRecords() = default;

Result<SqliteStatement*> SqliteRecords::Cached(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement st, db_->Prepare(sql));
  auto owned = std::make_unique<SqliteStatement>(std::move(st));
  SqliteStatement* raw = owned.get();
  statements_.emplace(sql, std::move(owned));
  return raw;
}

void SqliteRecords::Begin() { chain_heads_.clear(); }

Status SqliteRecords::BeforeCommit() { return FlushChainHeads(); }

// ---------------------------------------------------------------- reading

Result<std::vector<Event>> SqliteRecords::ListEvents(const EventFilter& f) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * q,
      Cached(std::string("SELECT ") + kEventColumns +
             " FROM events WHERE seq > ?1 AND (?2 = '' OR migration = ?2) AND (?3 = '' OR dataset = ?3) "
             "ORDER BY seq LIMIT ?4"));
  ResetOnExit reset(q);
  q->Bind(1, f.after_seq).Bind(2, f.migration).Bind(3, f.dataset).Bind(4, static_cast<int64_t>(f.limit));
  std::vector<Event> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(ReadEvent(*q));
  }
  return out;
}

Status SqliteRecords::ScanEvents(const std::function<bool(const Event& event)>& fn) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached(std::string("SELECT ") + kEventColumns + " FROM events ORDER BY seq"));
  ResetOnExit reset(q);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (!fn(ReadEvent(*q))) break;
  }
  return Status::OK();
}

Result<std::vector<EventChainHead>> SqliteRecords::ListEventChainHeads() {
  GAGGLE_RETURN_IF_ERROR(FlushChainHeads());
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached("SELECT migration, head_seq, head_hash FROM event_chains ORDER BY migration"));
  ResetOnExit reset(q);
  std::vector<EventChainHead> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(EventChainHead{q->Text(0), q->Int(1), q->Text(2)});
  }
  return out;
}

// ---------------------------------------------------------------- appending

Result<int64_t> SqliteRecords::AppendEvent(const Event& given) {
  // The chain's head: read once per transaction, then kept here and written before the
  // commit (a million-task plan appends a million events to one chain in one transaction).
  auto head = chain_heads_.find(given.migration);
  if (head == chain_heads_.end()) {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                            Cached("SELECT head_seq, head_hash FROM event_chains WHERE migration = ?"));
    ResetOnExit reset(q);
    q->Bind(1, given.migration);
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    ChainHead h;
    if (row) h = ChainHead{q->Int(0), q->Text(1), false};
    head = chain_heads_.emplace(given.migration, std::move(h)).first;
  }
  Event e = given;
  e.prev_hash = head->second.hash;
  e.hash = EventHash(e.prev_hash, e);
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * ins,
                          Cached("INSERT INTO events (time, actor, migration, dataset, from_state, to_state, detail, "
                                 "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)"));
  {
    ResetOnExit reset(ins);
    ins->Bind(1, e.time)
        .Bind(2, e.actor)
        .Bind(3, e.migration)
        .Bind(4, e.dataset)
        .Bind(5, e.from_state)
        .Bind(6, e.to_state)
        .Bind(7, e.detail)
        .Bind(8, e.prev_hash)
        .Bind(9, e.hash);
    GAGGLE_RETURN_IF_ERROR(ins->Run());
  }
  const int64_t seq = db_->LastInsertRowId();
  head->second = ChainHead{seq, std::move(e.hash), true};
  return seq;
}

Status SqliteRecords::FlushChainHeads() {
  for (auto& [migration, head] : chain_heads_) {
    if (!head.dirty) continue;
    GAGGLE_ASSIGN_OR_RETURN(
        SqliteStatement * up,
        Cached("INSERT INTO event_chains (migration, head_seq, head_hash) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (migration) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash"));
    ResetOnExit reset(up);
    up->Bind(1, migration).Bind(2, head.seq).Bind(3, head.hash);
    GAGGLE_RETURN_IF_ERROR(up->Run());
    head.dirty = false;
  }
  return Status::OK();
}

}  // namespace gaggle
