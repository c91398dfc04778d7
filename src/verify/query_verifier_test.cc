// Downstream verification end to end on small files: a clean migration verifies, a
// changed value is caught with example rows, a dropped column is refused, filtered rows
// are left out of the old answer, unmigrated tables serve both sides, the sample is
// seeded, and every affected consumer gets a patch.
#include "verify/query_verifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dataset/format_table.h"
#include "formats/format.h"
#include "spec/migration_spec.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class QueryVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-verifier-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "old");
    fs::create_directories(dir_ / "new" / "orders");
    // Old: text amounts, a refund the migration filters out, a legacy column it drops.
    Write("old/orders.jsonl",
          "{\"user_id\": 1, \"amount\": \"10.5\", \"country\": \"DE\", \"legacy\": true}\n"
          "{\"user_id\": 2, \"amount\": \"20.25\", \"country\": \"FR\", \"legacy\": false}\n"
          "{\"user_id\": 1, \"amount\": \"-5\", \"country\": \"DE\", \"legacy\": false}\n"
          "{\"user_id\": 3, \"amount\": \"7\", \"country\": \"DE\", \"legacy\": true}\n");
    // New: renamed, typed, without the refund and the legacy column.
    Write("new/orders/part-0.jsonl",
          "{\"account_id\": 1, \"amount\": 10.5, \"country\": \"DE\"}\n"
          "{\"account_id\": 2, \"amount\": 20.25, \"country\": \"FR\"}\n"
          "{\"account_id\": 3, \"amount\": 7.0, \"country\": \"DE\"}\n");
    Write("countries.csv", "country,region\nDE,eu\nFR,eu\n");
    auto spec = ParseMigrationSpec(R"(name: m
version: 2
transform:
  rename: {user_id: account_id}
  cast: {amount: double}
  drop: [legacy]
  filter: "amount >= 0"
  source_schema: {user_id: int64, amount: string, country: string, legacy: bool}
verify: {table: "v{version}.{name}"}
)",
                                   "m.yaml");
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    spec_ = *spec;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }

  Catalog MakeCatalog(const std::vector<std::string>& queries) {
    Catalog c;
    Entity orders;
    orders.kind = EntityKind::kDataset;
    orders.id = orders.name = "orders";
    orders.uri = (dir_ / "old" / "orders.jsonl").string();
    orders.format = "jsonl";
    c.AddEntity(orders);
    Entity countries;
    countries.kind = EntityKind::kDataset;
    countries.id = countries.name = "countries";
    countries.uri = (dir_ / "countries.csv").string();
    countries.format = "csv";
    countries.schema = "country: string, region: string";
    c.AddEntity(countries);
    Entity app;
    app.kind = EntityKind::kComponent;
    app.name = "billing";
    app.id = "component:billing";
    app.owner = "team-billing";
    app.queries = queries;
    if (!dialect_.empty()) app.annotations["gaggle.dev/sql-dialect"] = dialect_;
    c.AddEntity(app);
    c.AddEdge("orders", "component:billing");
    c.AddEdge("countries", "component:billing");
    EXPECT_TRUE(c.Finalize().ok());
    return c;
  }
  Result<VerificationReport> Verify(const std::vector<std::string>& queries, int64_t sample = 0, uint64_t seed = 0) {
    catalog_ = MakeCatalog(queries);
    QueryVerifierOptions o;
    o.sample = sample;
    o.seed = seed;
    QueryVerifier v(spec_, catalog_, o);
    return v.Verify({{"orders", (dir_ / "old" / "orders.jsonl").string(), (dir_ / "new" / "orders").string()}});
  }

  fs::path dir_;
  MigrationSpec spec_;
  Catalog catalog_;
  std::string dialect_;
};

TEST_F(QueryVerifierTest, AConsumersDialectIsTranslatedForVerificationOrRefusedWithTheReason) {
  dialect_ = "snowflake";
  auto r =
      Verify({"select user_id, iff(cast(amount as double) > 10, 'big', 'small') as size,\n"
              "  dateadd(day, 1, date '2024-05-01') as next_day\nfrom orders",
              "select o.user_id, f.value from orders o, lateral flatten(input => o.tags) f"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->checks.size(), 2u);
  EXPECT_EQ(r->checks[0].outcome, QueryCheck::Outcome::kMatched) << r->checks[0].reason;
  EXPECT_EQ(r->checks[0].rows_old, 3);
  // The patch keeps the consumer's dialect: only the names change.
  EXPECT_NE(r->patches[0].patch.find(
                "+select account_id AS user_id, iff(cast(amount as double) > 10, 'big', 'small') as size,"),
            std::string::npos)
      << r->patches[0].patch;
  EXPECT_EQ(r->checks[1].outcome, QueryCheck::Outcome::kError);
  EXPECT_NE(r->checks[1].reason.find("FLATTEN (snowflake) has no DuckDB translation"), std::string::npos)
      << r->checks[1].reason;
  dialect_ = "oracle";
  r = Verify({"select count(*) from orders"});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->checks[0].reason.find("unknown SQL dialect 'oracle'"), std::string::npos) << r->checks[0].reason;
}

TEST_F(QueryVerifierTest, ACleanMigrationGivesTheSameAnswersAndAPatch) {
  auto r = Verify({"SELECT country, COUNT(*), SUM(CAST(amount AS DOUBLE)) FROM orders GROUP BY country",
                   "SELECT o.user_id, c.region FROM orders o JOIN countries c ON o.country = c.country",
                   "SELECT COUNT(*) FROM countries"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->candidates, 2);  // the third reads no migrated dataset
  ASSERT_EQ(r->checks.size(), 2u);
  for (const QueryCheck& c : r->checks) {
    EXPECT_EQ(c.outcome, QueryCheck::Outcome::kMatched) << c.original << ": " << c.reason;
    EXPECT_EQ(c.old_rows_excluded, 1);  // the refund
  }
  EXPECT_EQ(r->checks[0].rewritten,
            "SELECT country, COUNT(*), SUM(CAST(amount AS DOUBLE)) FROM v2.orders GROUP BY country");
  EXPECT_EQ(r->checks[1].rows_old, 3);
  EXPECT_TRUE(r->passed());
  ASSERT_EQ(r->patches.size(), 1u);
  EXPECT_EQ(r->patches[0].consumer, "component:billing");
  EXPECT_EQ(r->patches[0].owner, "team-billing");
  EXPECT_EQ(r->patches[0].rewritten, 2);
  EXPECT_NE(r->patches[0].patch.find("+SELECT o.account_id AS user_id, c.region FROM v2.orders o JOIN countries c"),
            std::string::npos)
      << r->patches[0].patch;
  EXPECT_EQ(r->Summary(), "2 of 2 consumer queries verified: 2 same answer");
}

TEST_F(QueryVerifierTest, AChangedValueIsCaughtWithExampleRows) {
  Write("new/orders/part-0.jsonl",
        "{\"account_id\": 1, \"amount\": 10.5, \"country\": \"DE\"}\n"
        "{\"account_id\": 2, \"amount\": 20.26, \"country\": \"FR\"}\n"
        "{\"account_id\": 3, \"amount\": 7.0, \"country\": \"DE\"}\n");
  auto r = Verify({"SELECT country, SUM(CAST(amount AS DOUBLE)) AS total FROM orders GROUP BY country"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->checks.size(), 1u);
  const QueryCheck& c = r->checks[0];
  EXPECT_EQ(c.outcome, QueryCheck::Outcome::kMismatched);
  EXPECT_EQ(c.reason, "1 row only in the old answer, 1 row only in the new (of 2 and 2)");
  EXPECT_EQ(c.examples_old, std::vector<std::string>{"('FR', 20.25)"});
  EXPECT_EQ(c.examples_new, std::vector<std::string>{"('FR', 20.26)"});
  EXPECT_FALSE(r->passed());
  EXPECT_EQ(r->Summary(), "1 of 1 consumer queries verified: 0 same answer, 1 different (component:billing #1)");
}

TEST_F(QueryVerifierTest, ADroppedColumnIsRefusedAndBadSqlIsAnError) {
  auto r = Verify({"SELECT COUNT(*) FROM orders WHERE legacy", "SELECT nope( FROM orders"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->checks.size(), 2u);
  EXPECT_EQ(r->checks[0].outcome, QueryCheck::Outcome::kRefused);
  EXPECT_NE(r->checks[0].reason.find("legacy"), std::string::npos) << r->checks[0].reason;
  EXPECT_NE(r->checks[1].outcome, QueryCheck::Outcome::kMatched);
  EXPECT_FALSE(r->passed());
  // The patch keeps the refused query, with the reason above it.
  EXPECT_NE(r->patches[0].patch.find("-- gaggle: cannot rewrite:"), std::string::npos) << r->patches[0].patch;
}

TEST_F(QueryVerifierTest, TheSampleIsSeededAndBounded) {
  std::vector<std::string> queries;
  for (int i = 0; i < 10; ++i) queries.push_back("SELECT " + std::to_string(i) + " AS k, COUNT(*) FROM orders");
  auto a = Verify(queries, 3, 42);
  auto b = Verify(queries, 3, 42);
  auto c = Verify(queries, 3, 43);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_EQ(a->checks.size(), 3u);
  EXPECT_EQ(a->candidates, 10);
  std::vector<int> ia, ib, ic;
  for (const QueryCheck& q : a->checks) ia.push_back(q.query_index);
  for (const QueryCheck& q : b->checks) ib.push_back(q.query_index);
  for (const QueryCheck& q : c->checks) ic.push_back(q.query_index);
  EXPECT_EQ(ia, ib);
  EXPECT_NE(ia, ic);
  EXPECT_TRUE(a->passed());
}

// A dataset of old JSON lines and new Parquet (id, ts, z_id, a_val): `new_ts_utc` says whether the
// new file's ts is UTC-adjusted; the old one is declared naive.
class TimestampSemanticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-verifier-ts-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "new");
    std::ofstream(dir_ / "old.jsonl") << "{\"z_id\": 1, \"a_val\": \"x\", \"ts\": \"2024-05-01T23:30:00\"}\n"
                                         "{\"z_id\": 2, \"a_val\": \"y\", \"ts\": \"2024-05-02T01:00:00\"}\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  void WriteNew(bool utc) {
    auto schema = std::make_shared<const Schema>(
        std::vector<Field>{{"z_id", DataType::Int64()},
                           {"zz_val", DataType::String()},
                           {"ts", utc ? DataType::Timestamp() : DataType::LocalTimestamp()}});
    RecordBatch b = RecordBatch::Empty(schema);
    b.columns[0].Append<int64_t>(1);
    b.columns[0].Append<int64_t>(2);
    b.columns[1].AppendString("x");
    b.columns[1].AppendString("y");
    b.columns[2].Append<int64_t>(1714606200000000);  // 2024-05-01T23:30:00
    b.columns[2].Append<int64_t>(1714611600000000);  // 2024-05-02T01:00:00
    auto w = OpenWriter((dir_ / "new" / "part-0.parquet").string(), Format::kParquet, schema, WriteOptions{});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->Write(b).ok());
    ASSERT_TRUE((*w)->Finish().ok());
  }

  Result<VerificationReport> Verify(const std::string& extra_spec, const std::vector<std::string>& queries) {
    auto spec = ParseMigrationSpec(
        "name: m\nversion: 2\ntransform:\n  rename: {a_val: zz_val}\n"
        "  source_schema: {z_id: int64, a_val: string, ts: timestamp_ntz}\n" +
            extra_spec,
        "m.yaml");
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    spec_ = *spec;
    catalog_ = Catalog();
    Entity events;
    events.kind = EntityKind::kDataset;
    events.id = events.name = "events";
    events.uri = (dir_ / "old.jsonl").string();
    events.format = "jsonl";
    catalog_.AddEntity(events);
    Entity app;
    app.kind = EntityKind::kComponent;
    app.name = "dash";
    app.id = "component:dash";
    app.queries = queries;
    catalog_.AddEntity(app);
    catalog_.AddEdge("events", "component:dash");
    EXPECT_TRUE(catalog_.Finalize().ok());
    QueryVerifierOptions o;
    o.sample = 0;
    QueryVerifier v(spec_, catalog_, o);
    return v.Verify({{"events", (dir_ / "old.jsonl").string(), (dir_ / "new").string()}});
  }

  fs::path dir_;
  MigrationSpec spec_;
  Catalog catalog_;
};

TEST_F(TimestampSemanticsTest, SelectStarKeepsEachTablesColumnOrder) {
  WriteNew(false);
  // Alphabetically the old table would be (a_val, ts, z_id) and the new (ts, z_id, zz_val).
  auto r = Verify("", {"SELECT * FROM events", "select z_id, date_trunc('day', ts) as d from events"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->checks.size(), 2u);
  for (const QueryCheck& c : r->checks) EXPECT_EQ(c.outcome, QueryCheck::Outcome::kMatched) << c.reason;
  EXPECT_TRUE(r->schema_changes.empty());
  EXPECT_TRUE(r->passed()) << r->Summary() << " " << r->ToJson().dump();
}

TEST_F(TimestampSemanticsTest, NaiveToUtcIsAnUndeclaredSchemaChangeUnlessTheSpecCastsIt) {
  WriteNew(true);
  auto r = Verify("", {"SELECT z_id, ts FROM events"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->schema_changes.size(), 1u);
  EXPECT_NE(r->schema_changes[0].find("events.ts changes from timestamp_ntz to timestamp"), std::string::npos)
      << r->schema_changes[0];
  EXPECT_NE(r->schema_changes[0].find("transform.cast: {ts: timestamp}"), std::string::npos);
  EXPECT_FALSE(r->passed());
  EXPECT_NE(r->Summary().find("undeclared schema change"), std::string::npos) << r->Summary();
  // Declared: the same data passes.
  r = Verify("  cast: {ts: timestamp}\n", {"SELECT z_id, ts FROM events"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->schema_changes.empty());
  EXPECT_TRUE(r->passed()) << r->Summary() << " " << r->ToJson().dump();
}

TEST(NewTableName, ReplacesEveryVariable) {
  MigrationSpec spec;
  spec.version = 3;
  spec.verify.table = "v{version}.{name}_{id}";
  EXPECT_EQ(NewTableName(spec, "sales.orders", "orders"), "v3.orders_sales.orders");
  spec.verify.table = "{id}";
  EXPECT_EQ(NewTableName(spec, "a", "a"), "a");
}

}  // namespace
}  // namespace gaggle
