#include "verify/query_rewriter.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace gaggle {
namespace {

using Strings = std::vector<std::string>;

// events_raw (and the dotted events.raw) as the demo migration changes them:
// user_id -> account_id, ts -> event_time, legacy_flag dropped.
TableChange EventsChange(const std::string& new_table) {
  TableChange c;
  c.new_table = new_table;
  c.columns = {"user_id", "ts", "amount", "legacy_flag", "country", "session"};
  c.renamed = {{"user_id", "account_id"}, {"ts", "event_time"}};
  c.dropped = {"legacy_flag"};
  return c;
}

RewriteRules DemoRules() {
  RewriteRules rules;
  rules.migrated["events_raw"] = EventsChange("events_raw_v2");
  rules.migrated["payments_raw_orders"] = EventsChange("payments_raw_orders_v2");
  rules.migrated["events.raw"] = EventsChange("events.raw_v2");
  rules.other_tables["users"] = {"user_id", "name", "country"};
  rules.other_tables["accounts"] = {"account_id", "plan"};
  rules.other_tables["dim.country"] = {"country", "region"};
  // These tests follow renames into the output names; OutputContract* keep them.
  rules.preserve_output_names = false;
  return rules;
}

std::string Rewritten(const std::string& sql, const RewriteRules& rules = DemoRules()) {
  auto r = RewriteQuery(sql, rules);
  EXPECT_TRUE(r.ok()) << sql << "\n" << r.status().ToString();
  return r.ok() ? r->sql : r.status().ToString();
}

// The refusal's "Code: message", or "" when the query was rewritten.
std::string Refusal(const std::string& sql, const RewriteRules& rules = DemoRules()) {
  auto r = RewriteQuery(sql, rules);
  return r.ok() ? std::string() : r.status().ToString();
}

TEST(QueryRewriterTest, SixDemoQueries) {
  const std::pair<std::string, std::string> cases[] = {
      {"SELECT country, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS revenue FROM payments_raw_orders GROUP "
       "BY country",
       "SELECT country, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS revenue FROM payments_raw_orders_v2 GROUP "
       "BY country"},
      {"SELECT date_trunc('day', CAST(ts AS TIMESTAMP)) AS day, COUNT(DISTINCT user_id) AS active_users FROM "
       "events_raw GROUP BY 1",
       "SELECT date_trunc('day', CAST(event_time AS TIMESTAMP)) AS day, COUNT(DISTINCT account_id) AS active_users "
       "FROM events_raw_v2 GROUP BY 1"},
      {"SELECT country, AVG(CAST(amount AS DOUBLE)) AS avg_amount, MAX(CAST(amount AS DOUBLE)) AS max_amount FROM "
       "events_raw WHERE session IS NOT NULL GROUP BY country",
       "SELECT country, AVG(CAST(amount AS DOUBLE)) AS avg_amount, MAX(CAST(amount AS DOUBLE)) AS max_amount FROM "
       "events_raw_v2 WHERE session IS NOT NULL GROUP BY country"},
      {"SELECT user_id, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS spend FROM events_raw WHERE country IN "
       "('DE', 'FR', 'NL') GROUP BY user_id HAVING COUNT(*) >= 2",
       "SELECT account_id, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS spend FROM events_raw_v2 WHERE country "
       "IN ('DE', 'FR', 'NL') GROUP BY account_id HAVING COUNT(*) >= 2"},
      {"SELECT country, COUNT(DISTINCT session) AS sessions FROM events_raw WHERE CAST(amount AS DOUBLE) >= 100 "
       "GROUP BY country",
       "SELECT country, COUNT(DISTINCT session) AS sessions FROM events_raw_v2 WHERE CAST(amount AS DOUBLE) >= 100 "
       "GROUP BY country"},
      {"SELECT date_trunc('hour', CAST(ts AS TIMESTAMP)) AS hour, country, COUNT(*) AS events FROM events_raw WHERE "
       "CAST(amount AS DOUBLE) > 0 GROUP BY 1, 2",
       "SELECT date_trunc('hour', CAST(event_time AS TIMESTAMP)) AS hour, country, COUNT(*) AS events FROM "
       "events_raw_v2 WHERE CAST(amount AS DOUBLE) > 0 GROUP BY 1, 2"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(Rewritten(in), want) << in;
}

TEST(QueryRewriterTest, DemoQueryEditsAndColumns) {
  auto r = RewriteQuery(
      "SELECT user_id, COUNT(*) FROM payments_raw_orders WHERE country IN ('DE','FR') GROUP BY user_id HAVING "
      "COUNT(*) >= 2",
      DemoRules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->sql,
            "SELECT account_id, COUNT(*) FROM payments_raw_orders_v2 WHERE country IN ('DE','FR') GROUP BY account_id "
            "HAVING COUNT(*) >= 2");
  EXPECT_EQ(r->edits, (Strings{"line 1 col 8: user_id -> account_id",
                               "line 1 col 31: table payments_raw_orders -> payments_raw_orders_v2",
                               "line 1 col 89: user_id -> account_id"}));
  EXPECT_EQ(r->tables, (Strings{"payments_raw_orders"}));
  EXPECT_EQ(r->columns_needed.at("payments_raw_orders"), (Strings{"user_id", "country"}));
  EXPECT_EQ(r->new_columns_needed.at("payments_raw_orders"), (Strings{"account_id", "country"}));
}

TEST(QueryRewriterTest, ColumnsNeededFollowTableOrder) {
  auto r = RewriteQuery("SELECT session, ts, COUNT(*) FROM events_raw WHERE amount > 1 GROUP BY 1, 2", DemoRules());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->columns_needed.at("events_raw"), (Strings{"ts", "amount", "session"}));
  EXPECT_EQ(r->new_columns_needed.at("events_raw"), (Strings{"event_time", "amount", "session"}));
  auto count = RewriteQuery("SELECT COUNT(*) FROM events_raw", DemoRules());
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->columns_needed.at("events_raw"), Strings{});
  EXPECT_EQ(count->new_columns_needed.at("events_raw"), Strings{});
}

TEST(QueryRewriterTest, StarNeedsEveryColumnAndNotesTheDrop) {
  auto r = RewriteQuery("SELECT * FROM events_raw", DemoRules());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sql, "SELECT * FROM events_raw_v2");
  EXPECT_EQ(r->columns_needed.at("events_raw"),
            (Strings{"user_id", "ts", "amount", "legacy_flag", "country", "session"}));
  EXPECT_EQ(r->new_columns_needed.at("events_raw"),
            (Strings{"account_id", "event_time", "amount", "country", "session"}));
  EXPECT_EQ(r->edits, (Strings{"line 1 col 8: * no longer includes legacy_flag (dropped from events_raw)",
                               "line 1 col 15: table events_raw -> events_raw_v2"}));
  auto q = RewriteQuery("SELECT e.*, u.name FROM events_raw AS e JOIN users u ON e.user_id = u.user_id", DemoRules());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->sql, "SELECT e.*, u.name FROM events_raw_v2 AS e JOIN users u ON e.account_id = u.user_id");
  EXPECT_EQ(q->columns_needed.at("events_raw").size(), 6u);
  EXPECT_EQ(q->columns_needed.at("users"), (Strings{"user_id", "name"}));
  EXPECT_EQ(q->edits.front(), "line 1 col 8: e.* no longer includes legacy_flag (dropped from events_raw)");
}

TEST(QueryRewriterTest, QuotedIdentifiersKeepTheirStyle) {
  EXPECT_EQ(Rewritten("SELECT \"user_id\", `ts`, [amount], \"country\" FROM events_raw"),
            "SELECT \"account_id\", `event_time`, [amount], \"country\" FROM events_raw_v2");
  RewriteRules rules = DemoRules();
  rules.migrated["events_raw"].renamed["country"] = "Country Code";
  EXPECT_EQ(Rewritten("SELECT country, \"country\", `country` FROM events_raw", rules),
            "SELECT \"Country Code\", \"Country Code\", `Country Code` FROM events_raw_v2");
  rules.migrated["events_raw"].renamed["country"] = "select";
  EXPECT_EQ(Rewritten("SELECT country FROM events_raw", rules), "SELECT \"select\" FROM events_raw_v2");
}

TEST(QueryRewriterTest, QuotedNamesMatchExactlyBareNamesInAnyCase) {
  EXPECT_EQ(Rewritten("SELECT USER_ID, User_Id FROM EVENTS_RAW"), "SELECT ACCOUNT_ID, account_id FROM events_raw_v2");
  // A quoted name is case-sensitive: "USER_ID" is no column of events_raw.
  EXPECT_EQ(Rewritten("SELECT \"USER_ID\" FROM events_raw"), "SELECT \"USER_ID\" FROM events_raw_v2");
  EXPECT_EQ(Refusal("SELECT 1 FROM \"EVENTS_RAW\""),
            "SchemaMismatch: line 1 col 15: table \"EVENTS_RAW\" is neither a migrated dataset, a known dataset nor "
            "a CTE");
}

TEST(QueryRewriterTest, StringsAndCommentsAreNeverTouched) {
  const std::string sql =
      "SELECT user_id, 'user_id' AS s, E'ts\\'' -- user_id ts events_raw\n"
      "FROM /* events_raw user_id */ events_raw WHERE country = 'ts' AND $$user_id$$ <> ''";
  EXPECT_EQ(Rewritten(sql),
            "SELECT account_id, 'user_id' AS s, E'ts\\'' -- user_id ts events_raw\n"
            "FROM /* events_raw user_id */ events_raw_v2 WHERE country = 'ts' AND $$user_id$$ <> ''");
}

TEST(QueryRewriterTest, EditsNameLinesAndColumnsOnMultiLineQueries) {
  auto r = RewriteQuery("SELECT\n  user_id,\n  ts\nFROM events_raw\nWHERE ts > '2024'", DemoRules());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sql, "SELECT\n  account_id,\n  event_time\nFROM events_raw_v2\nWHERE event_time > '2024'");
  EXPECT_EQ(r->edits, (Strings{"line 2 col 3: user_id -> account_id", "line 3 col 3: ts -> event_time",
                               "line 4 col 6: table events_raw -> events_raw_v2", "line 5 col 7: ts -> event_time"}));
}

TEST(QueryRewriterTest, AliasesFunctionsTypesAndKeywordsAreNotColumns) {
  RewriteRules rules;
  rules.preserve_output_names = false;
  TableChange c;
  c.new_table = "t2";
  c.columns = {"date", "count", "ts", "day", "time"};
  c.renamed = {{"date", "event_date"}, {"count", "n"}, {"day", "day_no"}, {"time", "clock"}};
  rules.migrated["t"] = c;
  EXPECT_EQ(Rewritten("SELECT date, DATE '2024-01-01', CAST(date AS DATE), date::DATE, COUNT(*), count, "
                      "date_trunc('day', ts) AS day, EXTRACT(day FROM ts), ts AT TIME ZONE 'UTC', "
                      "INTERVAL '1' DAY, day FROM t",
                      rules),
            "SELECT event_date, DATE '2024-01-01', CAST(event_date AS DATE), event_date::DATE, COUNT(*), n, "
            "date_trunc('day', ts) AS day, EXTRACT(day FROM ts), ts AT TIME ZONE 'UTC', "
            "INTERVAL '1' DAY, day_no FROM t2");
  EXPECT_EQ(Rewritten("SELECT count AS date, x.time FROM t AS x ORDER BY date", rules),
            "SELECT n AS date, x.clock FROM t2 AS x ORDER BY date");
  EXPECT_EQ(Rewritten("SELECT count cnt FROM t x WHERE x.count > 1", rules), "SELECT n cnt FROM t2 x WHERE x.n > 1");
}

TEST(QueryRewriterTest, TableAliasesResolveQualifiedColumns) {
  EXPECT_EQ(Rewritten("SELECT e.user_id, e.ts FROM events_raw e WHERE e.amount > 0"),
            "SELECT e.account_id, e.event_time FROM events_raw_v2 e WHERE e.amount > 0");
  EXPECT_EQ(Rewritten("SELECT e.user_id FROM events_raw AS e"), "SELECT e.account_id FROM events_raw_v2 AS e");
  EXPECT_EQ(Rewritten("SELECT \"E\".ts FROM events_raw \"E\""), "SELECT \"E\".event_time FROM events_raw_v2 \"E\"");
  // Unaliased: the table name qualifies, and follows the table's new name.
  auto r = RewriteQuery("SELECT events_raw.user_id FROM events_raw", DemoRules());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sql, "SELECT events_raw_v2.account_id FROM events_raw_v2");
  EXPECT_EQ(r->edits,
            (Strings{"line 1 col 8: qualifier events_raw -> events_raw_v2", "line 1 col 19: user_id -> account_id",
                     "line 1 col 32: table events_raw -> events_raw_v2"}));
}

TEST(QueryRewriterTest, JoinOfMigratedAndUnmigratedTables) {
  EXPECT_EQ(Rewritten("SELECT e.user_id, u.name, u.user_id FROM events_raw e JOIN users u ON e.user_id = u.user_id "
                      "WHERE u.country = 'DE'"),
            "SELECT e.account_id, u.name, u.user_id FROM events_raw_v2 e JOIN users u ON e.account_id = u.user_id "
            "WHERE u.country = 'DE'");
  auto r =
      RewriteQuery("SELECT name, ts FROM users u LEFT OUTER JOIN events_raw e ON e.user_id = u.user_id", DemoRules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sql, "SELECT name, event_time FROM users u LEFT OUTER JOIN events_raw_v2 e ON e.account_id = u.user_id");
  EXPECT_EQ(r->tables, (Strings{"events_raw", "users"}));
  EXPECT_EQ(r->columns_needed.at("users"), (Strings{"user_id", "name"}));
  EXPECT_EQ(r->columns_needed.at("events_raw"), (Strings{"user_id", "ts"}));
  EXPECT_EQ(r->new_columns_needed.count("users"), 0u);
  // A column used only through the unmigrated table is left alone.
  EXPECT_EQ(Rewritten("SELECT u.user_id FROM users u, events_raw e"), "SELECT u.user_id FROM users u, events_raw_v2 e");
  // Same name, same fate in both tables: not ambiguous for the rewrite.
  EXPECT_EQ(Rewritten("SELECT country FROM events_raw CROSS JOIN dim.country"),
            "SELECT country FROM events_raw_v2 CROSS JOIN dim.country");
}

TEST(QueryRewriterTest, DottedAndQuotedDatasetIds) {
  auto r = RewriteQuery("SELECT events.raw.user_id, raw.ts FROM events.raw", DemoRules());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sql, "SELECT events.raw_v2.account_id, raw_v2.event_time FROM events.raw_v2");
  EXPECT_EQ(r->tables, (Strings{"events.raw"}));
  EXPECT_EQ(Rewritten("SELECT user_id FROM \"events\".\"raw\""), "SELECT account_id FROM events.raw_v2");
  EXPECT_EQ(Rewritten("SELECT user_id FROM Events . Raw"), "SELECT account_id FROM events.raw_v2");
  // The default schema may prefix an id.
  EXPECT_EQ(Rewritten("SELECT main.events_raw.user_id FROM main.events_raw"),
            "SELECT events_raw_v2.account_id FROM events_raw_v2");
  EXPECT_EQ(Rewritten("SELECT name FROM public.users"), "SELECT name FROM public.users");
  // One quoted name holding the whole dotted id stays one quoted name.
  EXPECT_EQ(Rewritten("SELECT user_id FROM \"events.raw\""), "SELECT account_id FROM \"events.raw_v2\"");
  // A new table name that is not a plain identifier (or is a keyword) is quoted part by part.
  RewriteRules rules = DemoRules();
  rules.migrated["events_raw"].new_table = "lake.events-raw.order";
  EXPECT_EQ(Rewritten("SELECT e.ts FROM events_raw e", rules),
            "SELECT e.event_time FROM lake.\"events-raw\".\"order\" e");
  rules.other_tables["payments-raw"] = {"x"};
  EXPECT_EQ(Rewritten("SELECT \"payments-raw\".x FROM \"payments-raw\"", rules),
            "SELECT \"payments-raw\".x FROM \"payments-raw\"");
}

TEST(QueryRewriterTest, DroppedColumnsAreRefused) {
  const std::pair<std::string, std::string> cases[] = {
      {"SELECT legacy_flag FROM events_raw",
       "SchemaMismatch: line 1 col 8: uses column legacy_flag, which the migration drops from events_raw"},
      {"SELECT COUNT(*) FROM events_raw e\nWHERE e.legacy_flag",
       "SchemaMismatch: line 2 col 9: uses column legacy_flag, which the migration drops from events_raw"},
      {"SELECT x.legacy_flag FROM (SELECT * FROM events_raw) x",
       "SchemaMismatch: line 1 col 10: uses column legacy_flag, which the migration drops from subquery x"},
      {"SELECT 1 FROM events_raw JOIN events.raw USING (legacy_flag)",
       "SchemaMismatch: line 1 col 49: USING (legacy_flag) uses a column dropped from events_raw"},
      {"SELECT * EXCLUDE (legacy_flag) FROM events_raw",
       "SchemaMismatch: line 1 col 19: uses column legacy_flag, which the migration drops from events_raw"},
  };
  for (const auto& [sql, want] : cases) EXPECT_EQ(Refusal(sql), want) << sql;
}

TEST(QueryRewriterTest, AmbiguousColumnsAreRefused) {
  const std::pair<std::string, std::string> cases[] = {
      {"SELECT user_id FROM events_raw e JOIN users u ON e.user_id = u.user_id",
       "SchemaMismatch: line 1 col 8: column user_id is ambiguous: renamed to account_id in events_raw, unchanged "
       "in users"},
      {"SELECT user_id FROM events_raw JOIN users USING (user_id)",
       "SchemaMismatch: line 1 col 50: USING (user_id) is ambiguous: renamed to account_id in events_raw, unchanged "
       "in users"},
      {"SELECT user_id FROM events_raw, unnest(tags) t",
       "SchemaMismatch: line 1 col 8: column user_id is ambiguous: renamed to account_id in events_raw, but it may "
       "also come from table function unnest"},
      {"SELECT CAST(ts AS TIMESTAMP) AS ts, COUNT(*) FROM events_raw GROUP BY 1 HAVING ts > '2024'",
       "SchemaMismatch: line 1 col 80: column ts is ambiguous: an output alias, and renamed to event_time in "
       "events_raw"},
  };
  for (const auto& [sql, want] : cases) EXPECT_EQ(Refusal(sql), want) << sql;
}

TEST(QueryRewriterTest, SameRenameOnBothSidesIsFine) {
  EXPECT_EQ(Rewritten("SELECT user_id FROM events_raw JOIN events.raw USING (user_id, country)"),
            "SELECT account_id FROM events_raw_v2 JOIN events.raw_v2 USING (account_id, country)");
  EXPECT_EQ(Rewritten("SELECT a.user_id, b.ts FROM events_raw a JOIN events_raw b ON a.session = b.session"),
            "SELECT a.account_id, b.event_time FROM events_raw_v2 a JOIN events_raw_v2 b ON a.session = b.session");
}

TEST(QueryRewriterTest, NewNamesThatWouldBeCapturedAreQualified) {
  // accounts has account_id: the renamed user_id must say which table it means.
  EXPECT_EQ(Rewritten("SELECT user_id, plan FROM events_raw e JOIN accounts a ON user_id = a.account_id"),
            "SELECT e.account_id, plan FROM events_raw_v2 e JOIN accounts a ON e.account_id = a.account_id");
  EXPECT_EQ(Rewritten("SELECT user_id, plan FROM events_raw, accounts"),
            "SELECT events_raw_v2.account_id, plan FROM events_raw_v2, accounts");
  // An outer column that an inner table now also has.
  EXPECT_EQ(Rewritten("SELECT plan FROM accounts a WHERE EXISTS (SELECT 1 FROM events_raw e WHERE e.user_id = "
                      "account_id)"),
            "SELECT plan FROM accounts a WHERE EXISTS (SELECT 1 FROM events_raw_v2 e WHERE e.account_id = "
            "a.account_id)");
  // ORDER BY sees output aliases first.
  EXPECT_EQ(Rewritten("SELECT user_id, COUNT(*) AS account_id FROM events_raw GROUP BY user_id ORDER BY user_id"),
            "SELECT account_id, COUNT(*) AS account_id FROM events_raw_v2 GROUP BY account_id ORDER BY "
            "events_raw_v2.account_id");
  // A name that resolved to no column would now name one: refused, not guessed.
  EXPECT_EQ(Refusal("SELECT COUNT(*) AS account_id FROM events_raw GROUP BY account_id"),
            "SchemaMismatch: line 1 col 56: account_id would name a renamed column in the new schema; qualify it");
}

TEST(QueryRewriterTest, OutputAliasesAndOrderBy) {
  EXPECT_EQ(Rewritten("SELECT CAST(ts AS TIMESTAMP) AS ts FROM events_raw ORDER BY ts"),
            "SELECT CAST(event_time AS TIMESTAMP) AS ts FROM events_raw_v2 ORDER BY ts");
  EXPECT_EQ(Rewritten("SELECT CAST(ts AS TIMESTAMP) AS ts FROM events_raw GROUP BY ts"),
            "SELECT CAST(event_time AS TIMESTAMP) AS ts FROM events_raw_v2 GROUP BY event_time");
  EXPECT_EQ(Rewritten("SELECT user_id uid, e.ts \"when\" FROM events_raw e ORDER BY uid, 2 DESC NULLS LAST"),
            "SELECT account_id uid, e.event_time \"when\" FROM events_raw_v2 e ORDER BY uid, 2 DESC NULLS LAST");
  EXPECT_EQ(Rewritten("SELECT user_id FROM events_raw ORDER BY CASE WHEN country = 'DE' THEN 0 ELSE 1 END, ts DESC "
                      "LIMIT 10 OFFSET 5"),
            "SELECT account_id FROM events_raw_v2 ORDER BY CASE WHEN country = 'DE' THEN 0 ELSE 1 END, event_time "
            "DESC LIMIT 10 OFFSET 5");
}

TEST(QueryRewriterTest, SubqueriesAndCtes) {
  EXPECT_EQ(Rewritten("WITH s AS (SELECT user_id, COUNT(*) AS n FROM events_raw GROUP BY user_id) SELECT user_id, n "
                      "FROM s ORDER BY user_id"),
            "WITH s AS (SELECT account_id, COUNT(*) AS n FROM events_raw_v2 GROUP BY account_id) SELECT account_id, "
            "n FROM s ORDER BY account_id");
  // A CTE named like a dataset hides the dataset.
  auto r = RewriteQuery("WITH users AS (SELECT user_id FROM events_raw) SELECT user_id FROM users", DemoRules());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sql, "WITH users AS (SELECT account_id FROM events_raw_v2) SELECT account_id FROM users");
  EXPECT_EQ(r->tables, (Strings{"events_raw"}));
  // Explicit column names fix a CTE's or derived table's output names.
  EXPECT_EQ(Rewritten("WITH s(uid) AS (SELECT user_id FROM events_raw) SELECT uid FROM s"),
            "WITH s(uid) AS (SELECT account_id FROM events_raw_v2) SELECT uid FROM s");
  EXPECT_EQ(Rewritten("SELECT t.a FROM (SELECT user_id, ts FROM events_raw) AS t(a, b)"),
            "SELECT t.a FROM (SELECT account_id, event_time FROM events_raw_v2) AS t(a, b)");
  EXPECT_EQ(Rewritten("SELECT s.user_id FROM (SELECT user_id AS user_id FROM events_raw) s"),
            "SELECT s.user_id FROM (SELECT account_id AS user_id FROM events_raw_v2) s");
  EXPECT_EQ(Rewritten("SELECT x.ts FROM (SELECT * FROM events_raw) x"),
            "SELECT x.event_time FROM (SELECT * FROM events_raw_v2) x");
  EXPECT_EQ(Rewritten("SELECT * FROM users WHERE user_id IN (SELECT user_id FROM events_raw)"),
            "SELECT * FROM users WHERE user_id IN (SELECT account_id FROM events_raw_v2)");
  EXPECT_EQ(Rewritten("SELECT u.name, (SELECT COUNT(*) FROM events_raw e WHERE e.user_id = u.user_id) AS n FROM "
                      "users u"),
            "SELECT u.name, (SELECT COUNT(*) FROM events_raw_v2 e WHERE e.account_id = u.user_id) AS n FROM users u");
  EXPECT_EQ(Rewritten("WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n, "
                      "user_id FROM r, events_raw"),
            "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n, account_id FROM "
            "r, events_raw_v2");
}

TEST(QueryRewriterTest, DbtImportCteReadsTheTableOfItsOwnName) {
  // In a plain WITH a CTE is not visible in its own body: `events_raw AS (SELECT * FROM
  // events_raw)` reads the table, and the rest of the query reads the CTE.
  EXPECT_EQ(Rewritten("with events_raw as (\n  select * from events_raw\n),\nfinal as (select user_id, ts from "
                      "events_raw)\nselect * from final -- no semicolon"),
            "with events_raw as (\n  select * from events_raw_v2\n),\nfinal as (select account_id, event_time from "
            "events_raw)\nselect * from final -- no semicolon");
  EXPECT_EQ(Rewritten("WITH events_raw AS (SELECT user_id FROM events_raw) SELECT user_id FROM events_raw"),
            "WITH events_raw AS (SELECT account_id FROM events_raw_v2) SELECT account_id FROM events_raw");
  // Under WITH RECURSIVE the name is the CTE itself, also inside its body.
  auto r = RewriteQuery(
      "WITH RECURSIVE events_raw AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM events_raw WHERE n < 3) "
      "SELECT n FROM events_raw",
      DemoRules());
  EXPECT_FALSE(r.ok() && r->changed);
}

TEST(QueryRewriterTest, OutputContractKeepsRenamedOutputNamesByDefault) {
  RewriteRules rules = DemoRules();
  rules.preserve_output_names = true;
  // An unaliased renamed column keeps its old output name; aliased ones, expressions and
  // columns of inner queries are left as they are.
  EXPECT_EQ(Rewritten("SELECT user_id, e.ts, amount AS a, upper(country) FROM events_raw e", rules),
            "SELECT account_id AS user_id, e.event_time AS ts, amount AS a, upper(country) FROM events_raw_v2 e");
  EXPECT_EQ(Rewritten("with events_raw as (select * from events_raw)\nselect user_id from events_raw", rules),
            "with events_raw as (select * from events_raw_v2)\nselect account_id AS user_id from events_raw");
  // A set operation's names come from its first block.
  EXPECT_EQ(Rewritten("SELECT \"user_id\" FROM events_raw UNION ALL SELECT user_id FROM events.raw", rules),
            "SELECT \"account_id\" AS \"user_id\" FROM events_raw_v2 UNION ALL SELECT account_id FROM events.raw_v2");
  EXPECT_EQ(Rewritten("SELECT x.uid FROM (SELECT user_id AS uid FROM events_raw) x", rules),
            "SELECT x.uid FROM (SELECT account_id AS uid FROM events_raw_v2) x");
}

TEST(QueryRewriterTest, OutputContractWritesOutAStarThatOutputsRenamedColumns) {
  RewriteRules rules = DemoRules();
  rules.preserve_output_names = true;
  // The dbt staging pattern: a CTE renames, the model outputs its `*`.
  EXPECT_EQ(
      Rewritten("with s as (select * from events_raw), r as (select user_id, amount from s)\nselect * from r", rules),
      "with s as (select * from events_raw_v2), r as (select account_id, amount from s)\n"
      "select account_id AS user_id, amount from r");
  EXPECT_EQ(Rewritten("SELECT e.* FROM events_raw e JOIN users u ON e.user_id = u.user_id", rules),
            "SELECT e.account_id AS user_id, e.event_time AS ts, e.amount, e.country, e.session FROM events_raw_v2 e "
            "JOIN users u ON e.account_id = u.user_id");
  // Over a join, each column is qualified; a star with nothing renamed stays a star.
  EXPECT_EQ(Rewritten("SELECT * FROM (SELECT ts FROM events_raw) a, (SELECT name FROM users) b", rules),
            "SELECT a.event_time AS ts, b.name FROM (SELECT event_time FROM events_raw_v2) a, (SELECT name FROM "
            "users) b");
  EXPECT_EQ(Rewritten("SELECT * FROM users", rules), "SELECT * FROM users");
  EXPECT_EQ(Rewritten("SELECT * EXCLUDE (amount) FROM (SELECT ts, amount FROM events_raw) x", rules),
            "SELECT * EXCLUDE (amount) FROM (SELECT event_time, amount FROM events_raw_v2) x");
}

TEST(QueryRewriterTest, ReportsOutputsAndWhichTheRewriteRenames) {
  // Propagating (DemoRules): a renamed column output bare, through a CTE's star, is renamed;
  // aliased outputs and expressions keep their names.
  auto r = RewriteQuery("with s as (select * from events_raw) select user_id, ts as t, amount + 1 from s", DemoRules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outputs, (Strings{"user_id", "t", ""}));
  EXPECT_TRUE(r->outputs_known);
  EXPECT_EQ(r->renamed_outputs, (std::map<std::string, std::string>{{"user_id", "account_id"}}));
  // A star outputs every column: renamed ones renamed, a dropped one no longer there.
  r = RewriteQuery("SELECT * FROM events_raw", DemoRules());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outputs, (Strings{"user_id", "ts", "amount", "legacy_flag", "country", "session"}));
  EXPECT_EQ(r->renamed_outputs, (std::map<std::string, std::string>{{"ts", "event_time"}, {"user_id", "account_id"}}));
  EXPECT_EQ(r->dropped_outputs, (std::set<std::string>{"legacy_flag"}));
  // Keeping output names (`new AS old`) renames no output.
  RewriteRules keep = DemoRules();
  keep.preserve_output_names = true;
  r = RewriteQuery("SELECT user_id FROM events_raw", keep);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outputs, (Strings{"user_id"}));
  EXPECT_TRUE(r->renamed_outputs.empty());
  // A star over a table function: outputs not fully known.
  r = RewriteQuery("SELECT * FROM events_raw, range(3) t", DemoRules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->outputs_known);
}

TEST(QueryRewriterTest, AChangeThatKeepsTheTableNameLeavesItAsWritten) {
  // A derived dataset whose output a propagated rename changes: its readers' columns follow,
  // the table and its qualifiers stay exactly as written.
  RewriteRules rules;
  TableChange stg;
  stg.new_table = "analytics.stg_orders";
  stg.columns = {"user_id", "amount"};
  stg.renamed = {{"user_id", "account_id"}};
  stg.keep_name = true;
  rules.migrated["analytics.stg_orders"] = stg;
  rules.preserve_output_names = false;
  EXPECT_EQ(Rewritten("SELECT Stg_Orders.user_id FROM Analytics.\"stg_orders\" WHERE Stg_Orders.amount > 0", rules),
            "SELECT Stg_Orders.account_id FROM Analytics.\"stg_orders\" WHERE Stg_Orders.amount > 0");
  EXPECT_EQ(Rewritten("select user_id from main.analytics.stg_orders", rules),
            "select account_id from main.analytics.stg_orders");
}

TEST(QueryRewriterTest, SetOperationsAndWindows) {
  EXPECT_EQ(Rewritten("SELECT user_id FROM events_raw UNION ALL SELECT user_id FROM events.raw ORDER BY 1"),
            "SELECT account_id FROM events_raw_v2 UNION ALL SELECT account_id FROM events.raw_v2 ORDER BY 1");
  EXPECT_EQ(Rewritten("(SELECT ts FROM events_raw) EXCEPT (SELECT ts FROM events_raw WHERE amount > 1) LIMIT 3"),
            "(SELECT event_time FROM events_raw_v2) EXCEPT (SELECT event_time FROM events_raw_v2 WHERE amount > 1) "
            "LIMIT 3");
  EXPECT_EQ(Rewritten("SELECT user_id, ROW_NUMBER() OVER (PARTITION BY country ORDER BY ts ROWS BETWEEN UNBOUNDED "
                      "PRECEDING AND CURRENT ROW) AS rn FROM events_raw"),
            "SELECT account_id, ROW_NUMBER() OVER (PARTITION BY country ORDER BY event_time ROWS BETWEEN UNBOUNDED "
            "PRECEDING AND CURRENT ROW) AS rn FROM events_raw_v2");
  EXPECT_EQ(Rewritten("SELECT COUNT(*) FILTER (WHERE ts IS NOT NULL), ts IS DISTINCT FROM NULL FROM events_raw"),
            "SELECT COUNT(*) FILTER (WHERE event_time IS NOT NULL), event_time IS DISTINCT FROM NULL FROM "
            "events_raw_v2");
}

TEST(QueryRewriterTest, UnchangedQueryComesBackVerbatim) {
  const std::string sql = "select name\n  from USERS  -- all\n where country = 'DE' ;";
  auto r = RewriteQuery(sql, DemoRules());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->sql, sql);
  EXPECT_TRUE(r->edits.empty());
  EXPECT_EQ(r->tables, (Strings{"users"}));
  EXPECT_EQ(r->columns_needed.at("users"), (Strings{"name", "country"}));
  // Read but untouched: the migrated table keeps its name when new_table equals the id.
  RewriteRules same = DemoRules();
  same.migrated["events_raw"].new_table = "events_raw";
  auto s = RewriteQuery("SELECT amount FROM events_raw", same);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->changed);
}

TEST(QueryRewriterTest, OtherRefusals) {
  const std::pair<std::string, std::string> cases[] = {
      {"SELECT 1", "SchemaMismatch: line 1 col 1: the query reads no known dataset"},
      {"SELECT * FROM nowhere",
       "SchemaMismatch: line 1 col 15: table nowhere is neither a migrated dataset, a known dataset nor a CTE"},
      {"SELECT user_id FROM events_raw; SELECT 1", "InvalidArgument: line 1 col 31: more than one statement"},
      {"SELECT (user_id FROM events_raw", "InvalidArgument: line 1 col 8: unbalanced '('"},
      {"SELECT 'user_id FROM events_raw", "InvalidArgument: line 1 col 8: unterminated string literal"},
      {"", "InvalidArgument: empty query"},
      {"DELETE FROM events_raw", "InvalidArgument: line 1 col 1: expected SELECT, found 'DELETE'"},
      {"SELECT country FROM events_raw NATURAL JOIN dim.country",
       "Unsupported: line 1 col 45: NATURAL JOIN with migrated dataset events_raw"},
      {"SELECT user_id FROM (events_raw JOIN users USING (country))",
       "Unsupported: line 1 col 21: parenthesised join in FROM"},
      {"SELECT user_id FROM events_raw UNION BY NAME SELECT user_id FROM events.raw",
       "Unsupported: line 1 col 38: UNION BY NAME"},
      {"SELECT a FROM events_raw AS e(a, b)",
       "Unsupported: line 1 col 31: column aliases on migrated dataset events_raw"},
  };
  for (const auto& [sql, want] : cases) EXPECT_EQ(Refusal(sql), want) << sql;
}

TEST(QueryRewriterTest, InconsistentRulesAreRejected) {
  auto refuse = [](RewriteRules rules) { return RewriteQuery("SELECT 1 FROM t", rules).status().ToString(); };
  RewriteRules r;
  r.migrated["t"] = {"t2", {"a", "b"}, {{"c", "d"}}, {}};
  EXPECT_EQ(refuse(r), "InvalidArgument: rules: t renames unknown column c");
  r.migrated["t"] = {"t2", {"a", "b"}, {{"a", "b"}}, {}};
  EXPECT_EQ(refuse(r), "InvalidArgument: rules: t has two columns named b after the migration");
  r.migrated["t"] = {"t2", {"a", "b"}, {{"a", "x"}}, {"a"}};
  EXPECT_EQ(refuse(r), "InvalidArgument: rules: t both renames and drops column a");
  r.migrated["t"] = {"t2", {"a"}, {}, {"z"}};
  EXPECT_EQ(refuse(r), "InvalidArgument: rules: t drops unknown column z");
  r.migrated["t"] = {"db..t2", {"a"}, {}, {}};
  EXPECT_EQ(refuse(r), "InvalidArgument: rules: new table of t 'db..t2' has an empty name part");
  r.migrated["t"] = {"t2", {"a"}, {}, {}};
  r.other_tables["t"] = {"a"};
  EXPECT_EQ(refuse(r), "InvalidArgument: rules: dataset t is both migrated and in other_tables");
}

TEST(QueryRewriterTest, DeepNestingIsCappedNotACrash) {
  std::string nested = "SELECT user_id FROM events_raw";
  for (int i = 0; i < 150; ++i) nested = "SELECT user_id FROM (" + nested + ") s" + std::to_string(i);
  auto r = RewriteQuery(nested, DemoRules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->columns_needed.at("events_raw"), (Strings{"user_id"}));
  EXPECT_NE(r->sql.find("SELECT account_id FROM events_raw_v2) s0"), std::string::npos);
  EXPECT_EQ(r->sql.substr(0, 30), "SELECT account_id FROM (SELECT");
  const std::string deep = "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')') + " FROM events_raw";
  EXPECT_EQ(Refusal(deep), "InvalidArgument: line 1 col 208: parentheses nested too deeply");
}

TEST(QueryRewriterTest, ArbitraryTextNeverCrashes) {
  const std::string pieces[] = {"SELECT", " ",   "user_id", ",",       "(",      ")",       "FROM",  "events_raw",
                                "e",      ".",   "*",       "WITH",    "AS",     "JOIN",    "ON",    "USING",
                                "UNION",  "'x'", "::",      "CAST",    "WHERE",  "1",       "ORDER", "BY",
                                "GROUP",  "ts",  "users",   "NATURAL", "VALUES", "LATERAL", "\"q\"", ";"};
  uint32_t seed = 1;
  for (int round = 0; round < 4000; ++round) {
    std::string sql;
    const int len = static_cast<int>(seed % 24);
    for (int i = 0; i < len; ++i) {
      seed = seed * 1103515245u + 12345u;
      sql += pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
      sql += ' ';
    }
    seed = seed * 1103515245u + 12345u;
    auto r = RewriteQuery(sql, DemoRules());
    if (r.ok() && !r->changed) {
      EXPECT_EQ(r->sql, sql);
    }
  }
}

}  // namespace
}  // namespace gaggle
