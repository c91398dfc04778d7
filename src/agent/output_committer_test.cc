#include "agent/output_committer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class OutputCommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gaggle-commit-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Put(const std::string& path, const std::string& data) {
    ASSERT_TRUE(WriteFileAtomically(FileSystem::Default(), path, data).ok());
  }
  std::string Get(const std::string& path) {
    return ReadFileToString(FileSystem::Default(), path).ValueOr("<missing>");
  }
  std::vector<std::string> Entries() {
    std::vector<std::string> names;
    for (auto& e : fs::directory_iterator(root_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path root_;
};

TEST_F(OutputCommitterTest, CommitReplacesPreviousOutputWhole) {
  std::string out = (root_ / "ds").string();
  {
    auto c = OutputCommitter::Begin(FileSystem::Default(), out);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    Put(c->staging_dir() + "/a.parquet", "v1-a");
    Put(c->staging_dir() + "/b.parquet", "v1-b");
    ASSERT_TRUE(c->Commit().ok());
  }
  EXPECT_EQ(Get(out + "/a.parquet"), "v1-a");
  {
    auto c = OutputCommitter::Begin(FileSystem::Default(), out);
    ASSERT_TRUE(c.ok());
    Put(c->staging_dir() + "/a.parquet", "v2-a");
    EXPECT_EQ(Get(out + "/a.parquet"), "v1-a");  // not visible before commit
    ASSERT_TRUE(c->Commit().ok());
  }
  EXPECT_EQ(Get(out + "/a.parquet"), "v2-a");
  EXPECT_FALSE(fs::exists(out + "/b.parquet"));  // no mixture of old and new files
  EXPECT_EQ(Entries(), std::vector<std::string>{"ds"});
}

TEST_F(OutputCommitterTest, AbortLeavesPreviousOutputAndNoLeftovers) {
  std::string out = (root_ / "ds").string();
  {
    auto c = OutputCommitter::Begin(FileSystem::Default(), out);
    ASSERT_TRUE(c.ok());
    Put(c->staging_dir() + "/a", "x");
    // destroyed without Commit()
  }
  EXPECT_TRUE(Entries().empty());
}

TEST_F(OutputCommitterTest, RecoversLeftoversOfDeadProcesses) {
  std::string out = (root_ / "ds").string();
  // A dead process (reaped child) left a staging dir and had moved the old output aside.
  pid_t pid = ::fork();
  if (pid == 0) _exit(0);
  ::waitpid(pid, nullptr, 0);
  std::string staging = OutputWorkDir(out) + "/staging-" + std::to_string(pid) + "-1";
  std::string aside = OutputWorkDir(out) + "/aside-" + std::to_string(pid) + "-1";
  fs::create_directories(staging);
  fs::create_directories(aside);
  Put(aside + "/a.parquet", "old");
  ASSERT_TRUE(RecoverOutputLeftovers(FileSystem::Default(), out).ok());
  EXPECT_EQ(Get(out + "/a.parquet"), "old");  // restored, not lost
  EXPECT_EQ(Entries(), std::vector<std::string>{"ds"});
}

TEST_F(OutputCommitterTest, StagesInsideTheOutputsOwnWorkDirectoryAndRemovesIt) {
  std::string out = (root_ / "ds").string();
  auto c = OutputCommitter::Begin(FileSystem::Default(), out);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(fs::path(c->staging_dir()).parent_path().string(), out + ".gaggle-work");
  EXPECT_EQ(Entries(), std::vector<std::string>{"ds.gaggle-work"});
  Put(c->staging_dir() + "/a", "x");
  ASSERT_TRUE(c->Commit().ok());
  EXPECT_EQ(Entries(), std::vector<std::string>{"ds"});
}

TEST_F(OutputCommitterTest, RecoveryLooksOnlyAtItsOwnOutputsLeftovers) {
  // A live process's staging directory of another output, and a neighbour's stray
  // directory that merely looks like gaggle's: recovery of `ds` touches neither.
  std::string out = (root_ / "ds").string();
  std::string other = OutputWorkDir((root_ / "other").string()) + "/staging-" + std::to_string(::getpid()) + "-1";
  fs::create_directories(other);
  fs::create_directories(root_ / "ds.gaggle-staging-1-1");  // an old-style name: not ours to judge
  ASSERT_TRUE(RecoverOutputLeftovers(FileSystem::Default(), out).ok());
  EXPECT_TRUE(fs::exists(other));
  EXPECT_TRUE(fs::exists(root_ / "ds.gaggle-staging-1-1"));
}

TEST_F(OutputCommitterTest, ALiveProcesssStagingKeepsTheWorkDirectory) {
  std::string out = (root_ / "ds").string();
  std::string live = OutputWorkDir(out) + "/staging-" + std::to_string(::getpid()) + "-7";
  fs::create_directories(live);
  ASSERT_TRUE(RecoverOutputLeftovers(FileSystem::Default(), out).ok());
  EXPECT_TRUE(fs::exists(live));
}

TEST_F(OutputCommitterTest, RefusesAFileWhereTheDatasetDirectoryShouldBe) {
  std::string out = (root_ / "ds").string();
  Put(out, "not a dir");
  auto c = OutputCommitter::Begin(FileSystem::Default(), out);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gaggle
