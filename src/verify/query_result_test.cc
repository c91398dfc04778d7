// Comparing query answers as multisets, on answers DuckDB computes.
#include "verify/query_result.h"

#include <gtest/gtest.h>

#include "verify/duckdb_engine.h"

namespace gaggle {
namespace {

class VerifyQueryResultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DuckDbOptions o;
    o.memory_limit = "256MB";
    o.threads = 1;
    auto e = DuckDbEngine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    auto c = engine_->Connect();
    ASSERT_TRUE(c.ok());
    conn_ = std::move(c).value();
  }
  QueryResult Run(const std::string& sql) {
    auto r = conn_->Query(sql, 1000);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? *r : QueryResult{};
  }
  std::unique_ptr<DuckDbEngine> engine_;
  std::unique_ptr<DuckDbConnection> conn_;
};

TEST_F(VerifyQueryResultTest, SameRowsInAnotherOrderAndCloseFloatsAreTheSameAnswer) {
  QueryResult a = Run("SELECT * FROM (VALUES ('DE', 3, 0.1::DOUBLE + 0.2), ('FR', 1, 1.0), (NULL, 2, NULL))");
  QueryResult b = Run("SELECT * FROM (VALUES ('FR', 1.0, 1), (NULL, 2, NULL), ('DE', 3, 0.3))");
  ResultDiff d = CompareQueryResults(a, b, 1e-9);
  EXPECT_TRUE(d.same) << d.reason;
  // Beyond the tolerance: a different answer, with the rows that differ.
  QueryResult c = Run("SELECT * FROM (VALUES ('FR', 1, 1.0), (NULL, 2, NULL), ('DE', 3, 0.31))");
  d = CompareQueryResults(a, c, 1e-9);
  EXPECT_FALSE(d.same);
  EXPECT_EQ(d.only_old, 1);
  EXPECT_EQ(d.only_new, 1);
  ASSERT_EQ(d.examples_new.size(), 1u);
  EXPECT_EQ(RowToString(d.examples_new[0]), "('DE', 3, 0.31)");
  EXPECT_EQ(d.reason, "1 row only in the old answer, 1 row only in the new (of 3 and 3)");
}

TEST_F(VerifyQueryResultTest, IntegerDivisionIsNotAChangedAnswerWhenAColumnBecomesDouble) {
  // DuckDB's `/` divides integers exactly, so an int -> double cast keeps the answer.
  QueryResult a = Run("SELECT x / 2 FROM (VALUES (7::BIGINT), (8)) t(x)");
  QueryResult b = Run("SELECT x / 2 FROM (VALUES (7::DOUBLE), (8)) t(x)");
  EXPECT_TRUE(CompareQueryResults(a, b, 1e-9).same);
}

TEST_F(VerifyQueryResultTest, MultiplicityColumnCountAndTimestampsMatter) {
  QueryResult a = Run("SELECT * FROM (VALUES (1), (1), (2))");
  QueryResult b = Run("SELECT * FROM (VALUES (1), (2), (2))");
  EXPECT_FALSE(CompareQueryResults(a, b, 1e-9).same);
  EXPECT_FALSE(CompareQueryResults(a, Run("SELECT 1, 2"), 1e-9).same);
  EXPECT_EQ(CompareQueryResults(a, Run("SELECT 1, 2"), 1e-9).reason, "the old answer has 1 column, the new one 2");
  // A naive and a UTC-adjusted timestamp of the same microseconds, in a UTC session.
  EXPECT_TRUE(CompareQueryResults(Run("SELECT TIMESTAMP '2024-05-01 12:00:00.123'"),
                                  Run("SELECT TIMESTAMPTZ '2024-05-01 12:00:00.123+00'"), 0)
                  .same);
  EXPECT_FALSE(CompareQueryResults(Run("SELECT TIMESTAMP '2024-05-01 12:00:00.123'"),
                                   Run("SELECT TIMESTAMP '2024-05-01 12:00:00.124'"), 0)
                   .same);
  EXPECT_FALSE(CompareQueryResults(Run("SELECT 'a'"), Run("SELECT 'A'"), 0).same);
  EXPECT_EQ(RowToString(Run("SELECT DATE '2024-05-01', 12.50::DECIMAL(9,2), NULL, 'x'::BLOB").rows[0]),
            "('2024-05-01', 12.5, NULL, x'78')");
  // TIMESTAMPTZ read as its instant; intervals and lists by DuckDB's text rendering.
  EXPECT_EQ(RowToString(Run("SELECT TIMESTAMPTZ '2024-05-01 12:00:00+02', INTERVAL 1 DAY, [1, 2]").rows[0]),
            "('2024-05-01T10:00:00Z', '1 day', '[1, 2]')");
}

TEST_F(VerifyQueryResultTest, ErrorsAndHugeResultsAreReportedNotPartial) {
  auto big = conn_->Query("SELECT * FROM range(20)", 10);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("more rows than the limit of 10"), std::string::npos);
  auto bad = conn_->Query("SELECT FROM WHERE", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("syntax error"), std::string::npos) << bad.status().ToString();
  // A query past its time limit is interrupted.
  auto slow = conn_->Query("SELECT count(*) FROM range(100000000000) a", 10, std::chrono::milliseconds(200));
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), StatusCode::kTimeout) << slow.status().ToString();
}

TEST_F(VerifyQueryResultTest, AnalyticSqlSQLiteCouldNotRun) {
  // EXTRACT, INTERVAL, QUALIFY, GROUP BY ALL, * EXCLUDE, derived-column lists, md5.
  QueryResult r =
      Run("WITH t(d, k, v) AS (VALUES (DATE '2024-01-31', 'a', 1), (DATE '2024-02-01', 'a', 2), (DATE '2024-02-02', "
          "'b', 3)) "
          "SELECT EXTRACT(month FROM d + INTERVAL 1 DAY) AS m, k, md5(k) AS h, * EXCLUDE (d, k) FROM t "
          "QUALIFY row_number() OVER (PARTITION BY k ORDER BY v DESC) = 1");
  EXPECT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(Run("SELECT k, sum(v) FROM (VALUES ('a', 1), ('a', 2)) t(k, v) GROUP BY ALL").rows.size(), 1u);
}

}  // namespace
}  // namespace gaggle
