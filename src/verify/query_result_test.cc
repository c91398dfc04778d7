// Comparing query answers as multisets, and the SQL functions verification adds to SQLite.
#include "verify/query_result.h"

#include <gtest/gtest.h>

#include "verify/sqlite_functions.h"

namespace gaggle {
namespace {

class SqliteFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(RegisterVerificationFunctions(db_).ok());
  }
  void TearDown() override { sqlite3_close(db_); }
  QueryResult Run(const std::string& sql) {
    auto r = RunSqliteQuery(db_, sql, 1000);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? *r : QueryResult{};
  }
  std::string One(const std::string& expr) {
    auto r = Run("SELECT " + expr);
    return r.rows.empty() ? "<none>" : r.rows[0][0].ToString();
  }
  sqlite3* db_ = nullptr;
};

using VerifyQueryResultTest = SqliteFixture;

TEST_F(VerifyQueryResultTest, SameRowsInAnotherOrderAndCloseFloatsAreTheSameAnswer) {
  QueryResult a = Run("SELECT * FROM (VALUES ('DE', 3, 0.1 + 0.2), ('FR', 1, 1.0), (NULL, 2, NULL))");
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

TEST_F(VerifyQueryResultTest, MultiplicityColumnCountAndTimestampsMatter) {
  QueryResult a = Run("SELECT * FROM (VALUES (1), (1), (2))");
  QueryResult b = Run("SELECT * FROM (VALUES (1), (2), (2))");
  EXPECT_FALSE(CompareQueryResults(a, b, 1e-9).same);
  EXPECT_FALSE(CompareQueryResults(a, Run("SELECT 1, 2"), 1e-9).same);
  EXPECT_EQ(CompareQueryResults(a, Run("SELECT 1, 2"), 1e-9).reason, "the old answer has 1 column, the new one 2");
  // One instant, two spellings.
  EXPECT_TRUE(
      CompareQueryResults(Run("SELECT '2024-05-01T12:00:00.123Z'"), Run("SELECT '2024-05-01T12:00:00.123000Z'"), 0)
          .same);
  EXPECT_FALSE(
      CompareQueryResults(Run("SELECT '2024-05-01T12:00:00.123Z'"), Run("SELECT '2024-05-01T12:00:00.124Z'"), 0).same);
  EXPECT_FALSE(CompareQueryResults(Run("SELECT 'a'"), Run("SELECT 'A'"), 0).same);
}

TEST_F(VerifyQueryResultTest, RefusesWritesSeveralStatementsAndHugeResults) {
  EXPECT_FALSE(RunSqliteQuery(db_, "CREATE TABLE t (a)", 10).ok());
  EXPECT_FALSE(RunSqliteQuery(db_, "SELECT 1; SELECT 2", 10).ok());
  auto big = RunSqliteQuery(db_,
                            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 20) "
                            "SELECT i FROM n",
                            10);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("more than 10 rows"), std::string::npos);
  auto bad = RunSqliteQuery(db_, "SELECT FROM WHERE", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("SQLite cannot run it"), std::string::npos);
}

TEST_F(VerifyQueryResultTest, DateFunctions) {
  EXPECT_EQ(One("date_trunc('day', '2024-05-01T12:34:56.789Z')"), "'2024-05-01T00:00:00Z'");
  EXPECT_EQ(One("date_trunc('HOUR', '2024-05-01 12:34:56')"), "'2024-05-01T12:00:00Z'");
  EXPECT_EQ(One("date_trunc('week', '2024-05-01T12:00:00Z')"), "'2024-04-29T00:00:00Z'");  // a Wednesday
  EXPECT_EQ(One("date_trunc('month', '2024-05-31T23:59:59Z')"), "'2024-05-01T00:00:00Z'");
  EXPECT_EQ(One("date_trunc('quarter', '2024-05-31T23:59:59Z')"), "'2024-04-01T00:00:00Z'");
  EXPECT_EQ(One("date_trunc('years', '1969-12-31T23:59:59Z')"), "'1969-01-01T00:00:00Z'");
  EXPECT_EQ(One("date_trunc('day', NULL)"), "NULL");
  EXPECT_EQ(One("date_part('dow', '2024-05-05T00:00:00Z')"), "0");  // a Sunday
  EXPECT_EQ(One("date_part('isodow', '2024-05-05T00:00:00Z')"), "7");
  EXPECT_EQ(One("date_part('week', '2024-12-30T00:00:00Z')"), "1");  // ISO week 1 of 2025
  EXPECT_EQ(One("date_part('doy', '2024-12-31T00:00:00Z')"), "366");
  EXPECT_EQ(One("year('2024-05-01T00:00:00Z')"), "2024");
  EXPECT_EQ(One("hour('2024-05-01T17:00:00Z')"), "17");
  EXPECT_EQ(One("epoch('1970-01-01T00:01:00Z')"), "60");
  auto bad = RunSqliteQuery(db_, "SELECT date_trunc('fortnight', '2024-05-01')", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown unit 'fortnight'"), std::string::npos);
  bad = RunSqliteQuery(db_, "SELECT date_trunc('day', 'soon')", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'soon' is not a timestamp"), std::string::npos);
}

}  // namespace
}  // namespace gaggle
