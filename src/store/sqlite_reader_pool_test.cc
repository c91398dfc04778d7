// SqliteReaderPool and the SQLite backend's reads on it: readers see every committed
// write, a Read is one snapshot, readers run at the same time (with each other and with
// a write in progress), the bound on connections holds, and a read connection cannot write.
#include "store/sqlite_reader_pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "store/sqlite_backend.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using std::chrono::steady_clock;

// Counts the threads that reached it; Arrive waits (at most 10 s) until `want` have.
class Gate {
 public:
  explicit Gate(int want) : want_(want) {}
  bool Arrive() {
    MutexLock lock(&mu_);
    ++arrived_;
    cv_.SignalAll();
    const auto deadline = steady_clock::now() + seconds(10);
    while (arrived_ < want_) {
      if (!cv_.WaitUntil(&mu_, deadline)) return arrived_ >= want_;
    }
    return true;
  }

 private:
  Mutex mu_;
  CondVar cv_;
  const int want_;
  int arrived_ GUARDED_BY(mu_) = 0;
};

class SqliteReaderPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-reader-pool-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "state.db").string();
    auto db = SqliteDb::Open(path_, 5000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    writer_ = std::move(*db);
    ASSERT_TRUE(writer_->Exec("PRAGMA journal_mode = WAL").ok());
    ASSERT_TRUE(writer_->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
  }
  void TearDown() override {
    writer_.reset();
    fs::remove_all(dir_);
  }

  void Insert(int64_t k) {
    auto ins = writer_->Prepare("INSERT INTO t (k, v) VALUES (?, 'x')");
    ASSERT_TRUE(ins.ok());
    ins->Bind(1, k);
    ASSERT_TRUE(ins->Run().ok());
  }
  static Result<int64_t> Count(SqliteReaderPool::Connection& c) {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, c.records().Cached("SELECT COUNT(*) FROM t"));
    sqlite_records::ResetOnExit reset(q);
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    return row ? q->Int(0) : -1;
  }
  static int64_t CountNow(SqliteReaderPool& pool) {
    int64_t n = -1;
    Status st = pool.Read([&](SqliteReaderPool::Connection& c) -> Status {
      GAGGLE_ASSIGN_OR_RETURN(n, Count(c));
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n;
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<SqliteDb> writer_;
};

TEST_F(SqliteReaderPoolTest, EveryReadSeesTheWritesCommittedBeforeIt) {
  SqliteReaderPool pool(path_, {});
  EXPECT_EQ(CountNow(pool), 0);
  for (int64_t k = 1; k <= 20; ++k) {
    Insert(k);
    EXPECT_EQ(CountNow(pool), k) << "after commit " << k;
  }
  EXPECT_EQ(pool.open_connections(), 1u);  // one thread at a time needs one connection
}

TEST_F(SqliteReaderPoolTest, ConcurrentReadersSeeCommittedWritesInOrder) {
  SqliteReaderPool pool(path_, {/*max_connections=*/4, /*busy_timeout_ms=*/5000});
  constexpr int kWrites = 200;
  std::atomic<int64_t> committed{0};
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      int64_t last = 0;
      for (int i = 0; i < 100000 && !done.load(); ++i) {
        const int64_t before = committed.load();  // committed before this Read began
        const int64_t seen = CountNow(pool);
        // Never older than what was committed before the read, never going back.
        if (seen < before || seen < last || seen > kWrites) ++failures;
        last = seen;
      }
    });
  }
  for (int64_t k = 1; k <= kWrites; ++k) {
    Insert(k);
    committed.store(k);
  }
  done.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountNow(pool), kWrites);
  EXPECT_LE(pool.open_connections(), 4u);
}

TEST_F(SqliteReaderPoolTest, AReadIsOneSnapshot) {
  Insert(1);
  SqliteReaderPool pool(path_, {});
  int64_t first = -1, second = -1;
  Status st = pool.Read([&](SqliteReaderPool::Connection& c) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(first, Count(c));
    Insert(2);  // committed by the writer while the read is open
    Insert(3);
    GAGGLE_ASSIGN_OR_RETURN(second, Count(c));
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);          // the same snapshot for the whole body
  EXPECT_EQ(CountNow(pool), 3);  // the next Read sees both
}

TEST_F(SqliteReaderPoolTest, ReadersRunAtTheSameTime) {
  Insert(1);
  SqliteReaderPool pool(path_, {/*max_connections=*/4, /*busy_timeout_ms=*/5000});
  Gate all_inside(4);
  std::atomic<int> met{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      Status st = pool.Read([&](SqliteReaderPool::Connection& c) -> Status {
        GAGGLE_ASSIGN_OR_RETURN(int64_t n, Count(c));
        // Every reader waits inside its body for the others: only concurrent reads meet.
        if (n == 1 && all_inside.Arrive()) ++met;
        return Status::OK();
      });
      EXPECT_TRUE(st.ok()) << st.ToString();
    });
  }
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(met.load(), 4);
  EXPECT_EQ(pool.open_connections(), 4u);
}

TEST_F(SqliteReaderPoolTest, NoMoreConnectionsThanTheBound) {
  SqliteReaderPool pool(path_, {/*max_connections=*/2, /*busy_timeout_ms=*/5000});
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 6; ++r) {
    readers.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        Status st = pool.Read([&](SqliteReaderPool::Connection& c) -> Status {
          const int now = ++inside;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          --inside;
          return Count(c).status();
        });
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
    });
  }
  for (std::thread& t : readers) t.join();
  EXPECT_LE(most.load(), 2);
  EXPECT_EQ(pool.open_connections(), 2u);
}

TEST_F(SqliteReaderPoolTest, AReadConnectionCannotWrite) {
  SqliteReaderPool pool(path_, {});
  Status st = pool.Read([&](SqliteReaderPool::Connection& c) { return c.db()->Exec("INSERT INTO t VALUES (9, 'y')"); });
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path_), std::string::npos) << st.ToString();
  EXPECT_EQ(CountNow(pool), 0);  // and the connection is usable again
}

TEST_F(SqliteReaderPoolTest, ABodysErrorIsReturnedAndTheConnectionReused) {
  SqliteReaderPool pool(path_, {/*max_connections=*/1, /*busy_timeout_ms=*/5000});
  Status st = pool.Read([](SqliteReaderPool::Connection&) { return Status::NotFound("what the body says"); });
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  Insert(1);
  EXPECT_EQ(CountNow(pool), 1);  // rolled back: a new snapshot, not the old one
  EXPECT_EQ(pool.open_connections(), 1u);
}

TEST_F(SqliteReaderPoolTest, AMissingFileIsAnErrorNamingItAndNotCreated) {
  const std::string missing = (dir_ / "missing.db").string();
  SqliteReaderPool pool(missing, {});
  Status st = pool.Read([](SqliteReaderPool::Connection&) { return Status::OK(); });
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(missing), std::string::npos) << st.ToString();
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_EQ(pool.open_connections(), 0u);
}

// The backend: a Read does not wait for a Write in progress, and sees the snapshot
// before it; after the Write returns, Reads see it.
TEST_F(SqliteReaderPoolTest, BackendReadsDoNotWaitForAWriteInProgress) {
  writer_.reset();
  SqliteBackend::Options o;
  o.read_connections = 2;
  auto opened = SqliteBackend::Open((dir_ / "gaggle.db").string(), o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteBackend& backend = **opened;
  auto run_state = [&]() -> std::string {
    std::string state = "none";
    Status st = backend.Read([&](StoreReader& r) -> Status {
      GAGGLE_ASSIGN_OR_RETURN(auto run, r.FindRun("m"));
      if (run) state = RunStateName(run->state);
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return state;
  };
  std::string during;
  std::atomic<bool> finished{false};
  std::thread reader;
  Status wrote = backend.Write([&](StoreTransaction& tx) -> Status {
    MigrationRun run;
    run.migration = "m";
    run.state = RunState::kPaused;
    GAGGLE_RETURN_IF_ERROR(tx.PutRun(run));
    // Were Reads serialized behind this Write, the reader could not finish before it
    // ends: it gets 10 s, then the Write ends anyway and the reader is joined after.
    reader = std::thread([&] {
      during = run_state();
      finished.store(true);
    });
    const auto deadline = steady_clock::now() + seconds(10);
    while (!finished.load() && steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return finished.load() ? Status::OK() : Status::Internal("the Read waited for the Write");
  });
  reader.join();
  ASSERT_TRUE(wrote.ok()) << wrote.ToString();
  EXPECT_EQ(during, "none");  // the snapshot before the uncommitted write
  EXPECT_EQ(run_state(), "paused");
}

}  // namespace
}  // namespace gaggle
