#include "store/postgres_work_queue.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <thread>

#include "common/digest.h"
#include "store/postgres_records.h"
#include "store/postgres_url.h"

namespace gaggle {

namespace {

using postgres_records::IdArray;
using postgres_records::Int;
using postgres_records::Text;
using postgres_records::TextArray;

constexpr const char* kChannel = "gaggle_work";
// A waiting worker's own channel, and the application name of its listening session by
// which the coordinator sees that it is there (the session ends with the process); both
// end in the worker's wake id. The wake statement (kWake) spells them out too.
constexpr const char* kWakeChannelPrefix = "gaggle_wake_";
constexpr const char* kWakeAppPrefix = "gaggle-wake:";

std::string WakeId(const std::string& worker) { return Sha256Hex(worker).substr(0, 16); }

// Items that only some workers may claim (labels) wake every waiter.
bool AnyLabelled(const std::vector<WorkRequest>& reqs) {
  return std::any_of(reqs.begin(), reqs.end(), [](const WorkRequest& r) { return !r.labels.empty(); });
}

// The statements every worker and coordinator send all the time, prepared once per
// connection (parsing and planning them each time cost as much as running them).
constexpr const char* kClaim = "gaggle_work_claim";
constexpr const char* kFinish = "gaggle_work_finish";
constexpr const char* kExtend = "gaggle_work_extend";
constexpr const char* kTake = "gaggle_work_take";
constexpr const char* kWake = "gaggle_work_wake";
const std::pair<const char*, const char*> kPrepared[] = {
    // An expired claim is claimable too: a crashed worker's item needs no reaper round.
    // Queued items and expired claims are found through their own partial indexes
    // (an OR of the two scanned the whole table, dead rows and all); the few expired
    // claims locked beyond the limit are released when the statement ends.
    {kClaim,
     "WITH mine AS (SELECT COALESCE((SELECT string_to_array(NULLIF(labels, ''), ',') FROM workers "
     "                               WHERE name = $1), '{}') AS labels), "
     "     q AS (SELECT id FROM work_items WHERE state = 'queued' AND labels <@ (SELECT labels FROM mine) "
     "           ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED), "
     "     e AS (SELECT id FROM work_items WHERE state = 'claimed' AND lease_expires_ms < $2 "
     "             AND labels <@ (SELECT labels FROM mine) ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED), "
     "     c AS (SELECT id FROM (SELECT id FROM q UNION ALL SELECT id FROM e) u ORDER BY id LIMIT $4) "
     "UPDATE work_items w SET state = 'claimed', epoch = w.epoch + 1, worker = $1, lease_expires_ms = $2 + $3, "
     "  claims = w.claims + 1, expirations = w.expirations + CASE WHEN w.state = 'claimed' THEN 1 ELSE 0 END "
     "FROM c WHERE w.id = c.id "
     "RETURNING w.id, w.epoch, w.migration, w.dataset_id, w.kind, w.spec_hash, w.identity, w.payload, "
     "  w.lease_expires_ms, w.expirations, w.enqueued_ms"},
    // The results and the worker's counters in one statement: each recorded only under
    // the epoch of its claim; the others count as fenced.
    {kFinish,
     "WITH i AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::boolean[], $4::text[]) AS t(id, epoch, ok, r)), "
     "     f AS (UPDATE work_items w SET state = 'finished', ok = i.ok, result = i.r, finished_ms = $5 "
     "           FROM i WHERE w.id = i.id AND w.epoch = i.epoch AND w.state = 'claimed' RETURNING w.id), "
     "     c AS (SELECT COUNT(*) AS n FROM f), "
     "     w AS (UPDATE workers SET finished = finished + c.n, fenced = fenced + cardinality($1::bigint[]) - c.n "
     "           FROM c WHERE name = $6) "
     "SELECT id FROM f"},
    {kExtend,
     "UPDATE work_items w SET lease_expires_ms = $3 FROM unnest($1::bigint[], $2::bigint[]) AS h(id, epoch) "
     "WHERE w.id = h.id AND w.epoch = h.epoch AND w.state = 'claimed' RETURNING w.id"},
    {kTake,
     "DELETE FROM work_items WHERE id = ANY($1::bigint[]) AND state = 'finished' RETURNING id, ok, result, worker"},
};

// The statement an enqueue runs last. It wakes the fewest listening workers whose free
// slots cover every queued item, those with the most free slots first, ties in random
// order. Free slots are the registered slots less the items the worker holds. A worker
// counts only while its listening session is connected (pg_stat_activity), so a killed
// one is never picked. When the picked fall short, or nobody is picked (no one has free
// slots, or a role that cannot see the others' sessions), every waiter is woken too, as
// for a backlog. A picked worker that does not claim leaves its share to the next
// wake-up or the idle poll. The enqueue's message runs it as EXECUTE kWake, so it is
// prepared with SQL PREPARE (libpqxx prepares its own statements on first use only).
constexpr const char* kWakeSql =
    "WITH live AS (SELECT DISTINCT substr(application_name, 13) AS wake FROM pg_stat_activity "
    "              WHERE application_name LIKE 'gaggle-wake:%' AND datname = current_database()), "
    "     held AS (SELECT worker, COUNT(*) AS n FROM work_items WHERE state = 'claimed' GROUP BY worker), "
    "     free AS (SELECT l.wake, w.slots - COALESCE(h.n, 0) AS free FROM workers w "
    "              JOIN live l ON l.wake = left(encode(sha256(convert_to(w.name, 'UTF8')), 'hex'), 16) "
    "              LEFT JOIN held h ON h.worker = w.name WHERE w.slots > COALESCE(h.n, 0)), "
    "     queued AS (SELECT COUNT(*) AS n FROM work_items WHERE state = 'queued'), "
    "     pick AS (SELECT wake, SUM(free) OVER (ORDER BY free DESC, random() ROWS UNBOUNDED PRECEDING) - free "
    "              AS before FROM free), "
    "     sent AS (SELECT pg_notify('gaggle_wake_' || wake, '') FROM pick, queued WHERE pick.before < queued.n) "
    "SELECT pg_notify('gaggle_work', '') WHERE (SELECT COUNT(*) FROM sent) = 0 "
    "  OR (SELECT n FROM queued) > (SELECT COALESCE(SUM(free), 0) FROM free)";

}  // namespace

class PostgresWorkQueue::Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, const std::string& channel, std::atomic<bool>* flag)
      : pqxx::notification_receiver(c, channel), flag_(flag) {}
  void operator()(const std::string&, int) override { flag_->store(true); }

 private:
  std::atomic<bool>* flag_;
};

PostgresWorkQueue::PostgresWorkQueue(std::string url) : url_(std::move(url)), location_(RedactPostgresUrl(url_)) {}

PostgresWorkQueue::~PostgresWorkQueue() {
  MutexLock lock(&listen_mu_);
  receiver_.reset();  // before their connection
  wake_receiver_.reset();
}

Result<std::unique_ptr<PostgresWorkQueue>> PostgresWorkQueue::Open(const std::string& url) {
  if (!IsPostgresUrl(url)) {
    return Status::InvalidArgument("state '" + RedactPostgresUrl(url) +
                                   "' is not a PostgreSQL URL: workers share a PostgreSQL state "
                                   "(postgres://...); a SQLite state serves one host");
  }
  std::unique_ptr<PostgresWorkQueue> q(new PostgresWorkQueue(url));
  bool has_table = false;
  GAGGLE_RETURN_IF_ERROR(q->Run("opening the work queue", [&](pqxx::transaction_base& tx) {
    has_table = !tx.exec("SELECT to_regclass('work_items')")[0][0].is_null();
  }));
  if (!has_table) {
    return Status::NotFound("state '" + q->location_ +
                            "' has no work queue (schema version 1): open it once with this gaggle to migrate it");
  }
  return q;
}

Status PostgresWorkQueue::Error(const std::exception& e, const std::string& what) {
  const std::string msg = ScrubPostgresPasswords(postgres_records::OneLine(e.what()), url_);
  return Status::IOError("state '" + location_ + "': " + what + ": " + msg);
}

Status PostgresWorkQueue::Connect() {
  if (conn_ != nullptr && conn_->is_open()) return Status::OK();
  conn_.reset();
  try {
    conn_ = std::make_unique<pqxx::connection>(url_);
    // Every statement of the queue finds its rows through an index. The table is mostly
    // dead row versions between vacuums, and a plan cached while it was small (a fresh
    // run's first claims) would otherwise keep scanning it whole as it grows: the results'
    // DELETE by id read about 90 pages per row that way.
    pqxx::nontransaction(*conn_).exec("SET enable_seqscan = off");
    for (const auto& [name, sql] : kPrepared) conn_->prepare(name, sql);
    pqxx::nontransaction(*conn_).exec(std::string("PREPARE ") + kWake + " AS " + kWakeSql);
    return Status::OK();
  } catch (const std::exception& e) {
    return Error(e, "cannot connect");
  }
}

Status PostgresWorkQueue::Run(const std::string& what, const std::function<void(pqxx::transaction_base&)>& body,
                              bool one_statement) {
  MutexLock lock(&mu_);
  GAGGLE_RETURN_IF_ERROR(Connect());
  try {
    if (one_statement) {
      pqxx::nontransaction tx(*conn_);
      body(tx);
    } else {
      pqxx::work tx(*conn_);
      body(tx);
      tx.commit();
    }
    return Status::OK();
  } catch (const std::exception& e) {
    // A plain SQL error leaves the session usable; anything else (a dropped or
    // terminated connection, which libpq may report in several ways) reconnects next time.
    if (dynamic_cast<const pqxx::sql_error*>(&e) == nullptr || !conn_->is_open()) conn_.reset();
    return Error(e, what);
  }
}

Status PostgresWorkQueue::PublishSpec(const std::string& spec_hash, const std::string& migration,
                                      const std::string& spec_text, const std::string& origin, const std::string& now) {
  return Run("publishing the spec of " + migration, [&](pqxx::transaction_base& tx) {
    tx.exec_params(
        "INSERT INTO work_specs (spec_hash, migration, spec_text, origin, published_at) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (spec_hash) DO NOTHING",
        spec_hash, migration, spec_text, origin, now);
  });
}

Result<std::optional<std::pair<std::string, std::string>>> PostgresWorkQueue::FindSpec(const std::string& spec_hash) {
  std::optional<std::pair<std::string, std::string>> out;
  GAGGLE_RETURN_IF_ERROR(Run("reading spec " + spec_hash.substr(0, 12), [&](pqxx::transaction_base& tx) {
    out.reset();
    auto r = tx.exec_params("SELECT spec_text, origin FROM work_specs WHERE spec_hash = $1", spec_hash);
    if (!r.empty()) out.emplace(Text(r[0][0]), Text(r[0][1]));
  }));
  return out;
}

Result<int64_t> PostgresWorkQueue::Enqueue(const WorkRequest& req, int64_t now_ms) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<int64_t> ids, EnqueueAll({req}, now_ms));
  return ids.at(0);
}

// A fixed number of statements whatever the batch's size: drop the validations that new
// attempts make moot, drop the items whose work changed, insert the rest (an existing
// item of the same work is adopted by ON CONFLICT), wake workers (kWake), read the ids. They travel as
// one message of quoted literals, which PostgreSQL runs as one implicit transaction: one
// round trip instead of six (the coordinator's poller waits on it for every dispatch).
Result<std::vector<int64_t>> PostgresWorkQueue::EnqueueAll(const std::vector<WorkRequest>& reqs, int64_t now_ms) {
  std::vector<int64_t> ids(reqs.size(), 0);
  if (reqs.empty()) return ids;
  std::vector<std::string> m, d, k, h, id, p, l;
  for (const WorkRequest& r : reqs) {
    m.push_back(r.migration);
    d.push_back(r.dataset_id);
    k.push_back(WorkKindName(r.kind));
    h.push_back(r.spec_hash);
    id.push_back(r.identity);
    p.push_back(r.payload);
    l.push_back(r.labels);
  }
  const std::string what =
      "queueing " + std::to_string(reqs.size()) + " work item(s) (first: dataset '" + reqs[0].dataset_id + "')";
  GAGGLE_RETURN_IF_ERROR(Run(
      what,
      [&](pqxx::transaction_base& tx) {
        auto array = [&](const std::vector<std::string>& v) { return tx.quote(TextArray(v)) + "::text[]"; };
        const std::string M = array(m), D = array(d), K = array(k), H = array(h), I = array(id);
        const std::string in = "FROM unnest(" + M + ", " + D + ", " + K + ", " + H + ", " + I + ") AS r(m, d, k, h, i)";
        auto r = tx.exec(
            "DELETE FROM work_items w USING (SELECT m, d, k, h, i " + in +
            ") r WHERE w.migration = r.m AND w.dataset_id = r.d AND "
            "((r.k <> 'validate' AND w.kind <> r.k) OR (w.kind = r.k AND (w.spec_hash <> r.h OR w.identity <> r.i)));"
            "INSERT INTO work_items (migration, dataset_id, kind, spec_hash, identity, payload, state, enqueued_ms, "
            "  labels) "
            "SELECT m, d, k, h, i, p, 'queued', " +
            std::to_string(now_ms) +
            ", COALESCE(string_to_array(NULLIF(l, ''), ','), '{}') "
            "FROM unnest(" +
            M + ", " + D + ", " + K + ", " + H + ", " + I + ", " + array(p) + ", " + array(l) +
            ") AS r(m, d, k, h, i, p, l) ON CONFLICT (migration, dataset_id, kind) DO NOTHING;" +
            (AnyLabelled(reqs) ? std::string("NOTIFY ") + kChannel + ";" : std::string("EXECUTE ") + kWake + ";") +
            "SELECT w.id, r.n FROM (SELECT m, d, k, n FROM unnest(" + M + ", " + D + ", " + K +
            ") WITH ORDINALITY AS x(m, d, k, n)) r "
            "JOIN work_items w ON w.migration = r.m AND w.dataset_id = r.d AND w.kind = r.k");
        for (const auto& row : r) ids[static_cast<size_t>(Int(row[1]) - 1)] = Int(row[0]);
      },
      /*one_statement=*/true));
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == 0) return Status::Internal("work item for dataset '" + reqs[i].dataset_id + "' was not queued");
  }
  return ids;
}

Result<std::vector<FinishedWork>> PostgresWorkQueue::TakeFinished(const std::vector<int64_t>& ids) {
  std::vector<FinishedWork> out;
  if (ids.empty()) return out;
  GAGGLE_RETURN_IF_ERROR(Run(
      "taking finished work",
      [&](pqxx::transaction_base& tx) {
        out.clear();
        auto r = tx.exec_prepared(kTake, IdArray(ids));
        for (const auto& row : r) out.push_back({Int(row[0]), row[1].as<bool>(), Text(row[2]), Text(row[3])});
      },
      /*one_statement=*/true));
  return out;
}

Status PostgresWorkQueue::Cancel(int64_t id) {
  return Run(
      "cancelling work item " + std::to_string(id),
      [&](pqxx::transaction_base& tx) { tx.exec_params("DELETE FROM work_items WHERE id = $1", id); },
      /*one_statement=*/true);
}

Result<std::vector<std::string>> PostgresWorkQueue::ReapExpired(int64_t now_ms) {
  std::vector<std::string> out;
  GAGGLE_RETURN_IF_ERROR(Run("returning expired leases", [&](pqxx::transaction_base& tx) {
    out.clear();
    auto r = tx.exec_params(
        "UPDATE work_items w SET state = 'queued', epoch = epoch + 1, expirations = expirations + 1, worker = '' "
        "FROM (SELECT id, worker FROM work_items WHERE state = 'claimed' AND lease_expires_ms < $1 "
        "      FOR UPDATE SKIP LOCKED) old "
        "WHERE w.id = old.id RETURNING w.dataset_id, old.worker",
        now_ms);
    for (const auto& row : r) out.push_back(Text(row[0]) + " (" + Text(row[1]) + ")");
    if (!out.empty()) tx.exec(std::string("NOTIFY ") + kChannel);
  }));
  return out;
}

Result<WorkQueueCounts> PostgresWorkQueue::Count(const std::string& migration) {
  WorkQueueCounts c;
  GAGGLE_RETURN_IF_ERROR(Run("counting work items", [&](pqxx::transaction_base& tx) {
    c = {};
    auto r = tx.exec_params("SELECT state, COUNT(*) FROM work_items WHERE $1 = '' OR migration = $1 GROUP BY state",
                            migration);
    for (const auto& row : r) {
      const std::string s = Text(row[0]);
      (s == "queued" ? c.queued : s == "claimed" ? c.claimed : c.finished) = Int(row[1]);
    }
  }));
  return c;
}

Result<std::vector<ClaimedWork>> PostgresWorkQueue::Claim(const std::string& worker, int max_items, int64_t now_ms,
                                                          int64_t lease_ms) {
  std::vector<ClaimedWork> out;
  if (max_items <= 0) return out;
  GAGGLE_RETURN_IF_ERROR(Run(
      "claiming work for worker '" + worker + "'",
      [&](pqxx::transaction_base& tx) {
        out.clear();
        auto r = tx.exec_prepared(kClaim, worker, now_ms, lease_ms, max_items);
        for (const auto& row : r) {
          ClaimedWork w;
          w.id = Int(row[0]);
          w.epoch = Int(row[1]);
          w.request.migration = Text(row[2]);
          w.request.dataset_id = Text(row[3]);
          w.request.kind = ParseWorkKind(Text(row[4])).ValueOr(WorkKind::kAgent);
          w.request.spec_hash = Text(row[5]);
          w.request.identity = Text(row[6]);
          w.request.payload = Text(row[7]);
          w.lease_expires_ms = Int(row[8]);
          w.expirations = Int(row[9]);
          w.enqueued_ms = Int(row[10]);
          out.push_back(std::move(w));
        }
      },
      /*one_statement=*/true));
  return out;
}

Result<std::vector<int64_t>> PostgresWorkQueue::Extend(const std::vector<std::pair<int64_t, int64_t>>& held,
                                                       int64_t now_ms, int64_t lease_ms) {
  std::vector<int64_t> lost;
  if (held.empty()) return lost;
  std::vector<int64_t> ids, epochs;
  for (const auto& [id, epoch] : held) {
    ids.push_back(id);
    epochs.push_back(epoch);
  }
  GAGGLE_RETURN_IF_ERROR(Run(
      "extending leases",
      [&](pqxx::transaction_base& tx) {
        lost.clear();
        auto r = tx.exec_prepared(kExtend, IdArray(ids), IdArray(epochs), now_ms + lease_ms);
        std::vector<int64_t> kept;
        for (const auto& row : r) kept.push_back(Int(row[0]));
        for (int64_t id : ids) {
          if (std::find(kept.begin(), kept.end(), id) == kept.end()) lost.push_back(id);
        }
      },
      /*one_statement=*/true));
  return lost;
}

Result<std::vector<bool>> PostgresWorkQueue::FinishAll(const std::string& worker,
                                                       const std::vector<WorkResult>& results, int64_t now_ms) {
  std::vector<bool> recorded(results.size(), false);
  if (results.empty()) return recorded;
  std::vector<int64_t> ids, epochs;
  std::vector<std::string> texts;
  std::string oks = "{";
  for (const WorkResult& r : results) {
    ids.push_back(r.id);
    epochs.push_back(r.epoch);
    texts.push_back(r.result);
    oks += std::string(oks.size() > 1 ? "," : "") + (r.ok ? "t" : "f");
  }
  oks += "}";
  const std::string what = results.size() == 1
                               ? "recording the result of work item " + std::to_string(results[0].id)
                               : "recording the results of " + std::to_string(results.size()) + " work items";
  GAGGLE_RETURN_IF_ERROR(Run(
      what,
      [&](pqxx::transaction_base& tx) {
        auto r = tx.exec_prepared(kFinish, IdArray(ids), IdArray(epochs), oks, TextArray(texts), now_ms, worker);
        std::vector<int64_t> kept;
        for (const auto& row : r) kept.push_back(Int(row[0]));
        for (size_t k = 0; k < results.size(); ++k) {
          recorded[k] = std::find(kept.begin(), kept.end(), results[k].id) != kept.end();
        }
      },
      /*one_statement=*/true));
  return recorded;
}

Result<bool> PostgresWorkQueue::Release(int64_t id, int64_t epoch) {
  bool released = false;
  GAGGLE_RETURN_IF_ERROR(Run("releasing work item " + std::to_string(id), [&](pqxx::transaction_base& tx) {
    auto r = tx.exec_params(
        "UPDATE work_items SET state = 'queued', epoch = epoch + 1, worker = '', lease_expires_ms = 0 "
        "WHERE id = $1 AND epoch = $2 AND state = 'claimed' RETURNING id",
        id, epoch);
    released = !r.empty();
    if (released) tx.exec(std::string("NOTIFY ") + kChannel);
  }));
  return released;
}

Status PostgresWorkQueue::RegisterWorker(const WorkerInfo& w) {
  return Run("registering worker '" + w.name + "'", [&](pqxx::transaction_base& tx) {
    tx.exec_params(
        "INSERT INTO workers (name, host, labels, slots, started_at, seen_ms) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (name) DO UPDATE SET host = $2, labels = $3, slots = $4, started_at = $5, seen_ms = $6",
        w.name, w.host, w.labels, w.slots, w.started_at, w.seen_ms);
  });
}

Status PostgresWorkQueue::WorkerSeen(const std::string& name, int64_t now_ms) {
  return Run(
      "recording worker '" + name + "' alive",
      [&](pqxx::transaction_base& tx) {
        tx.exec_params("UPDATE workers SET seen_ms = $2 WHERE name = $1", name, now_ms);
      },
      /*one_statement=*/true);
}

Result<std::vector<WorkerInfo>> PostgresWorkQueue::ListWorkers() {
  std::vector<WorkerInfo> out;
  GAGGLE_RETURN_IF_ERROR(Run("listing workers", [&](pqxx::transaction_base& tx) {
    out.clear();
    auto r =
        tx.exec("SELECT name, host, labels, slots, started_at, seen_ms, finished, fenced FROM workers ORDER BY name");
    for (const auto& row : r) {
      out.push_back(
          {Text(row[0]), Text(row[1]), Text(row[2]), Int(row[3]), Text(row[4]), Int(row[5]), Int(row[6]), Int(row[7])});
    }
  }));
  return out;
}

bool PostgresWorkQueue::Listen(const std::string& worker) {
  if (listen_conn_ != nullptr && listen_conn_->is_open() && listening_as_ == worker) return true;
  receiver_.reset();
  wake_receiver_.reset();
  listen_conn_.reset();
  try {
    listen_conn_ = std::make_unique<pqxx::connection>(url_);
    receiver_ = std::make_unique<Receiver>(*listen_conn_, kChannel, &backlog_);
    if (!worker.empty()) {
      const std::string id = WakeId(worker);
      wake_receiver_ = std::make_unique<Receiver>(*listen_conn_, kWakeChannelPrefix + id, &picked_);
      pqxx::nontransaction(*listen_conn_).exec("SET application_name = '" + std::string(kWakeAppPrefix) + id + "'");
    }
    listening_as_ = worker;
    return true;
  } catch (const std::exception&) {
    receiver_.reset();
    wake_receiver_.reset();
    listen_conn_.reset();
    return false;  // polling only until the server answers again
  }
}

std::optional<WakeReason> PostgresWorkQueue::TakeWakeUp() {
  const bool picked = picked_.exchange(false);
  if (backlog_.exchange(false)) return WakeReason::kBacklog;
  if (picked) return WakeReason::kPicked;
  return std::nullopt;
}

WakeReason PostgresWorkQueue::WaitForWork(const std::string& worker, std::chrono::milliseconds timeout) {
  MutexLock lock(&listen_mu_);
  if (auto woken = TakeWakeUp()) return *woken;
  if (!Listen(worker)) {
    std::this_thread::sleep_for(timeout);
    return WakeReason::kBacklog;
  }
  const int64_t us = std::max<int64_t>(timeout.count(), 1) * 1000;
  try {
    listen_conn_->await_notification(us / 1000000, us % 1000000);
  } catch (const std::exception&) {
    receiver_.reset();
    wake_receiver_.reset();
    listen_conn_.reset();
  }
  return TakeWakeUp().value_or(WakeReason::kBacklog);  // the timeout: a poll, as for a backlog
}

}  // namespace gaggle
