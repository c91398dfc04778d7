#include "dataset/manifest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace gaggle {
namespace {

TEST(InputFingerprint, DirectoryTreesSkipHiddenFilesAndDetectContentChanges) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("gaggle-fp-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "day=1");
  FileSystem* f = FileSystem::Default();
  ASSERT_TRUE(WriteFileAtomically(f, (root / "day=1" / "a.csv").string(), "x\n1\n").ok());
  ASSERT_TRUE(WriteFileAtomically(f, (root / "b.csv").string(), "x\n2\n").ok());
  ASSERT_TRUE(WriteFileAtomically(f, (root / "_SUCCESS").string(), "").ok());
  auto a = FingerprintDataset(f, root.string());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->files.size(), 2u);
  EXPECT_EQ(a->files[0].relative_path, "b.csv");
  EXPECT_EQ(a->files[1].relative_path, "day=1/a.csv");
  ASSERT_TRUE(WriteFileAtomically(f, (root / "b.csv").string(), "x\n3\n").ok());  // same size, new content
  auto b = FingerprintDataset(f, root.string());
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(a->SameContent(*b));
  auto round = InputFingerprint::FromJson(b->ToJson());
  ASSERT_TRUE(round.ok());
  EXPECT_TRUE(round->SameContent(*b));
  fs::remove_all(root);
}

TEST(Manifest, JsonRoundTripAndMatching) {
  Manifest m;
  m.migration = "events-v2";
  m.spec_hash = "abc";
  m.agent = {"gaggle-transform", "0.1.0", "d1"};
  m.input.content_hash = "h1";
  m.outputs.push_back({"part-0.parquet", 123, "s", 10});
  m.counts = {12, 10, 1, 1};
  m.content_checksum = "0123456789abcdef";
  m.output_schema.AddField({"id", DataType::Int64(), false});
  auto back = Manifest::FromJson(m.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->outputs[0].sha256, "s");
  EXPECT_TRUE(back->counts.Balanced());
  EXPECT_EQ(back->output_schema, m.output_schema);
  EXPECT_TRUE(back->Matches(m.input, "abc", m.agent));
  EXPECT_FALSE(back->Matches(m.input, "abd", m.agent));
  AgentIdentity other = m.agent;
  other.digest = "d2";
  EXPECT_FALSE(back->Matches(m.input, "abc", other));
  nlohmann::json broken = m.ToJson();
  broken.erase("counts");
  EXPECT_EQ(Manifest::FromJson(broken).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace gaggle
