// Where an agent may write: absent, empty or gaggle-created outputs only, never its
// input, never through a symlink; a staged output may not link outside itself.
#include "agent/output_ownership.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dataset/manifest.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class OutputOwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-ownership-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in");
    std::ofstream(dir_ / "in" / "part-0.avro") << "data";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string P(const std::string& rel) { return (dir_ / rel).string(); }
  fs::path dir_;
};

TEST_F(OutputOwnershipTest, AcceptsAbsentEmptyAndGaggleCreatedOutputs) {
  EXPECT_TRUE(CheckOutputOwnership(P("out"), P("in")).ok());
  fs::create_directories(dir_ / "empty");
  EXPECT_TRUE(CheckOutputOwnership(P("empty"), P("in")).ok());
  fs::create_directories(dir_ / "ours");
  std::ofstream(dir_ / "ours" / kManifestFileName) << "{}";
  std::ofstream(dir_ / "ours" / "part-0.parquet") << "x";
  EXPECT_TRUE(CheckOutputOwnership(P("ours"), P("in")).ok());
}

TEST_F(OutputOwnershipTest, RefusesWhatGaggleDidNotCreate) {
  fs::create_directories(dir_ / "theirs");
  std::ofstream(dir_ / "theirs" / "important.avro") << "x";
  Status st = CheckOutputOwnership(P("theirs"), P("in"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("gaggle did not create it"), std::string::npos) << st.message();
  std::ofstream(dir_ / "file.avro") << "x";
  EXPECT_FALSE(CheckOutputOwnership(P("file.avro"), P("in")).ok());
  fs::create_directory_symlink(dir_ / "elsewhere", dir_ / "link");
  st = CheckOutputOwnership(P("link"), P("in"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("symlink"), std::string::npos);
}

TEST_F(OutputOwnershipTest, RefusesAWorkDirectoryThatIsASymlinkOrAFile) {
  // Staging happens in OUT.gaggle-work: a symlink there would send the staged output (and
  // the previous output moved aside) somewhere gaggle does not own.
  fs::create_directories(dir_ / "elsewhere");
  fs::create_directory_symlink(dir_ / "elsewhere", dir_ / "out.gaggle-work");
  Status st = CheckOutputOwnership(P("out"), P("in"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("out.gaggle-work"), std::string::npos) << st.message();
  fs::remove(dir_ / "out.gaggle-work");
  std::ofstream(dir_ / "out.gaggle-work") << "x";
  EXPECT_FALSE(CheckOutputOwnership(P("out"), P("in")).ok());
  fs::remove(dir_ / "out.gaggle-work");
  fs::create_directories(dir_ / "out.gaggle-work");
  EXPECT_TRUE(CheckOutputOwnership(P("out"), P("in")).ok());
}

TEST_F(OutputOwnershipTest, RefusesItsInputAroundOrInside) {
  EXPECT_NE(CheckOutputOwnership(P("in"), P("in")).message().find("it is its input"), std::string::npos);
  EXPECT_NE(CheckOutputOwnership(P("in/v2"), P("in")).message().find("inside its input"), std::string::npos);
  EXPECT_NE(CheckOutputOwnership(P(""), P("in")).message().find("contains its input"), std::string::npos);
  fs::create_directory_symlink(dir_ / "in", dir_ / "alias");
  EXPECT_FALSE(CheckOutputOwnership(P("in"), P("alias")).ok());  // the same place through a link
}

TEST_F(OutputOwnershipTest, RefusesRelativeAndSystemOutputs) {
  EXPECT_NE(CheckOutputOwnership("out", P("in")).message().find("relative"), std::string::npos);
  EXPECT_NE(CheckOutputOwnership("/tmp", P("in")).message().find("system directory"), std::string::npos);
  EXPECT_FALSE(CheckOutputOwnership("/", P("in")).ok());
}

TEST_F(OutputOwnershipTest, RefusesAStagedSymlinkThatLeavesTheOutput) {
  fs::create_directories(dir_ / "staging" / "p=1");
  std::ofstream(dir_ / "staging" / "p=1" / "a.parquet") << "x";
  fs::create_symlink(dir_ / "staging" / "p=1" / "a.parquet", dir_ / "staging" / "inner-link");
  EXPECT_TRUE(CheckStagedOutputSymlinks(P("staging")).ok());
  fs::create_symlink(dir_ / "in" / "part-0.avro", dir_ / "staging" / "p=1" / "passthrough.avro");
  Status st = CheckStagedOutputSymlinks(P("staging"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("leads outside"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace gaggle
