// DeleteListedFiles: only listed, unchanged regular files go; nothing is reached
// through a symlink, even one swapped in while the deletion runs.
#include "common/listed_file_deleter.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class ListedFileDeleterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-deleter-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  static ListedFile Listed(const fs::path& root, const std::string& rel) {
    struct stat st;
    const fs::path p = rel.empty() ? root : root / rel;
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return {rel, static_cast<uint64_t>(st.st_size),
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
  }
  fs::path dir_;
};

TEST_F(ListedFileDeleterTest, DeletesListedFilesAndEmptiedDirectories) {
  const fs::path root = dir_ / "ds";
  Write(root / "p=1" / "a.avro", "aaaa");
  Write(root / "p=2" / "b.avro", "bb");
  auto r = DeleteListedFiles(root.string(), {Listed(root, "p=1/a.avro"), Listed(root, "p=2/b.avro")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->files, 2);
  EXPECT_EQ(r->bytes, 6);
  EXPECT_TRUE(r->root_removed);
  EXPECT_TRUE(r->left.empty());
  EXPECT_FALSE(fs::exists(root));
  EXPECT_TRUE(fs::exists(dir_));
}

TEST_F(ListedFileDeleterTest, LeavesUnlistedChangedAndNestedFiles) {
  const fs::path root = dir_ / "ds";
  Write(root / "a.avro", "aaaa");
  Write(root / "b.avro", "bb");
  Write(root / ".hidden", "x");
  Write(root / "nested" / "other.avro", "another dataset");
  ListedFile a = Listed(root, "a.avro");
  ListedFile b = Listed(root, "b.avro");
  Write(root / "b.avro", "bbbbbb");  // rewritten after it was listed
  auto r = DeleteListedFiles(root.string(), {a, b});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->files, 1);
  EXPECT_FALSE(r->root_removed);
  EXPECT_FALSE(fs::exists(root / "a.avro"));
  EXPECT_TRUE(fs::exists(root / "b.avro"));
  EXPECT_TRUE(fs::exists(root / ".hidden"));
  EXPECT_TRUE(fs::exists(root / "nested" / "other.avro"));
  EXPECT_EQ(r->left.size(), 3u);  // b changed; .hidden and nested/other.avro not listed
}

TEST_F(ListedFileDeleterTest, ASingleFileDataset) {
  const fs::path root = dir_ / "ds.jsonl";
  Write(root, "{}\n");
  auto r = DeleteListedFiles(root.string(), {Listed(root, "")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->files, 1);
  EXPECT_TRUE(r->root_removed);
  EXPECT_FALSE(fs::exists(root));
}

TEST_F(ListedFileDeleterTest, RefusesASymlinkRootOrParent) {
  Write(dir_ / "real" / "a.avro", "aaaa");
  fs::create_directory_symlink(dir_ / "real", dir_ / "link");
  auto r = DeleteListedFiles((dir_ / "link").string(), {Listed(dir_ / "real", "a.avro")});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("symlink"), std::string::npos) << r.status().message();
  Write(dir_ / "realparent" / "ds" / "a.avro", "aaaa");
  fs::create_directory_symlink(dir_ / "realparent", dir_ / "linkparent");
  auto p = DeleteListedFiles((dir_ / "linkparent" / "ds").string(), {Listed(dir_ / "realparent" / "ds", "a.avro")});
  EXPECT_FALSE(p.ok());
  EXPECT_TRUE(fs::exists(dir_ / "real" / "a.avro"));
  EXPECT_TRUE(fs::exists(dir_ / "realparent" / "ds" / "a.avro"));
}

TEST_F(ListedFileDeleterTest, NeverFollowsASymlinkedFileOrSubdirectory) {
  const fs::path root = dir_ / "ds";
  Write(dir_ / "victim" / "p=1" / "a.avro", "aaaa");
  ListedFile listed = Listed(dir_ / "victim", "p=1/a.avro");
  fs::create_directories(root);
  fs::create_directory_symlink(dir_ / "victim" / "p=1", root / "p=1");
  auto r = DeleteListedFiles(root.string(), {listed});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->files, 0);
  EXPECT_TRUE(fs::exists(dir_ / "victim" / "p=1" / "a.avro"));
  EXPECT_FALSE(r->left.empty());
}

// A parent swapped for a symlink while the deletion runs: the rest is deleted in the
// directory that was checked (now renamed), never in the tree the link points at.
TEST_F(ListedFileDeleterTest, AParentSwappedForASymlinkMidwayIsNotFollowed) {
  const fs::path root = dir_ / "lake" / "ds";
  Write(root / "a.avro", "aaaa");
  Write(root / "b.avro", "bbbb");
  Write(dir_ / "victim" / "ds" / "a.avro", "aaaa");
  Write(dir_ / "victim" / "ds" / "b.avro", "bbbb");
  std::vector<ListedFile> files = {Listed(root, "a.avro"), Listed(root, "b.avro")};
  // Same sizes and times in the victim, so only the path walk can tell them apart.
  for (const ListedFile& f : files) {
    struct timespec times[2] = {{0, UTIME_OMIT}, {f.mtime_ns / 1000000000, f.mtime_ns % 1000000000}};
    ::utimensat(AT_FDCWD, (dir_ / "victim" / "ds" / f.relative_path).c_str(), times, 0);
  }
  bool swapped = false;
  auto r = DeleteListedFiles(root.string(), files, [&](const std::string&) {
    if (!swapped) {
      swapped = true;
      fs::rename(dir_ / "lake", dir_ / "lake-moved");
      fs::create_directory_symlink(dir_ / "victim", dir_ / "lake");
    }
    return Status::OK();
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(fs::exists(dir_ / "victim" / "ds" / "a.avro"));
  EXPECT_TRUE(fs::exists(dir_ / "victim" / "ds" / "b.avro"));
  EXPECT_FALSE(fs::exists(dir_ / "lake-moved" / "ds" / "a.avro"));
}

TEST_F(ListedFileDeleterTest, RefusesListedPathsThatEscapeTheRoot) {
  Write(dir_ / "ds" / "a.avro", "a");
  Write(dir_ / "secret", "s");
  auto r = DeleteListedFiles((dir_ / "ds").string(), {{"../secret", 1, 0}});
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(fs::exists(dir_ / "secret"));
}

TEST_F(ListedFileDeleterTest, AMissingRootIsAlreadyGone) {
  auto r = DeleteListedFiles((dir_ / "nothing").string(), {{"a", 1, 0}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->root_removed);
  EXPECT_EQ(r->already_gone, 1);
}

TEST_F(ListedFileDeleterTest, SymlinkComponents) {
  fs::create_directories(dir_ / "real");
  fs::create_directory_symlink(dir_ / "real", dir_ / "link");
  std::string link;
  EXPECT_FALSE(HasNoSymlinkComponent((dir_ / "link" / "x").string(), &link));
  EXPECT_EQ(link, (dir_ / "link").string());
  EXPECT_TRUE(HasNoSymlinkComponent((dir_ / "real" / "x" / "y").string()));
}

}  // namespace
}  // namespace gaggle
