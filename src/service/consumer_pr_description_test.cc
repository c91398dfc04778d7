#include "service/consumer_pr_description.h"

#include <gtest/gtest.h>

#include "service/consumer_repo_operations.h"

namespace gaggle {
namespace {

RewriteRules Rules() {
  RewriteRules rules;
  TableChange c;
  c.new_table = "events_v2";
  c.columns = {"user_id", "amount"};
  c.renamed = {{"user_id", "account_id"}};
  c.columns.push_back("legacy");
  c.dropped = {"legacy"};
  rules.migrated["events"] = c;
  return rules;
}

// A branch result for one file of four statements: verified, verified with another
// rewrite, unverified but in the catalog, refused.
ConsumerBranchResult OneFile() {
  const std::string text =
      "-- a\nSELECT user_id FROM events;\nSELECT amount FROM events;\nSELECT user_id, amount FROM events;\n"
      "SELECT legacy FROM events";
  ConsumerBranchResult b;
  b.branch = "gaggle/m";
  b.base = "0123456789abcdef0123";
  ConsumerCommit c;
  c.consumer = "component:app";
  c.commit = "fedcba9876543210";
  ConsumerFileChange f;
  f.path = "sql/app.sql";
  f.rewrite = *RewriteSqlFile(text, Rules());
  c.files.push_back(f);
  b.consumers.push_back(c);
  return b;
}

TEST(ConsumerPrDescriptionTest, EachStatementWithItsEvidence) {
  BranchEvidence e;
  e.migration = "m";
  e.verified = true;
  e.passed = true;
  e.time = "2026-01-01T00:00:00Z";
  e.summary = "2 of 2 consumer queries verified: 2 same answer";
  ConsumerEvidence ce;
  ce.consumer = "component:app";
  ce.owner = "team-app";
  ce.datasets = {"events"};
  ce.catalog_queries = {"SELECT user_id FROM events", "SELECT amount FROM events",
                        "SELECT user_id, amount FROM events"};
  QueryCheck same;
  same.original = "SELECT  user_id\nFROM events";  // laid out differently: still the same query
  same.rewritten = "SELECT account_id AS user_id FROM events_v2";
  same.rows_old = same.rows_new = 42;
  QueryCheck other = same;
  other.original = "SELECT amount FROM events";
  other.rewritten = "SELECT amount FROM somewhere_else";
  other.rows_old = other.rows_new = 7;
  ce.checks = {same, other};
  e.consumers.push_back(ce);
  const std::string md = RenderPrDescription(OneFile(), e);
  EXPECT_NE(md.find("| `sql/app.sql:2` | rewritten | same answer | 42 | 42 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `sql/app.sql:3` | rewritten | same answer (**the verified rewrite differs from this one**) | 7 "
                    "| 7 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `sql/app.sql:4` | rewritten | not verified (outside the verification sample) |  |  |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `sql/app.sql:5` | refused | **not rewritten**: line 1 col 8: uses column legacy"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Passed (2026-01-01T00:00:00Z)"), std::string::npos);
  EXPECT_NE(md.find("Owner: team-app. Reads the migrated dataset `events`. Commit fedcba987654."), std::string::npos)
      << md;
}

TEST(ConsumerPrDescriptionTest, PropagatedRenamesAreSaidAndTheirSourcesListed) {
  BranchEvidence e;
  e.migration = "m";
  e.propagated = true;
  ConsumerEvidence ce;
  ce.consumer = "component:app";
  ce.propagated_from = {"`stg_events` (`user_id` -> `account_id`)"};
  e.consumers.push_back(ce);
  const std::string md = RenderPrDescription(OneFile(), e);
  EXPECT_NE(md.find("Renamed columns are output under their new names (`verify.output_names: propagate`)"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("a renamed column is output under its old name"), std::string::npos) << md;
  EXPECT_NE(md.find("Follows the renamed outputs of `stg_events` (`user_id` -> `account_id`)"), std::string::npos)
      << md;
  e.propagated = false;
  EXPECT_NE(RenderPrDescription(OneFile(), e).find("output under its old name"), std::string::npos);
}

TEST(ConsumerPrDescriptionTest, NoVerificationOnRecordIsSaid) {
  BranchEvidence e;
  e.migration = "m";
  const std::string md = RenderPrDescription(OneFile(), e);
  EXPECT_NE(md.find("**No downstream verification of this migration is on record**"), std::string::npos);
  EXPECT_NE(md.find("not verified (not among the catalog's queries of this consumer)"), std::string::npos);
  EXPECT_EQ(md.find("same answer"), std::string::npos);
}

TEST(ConsumerPrDescriptionTest, ChecksFromTheStoredReport) {
  VerificationReport r;
  QueryCheck a;
  a.consumer = "component:app";
  a.query_index = 2;
  a.original = "SELECT 1";
  a.outcome = QueryCheck::Outcome::kMismatched;
  a.rows_old = 3;
  a.rows_new = 4;
  QueryCheck b = a;
  b.consumer = "component:other";
  r.checks = {a, b};
  const auto checks = ChecksFromReportJson(r.ToJson().dump(), "component:app");
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].query_index, 2);
  EXPECT_EQ(checks[0].outcome, QueryCheck::Outcome::kMismatched);
  EXPECT_EQ(checks[0].rows_new, 4);
  EXPECT_TRUE(ChecksFromReportJson("not json", "x").empty());
  EXPECT_TRUE(ChecksFromReportJson(R"({"checks":[{"consumer":"x","rows_old":"many"}]})", "x").empty());
}

TEST(ConsumerPrDescriptionTest, QueriesPathsAnnotation) {
  EXPECT_EQ(service::QueriesPaths(" sql/a.sql, sql/b.sql\nmodels/c.sql ,, "),
            (std::vector<std::string>{"sql/a.sql", "sql/b.sql", "models/c.sql"}));
  EXPECT_TRUE(service::QueriesPaths("  ").empty());
}

}  // namespace
}  // namespace gaggle
