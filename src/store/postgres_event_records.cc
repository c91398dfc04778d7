// PostgresRecords: statements, cursors, errors, transaction hooks, and the event log with
// its per-migration chain heads.
#include <pqxx/pqxx>

#include "store/event_chain.h"
#include "store/postgres_records.h"

namespace gaggle {

using postgres_records::Int;
using postgres_records::Text;

namespace {

constexpr const char* kEventColumns =
    "seq, time, actor, migration, dataset, from_state, to_state, detail, prev_hash, hash";

Event ReadEvent(const pqxx::row& r) {
  return Event{Int(r[0]),  Text(r[1]), Text(r[2]), Text(r[3]), Text(r[4]),
               Text(r[5]), Text(r[6]), Text(r[7]), Text(r[8]), Text(r[9])};
}

// Rows a cursor fetches at a time.
constexpr int kScanBatch = 2000;

// The start of a statement, to name it in messages.
std::string Shorten(const std::string& sql) { return sql.size() <= 80 ? sql : sql.substr(0, 77) + "..."; }

}  // namespace

PostgresRecords::~PostgresRecords() = default;

void PostgresRecords::Begin(pqxx::connection* conn, pqxx::transaction_base* tx) {
  conn_ = conn;
  tx_ = tx;
  conflicted_ = disconnected_ = false;
  chain_heads_.clear();
}

Status PostgresRecords::BeforeCommit() { return FlushChainHeads(); }

void PostgresRecords::End() {
  tx_ = nullptr;
  chain_heads_.clear();
}

Status PostgresRecords::Error(const std::exception& ex, const std::string& what) {
  const std::string where = StateName() + ": " + what;
  const std::string msg = postgres_records::OneLine(ex.what());
  if (dynamic_cast<const pqxx::broken_connection*>(&ex) != nullptr) {
    disconnected_ = true;
    return Status::IOError(where + ": lost the connection to the server (" + msg + ")");
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&ex) != nullptr) {
    disconnected_ = true;
    return Status::IOError(where +
                           ": the connection broke during COMMIT; the transaction may or may not have "
                           "been committed (" +
                           msg + ")");
  }
  // libpqxx 6 reports class 40 (transaction rollback) as failures without a SQLSTATE.
  if (dynamic_cast<const pqxx::serialization_failure*>(&ex) != nullptr ||
      dynamic_cast<const pqxx::deadlock_detected*>(&ex) != nullptr) {
    conflicted_ = true;
    return Status::IOError(where + ": conflicts with a concurrent transaction (" + msg + ")");
  }
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&ex);
  const std::string state = sql != nullptr ? sql->sqlstate() : "";
  if (state == "40001" || state == "40P01") {
    conflicted_ = true;
    return Status::IOError(where + ": conflicts with a concurrent transaction (SQLSTATE " + state + ")");
  }
  if (state == "55P03" || state == "57014") {
    return Status::IOError(where + ": waited too long for a lock held by another process (" + msg + ")");
  }
  if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0) {
    disconnected_ = true;
    return Status::IOError(where + ": lost the connection to the server (" + msg + ")");
  }
  if (state.rfind("23", 0) == 0) return Status::Conflict(where + " violates a constraint (" + msg + ")");
  if (state.rfind("53", 0) == 0) return Status::IOError(where + ": the server is out of resources (" + msg + ")");
  if (state == "XX001" || state == "XX002") return Status::Corruption(where + ": the data is corrupt (" + msg + ")");
  return Status::Internal(where + " failed (" + msg + ")");
}

Result<pqxx::result> PostgresRecords::Exec(const std::string& sql, const Params& params) {
  if (tx_ == nullptr) return Status::Internal(StateName() + ": a statement outside a transaction");
  try {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      const std::string name = "gaggle_" + std::to_string(statements_.size());
      conn_->prepare(name, sql);
      it = statements_.emplace(sql, name).first;
    }
    return tx_->exec_prepared(it->second, pqxx::prepare::make_dynamic_params(params));
  } catch (const std::exception& e) {
    return Error(e, Shorten(sql));
  }
}

Status PostgresRecords::Scan(const std::string& sql, const std::function<bool(const pqxx::row& row)>& fn) {
  if (tx_ == nullptr) return Status::Internal(StateName() + ": a scan outside a transaction");
  // A name of its own, should a scan ever run inside another.
  const std::string cursor = "gaggle_scan_" + std::to_string(++scans_);
  try {
    tx_->exec("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + sql);
    bool more = true;
    while (more) {
      const pqxx::result batch = tx_->exec("FETCH " + std::to_string(kScanBatch) + " FROM " + cursor);
      for (const pqxx::row& row : batch) {
        if (!fn(row)) {
          more = false;
          break;
        }
      }
      if (batch.size() < static_cast<size_t>(kScanBatch)) more = false;
    }
    tx_->exec("CLOSE " + cursor);
    return Status::OK();
  } catch (const std::exception& e) {
    return Error(e, Shorten(sql));
  }
}

// ---------------------------------------------------------------- reading

Result<std::vector<Event>> PostgresRecords::ListEvents(const EventFilter& f) {
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q(std::string("SELECT ") + kEventColumns +
            " FROM events WHERE seq > $1 AND ($2 = '' OR migration = $2) AND ($3 = '' OR dataset "
            "= $3) ORDER BY seq LIMIT $4",
        f.after_seq, f.migration, f.dataset, static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX))));
  std::vector<Event> out;
  out.reserve(rows.size());
  for (const pqxx::row& r : rows) out.push_back(ReadEvent(r));
  return out;
}

Status PostgresRecords::ScanEvents(const std::function<bool(const Event& event)>& fn) {
  return Scan(std::string("SELECT ") + kEventColumns + " FROM events ORDER BY seq",
              [&](const pqxx::row& r) { return fn(ReadEvent(r)); });
}

Result<std::vector<EventChainHead>> PostgresRecords::ListEventChainHeads() {
  GAGGLE_RETURN_IF_ERROR(FlushChainHeads());
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows,
                          Q("SELECT migration, head_seq, head_hash FROM event_chains ORDER BY migration"));
  std::vector<EventChainHead> out;
  for (const pqxx::row& r : rows) out.push_back(EventChainHead{Text(r[0]), Int(r[1]), Text(r[2])});
  return out;
}

// ---------------------------------------------------------------- appending

Result<PostgresRecords::ChainHead*> PostgresRecords::Head(const std::string& migration) {
  // Read (and locked: appends to one migration serialize on its row) once per
  // transaction, then kept here and written before the commit.
  auto head = chain_heads_.find(migration);
  if (head == chain_heads_.end()) {
    GAGGLE_ASSIGN_OR_RETURN(
        pqxx::result rows,
        Q("SELECT head_seq, head_hash FROM event_chains WHERE migration = $1 FOR UPDATE", migration));
    ChainHead h;
    if (!rows.empty()) h = ChainHead{Int(rows[0][0]), Text(rows[0][1]), false};
    head = chain_heads_.emplace(migration, std::move(h)).first;
  }
  return &head->second;
}

Result<int64_t> PostgresRecords::AppendEvent(const Event& given) {
  GAGGLE_ASSIGN_OR_RETURN(ChainHead * head, Head(given.migration));
  Event e = given;
  e.prev_hash = head->hash;
  e.hash = EventHash(e.prev_hash, e);
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("INSERT INTO events (time, actor, migration, dataset, from_state, to_state, detail, prev_hash, hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
        e.time, e.actor, e.migration, e.dataset, e.from_state, e.to_state, e.detail, e.prev_hash, e.hash));
  const int64_t seq = Int(rows[0][0]);
  *head = ChainHead{seq, std::move(e.hash), true};
  return seq;
}

// The events are chained here, in order, and inserted by one statement whose rows take
// their seqs in that order (ORDER BY n); the same statement moves each chain's head to
// its last event (one round trip fewer than a head written before the commit).
Status PostgresRecords::AppendEvents(const std::vector<Event>& events) {
  if (events.size() <= 1) return events.empty() ? Status::OK() : AppendEvent(events[0]).status();
  std::vector<std::vector<std::string>> cols(9);
  std::unordered_map<std::string, size_t> last;  // migration -> index of its last event
  for (size_t i = 0; i < events.size(); ++i) {
    Event e = events[i];
    GAGGLE_ASSIGN_OR_RETURN(ChainHead * head, Head(e.migration));
    e.prev_hash = head->hash;
    e.hash = EventHash(e.prev_hash, e);
    head->hash = e.hash;
    last[e.migration] = i;
    for (auto [k, v] : {std::pair<size_t, std::string*>{0, &e.time},
                        {1, &e.actor},
                        {2, &e.migration},
                        {3, &e.dataset},
                        {4, &e.from_state},
                        {5, &e.to_state},
                        {6, &e.detail},
                        {7, &e.prev_hash},
                        {8, &e.hash}}) {
      cols[k].push_back(std::move(*v));
    }
  }
  Params p;
  for (const auto& c : cols) p.push_back(postgres_records::TextArray(c));
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Exec("WITH ins AS (INSERT INTO events (time, actor, migration, dataset, from_state, to_state, detail, "
           "prev_hash, hash) SELECT t, a, m, d, f, s, x, p, h FROM unnest($1::text[], $2::text[], $3::text[], "
           "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) "
           "WITH ORDINALITY AS e(t, a, m, d, f, s, x, p, h, n) ORDER BY n RETURNING seq, hash, migration), "
           "head AS (INSERT INTO event_chains (migration, head_seq, head_hash) "
           "SELECT DISTINCT ON (migration) migration, seq, hash FROM ins ORDER BY migration, seq DESC "
           "ON CONFLICT (migration) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash) "
           "SELECT seq, hash FROM ins",
           p));
  // Seqs come from a sequence that other writers share, so they need not be consecutive;
  // each event is found by its hash. They must rise in the batch's order, or the chain
  // would read out of order: the transaction is refused then.
  std::unordered_map<std::string, int64_t> seq_of;
  for (const pqxx::row& r : rows) seq_of[Text(r[1])] = Int(r[0]);
  int64_t prev = 0;
  for (const std::string& h : cols[8]) {
    auto it = seq_of.find(h);
    if (it == seq_of.end() || it->second <= prev) {
      return Status::Internal(StateName() + ": a batch of events did not take its seqs in order");
    }
    prev = it->second;
  }
  for (const auto& [migration, i] : last) {
    ChainHead* head = &chain_heads_[migration];
    head->seq = seq_of[cols[8][i]];
    head->dirty = false;  // written by the statement above
  }
  return Status::OK();
}

Status PostgresRecords::FlushChainHeads() {
  for (auto& [migration, head] : chain_heads_) {
    if (!head.dirty) continue;
    GAGGLE_RETURN_IF_ERROR(Q("INSERT INTO event_chains (migration, head_seq, head_hash) VALUES ($1, $2, $3) "
                             "ON CONFLICT (migration) DO UPDATE SET head_seq = excluded.head_seq, "
                             "head_hash = excluded.head_hash",
                             migration, head.seq, head.hash)
                               .status());
    head.dirty = false;
  }
  return Status::OK();
}

}  // namespace gaggle
