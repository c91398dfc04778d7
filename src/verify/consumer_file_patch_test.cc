#include "verify/consumer_file_patch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "catalog/annotations.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A repository (a .git folder) with the consumer's catalog file one level down.
class ConsumerFilePatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gaggle-file-patch-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / ".git");
    fs::create_directories(root_ / "catalog");
    fs::create_directories(root_ / "sql");
    Write("catalog/catalog-info.yaml", "# the descriptor\n");
    consumer_.kind = EntityKind::kComponent;
    consumer_.id = "component:growth";
    consumer_.source = (root_ / "catalog/catalog-info.yaml").string();
    consumer_.annotations[std::string(annotations::kQueriesPath)] = "sql/growth.sql";
    TableChange users;
    users.new_table = "users";
    users.columns = {"user_id", "country"};
    users.renamed["user_id"] = "account_id";
    rules_.migrated["users"] = users;
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(root_ / rel, std::ios::binary) << text; }

  fs::path root_;
  Entity consumer_;
  RewriteRules rules_;
};

TEST_F(ConsumerFilePatchTest, PatchesTheRealFileAtTheRepositoryRoot) {
  Write("sql/growth.sql", "-- per country\nSELECT country, COUNT(DISTINCT user_id) AS n -- people\nFROM users\n");
  std::string why;
  auto p = MakeConsumerFilePatch(consumer_, rules_, &why);
  ASSERT_TRUE(p.has_value()) << why;
  EXPECT_EQ(p->root, root_.string());
  EXPECT_EQ(p->patch,
            "diff --git a/sql/growth.sql b/sql/growth.sql\n--- a/sql/growth.sql\n+++ b/sql/growth.sql\n"
            "@@ -1,3 +1,3 @@\n -- per country\n-SELECT country, COUNT(DISTINCT user_id) AS n -- people\n"
            "+SELECT country, COUNT(DISTINCT account_id) AS n -- people\n FROM users\n");
  EXPECT_EQ(p->statements, 1);
  EXPECT_EQ(p->rewritten, 1);
}

TEST_F(ConsumerFilePatchTest, AFileThatNeedsNoChangeGivesAnEmptyPatch) {
  Write("sql/growth.sql", "SELECT country FROM users");
  auto p = MakeConsumerFilePatch(consumer_, rules_);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->patch, "");
}

TEST_F(ConsumerFilePatchTest, FallsBackWithTheReason) {
  std::string why;
  EXPECT_FALSE(MakeConsumerFilePatch(consumer_, rules_, &why).has_value());  // no file yet
  EXPECT_THAT(why, HasSubstr("cannot read sql/growth.sql in " + root_.string()));
  consumer_.annotations[std::string(annotations::kQueriesPath)] = "../outside.sql";
  EXPECT_FALSE(MakeConsumerFilePatch(consumer_, rules_, &why).has_value());
  EXPECT_THAT(why, HasSubstr("../outside.sql"));
  consumer_.source = (root_ / "nowhere.yaml").string();
  EXPECT_FALSE(MakeConsumerFilePatch(consumer_, rules_, &why).has_value());
  EXPECT_THAT(why, HasSubstr("cannot be found"));
  consumer_.annotations.erase(std::string(annotations::kQueriesPath));
  EXPECT_FALSE(MakeConsumerFilePatch(consumer_, rules_, &why).has_value());
}

TEST(SplitQueriesPaths, CommasNewlinesAndSpaces) {
  EXPECT_THAT(SplitQueriesPaths(" sql/a.sql, sql/b.sql\n\n dash/c.sql ,"),
              ElementsAre("sql/a.sql", "sql/b.sql", "dash/c.sql"));
  EXPECT_TRUE(SplitQueriesPaths(" , \n").empty());
}

}  // namespace
}  // namespace gaggle
