// DeleteListedObjects on a real S3 server (s3rver): only listed, unchanged objects go;
// a changed one, an unlisted one and a sibling prefix stay; a second run finishes the job.
#include "storage/listed_object_deleter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "storage/s3_test_servers_test_util.h"

namespace gaggle {
namespace {

TEST(ListedObjectDeleter, DeletesOnlyListedUnchangedObjects) {
  std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("gaggle-s3-lod-" + std::to_string(::getpid()));
  auto server = s3test::StartS3Server("s3rver", scratch.string());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto client = S3Client::Create(s3test::ClientOptionsFor(**server, (*server)->port));
  ASSERT_TRUE(client.ok());
  std::shared_ptr<S3Client> s3(std::move(*client));
  ASSERT_TRUE(s3->CreateBucket("lake").ok());
  ObjectStoreFileSystem fs(s3, "s3");
  for (const char* k : {"old/a/p1.csv", "old/a/p2.csv", "old/a/p3.csv", "old/a/extra.csv", "old/a-x/keep.csv"}) {
    ASSERT_TRUE(s3->PutObject("lake", k, std::string("data of ") + k).ok());
  }
  std::vector<ListedFile> listed;
  for (const char* rel : {"p1.csv", "p2.csv", "p3.csv"}) {
    auto info = fs.Stat(std::string("s3://lake/old/a/") + rel);
    ASSERT_TRUE(info.ok());
    listed.push_back({rel, info->size, info->mtime_ns});
  }
  ASSERT_TRUE(s3->PutObject("lake", "old/a/p3.csv", "rewritten since it was listed").ok());
  int calls = 0;
  auto first = DeleteListedObjects(&fs, "s3://lake/old/a", listed, [&](const std::string&) {
    ++calls;
    return calls == 2 ? Status::IOError("injected stop") : Status::OK();
  });
  EXPECT_EQ(first.status().code(), StatusCode::kIOError) << "the hook stops the deletion";
  auto second = DeleteListedObjects(&fs, "s3://lake/old/a", listed);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->files, 1);
  EXPECT_EQ(second->already_gone, 1);
  EXPECT_FALSE(second->root_removed);
  EXPECT_EQ(second->left.size(), 2u);  // the rewritten p3 and the unlisted extra
  for (const char* k : {"old/a/p3.csv", "old/a/extra.csv", "old/a-x/keep.csv"}) {
    EXPECT_TRUE(s3->Head("lake", k).ok()) << k;
  }
  for (const char* k : {"old/a/p1.csv", "old/a/p2.csv"}) EXPECT_FALSE(s3->Head("lake", k).ok()) << k;
  EXPECT_EQ(DeleteListedObjects(&fs, "s3://lake", listed).status().code(), StatusCode::kInvalidArgument);
  server->reset();
  std::filesystem::remove_all(scratch);
}

}  // namespace
}  // namespace gaggle
