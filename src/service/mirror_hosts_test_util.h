// Test fixture for artefacts in object storage seen from several hosts: an s3rver (started
// per test, 127.0.0.1) with the bucket "artefacts", an object store over it, and
// NewMirror(), one ArtifactMirror per simulated host on kRemote, each with a spool of its
// own; the spools, the server and its scratch directory are removed after the test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/artifact_mirror.h"
#include "storage/object_store_file_system.h"
#include "storage/s3_test_servers_test_util.h"

namespace gaggle::service {

class MirrorHostsTest : public ::testing::Test {
 protected:
  static constexpr const char* kRemote = "s3://artefacts/logs";

  void SetUp() override {
    scratch_ = std::filesystem::temp_directory_path() /
               ("gaggle-" + std::string(::testing::UnitTest::GetInstance()->current_test_suite()->name()) + "-" +
                std::to_string(::getpid()));
    std::filesystem::remove_all(scratch_);
    auto server = s3test::StartS3Server("s3rver", scratch_.string());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    auto client = S3Client::Create(s3test::ClientOptionsFor(*server_, server_->port));
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    std::shared_ptr<S3Client> s3(std::move(*client));
    ASSERT_TRUE(s3->CreateBucket("artefacts").ok());
    store_ = std::make_unique<ObjectStoreFileSystem>(s3, "s3");
  }
  void TearDown() override {
    for (auto& m : mirrors_) (void)m->RemoveSpool();
    server_.reset();
    std::filesystem::remove_all(scratch_);
  }

  // A new host's view of kRemote.
  ArtifactMirror* NewMirror() {
    auto spool = ArtifactMirror::MakeSpoolDirectory();
    EXPECT_TRUE(spool.ok());
    mirrors_.push_back(std::make_unique<ArtifactMirror>(kRemote, store_.get(), *spool));
    return mirrors_.back().get();
  }

  std::filesystem::path scratch_;
  std::unique_ptr<s3test::ServerProcess> server_;
  std::unique_ptr<ObjectStoreFileSystem> store_;
  std::vector<std::unique_ptr<ArtifactMirror>> mirrors_;
};

}  // namespace gaggle::service
