// Downstream verification on object storage, against a real S3 server (s3rver): the agent
// migrates a dataset into s3://, the verifier reads the committed attempt through gaggle's
// own reader (ranged GETs) into DuckDB and compares the consumers' answers with the old
// data's; an s3:// source (the old side) and an untouched s3:// dataset read the same way;
// a changed answer is caught; an output whose commit does not check out is never read; and
// a Parquet table loads only the columns the queries need (bytes fetched are counted).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>

#include "agent/agent_runner.h"
#include "agent/object_output_committer.h"
#include "agent/readable_location.h"
#include "agent/transform_agent.h"
#include "common/forwarding_file_system.h"
#include "storage/s3_test_servers_test_util.h"
#include "verify/duckdb_engine.h"
#include "verify/duckdb_table_loader.h"
#include "verify/query_verifier.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

const char* kSpec = R"(
name: orders-v2
version: 2
transform:
  rename: {user_id: account_id}
  cast: {amount: double}
  filter: "amount >= 0"
  source_schema: {user_id: int64, amount: string, country: string, note: string}
target: {format: parquet, compression: snappy}
verify: {table: "v{version}.{name}"}
)";

constexpr int kRows = 3000;

// Counts the bytes read through the random-access files it opens; everything else forwards.
class CountingFileSystem final : public ForwardingFileSystem {
 public:
  explicit CountingFileSystem(FileSystem* inner) : ForwardingFileSystem(inner) {}
  uint64_t bytes_read() const { return bytes_; }

  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override {
    GAGGLE_ASSIGN_OR_RETURN(auto file, base()->OpenRandomAccess(path));
    return std::unique_ptr<RandomAccessFile>(new Counted(std::move(file), &bytes_));
  }

 private:
  class Counted final : public RandomAccessFile {
   public:
    Counted(std::unique_ptr<RandomAccessFile> f, std::atomic<uint64_t>* n) : f_(std::move(f)), n_(n) {}
    Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
      GAGGLE_ASSIGN_OR_RETURN(size_t got, f_->ReadAt(offset, n, out));
      *n_ += got;
      return got;
    }
    uint64_t size() const override { return f_->size(); }
    const std::string& path() const override { return f_->path(); }

   private:
    std::unique_ptr<RandomAccessFile> f_;
    std::atomic<uint64_t>* n_;
  };
  std::atomic<uint64_t> bytes_{0};
};

class ObjectVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gaggle-objverify-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "old");
    // Orders with a wide note each (so a projection shows), every 100th a refund the
    // migration filters out.
    std::string jsonl;
    uint64_t x = 12345;
    for (int i = 0; i < kRows; ++i) {
      std::string note(200, ' ');
      for (char& c : note) {  // letters a compressor cannot shrink much
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        c = static_cast<char>('a' + (x >> 59) % 26);
      }
      const std::string amount = i % 100 == 7 ? "-" + std::to_string(i) : std::to_string(i) + ".25";
      jsonl += "{\"user_id\": " + std::to_string(i % 37) + ", \"amount\": \"" + amount + "\", \"country\": \"" +
               (i % 3 == 0 ? "DE" : "FR") + "\", \"note\": \"" + note + "\"}\n";
    }
    old_jsonl_ = jsonl;
    ASSERT_TRUE(WriteFileAtomically(FileSystem::Default(), (root_ / "old" / "orders.jsonl").string(), jsonl).ok());
    auto spec = ParseMigrationSpec(kSpec, (root_ / "spec.yaml").string());
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    spec_ = std::move(spec).value();
    auto server = s3test::StartS3Server("s3rver", (root_ / "server").string());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    resolver_ = s3test::ResolverFor(*server_, root_.string());
    auto store = resolver_->ObjectStore("s3");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = *store;
    ASSERT_TRUE(store_->client()->CreateBucket("lake").ok());
    ASSERT_TRUE(store_->client()->PutObject("lake", "ref/countries.csv", "country,region\nDE,eu\nFR,eu\n").ok());
  }
  void TearDown() override {
    resolver_.reset();
    server_.reset();
    fs::remove_all(root_);
  }

  Status Migrate(const std::string& in, const std::string& out) {
    TransformAgent agent(spec_);
    CancellationToken token;
    AgentTask t;
    t.migration = spec_.name;
    t.dataset_id = "orders";
    t.input_path = in;
    t.output_path = out;
    return RunAgent(&agent, spec_, t, &token, nullptr, FileSystem::Default(), resolver_.get()).status();
  }

  // orders (at `orders_uri`) and countries (in s3://) read by one consumer.
  Catalog MakeCatalog(const std::string& orders_uri, const std::vector<std::string>& queries) {
    Catalog c;
    Entity orders;
    orders.kind = EntityKind::kDataset;
    orders.id = orders.name = "orders";
    orders.uri = orders_uri;
    orders.format = "jsonl";
    c.AddEntity(orders);
    Entity countries;
    countries.kind = EntityKind::kDataset;
    countries.id = countries.name = "countries";
    countries.uri = "s3://lake/ref/countries.csv";
    countries.format = "csv";
    countries.schema = "country: string, region: string";
    c.AddEntity(countries);
    Entity app;
    app.kind = EntityKind::kComponent;
    app.name = "billing";
    app.id = "component:billing";
    app.queries = queries;
    c.AddEntity(app);
    c.AddEdge("orders", "component:billing");
    c.AddEdge("countries", "component:billing");
    EXPECT_TRUE(c.Finalize().ok());
    return c;
  }

  Result<VerificationReport> Verify(const VerifiedDataset& d, const std::string& orders_uri) {
    catalog_ = MakeCatalog(orders_uri, kQueries);
    QueryVerifierOptions o;
    o.sample = 0;
    o.resolver = resolver_.get();
    o.threads = 1;
    return QueryVerifier(spec_, catalog_, o).Verify({d});
  }

  const std::vector<std::string> kQueries = {
      "SELECT country, COUNT(*), SUM(CAST(amount AS DOUBLE)) FROM orders GROUP BY country",
      "SELECT o.user_id, c.region, CAST(o.amount AS DOUBLE) FROM orders o JOIN countries c ON o.country = c.country",
      "SELECT user_id, length(note) FROM orders WHERE CAST(amount AS DOUBLE) > 2000"};

  fs::path root_;
  std::string old_jsonl_;
  MigrationSpec spec_;
  Catalog catalog_;
  std::unique_ptr<s3test::ServerProcess> server_;
  std::unique_ptr<FileSystemResolver> resolver_;
  ObjectStoreFileSystem* store_ = nullptr;
};

void ExpectAllMatched(const Result<VerificationReport>& r, int64_t excluded) {
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->checks.size(), 3u);
  for (const QueryCheck& c : r->checks) {
    EXPECT_EQ(c.outcome, QueryCheck::Outcome::kMatched) << c.original << ": " << c.reason;
    EXPECT_GT(c.rows_old, 0) << c.original;
    EXPECT_EQ(c.rows_old, c.rows_new) << c.original;
  }
  EXPECT_EQ(r->checks[0].old_rows_excluded, excluded);
  EXPECT_EQ(r->checks[1].rows_old, kRows - excluded);  // every kept order joins its region
  EXPECT_TRUE(r->passed());
}

TEST_F(ObjectVerifyTest, AnObjectStoreOutputIsVerifiedThroughItsCommittedAttempt) {
  ASSERT_TRUE(Migrate((root_ / "old").string(), "s3://lake/v2/orders").ok());
  auto committed = ResolveReadableLocation(resolver_.get(), "s3://lake/v2/orders", true);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->fs, store_);
  EXPECT_NE(committed->root.find("s3://lake/v2/orders/_gaggle_attempts/"), std::string::npos) << committed->root;
  VerifiedDataset d{"orders", (root_ / "old").string(), committed->root, nullptr, committed->fs};
  ExpectAllMatched(Verify(d, (root_ / "old").string()), kRows / 100);

  // The same output against old data that differs in one order: the answers differ.
  std::string changed = old_jsonl_;
  const size_t at = changed.find("\"amount\": \"2999.25\"");
  ASSERT_NE(at, std::string::npos);
  changed.replace(at, 19, "\"amount\": \"2998.25\"");
  ASSERT_TRUE(WriteFileAtomically(FileSystem::Default(), (root_ / "old" / "orders.jsonl").string(), changed).ok());
  auto r = Verify(d, (root_ / "old").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->checks[0].outcome, QueryCheck::Outcome::kMismatched);
  EXPECT_EQ(r->checks[2].outcome, QueryCheck::Outcome::kMatched) << "2998.25 and 2999.25 both pass the filter";
  EXPECT_FALSE(r->passed());

  // A stray object in the committed attempt: the commit no longer checks out and is not read.
  ASSERT_TRUE(store_->client()
                  ->PutObject("lake", "v2/orders/_gaggle_attempts/" + committed->attempt + "/x.parquet", "not gaggle's")
                  .ok());
  auto untrusted = ResolveReadableLocation(resolver_.get(), "s3://lake/v2/orders", true);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.status().code(), StatusCode::kCorruption) << untrusted.status().ToString();
  EXPECT_NE(untrusted.status().message().find("x.parquet"), std::string::npos) << untrusted.status().ToString();
  // Nothing committed at all is NotFound when a commit is required, the location otherwise.
  auto none = ResolveReadableLocation(resolver_.get(), "s3://lake/v2/nothing", true);
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound) << none.status().ToString();
  auto raw = ResolveReadableLocation(resolver_.get(), "s3://lake/ref/countries.csv");
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(raw->root, "s3://lake/ref/countries.csv");
  EXPECT_TRUE(raw->attempt.empty());
}

TEST_F(ObjectVerifyTest, AnObjectStoreSourceIsTheOldSide) {
  ASSERT_TRUE(store_->client()->PutObject("lake", "raw/orders/orders.jsonl", old_jsonl_).ok());
  ASSERT_TRUE(Migrate("s3://lake/raw/orders", (root_ / "new").string()).ok());
  auto old_side = resolver_->Resolve("s3://lake/raw/orders");
  ASSERT_TRUE(old_side.ok());
  VerifiedDataset d{"orders", old_side->path, (root_ / "new").string(), old_side->fs, nullptr};
  ExpectAllMatched(Verify(d, "s3://lake/raw/orders"), kRows / 100);
  // And both sides in object storage.
  ASSERT_TRUE(Migrate("s3://lake/raw/orders", "s3://lake/v2/orders").ok());
  auto committed = ResolveReadableLocation(resolver_.get(), "s3://lake/v2/orders", true);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  d.new_root = committed->root;
  d.new_fs = committed->fs;
  ExpectAllMatched(Verify(d, "s3://lake/raw/orders"), kRows / 100);
}

TEST_F(ObjectVerifyTest, AParquetTableInObjectStorageLoadsOnlyTheNeededColumns) {
  ASSERT_TRUE(Migrate((root_ / "old").string(), "s3://lake/v2/orders").ok());
  auto committed = ResolveReadableLocation(resolver_.get(), "s3://lake/v2/orders", true);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  DuckDbOptions o;
  o.threads = 1;
  auto engine = DuckDbEngine::Open(o);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto conn = (*engine)->Connect();
  ASSERT_TRUE(conn.ok());
  auto load = [&](const std::string& table, const std::vector<std::string>& columns, uint64_t* bytes) {
    CountingFileSystem counting(committed->fs);
    TableLoadRequest req;
    req.table = table;
    req.root = committed->root;
    req.columns = columns;
    auto stats = LoadDuckDbTable(conn->get(), req, &counting);
    *bytes = counting.bytes_read();
    return stats;
  };
  uint64_t narrow_bytes = 0, all_bytes = 0;
  auto narrow = load("narrow", {"COUNTRY", "account_id"}, &narrow_bytes);
  ASSERT_TRUE(narrow.ok()) << narrow.status().ToString();
  EXPECT_EQ(narrow->column_names, (std::vector<std::string>{"account_id", "country"}));
  EXPECT_EQ(narrow->rows_loaded, kRows - kRows / 100);
  auto all = load("everything", {}, &all_bytes);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->column_names.size(), 4u);
  EXPECT_LT(narrow_bytes * 4, all_bytes) << "two narrow columns fetched most of the notes too";
  std::cout << "[ verify ] " << narrow->rows_loaded << " rows: 2 of 4 columns read " << narrow_bytes
            << " bytes, all columns " << all_bytes << " bytes\n";
  auto counted = (*conn)->Query("SELECT country, count(*), sum(account_id) FROM narrow GROUP BY 1 ORDER BY 1", 10);
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  ASSERT_EQ(counted->rows.size(), 2u);
  auto missing = load("missing", {"account_id", "nope"}, &narrow_bytes);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no column 'nope'"), std::string::npos) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("s3://lake/v2/orders/_gaggle_attempts/"), std::string::npos)
      << missing.status().ToString();
}

}  // namespace
}  // namespace gaggle
