#include "dataset/dataset_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class DatasetFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gaggle-files-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    ASSERT_TRUE(WriteFileAtomically(FileSystem::Default(), (root_ / rel).string(), text).ok());
  }
  std::vector<std::string> Listed(const std::string& root, bool* is_dir) {
    auto files = ListDatasetFiles(FileSystem::Default(), root, is_dir);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    std::vector<std::string> out;
    if (files.ok()) {
      for (const InputFile& f : *files) out.push_back(f.relative_path);
    }
    return out;
  }
  fs::path root_;
};

TEST_F(DatasetFilesTest, SkipsMetadataHiddenAndGaggleTemporaryFiles) {
  Write("b.csv", "x\n2\n");
  Write("day=1/a.csv", "x\n1\n");
  Write("day=1/_committed_123", "");
  Write("_SUCCESS", "");
  Write(".part-0.csv.crc", "");
  Write("_tmp/part.csv", "x\n9\n");
  Write("part-1.csv.gaggle-tmp-42", "x\n9\n");
  bool is_dir = false;
  EXPECT_EQ(Listed(root_.string(), &is_dir), (std::vector<std::string>{"b.csv", "day=1/a.csv"}));
  EXPECT_TRUE(is_dir);
  EXPECT_EQ(Listed(root_.string() + "//", &is_dir), (std::vector<std::string>{"b.csv", "day=1/a.csv"}));
}

TEST_F(DatasetFilesTest, OneFileIsADatasetOfItself) {
  Write("events.parquet", "PAR1");
  bool is_dir = true;
  auto files = ListDatasetFiles(FileSystem::Default(), (root_ / "events.parquet").string(), &is_dir);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_FALSE(is_dir);
  EXPECT_EQ((*files)[0].relative_path, "");
  EXPECT_EQ((*files)[0].path, (root_ / "events.parquet").string());
  EXPECT_EQ((*files)[0].size, 4u);
  EXPECT_EQ((*files)[0].content_hash, "");
}

TEST_F(DatasetFilesTest, ADirectoryWithoutDataFilesIsNotFoundAndSaysItIsADirectory) {
  Write("_SUCCESS", "");
  bool is_dir = false;
  auto files = ListDatasetFiles(FileSystem::Default(), root_.string(), &is_dir);
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
  EXPECT_NE(files.status().message().find(root_.string()), std::string::npos);
  EXPECT_TRUE(is_dir);
  EXPECT_FALSE(ListDatasetFiles(FileSystem::Default(), (root_ / "missing").string(), &is_dir).ok());
}

}  // namespace
}  // namespace gaggle
