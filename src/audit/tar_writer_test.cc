#include "audit/tar_writer.h"

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"
#include "audit/tar_reader.h"

namespace gaggle {
namespace {

using audit_test::ReadAll;
using audit_test::ReadEntry;
using audit_test::ReadFile;
using audit_test::RunShell;
using audit_test::ScratchDir;

struct Input {
  std::string path;
  std::string data;
  int64_t mtime = 0;
};

// Writes `inputs` to `path` and returns the archive's bytes.
std::string WriteArchive(const std::string& path, const std::vector<Input>& inputs) {
  auto w = TarZstWriter::Create(path);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) return "";
  for (const auto& in : inputs) EXPECT_TRUE(w->Add(in.path, in.data, in.mtime).ok()) << in.path;
  Status st = w->Finish();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return ReadFile(path);
}

void ExpectRoundTrip(const std::string& archive, const std::vector<Input>& inputs) {
  std::vector<ReadEntry> got;
  Status st = ReadAll(archive, &got);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(got[i].entry.path, inputs[i].path);
    EXPECT_EQ(got[i].entry.type, TarEntryType::kRegular);
    EXPECT_EQ(got[i].entry.size, static_cast<int64_t>(inputs[i].data.size()));
    EXPECT_EQ(got[i].entry.mtime, inputs[i].mtime);
    EXPECT_TRUE(got[i].data == inputs[i].data) << inputs[i].path << " differs after the round trip";
  }
}

std::vector<Input> MixedInputs() {
  return {
      {"empty.txt", ""},
      {"block.bin", audit_test::RandomBytes(512, 1)},
      {"block-and-one.bin", audit_test::RandomBytes(513, 2)},
      {"logs/task-0001.log", "line one\nline two\n"},
      {"large/random.bin", audit_test::RandomBytes(3 << 20, 3)},                     // incompressible
      {"large/text.jsonl", std::string(4 << 20, 'x') + "\n"},                        // very compressible
      {std::string(60, 'd') + "/" + std::string(60, 'e') + "/split.txt", "prefix"},  // 130 bytes: ustar prefix
      {std::string(140, 'p') + "/" + std::string(90, 'q') + "/pax.txt", "pax"},      // 239 bytes, no split: pax
      {std::string(120, 'n'), "one long component"},                                 // no '/' at all: pax
      {"données/über/日本語.txt", "utf-8 names"},
      {"dated.txt", "with a time", 1700000000},
  };
}

TEST(TarWriter, RoundTripsEdgeSizesLongAndUtf8Paths) {
  ScratchDir dir;
  auto inputs = MixedInputs();
  ExpectRoundTrip(WriteArchive(dir / "a.tar.zst", inputs), inputs);
}

TEST(TarWriter, EmptyArchiveHasNoEntries) {
  ScratchDir dir;
  std::string bytes = WriteArchive(dir / "empty.tar.zst", {});
  ExpectRoundTrip(bytes, {});
  EXPECT_EQ(RunShell("/usr/bin/tar --zstd -tf " + dir / "empty.tar.zst"), 0);
}

TEST(TarWriter, SameEntriesGiveByteIdenticalArchives) {
  ScratchDir dir;
  auto inputs = MixedInputs();
  std::string a = WriteArchive(dir / "a.tar.zst", inputs);
  std::string b = WriteArchive(dir / "b.tar.zst", inputs);
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b);
  inputs[3].data += "!";
  EXPECT_FALSE(a == WriteArchive(dir / "c.tar.zst", inputs));
}

TEST(TarWriter, HugeMtimeGoesIntoAPaxRecord) {
  ScratchDir dir;
  std::vector<Input> inputs = {{"far-future.txt", "x", int64_t{1} << 34}};
  ExpectRoundTrip(WriteArchive(dir / "a.tar.zst", inputs), inputs);
}

TEST(TarWriter, SystemTarListsAndExtractsTheSameBytes) {
  ScratchDir dir;
  auto inputs = MixedInputs();
  WriteArchive(dir / "a.tar.zst", inputs);
  std::string listing;
  ASSERT_EQ(RunShell("/usr/bin/tar --zstd -tvf " + dir / "a.tar.zst", &listing), 0) << listing;
  EXPECT_NE(listing.find("gaggle/gaggle"), std::string::npos) << listing;
  EXPECT_NE(listing.find("-rw-r--r--"), std::string::npos) << listing;
  for (const auto& in : inputs) EXPECT_NE(listing.find(in.path), std::string::npos) << in.path << "\n" << listing;

  std::string out;
  std::filesystem::create_directories(dir / "x");
  ASSERT_EQ(RunShell("/usr/bin/tar -I /usr/bin/zstd -xf " + dir / "a.tar.zst" + " -C " + dir / "x", &out), 0) << out;
  EXPECT_EQ(out, "") << "tar warned";
  for (const auto& in : inputs) {
    std::string extracted = dir / ("x/" + in.path);
    ASSERT_TRUE(std::filesystem::exists(extracted)) << in.path;
    EXPECT_TRUE(ReadFile(extracted) == in.data) << in.path;
    auto mtime = std::filesystem::last_write_time(extracted);
    auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::file_clock::to_sys(mtime).time_since_epoch())
            .count();
    EXPECT_EQ(secs, in.mtime) << in.path;
  }
}

TEST(TarWriter, RejectsPathsThatAreNotPlainRelativeFiles) {
  ScratchDir dir;
  auto w = TarZstWriter::Create(dir / "a.tar.zst");
  ASSERT_TRUE(w.ok());
  for (std::string bad : std::vector<std::string>{"", "/etc/passwd", "../up", "a/../b", "a/..", "a//b", "./a", "a/./b",
                                                  "dir/", std::string("nul\0byte", 8)}) {
    Status st = w->Add(bad, "x");
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << "'" << bad << "': " << st.ToString();
  }
  EXPECT_EQ(w->Add("ok.txt", "x", -1).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(w->Add("ok.txt", "x").ok());  // a refused Add leaves the writer usable
  ASSERT_TRUE(w->Finish().ok());
  std::vector<ReadEntry> got;
  ASSERT_TRUE(ReadAll(ReadFile(dir / "a.tar.zst"), &got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].entry.path, "ok.txt");
}

TEST(TarWriter, NothingAppearsUntilFinishAndAbandonLeavesTheOldFile) {
  ScratchDir dir;
  std::string path = dir / "a.tar.zst";
  audit_test::WriteFile(path, "old");
  {
    auto w = TarZstWriter::Create(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->Add("f", "new").ok());
    EXPECT_EQ(ReadFile(path), "old");
    EXPECT_TRUE(std::filesystem::exists(path + ".tmp"));
  }  // destroyed without Finish
  EXPECT_EQ(ReadFile(path), "old");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  auto w = TarZstWriter::Create(path);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Add("f", "new").ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(w->tar_bytes(), 4u * kTarBlockSize);  // header, data block, two end blocks
  std::vector<ReadEntry> got;
  ASSERT_TRUE(ReadAll(ReadFile(path), &got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, "new");
  EXPECT_FALSE(w->Add("g", "late").ok());
  EXPECT_FALSE(w->Finish().ok());
}

TEST(TarWriter, CreateFailsInAMissingDirectory) {
  ScratchDir dir;
  auto w = TarZstWriter::Create(dir / "no/such/dir/a.tar.zst");
  EXPECT_FALSE(w.ok());
}

TEST(TarHeader, PaxRecordLengthCountsItselfAcrossDigitBoundaries) {
  for (size_t n = 0; n < 1200; ++n) {
    std::string value(n, 'v');
    std::string rec = PaxRecord("path", value);
    size_t space = rec.find(' ');
    ASSERT_NE(space, std::string::npos);
    EXPECT_EQ(std::stoul(rec.substr(0, space)), rec.size()) << n;
    auto parsed = ParsePaxRecords(rec + PaxRecord("mtime", "12.5"), 0);
    ASSERT_TRUE(parsed.ok()) << n << ": " << parsed.status().ToString();
    ASSERT_EQ(parsed->size(), 2u);
    EXPECT_EQ((*parsed)[0], std::make_pair(std::string("path"), value));
  }
}

TEST(TarHeader, SplitsPathsOnlyWhereBothFieldsFit) {
  std::string prefix, name;
  EXPECT_TRUE(SplitUstarPath(std::string(155, 'a') + "/" + std::string(100, 'b'), &prefix, &name));
  EXPECT_EQ(prefix.size(), 155u);
  EXPECT_EQ(name.size(), 100u);
  EXPECT_FALSE(SplitUstarPath(std::string(156, 'a') + "/" + std::string(10, 'b'), &prefix, &name));
  EXPECT_FALSE(SplitUstarPath(std::string(10, 'a') + "/" + std::string(101, 'b'), &prefix, &name));
  EXPECT_FALSE(SplitUstarPath(std::string(120, 'a'), &prefix, &name));
  EXPECT_TRUE(SplitUstarPath("a/" + std::string(100, 'b'), &prefix, &name));
  EXPECT_EQ(prefix, "a");
}

}  // namespace
}  // namespace gaggle
