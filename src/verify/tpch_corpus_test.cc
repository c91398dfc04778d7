// The proof of downstream verification on real analytic SQL: the 22 TPC-H queries
// (tests/corpus/tpch/) on gaggle's own generated data, migrated with renames and a cast.
// Every query must give the same answer on the old data (original SQL) and on the new
// data (the patched SQL), and each planted wrong mapping (two columns swapped, a unit
// changed, dates shifted a day as a time zone error does) must be caught, naming the
// queries and showing rows.
#include "verify/tpch_corpus.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "common/source_dir_test_util.h"
#include "verify/query_verifier.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

const char* kTpchSpec = R"(name: tpch-rename
version: 2
transform:
  rename:
    l_extendedprice: l_extended_price
    l_shipdate: l_ship_date
    l_quantity: l_qty
    o_orderdate: o_order_date
    c_acctbal: c_account_balance
    ps_supplycost: ps_supply_cost
    p_type: p_part_type
  cast: {l_qty: double}
verify: {table: "{id}_v2"}
)";

class TpchCorpusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("gaggle-tpch-" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    corpus_ = gaggle::testing::SourceRoot() + "/tests/corpus/tpch";
    Status st = GenerateTpch(corpus_, 0.005, (*dir_ / "old").string(), "512MB");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    auto spec = ParseMigrationSpec(kTpchSpec, "tpch.yaml");
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    spec_ = *spec;
    auto queries = LoadCorpusQueries(corpus_);
    ASSERT_TRUE(queries.ok()) << queries.status().ToString();
    queries_ = *queries;
  }

  // Migrates every table into new/<case>/, lineitem through `fault`, and verifies all queries.
  VerificationReport Verify(const std::string& name, const std::function<void(RecordBatch*)>& fault) {
    std::vector<VerifiedDataset> migrated;
    for (const std::string& t : TpchTables()) {
      const std::string old_path = (*dir_ / "old" / (t + ".parquet")).string();
      const std::string new_path = (*dir_ / name / t / "part-0.parquet").string();
      Status st = MigrateTable(spec_, old_path, new_path, t == "lineitem" ? fault : nullptr);
      EXPECT_TRUE(st.ok()) << t << ": " << st.ToString();
      migrated.push_back({t, old_path, (*dir_ / name / t).string()});
    }
    auto catalog = TpchCatalog((*dir_ / "old").string(), queries_);
    EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(catalog).value();
    QueryVerifierOptions o;
    o.sample = 0;
    o.memory_limit = "512MB";
    QueryVerifier v(spec_, catalog_, o);
    auto r = v.Verify(migrated);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerificationReport{};
  }

  static std::set<std::string> Mismatched(const VerificationReport& r) {
    std::set<std::string> out;
    for (const QueryCheck& c : r.checks) {
      if (c.outcome == QueryCheck::Outcome::kMismatched) out.insert(c.consumer.substr(c.consumer.size() - 3));
    }
    return out;
  }

  static fs::path* dir_;
  static std::string corpus_;
  MigrationSpec spec_;
  std::vector<CorpusQuery> queries_;
  Catalog catalog_;
};

fs::path* TpchCorpusTest::dir_ = nullptr;
std::string TpchCorpusTest::corpus_;

// Column index of `name` in the batch.
size_t Col(const RecordBatch& b, const std::string& name) {
  const int i = b.schema->FindField(name);
  EXPECT_GE(i, 0) << name;
  return static_cast<size_t>(i);
}

TEST_F(TpchCorpusTest, AllTwentyTwoQueriesGiveTheSameAnswerOnTheMigratedData) {
  ASSERT_EQ(queries_.size(), 22u);
  VerificationReport r = Verify("clean", nullptr);
  ASSERT_EQ(r.checks.size(), 22u);
  for (const QueryCheck& c : r.checks) {
    EXPECT_EQ(c.outcome, QueryCheck::Outcome::kMatched) << c.consumer << ": " << c.reason << "\n" << c.rewritten;
    EXPECT_GT(c.rows_old, 0) << c.consumer << " has an empty answer: it proves little";
  }
  EXPECT_TRUE(r.schema_changes.empty());
  EXPECT_TRUE(r.passed()) << r.Summary();
  // The patches rename what the migration renamed and nothing else.
  bool q1 = false;
  for (const ConsumerPatch& p : r.patches) {
    if (p.consumer != "component:tpch-q01") continue;
    q1 = true;
    EXPECT_NE(p.patch.find("+    sum(l_qty) as sum_qty,"), std::string::npos) << p.patch;
    EXPECT_NE(p.patch.find("+from lineitem_v2"), std::string::npos) << p.patch;
    EXPECT_NE(p.patch.find("+where l_ship_date <= date '1998-12-01' - interval '90' day"), std::string::npos)
        << p.patch;
  }
  EXPECT_TRUE(q1);
}

TEST_F(TpchCorpusTest, TwoSwappedColumnsAreCaught) {
  VerificationReport r = Verify(
      "swapped", [](RecordBatch* b) { std::swap(b->columns[Col(*b, "l_discount")], b->columns[Col(*b, "l_tax")]); });
  const std::set<std::string> caught = Mismatched(r);
  EXPECT_TRUE(caught.count("q01") && caught.count("q06")) << r.Summary();
  EXPECT_FALSE(r.passed());
  for (const QueryCheck& c : r.checks) {
    if (c.consumer == "component:tpch-q06") {
      EXPECT_FALSE(c.examples_old.empty() && c.examples_new.empty()) << c.reason;
    }
  }
}

TEST_F(TpchCorpusTest, AChangedUnitIsCaught) {
  VerificationReport r = Verify("cents", [](RecordBatch* b) {
    Column& c = b->columns[Col(*b, "l_extended_price")];
    for (size_t i = 0; i < c.size(); ++i) c.mutable_data<int64_t>()[i] *= 100;
  });
  const std::set<std::string> caught = Mismatched(r);
  // Every query whose answer carries the price is caught. Q8 and Q14 answer ratios of two
  // price sums (a unit cancels out: the same answer, rightly), and Q19 selects no line
  // at this scale factor.
  for (const char* q : {"q01", "q03", "q05", "q06", "q07", "q09", "q10", "q15", "q17"}) {
    EXPECT_TRUE(caught.count(q)) << q << ": " << r.Summary();
  }
  EXPECT_FALSE(caught.count("q08") || caught.count("q14"));
  EXPECT_EQ(caught.size(), 9u) << r.Summary();
}

TEST_F(TpchCorpusTest, DatesShiftedADayAsATimeZoneErrorDoesAreCaught) {
  VerificationReport r = Verify("shifted", [](RecordBatch* b) {
    Column& c = b->columns[Col(*b, "l_ship_date")];
    for (size_t i = 0; i < c.size(); ++i) c.mutable_data<int32_t>()[i] -= 1;
  });
  const std::set<std::string> caught = Mismatched(r);
  EXPECT_TRUE(caught.count("q01")) << r.Summary();
  EXPECT_FALSE(r.passed());
  // The report names the query and shows rows of each side.
  for (const QueryCheck& c : r.checks) {
    if (c.consumer != "component:tpch-q01") continue;
    EXPECT_EQ(c.outcome, QueryCheck::Outcome::kMismatched);
    EXPECT_FALSE(c.examples_old.empty());
    EXPECT_FALSE(c.examples_new.empty());
  }
}

}  // namespace
}  // namespace gaggle
