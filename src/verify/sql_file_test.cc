#include "verify/sql_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "verify/query_patch.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

RewriteRules EventsRules() {
  RewriteRules rules;
  TableChange c;
  c.new_table = "events_raw_v2";
  c.columns = {"user_id", "ts", "amount", "legacy_flag", "country"};
  c.renamed = {{"user_id", "account_id"}, {"ts", "event_time"}};
  c.dropped = {"legacy_flag"};
  rules.migrated["events_raw"] = c;
  rules.other_tables["users"] = {"user_id", "name"};
  return rules;
}

// One real file: its text as the repository holds it, and the text gaggle must make of it.
struct FileCase {
  const char* name;
  std::string before;
  std::string after;
  int changed;
  int refused;
};

std::vector<FileCase> Cases() {
  return {
      {"comments_around_and_inside",
       "-- daily revenue, owned by billing\n"
       "/* header\n   block */\n"
       "SELECT country, /* spend */ SUM(amount) AS revenue -- per country\n"
       "FROM events_raw\n"
       "GROUP BY country; -- end of the first\n"
       "\n"
       "-- the second; with a ';' in the comment\n"
       "SELECT user_id FROM events_raw WHERE ts > '2024-01-01'; /* trailing */\n"
       "-- last words\n",
       "-- daily revenue, owned by billing\n"
       "/* header\n   block */\n"
       "SELECT country, /* spend */ SUM(amount) AS revenue -- per country\n"
       "FROM events_raw_v2\n"
       "GROUP BY country; -- end of the first\n"
       "\n"
       "-- the second; with a ';' in the comment\n"
       "SELECT account_id AS user_id FROM events_raw_v2 WHERE event_time > '2024-01-01'; /* trailing */\n"
       "-- last words\n",
       2, 0},
      {"one_line_no_semicolon_no_newline", "SELECT user_id FROM events_raw",
       "SELECT account_id AS user_id FROM events_raw_v2", 1, 0},
      {"no_semicolon_with_newline", "SELECT ts\nFROM events_raw\n", "SELECT event_time AS ts\nFROM events_raw_v2\n", 1,
       0},
      {"ends_in_line_comment_no_newline", "SELECT country FROM events_raw -- note; not a terminator",
       "SELECT country FROM events_raw_v2 -- note; not a terminator", 1, 0},
      {"crlf", "-- crlf file\r\nSELECT user_id\r\nFROM events_raw;\r\n\r\nSELECT name FROM users;\r\n",
       "-- crlf file\r\nSELECT account_id AS user_id\r\nFROM events_raw_v2;\r\n\r\nSELECT name FROM users;\r\n", 1, 0},
      {"two_on_one_line_and_empty_statements", ";;SELECT ts FROM events_raw; SELECT country FROM events_raw;;\n",
       ";;SELECT event_time AS ts FROM events_raw_v2; SELECT country FROM events_raw_v2;;\n", 2, 0},
      {"refused_at_line_start_indented", "SELECT country FROM events_raw;\n  SELECT legacy_flag FROM events_raw;\n",
       "SELECT country FROM events_raw_v2;\n  -- gaggle: cannot rewrite: line 1 col 8: uses column legacy_flag, which "
       "the migration drops from events_raw\n  SELECT legacy_flag FROM events_raw;\n",
       1, 1},
      {"refused_mid_line_crlf", "SELECT 1 FROM users; SELECT legacy_flag FROM events_raw\r\n",
       "SELECT 1 FROM users; /* gaggle: cannot rewrite: line 1 col 8: uses column legacy_flag, which the migration "
       "drops "
       "from events_raw */ SELECT legacy_flag FROM events_raw\r\n",
       0, 1},
      {"only_comments", "-- nothing here; really\n/* ; */\n", "-- nothing here; really\n/* ; */\n", 0, 0},
      {"strings_and_quoted_names_with_semicolons",
       "SELECT \"user_id\", 'a;b' AS s FROM events_raw WHERE country <> ';'\n",
       "SELECT \"account_id\" AS \"user_id\", 'a;b' AS s FROM events_raw_v2 WHERE country <> ';'\n", 1, 0},
  };
}

TEST(SqlFileTest, RewritesRealFilesKeepingEverythingElse) {
  const RewriteRules rules = EventsRules();
  for (const FileCase& c : Cases()) {
    auto rw = RewriteSqlFile(c.before, rules);
    ASSERT_TRUE(rw.ok()) << c.name << ": " << rw.status().ToString();
    EXPECT_EQ(rw->text, c.after) << c.name;
    EXPECT_EQ(rw->Changed(), c.changed) << c.name;
    EXPECT_EQ(rw->Refused(), c.refused) << c.name;
  }
}

TEST(SqlFileTest, StatementSpansExcludeSurroundingTriviaAndTerminator) {
  const std::string text = "-- a\n  SELECT 1 /* in */ + 2 ; -- b\nSELECT\n3";
  auto spans = SplitSqlFile(text);
  ASSERT_TRUE(spans.ok()) << spans.status().ToString();
  ASSERT_EQ(spans->size(), 2u);
  EXPECT_EQ(text.substr((*spans)[0].begin, (*spans)[0].end - (*spans)[0].begin), "SELECT 1 /* in */ + 2");
  EXPECT_EQ((*spans)[0].line, 2);
  EXPECT_EQ((*spans)[0].column, 3);
  EXPECT_EQ(text.substr((*spans)[1].begin, (*spans)[1].end - (*spans)[1].begin), "SELECT\n3");
  EXPECT_EQ((*spans)[1].line, 3);
}

TEST(SqlFileTest, JinjaIsKeptAndSeenThrough) {
  const std::string text =
      "{{ config(materialized='table') }}\n{# it's a comment; with ';' #}\n"
      "select * from {{ ref('orders') }} where x = '{{ var(\"y\") }}';\nselect 1";
  auto spans = SplitSqlFile(text);
  ASSERT_TRUE(spans.ok()) << spans.status().ToString();
  ASSERT_EQ(spans->size(), 2u);
  EXPECT_TRUE((*spans)[0].has_jinja);
  EXPECT_EQ(text.substr((*spans)[0].begin, 2), "{{");
  EXPECT_FALSE((*spans)[1].has_jinja);
  // A rewriter that changes nothing gives the file back byte for byte.
  auto same = RewriteSqlFile(text, [](std::string_view s) -> Result<RewrittenQuery> {
    RewrittenQuery q;
    q.sql = std::string(s);
    return q;
  });
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->text, text);
  EXPECT_EQ(SqlStatementKey("select  *\n from {{ ref('a') }} -- c"), "select * from {{ ref('a') }}");
}

TEST(SqlFileTest, KeyIgnoresLayoutAndComments) {
  EXPECT_EQ(SqlStatementKey("SELECT a,\n  b -- x\nFROM t /* y */"), SqlStatementKey("SELECT a , b FROM t"));
  EXPECT_NE(SqlStatementKey("SELECT a FROM t"), SqlStatementKey("SELECT b FROM t"));
}

TEST(SqlFileTest, MalformedFilesNameThePlace) {
  for (const auto& [text, where] : std::vector<std::pair<std::string, std::string>>{
           {"SELECT 1;\nSELECT 'open", "line 2 col 8"},
           {"SELECT 1;\n  {{ ref('x') ", "line 2 col 3"},
           {"/* never closed", "line 1 col 1"},
       }) {
    auto spans = SplitSqlFile(text);
    ASSERT_FALSE(spans.ok()) << text;
    EXPECT_NE(spans.status().message().find(where), std::string::npos) << spans.status().ToString();
  }
}

TEST(SqlFileTest, RepoRelativePaths) {
  for (const char* ok : {"sql/orders.sql", "a.sql", "models/staging/stg_orders.sql", "x/.hidden/y.sql"}) {
    EXPECT_TRUE(CheckRepoRelativePath(ok).ok()) << ok;
  }
  for (const char* bad : {"", "/etc/passwd", "../x.sql", "sql/../../x.sql", "sql//x.sql", "./x.sql", "sql/x.sql/",
                          "my file.sql", "a\\b.sql", "a\"b.sql"}) {
    EXPECT_FALSE(CheckRepoRelativePath(bad).ok()) << bad;
  }
  EXPECT_EQ(RenderFilePatch("a.sql", "x\n", "x\n"), "");
  EXPECT_EQ(RenderFilePatch("a.sql", "x", "y"),
            "diff --git a/a.sql b/a.sql\n--- a/a.sql\n+++ b/a.sql\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n"
            "\\ No newline at end of file\n");
}

class TempRepo {
 public:
  TempRepo() : path_(fs::temp_directory_path() / ("gaggle-sql-file-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempRepo() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  int Run(const std::string& cmd) const {
    return std::system(("cd '" + path_.string() + "' && " + cmd + " > cmd.log 2>&1").c_str());
  }
  std::string Read(const std::string& rel) const {
    std::ifstream in(path_ / rel, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void Write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

// Every case's patch passes `git apply --check` in a real repository holding the file,
// and applying it gives exactly the rewritten text.
TEST(SqlFileTest, PatchesApplyWithGitToTheRealFiles) {
  ASSERT_EQ(std::system("command -v git > /dev/null 2>&1"), 0) << "git is needed";
  TempRepo repo;
  ASSERT_EQ(repo.Run("git init -q . && git config user.email t@example.com && git config user.name t"), 0);
  const RewriteRules rules = EventsRules();
  std::string patch;
  for (const FileCase& c : Cases()) {
    const std::string path = std::string("sql/") + c.name + ".sql";
    repo.Write(path, c.before);
    auto rw = RewriteSqlFile(c.before, rules);
    ASSERT_TRUE(rw.ok()) << c.name;
    patch += RenderFilePatch(path, c.before, rw->text);
  }
  ASSERT_EQ(repo.Run("git add -A && git commit -qm base"), 0) << repo.Read("cmd.log");
  repo.Write(".git/gaggle.patch", patch);  // inside .git: not part of the working tree
  const std::string patch_file = ".git/gaggle.patch";
  ASSERT_EQ(repo.Run("git apply --check '" + patch_file + "'"), 0) << repo.Read("cmd.log") << "\n" << patch;
  ASSERT_EQ(repo.Run("git apply '" + patch_file + "'"), 0) << repo.Read("cmd.log");
  for (const FileCase& c : Cases()) EXPECT_EQ(repo.Read(std::string("sql/") + c.name + ".sql"), c.after) << c.name;
}

}  // namespace
}  // namespace gaggle
