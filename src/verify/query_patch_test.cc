#include "verify/query_patch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "verify/query_rewriter.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

const char* kDemoQuery =
    "SELECT date_trunc('day', CAST(ts AS TIMESTAMP)) AS day, COUNT(DISTINCT user_id) AS active_users FROM events_raw "
    "GROUP BY 1";
const char* kDemoRewritten =
    "SELECT date_trunc('day', CAST(event_time AS TIMESTAMP)) AS day, COUNT(DISTINCT account_id) AS active_users FROM "
    "events_raw_v2 GROUP BY 1";

TEST(QueryPatchTest, PathOfAConsumer) {
  EXPECT_EQ(QueryPatchPath("component:default/checkout-api"), "component:default/checkout-api/queries.sql");
  EXPECT_EQ(QueryPatchPath("team a/../x y"), "team_a/_/x_y/queries.sql");
  EXPECT_EQ(QueryPatchPath(""), "_/queries.sql");
  EXPECT_EQ(QueryPatchPath("/abs//p/"), "_/abs/_/p/_/queries.sql");
}

TEST(QueryPatchTest, QueriesFileLayout) {
  EXPECT_EQ(RenderQueriesFile({"SELECT 1", "SELECT 2;  \n", "SELECT\n  3\nFROM t -- note", "SELECT '--' AS x"}),
            "SELECT 1;\n\nSELECT 2;\n\nSELECT\n  3\nFROM t -- note\n;\n\nSELECT '--' AS x;\n");
  EXPECT_EQ(RenderQueriesFile({}), "");
}

TEST(QueryPatchTest, RewrittenAndRefusedQueries) {
  const std::vector<QueryPatchEntry> entries = {
      {"SELECT country FROM events_raw", "SELECT country FROM events_raw_v2", ""},
      {"SELECT legacy_flag\nFROM events_raw", "",
       "line 1 col 8: uses column legacy_flag, which the migration drops from events_raw"},
      {"SELECT name FROM users", "SELECT name FROM users", ""},
      {kDemoQuery, kDemoRewritten, ""},
  };
  EXPECT_EQ(RenderQueryPatch("component:default/revenue-dashboard", entries),
            "--- a/component:default/revenue-dashboard/queries.sql\n"
            "+++ b/component:default/revenue-dashboard/queries.sql\n"
            "@@ -1,8 +1,9 @@\n"
            "-SELECT country FROM events_raw;\n"
            "+SELECT country FROM events_raw_v2;\n"
            " \n"
            "+-- gaggle: cannot rewrite: line 1 col 8: uses column legacy_flag, which the migration drops from "
            "events_raw\n"
            " SELECT legacy_flag\n"
            " FROM events_raw;\n"
            " \n"
            " SELECT name FROM users;\n"
            " \n"
            "-" +
                std::string(kDemoQuery) +
                ";\n"
                "+" +
                std::string(kDemoRewritten) + ";\n");
}

TEST(QueryPatchTest, NothingChangedMeansNoPatch) {
  EXPECT_EQ(RenderQueryPatch("c", {{"SELECT 1", "SELECT 1", ""}, {"SELECT 2", "", ""}}), "");
  EXPECT_EQ(RenderQueryPatch("c", {}), "");
}

TEST(QueryPatchTest, ReasonsStayOnOneLine) {
  const auto patched = PatchedQueries({{"SELECT x", "", "bad\nreason\r\nhere"}});
  ASSERT_EQ(patched.size(), 1u);
  EXPECT_EQ(patched[0], "-- gaggle: cannot rewrite: bad reason  here\nSELECT x");
}

class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(fs::temp_directory_path() / ("gaggle-query-patch-" + tag + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteFile(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes the a/ file and the patch into fresh directories, applies the patch with
// `tool` ("patch -p1 -s" or "git apply") and returns the patched file.
std::string Apply(const std::string& tool, const std::string& consumer, const std::vector<QueryPatchEntry>& entries,
                  const std::string& tag) {
  TempDir dir(tag);
  std::vector<std::string> originals;
  for (const QueryPatchEntry& e : entries) originals.push_back(e.original);
  const fs::path file = dir.path() / QueryPatchPath(consumer);
  WriteFile(file, RenderQueriesFile(originals));
  WriteFile(dir.path() / "change.patch", RenderQueryPatch(consumer, entries));
  const std::string cmd = "cd '" + dir.path().string() + "' && " + tool + " < change.patch > apply.log 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << tool << ":\n"
                   << ReadFile(dir.path() / "apply.log") << "\n"
                   << ReadFile(dir.path() / "change.patch");
  return ReadFile(file);
}

// Consumers' queries of several shapes, rewritten by the query rewriter.
std::vector<QueryPatchEntry> RewrittenEstate(int queries) {
  RewriteRules rules;
  TableChange c;
  c.new_table = "events_raw_v2";
  c.columns = {"user_id", "ts", "amount", "legacy_flag", "country", "session"};
  c.renamed = {{"user_id", "account_id"}, {"ts", "event_time"}};
  c.dropped = {"legacy_flag"};
  rules.migrated["events_raw"] = c;
  rules.other_tables["users"] = {"user_id", "name"};
  const std::string shapes[] = {
      "SELECT country, COUNT(*) FROM events_raw GROUP BY country",
      "SELECT\n  user_id,\n  SUM(CAST(amount AS DOUBLE)) AS spend\nFROM events_raw\nWHERE country IN ('DE', 'FR')\n"
      "GROUP BY user_id",
      "SELECT name FROM users",
      "SELECT legacy_flag FROM events_raw",
      "-- daily actives\nSELECT date_trunc('day', ts) AS day,\n       COUNT(DISTINCT user_id)\nFROM events_raw\nGROUP "
      "BY 1",
      "SELECT 1 FROM users -- unchanged\n",
      "SELECT e.ts FROM events_raw e\nJOIN users u ON e.user_id = u.user_id;",
  };
  std::vector<QueryPatchEntry> out;
  for (int i = 0; i < queries; ++i) {
    const std::string& q = shapes[(i * 5 + i / 7) % 7];
    auto r = RewriteQuery(q, rules);
    out.push_back({q, r.ok() ? r->sql : "", r.ok() ? "" : r.status().message()});
  }
  return out;
}

TEST(QueryPatchTest, PatchAppliesWithGnuPatchAndGitApply) {
  ASSERT_EQ(std::system("command -v patch > /dev/null 2>&1"), 0) << "GNU patch is needed (apt-get install patch)";
  const bool have_git = std::system("command -v git > /dev/null 2>&1") == 0;
  for (int n : {1, 2, 3, 7, 20}) {
    const std::vector<QueryPatchEntry> entries = RewrittenEstate(n);
    const std::string want = RenderQueriesFile(PatchedQueries(entries));
    const std::string consumer = "component:default/dash-" + std::to_string(n);
    EXPECT_EQ(Apply("patch -p1 -s --no-backup-if-mismatch", consumer, entries, "patch" + std::to_string(n)), want)
        << n << " queries";
    if (have_git) {
      EXPECT_EQ(Apply("git apply", consumer, entries, "git" + std::to_string(n)), want) << n << " queries";
    }
  }
}

}  // namespace
}  // namespace gaggle
