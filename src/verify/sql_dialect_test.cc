// Dialect translation for verification: each translated query runs in DuckDB and gives the
// answer the source dialect defines; what cannot be translated is refused with the reason.
#include "verify/sql_dialect.h"

#include <gtest/gtest.h>

#include "verify/duckdb_engine.h"

namespace gaggle {
namespace {

struct DialectCase {
  SqlDialect dialect;
  std::string sql;
  std::string translated;  // "" : not checked
  std::string answer;      // RowToString of the one row
};

class SqlDialectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DuckDbOptions o;
    o.memory_limit = "128MB";
    o.threads = 1;
    auto e = DuckDbEngine::Open(o);
    ASSERT_TRUE(e.ok());
    engine_ = std::move(e).value();
    conn_ = std::move(engine_->Connect()).value();
  }
  std::unique_ptr<DuckDbEngine> engine_;
  std::unique_ptr<DuckDbConnection> conn_;
};

TEST_F(SqlDialectTest, TranslatedQueriesRunInDuckDbWithTheDialectsMeaning) {
  const DialectCase cases[] = {
      {SqlDialect::kSnowflake, "select dateadd(day, 2, date '2024-02-28') as d -- leap",
       "select (date '2024-02-28' + INTERVAL (2) day) as d -- leap", "('2024-03-01T00:00:00Z')"},
      {SqlDialect::kSnowflake, "select DATEADD('month', -1, DATE '2024-03-31')", "", "('2024-02-29T00:00:00Z')"},
      {SqlDialect::kSnowflake, "select datediff(day, date '2024-01-01', date '2024-03-01')", "", "(60)"},
      {SqlDialect::kSnowflake, "select iff(1 > 2, 'a', iff(true, 'b', 'c'))", "", "('b')"},
      {SqlDialect::kSnowflake,
       "select k from (values (1, 'x'), (2, 'x')) t(k, g) qualify row_number() over (partition by g order by k desc) = "
       "1",
       "", "(2)"},
      {SqlDialect::kBigQuery, "select DATE_TRUNC(DATE '2024-05-17', MONTH)",
       "select date_trunc('month', DATE '2024-05-17')", "('2024-05-01')"},
      {SqlDialect::kBigQuery, "select date_diff(date '2024-03-01', date '2024-01-01', DAY)", "", "(60)"},
      {SqlDialect::kBigQuery, "select DATE_SUB(DATE '2024-03-01', INTERVAL 1 DAY)", "", "('2024-02-29T00:00:00Z')"},
      {SqlDialect::kBigQuery, "select safe_divide(1, 0), safe_divide(6, 3)", "", "(NULL, 2)"},
      {SqlDialect::kBigQuery, "select `k` from (select 7 as k) as `t`", "select \"k\" from (select 7 as k) as \"t\"",
       "(7)"},
      {SqlDialect::kSpark, "select date_add(date '2024-02-28', 1), datediff(date '2024-03-01', date '2024-02-01')", "",
       "('2024-02-29T00:00:00Z', 29)"},
      {SqlDialect::kPostgres, "select extract(year from date '2024-05-01') + 0", "", "(2024)"},
  };
  for (const DialectCase& c : cases) {
    auto t = ToDuckDbDialect(c.sql, c.dialect);
    ASSERT_TRUE(t.ok()) << c.sql << ": " << t.status().ToString();
    if (!c.translated.empty()) {
      EXPECT_EQ(*t, c.translated);
    }
    auto r = conn_->Query(*t, 10);
    ASSERT_TRUE(r.ok()) << *t << ": " << r.status().ToString();
    ASSERT_EQ(r->rows.size(), 1u) << *t;
    EXPECT_EQ(RowToString(r->rows[0]), c.answer) << SqlDialectName(c.dialect) << ": " << c.sql << " -> " << *t;
  }
}

TEST_F(SqlDialectTest, WhatCannotBeTranslatedIsRefusedWithTheReason) {
  const std::pair<SqlDialect, std::string> cases[] = {
      {SqlDialect::kSnowflake, "select f.value from t, lateral flatten(input => t.items) f"},
      {SqlDialect::kSnowflake, "select payload:customer.id from events"},
      {SqlDialect::kSnowflake, "select dateadd(fortnight, 1, d) from t"},
      {SqlDialect::kBigQuery, "select safe.parse_date('%Y', y) from t"},
      {SqlDialect::kBigQuery, "select * from t for system_time as of timestamp '2024-01-01'"},
  };
  for (const auto& [dialect, sql] : cases) {
    auto t = ToDuckDbDialect(sql, dialect);
    ASSERT_FALSE(t.ok()) << sql << " -> " << *t;
    EXPECT_EQ(t.status().code(), StatusCode::kUnsupported) << t.status().ToString();
    EXPECT_NE(t.status().message().find("line 1 col"), std::string::npos) << t.status().ToString();
    EXPECT_NE(t.status().message().find(SqlDialectName(dialect)), std::string::npos) << t.status().ToString();
  }
  auto bad = ToDuckDbDialect("select dateadd(day, 1) from t", SqlDialect::kSnowflake);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("dateadd takes 3 arguments in snowflake, not 2"), std::string::npos)
      << bad.status().ToString();
  EXPECT_FALSE(ToDuckDbDialect("select (1", SqlDialect::kSpark).ok());
}

TEST(SqlDialectNames, ParseAndName) {
  for (const char* n : {"duckdb", "postgres", "snowflake", "bigquery", "spark"}) {
    auto d = ParseSqlDialect(n);
    ASSERT_TRUE(d.ok());
    EXPECT_STREQ(SqlDialectName(*d), n);
  }
  EXPECT_EQ(*ParseSqlDialect("Databricks"), SqlDialect::kSpark);
  auto bad = ParseSqlDialect("oracle");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("known: duckdb, postgres, snowflake, bigquery, spark"), std::string::npos);
}

}  // namespace
}  // namespace gaggle
