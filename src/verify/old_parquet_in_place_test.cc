// The verifier's old side reads old Parquet in place when the migration keeps every row
// (transform/row_keeping.h): answers are still compared value for value (a planted change
// is caught), and a migration that filters rows still leaves them out of the old answer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "dataset/format_table.h"
#include "formats/format.h"
#include "spec/migration_spec.h"
#include "transform/row_keeping.h"
#include "verify/duckdb_table_loader.h"
#include "verify/query_verifier.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class OldParquetInPlaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-verifier-inplace-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "new");
    // Old: user_id, amount (int32), with a negative amount on user 1.
    WriteParquet("old.parquet", {"user_id", "amount"}, DataType::Int32(), {1, 2, 1, 3}, {10, 20, -5, 7});
  }
  void TearDown() override { fs::remove_all(dir_); }

  void WriteParquet(const std::string& rel, const std::vector<std::string>& names, const DataType& amount_type,
                    const std::vector<int64_t>& ids, const std::vector<int64_t>& amounts) {
    auto schema =
        std::make_shared<const Schema>(std::vector<Field>{{names[0], DataType::Int64()}, {names[1], amount_type}});
    RecordBatch b = RecordBatch::Empty(schema);
    for (size_t i = 0; i < ids.size(); ++i) {
      b.columns[0].Append<int64_t>(ids[i]);
      if (amount_type.id == TypeId::kInt32) {
        b.columns[1].Append<int32_t>(static_cast<int32_t>(amounts[i]));
      } else {
        b.columns[1].Append<int64_t>(amounts[i]);
      }
    }
    auto w = OpenWriter((dir_ / rel).string(), Format::kParquet, schema, WriteOptions{});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->Write(b).ok());
    ASSERT_TRUE((*w)->Finish().ok());
  }

  QueryCheck::Outcome Verify(const std::string& transform) {
    auto spec = ParseMigrationSpec("name: m\nversion: 2\ntransform:\n" + transform, "m.yaml");
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    spec_ = *spec;
    catalog_ = Catalog();
    Entity orders;
    orders.kind = EntityKind::kDataset;
    orders.id = orders.name = "orders";
    orders.uri = (dir_ / "old.parquet").string();
    orders.format = "parquet";
    catalog_.AddEntity(orders);
    Entity app;
    app.kind = EntityKind::kComponent;
    app.name = "billing";
    app.id = "component:billing";
    app.queries = {"SELECT user_id, SUM(amount) AS total, COUNT(*) AS n FROM orders GROUP BY user_id"};
    catalog_.AddEntity(app);
    catalog_.AddEdge("orders", "component:billing");
    EXPECT_TRUE(catalog_.Finalize().ok());
    QueryVerifierOptions o;
    o.sample = 0;
    QueryVerifier v(spec_, catalog_, o);
    auto report = v.Verify({{"orders", (dir_ / "old.parquet").string(), (dir_ / "new").string()}});
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (!report.ok() || report->checks.size() != 1) return QueryCheck::Outcome::kError;
    last_reason_ = report->checks[0].reason;
    return report->checks[0].outcome;
  }

  fs::path dir_;
  MigrationSpec spec_;
  Catalog catalog_;
  std::string last_reason_;
};

TEST_F(OldParquetInPlaceTest, ARenameAndAWideningCastVerify) {
  WriteParquet("new/part-0.parquet", {"account_id", "amount"}, DataType::Int64(), {1, 2, 1, 3}, {10, 20, -5, 7});
  EXPECT_EQ(Verify("  rename: {user_id: account_id}\n  cast: {amount: int64}\n"), QueryCheck::Outcome::kMatched)
      << last_reason_;
}

TEST_F(OldParquetInPlaceTest, AChangedValueIsStillCaught) {
  WriteParquet("new/part-0.parquet", {"account_id", "amount"}, DataType::Int64(), {1, 2, 1, 3}, {10, 21, -5, 7});
  EXPECT_EQ(Verify("  rename: {user_id: account_id}\n  cast: {amount: int64}\n"), QueryCheck::Outcome::kMismatched);
}

// A filter does not keep every row: the old side goes through the transformer, so the
// filtered row is left out of the old answer and the filtered new data verifies.
TEST_F(OldParquetInPlaceTest, AFilteredRowIsStillLeftOutOfTheOldAnswer) {
  WriteParquet("new/part-0.parquet", {"account_id", "amount"}, DataType::Int32(), {1, 2, 3}, {10, 20, 7});
  EXPECT_EQ(Verify("  rename: {user_id: account_id}\n  filter: \"amount >= 0\"\n"), QueryCheck::Outcome::kMatched)
      << last_reason_;
}

// A fleet-wide spec (TPC-H's: one spec renaming and casting columns of several tables) names
// columns a dataset lacks. The verifier's loader applies the spec reduced to the dataset's
// columns (TransformForSchema), and so does the in-place decision: a cast of a column the
// dataset does not have keeps every one of its rows, so its old Parquet is read in place.
TEST(OldParquetInPlaceDecision, ACastOfAColumnTheDatasetLacksDoesNotForceTheAppender) {
  auto spec = ParseMigrationSpec(
      "name: m\nversion: 2\ntransform:\n  rename: {l_quantity: l_qty, o_orderdate: o_order_date}\n"
      "  cast: {l_qty: double}\n",
      "m.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  const Schema orders(std::vector<Field>{{"o_orderkey", DataType::Int64()}, {"o_orderdate", DataType::Date()}});
  EXPECT_FALSE(TransformKeepsEveryRow(spec->transform, orders));  // the whole spec: in doubt
  EXPECT_TRUE(TransformKeepsEveryRow(TransformForSchema(spec->transform, orders), orders));
  // Where the column is there, a cast that can fail still sends the data through the appender.
  const Schema lineitem(std::vector<Field>{{"l_orderkey", DataType::Int64()}, {"l_quantity", DataType::String()}});
  EXPECT_FALSE(TransformKeepsEveryRow(TransformForSchema(spec->transform, lineitem), lineitem));
}

}  // namespace
}  // namespace gaggle
