#include "verify/sqlite_dialect.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

namespace gaggle {
namespace {

std::string Translated(const std::string& sql) {
  auto r = ToSqliteDialect(sql);
  EXPECT_TRUE(r.ok()) << sql << "\n" << r.status().ToString();
  return r.ok() ? *r : r.status().ToString();
}

std::string Failure(const std::string& sql) {
  auto r = ToSqliteDialect(sql);
  return r.ok() ? "translated: " + *r : r.status().ToString();
}

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

// An in-memory database holding events rows as the verification runner loads them.
class SqliteDialectRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
    db_.reset(raw);
    Exec(
        "CREATE TABLE events(user_id INTEGER, ts TEXT, amount TEXT, flag INTEGER, country TEXT, session TEXT);"
        "INSERT INTO events VALUES"
        " (1, '2024-05-01T12:00:00Z', '12.5', 1, 'DE', 's1'),"
        " (1, '2024-05-01T13:00:00Z', '100', 0, 'DE', 's2'),"
        " (2, '2024-05-02T08:30:00Z', '7.25', 1, 'FR', NULL),"
        " (3, '2024-05-02T09:00:00Z', '0', 0, 'US', 's3');");
  }

  void Exec(const std::string& sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
  }

  // Rows of the translated query, cells as "typeof:value" joined by '|'.
  std::vector<std::string> Run(const std::string& duck_sql) {
    auto sql = ToSqliteDialect(duck_sql);
    EXPECT_TRUE(sql.ok()) << sql.status().ToString();
    if (!sql.ok()) return {};
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_.get(), sql->c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << *sql << ": " << sqlite3_errmsg(db_.get());
    std::vector<std::string> rows;
    if (stmt == nullptr) return rows;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (c > 0) row += "|";
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER: row += "int:" + std::to_string(sqlite3_column_int64(stmt, c)); break;
          case SQLITE_FLOAT: row += "real:" + std::to_string(sqlite3_column_double(stmt, c)); break;
          case SQLITE_TEXT:
            row += "text:" + std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)));
            break;
          case SQLITE_NULL: row += "null"; break;
          default: row += "blob:" + std::to_string(sqlite3_column_bytes(stmt, c)); break;
        }
      }
      rows.push_back(row);
    }
    sqlite3_finalize(stmt);
    return rows;
  }

  std::unique_ptr<sqlite3, DbCloser> db_;
};

TEST(SqliteDialectTest, CastTypesMapToSqliteTypes) {
  EXPECT_EQ(Translated("SELECT CAST(ts AS TIMESTAMP), CAST(amount AS DOUBLE), CAST(n AS BIGINT) FROM t"),
            "SELECT CAST(ts AS TEXT), CAST(amount AS REAL), CAST(n AS INTEGER) FROM t");
  EXPECT_EQ(Translated("SELECT CAST(a AS timestamp with time zone), CAST(b AS VARCHAR(20)), CAST(c AS decimal(10, 2)),"
                       " CAST(d AS DOUBLE PRECISION), CAST(e AS bool), CAST(f AS BYTEA), TRY_CAST(g AS INT2)"),
            "SELECT CAST(a AS TEXT), CAST(b AS TEXT), CAST(c AS REAL), CAST(d AS REAL), CAST(e AS INTEGER), "
            "CAST(f AS BLOB), CAST(g AS INTEGER)");
  // Spacing and comments around the parts of a CAST stay.
  EXPECT_EQ(Translated("SELECT CAST ( x /* c */ AS  DATE ) FROM t"), "SELECT CAST ( x /* c */ AS  TEXT ) FROM t");
  // Nested casts and expressions inside.
  EXPECT_EQ(Translated("SELECT CAST(CAST(x AS INT) + 1 AS STRING)"), "SELECT CAST(CAST(x AS INTEGER) + 1 AS TEXT)");
}

TEST(SqliteDialectTest, EveryListedTypeMaps) {
  const std::pair<const char*, const char*> cases[] = {
      {"TIMESTAMP", "TEXT"},
      {"TIMESTAMPTZ", "TEXT"},
      {"TIMESTAMP WITH TIME ZONE", "TEXT"},
      {"DATE", "TEXT"},
      {"TIME", "TEXT"},
      {"DATETIME", "TEXT"},
      {"VARCHAR", "TEXT"},
      {"CHAR", "TEXT"},
      {"STRING", "TEXT"},
      {"TEXT", "TEXT"},
      {"DOUBLE", "REAL"},
      {"DOUBLE PRECISION", "REAL"},
      {"FLOAT", "REAL"},
      {"FLOAT4", "REAL"},
      {"FLOAT8", "REAL"},
      {"REAL", "REAL"},
      {"DECIMAL", "REAL"},
      {"NUMERIC", "REAL"},
      {"INT", "INTEGER"},
      {"INTEGER", "INTEGER"},
      {"BIGINT", "INTEGER"},
      {"SMALLINT", "INTEGER"},
      {"TINYINT", "INTEGER"},
      {"HUGEINT", "INTEGER"},
      {"INT2", "INTEGER"},
      {"INT4", "INTEGER"},
      {"INT8", "INTEGER"},
      {"BOOLEAN", "INTEGER"},
      {"BOOL", "INTEGER"},
      {"BLOB", "BLOB"},
      {"BYTEA", "BLOB"},
      {"JSON", ""},
      {"double", ""},
  };
  for (const auto& [type, want] : cases) EXPECT_EQ(SqliteTypeFor(type), want) << type;
}

TEST(SqliteDialectTest, PostgresCastsBecomeCast) {
  EXPECT_EQ(Translated("SELECT ts::timestamp, e.amount::DOUBLE PRECISION, '7'::int, (a + b)::text FROM t e"),
            "SELECT CAST(ts AS TEXT), CAST(e.amount AS REAL), CAST('7' AS INTEGER), CAST((a + b) AS TEXT) FROM t e");
  EXPECT_EQ(Translated("SELECT x::int::text, -y::bigint, sum(z)::numeric(12,2), $1::date, \"Q\" :: varchar(3)"),
            "SELECT CAST(CAST(x AS INTEGER) AS TEXT), -CAST(y AS INTEGER), CAST(sum(z) AS REAL), CAST($1 AS TEXT), "
            "CAST(\"Q\" AS TEXT)");
  EXPECT_EQ(Translated("SELECT a FROM t WHERE ts::timestamp with time zone >= '2024-05-01'"),
            "SELECT a FROM t WHERE CAST(ts AS TEXT) >= '2024-05-01'");
}

TEST(SqliteDialectTest, TypedLiteralsAndStrings) {
  EXPECT_EQ(Translated("SELECT * FROM t WHERE d >= DATE '2024-01-01' AND ts < TIMESTAMP '2024-02-01 00:00:00'"),
            "SELECT * FROM t WHERE d >= CAST('2024-01-01' AS TEXT) AND ts < CAST('2024-02-01 00:00:00' AS TEXT)");
  EXPECT_EQ(Translated("SELECT $$it's$$, $q$a$$b$q$, E'x\\'y\\n', 'plain''s'"),
            "SELECT 'it''s', 'a$$b', 'x''y\n', 'plain''s'");
}

TEST(SqliteDialectTest, EverythingElsePassesThrough) {
  const std::string sql =
      "SELECT date_trunc('day', ts) AS day, COUNT(DISTINCT user_id) -- ts::int in a comment\n"
      "FROM t /* CAST(x AS FOO) */ WHERE country IN ('DE', 'FR') AND x::int > 0 GROUP BY 1 HAVING COUNT(*) >= 2";
  EXPECT_EQ(Translated(sql),
            "SELECT date_trunc('day', ts) AS day, COUNT(DISTINCT user_id) -- ts::int in a comment\n"
            "FROM t /* CAST(x AS FOO) */ WHERE country IN ('DE', 'FR') AND CAST(x AS INTEGER) > 0 GROUP BY 1 HAVING "
            "COUNT(*) >= 2");
  EXPECT_EQ(Translated("select 1;"), "select 1;");
  EXPECT_EQ(Translated(""), "");
}

TEST(SqliteDialectTest, Errors) {
  const std::pair<std::string, std::string> cases[] = {
      {"SELECT CAST(x AS JSON)", "InvalidArgument: line 1 col 18: unknown type JSON"},
      {"SELECT x::widget", "InvalidArgument: line 1 col 11: unknown type WIDGET"},
      {"SELECT x::int[]", "InvalidArgument: line 1 col 11: array type INT[] has no SQLite equivalent"},
      {"SELECT a + ::int",
       "InvalidArgument: line 1 col 12: '::' must follow a name, a literal, a function call or a "
       "parenthesised expression"},
      {"SELECT CAST(x)", "InvalidArgument: line 1 col 8: CAST without AS type"},
      {"SELECT CAST(x AS INT extra)", "InvalidArgument: line 1 col 22: unexpected 'extra' in type"},
      {"SELECT x::timestamp with", "InvalidArgument: end of query: expected TIME ZONE in type TIMESTAMP WITH"},
      {"SELECT now() - INTERVAL '1 day'",
       "InvalidArgument: line 1 col 16: INTERVAL literals have no SQLite "
       "equivalent"},
      {"SELECT (1", "InvalidArgument: line 1 col 8: unbalanced '('"},
      {"SELECT 1)", "InvalidArgument: line 1 col 9: unbalanced ')'"},
      {"SELECT 'x", "InvalidArgument: line 1 col 8: unterminated string literal"},
      {"SELECT E'\\x41'", "InvalidArgument: line 1 col 8: escape \\x in an E'' string is not supported"},
  };
  for (const auto& [sql, want] : cases) EXPECT_EQ(Failure(sql), want) << sql;
}

TEST(SqliteDialectTest, DeepNestingIsCappedNotACrash) {
  const std::string ok = "SELECT " + std::string(150, '(') + "x::int" + std::string(150, ')');
  EXPECT_EQ(Translated(ok), "SELECT " + std::string(150, '(') + "CAST(x AS INTEGER)" + std::string(150, ')'));
  const std::string deep = "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')');
  EXPECT_EQ(Failure(deep), "InvalidArgument: line 1 col 208: parentheses nested too deeply");
}

TEST_F(SqliteDialectRunTest, CastsKeepTheirMeaning) {
  EXPECT_EQ(Run("SELECT CAST('2024-05-01T12:00:00Z' AS TIMESTAMP), CAST('12.5' AS DOUBLE), '42'::BIGINT + 1, "
                "CAST(1 AS BOOLEAN), CAST(12.5 AS VARCHAR), DATE '2024-01-01', x'6162'::BLOB"),
            (std::vector<std::string>{"text:2024-05-01T12:00:00Z|real:12.500000|int:43|int:1|text:12.5|"
                                      "text:2024-01-01|blob:2"}));
  EXPECT_EQ(Run("SELECT '7'::int::text, (2 + 3)::text, abs(-3)::double, CAST('3.25' AS DECIMAL(10, 2))"),
            (std::vector<std::string>{"text:7|text:5|real:3.000000|real:3.250000"}));
}

TEST_F(SqliteDialectRunTest, DemoQueriesRun) {
  EXPECT_EQ(Run("SELECT country, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS revenue FROM events GROUP BY "
                "country ORDER BY country"),
            (std::vector<std::string>{"text:DE|int:2|real:112.500000", "text:FR|int:1|real:7.250000",
                                      "text:US|int:1|real:0.000000"}));
  EXPECT_EQ(Run("SELECT user_id, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS spend FROM events WHERE country "
                "IN ('DE', 'FR', 'NL') GROUP BY user_id HAVING COUNT(*) >= 2"),
            (std::vector<std::string>{"int:1|int:2|real:112.500000"}));
  EXPECT_EQ(Run("SELECT country, COUNT(DISTINCT session) AS sessions FROM events WHERE CAST(amount AS DOUBLE) >= 100 "
                "GROUP BY country"),
            (std::vector<std::string>{"text:DE|int:1"}));
  EXPECT_EQ(Run("SELECT country, AVG(amount::double) AS avg_amount FROM events WHERE session IS NOT NULL AND "
                "ts::timestamp >= TIMESTAMP '2024-05-01T13:00:00Z' GROUP BY country ORDER BY 1"),
            (std::vector<std::string>{"text:DE|real:100.000000", "text:US|real:0.000000"}));
  EXPECT_EQ(Run("SELECT COUNT(*) FROM events WHERE CAST(flag AS BOOLEAN) AND CAST(user_id AS HUGEINT) < 3"),
            (std::vector<std::string>{"int:2"}));
}

}  // namespace
}  // namespace gaggle
