// The POSIX file system refuses data files that could block or never end (a FIFO, a
// device behind a symlink) without reading them, and marks errors a retry cannot fix
// as permanent.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/file_system.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class PosixFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-posixfs-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PosixFileSystemTest, RefusesAFifoWithoutBlocking) {
  const std::string fifo = (dir_ / "part-0.avro").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  auto seq = FileSystem::Default()->OpenSequential(fifo);
  auto ra = FileSystem::Default()->OpenRandomAccess(fifo);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_FALSE(seq.ok());
  ASSERT_FALSE(ra.ok());
  EXPECT_NE(seq.status().message().find("not a regular file"), std::string::npos) << seq.status().ToString();
  EXPECT_FALSE(seq.status().retryable());
}

TEST_F(PosixFileSystemTest, RefusesADeviceBehindASymlink) {
  fs::create_symlink("/dev/zero", dir_ / "part-0.avro");
  auto f = FileSystem::Default()->OpenSequential((dir_ / "part-0.avro").string());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("not a regular file"), std::string::npos);
}

TEST_F(PosixFileSystemTest, ReadsARegularFile) {
  std::ofstream(dir_ / "a.txt") << "hello";
  auto f = FileSystem::Default()->OpenRandomAccess((dir_ / "a.txt").string());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  uint8_t buf[5];
  auto n = (*f)->ReadAt(0, 5, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5u);
}

TEST_F(PosixFileSystemTest, ANameTooLongIsPermanent) {
  const std::string name(300, 'x');
  auto f = FileSystem::Default()->OpenSequential((dir_ / name).string());
  ASSERT_FALSE(f.ok());
  EXPECT_FALSE(f.status().retryable()) << f.status().ToString();
  auto w = FileSystem::Default()->OpenWritable((dir_ / name).string());
  ASSERT_FALSE(w.ok());
  EXPECT_FALSE(w.status().retryable());
}

}  // namespace
}  // namespace gaggle
