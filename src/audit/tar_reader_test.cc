#include "audit/tar_reader.h"

#include <gtest/gtest.h>

#include <chrono>

#include "audit/audit_test_util.h"
#include "audit/tar_writer.h"

namespace gaggle {
namespace {

using audit_test::RawTar;
using audit_test::ReadAll;
using audit_test::ReadEntry;
using audit_test::ReadFile;
using audit_test::RunShell;
using audit_test::ScratchDir;
using audit_test::WriteFile;

bool Contains(const Status& st, const std::string& text) { return st.message().find(text) != std::string::npos; }

std::string SmallArchive(const ScratchDir& dir) {
  auto w = TarZstWriter::Create(dir / "small.tar.zst");
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(w->Add("spec.yaml", "migration: m\n").ok());
  EXPECT_TRUE(w->Add("logs/a.log", audit_test::RandomBytes(3000, 9)).ok());
  EXPECT_TRUE(w->Add("z.txt", "last").ok());
  EXPECT_TRUE(w->Finish().ok());
  return ReadFile(dir / "small.tar.zst");
}

TEST(TarReader, ReadsWhatSystemTarWritesInItsDefaultAndPosixFormats) {
  ScratchDir dir;
  std::string long_name = "deep/" + std::string(110, 'l') + ".txt";  // GNU 'L' record or pax path
  std::vector<std::pair<std::string, std::string>> files = {
      {"a.txt", "alpha\n"},
      {"empty", ""},
      {"exact512", std::string(512, 'e')},
      {"sub/dir/b.bin", audit_test::RandomBytes(100000, 4)},
      {long_name, "long"},
      {"ünïcödé.txt", "utf8"},
  };
  std::string names;
  for (const auto& [name, data] : files) {
    WriteFile(dir / ("src/" + name), data);
    names += " '" + name + "'";
  }
  for (std::string format : {"gnu", "posix", "ustar"}) {
    SCOPED_TRACE(format);
    if (format == "ustar") names.erase(names.find(" '" + long_name + "'"), long_name.size() + 3);  // too long for it
    std::string archive = dir / (format + ".tar.zst");
    std::string out;
    ASSERT_EQ(
        RunShell("/usr/bin/tar --zstd --format=" + format + " -cf " + archive + " -C " + dir / "src" + names, &out), 0)
        << out;
    std::vector<ReadEntry> got;
    Status st = ReadAll(ReadFile(archive), &got);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_EQ(got.size(), format == "ustar" ? files.size() - 1 : files.size());
    size_t g = 0;
    for (const auto& [name, data] : files) {
      if (format == "ustar" && name == long_name) continue;
      EXPECT_EQ(got[g].entry.path, name);
      EXPECT_EQ(got[g].entry.type, TarEntryType::kRegular);
      EXPECT_TRUE(got[g].data == data) << name;
      EXPECT_GT(got[g].entry.mtime, 1600000000) << name;  // the files' real times
      ++g;
    }
    // Also through the file path, not just memory.
    int n = 0;
    ASSERT_TRUE(ForEachEntry(archive, [&](const TarEntry&, std::string_view) {
                  ++n;
                  return Status::OK();
                }).ok());
    EXPECT_EQ(n, static_cast<int>(got.size()));
  }
}

TEST(TarReader, ReportsDirectoriesFromSystemTarAsDirectories) {
  ScratchDir dir;
  WriteFile(dir / "src/d/f.txt", "f");
  std::string archive = dir / "dirs.tar.zst";
  ASSERT_EQ(RunShell("/usr/bin/tar --zstd -cf " + archive + " -C " + dir / "src" + " d"), 0);
  std::vector<ReadEntry> got;
  ASSERT_TRUE(ReadAll(ReadFile(archive), &got).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].entry.path, "d");
  EXPECT_EQ(got[0].entry.type, TarEntryType::kDirectory);
  EXPECT_EQ(got[1].entry.path, "d/f.txt");
  EXPECT_EQ(got[1].data, "f");
}

TEST(TarReader, RefusesLinksAndDevicesNamingThem) {
  ScratchDir dir;
  WriteFile(dir / "src/target", "t");
  std::filesystem::create_symlink("target", dir / "src/link");
  std::string archive = dir / "links.tar.zst";
  ASSERT_EQ(RunShell("/usr/bin/tar --zstd -cf " + archive + " -C " + dir / "src" + " target link"), 0);
  std::vector<ReadEntry> got;
  Status st = ReadAll(ReadFile(archive), &got);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported) << st.ToString();
  EXPECT_TRUE(Contains(st, "'link' is a symbolic link")) << st.ToString();

  for (char type : {'1', '3', '4', '6', 'S', 'V', 'Q'}) {
    st = ReadAll(RawTar().File("special", "", type).End().Compressed(), &got);
    EXPECT_EQ(st.code(), StatusCode::kUnsupported) << type << ": " << st.ToString();
    EXPECT_TRUE(Contains(st, "'special'")) << st.ToString();
  }
}

TEST(TarReader, TruncatedStreamsAreCorruptionNamingAnOffset) {
  ScratchDir dir;
  std::string whole = SmallArchive(dir);
  for (size_t keep :
       {size_t{0}, size_t{1}, size_t{4}, size_t{13}, whole.size() / 2, whole.size() - 5, whole.size() - 1}) {
    std::vector<ReadEntry> got;
    Status st = ReadAll(whole.substr(0, keep), &got);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << keep << ": " << st.ToString();
    EXPECT_TRUE(Contains(st, "offset") || Contains(st, "empty")) << st.ToString();
  }
  // A complete zstd frame around a tar stream cut short is caught by the tar layer.
  std::string raw = RawTar().File("a", std::string(2000, 'a')).End().bytes();
  for (size_t keep : {size_t{100}, size_t{512}, size_t{1000}, size_t{2560}, raw.size() - 512}) {
    std::vector<ReadEntry> got;
    Status st = ReadAll(audit_test::Zstd(raw.substr(0, keep)), &got);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << keep << ": " << st.ToString();
    EXPECT_TRUE(Contains(st, "tar byte offset")) << st.ToString();
  }
  std::vector<ReadEntry> got;
  Status st = ReadAll(audit_test::Zstd(raw.substr(0, 1000)), &got);
  EXPECT_TRUE(Contains(st, "entry 'a' is truncated")) << st.ToString();
  // Cut inside a large entry's compressed blocks: the error names the entry being read.
  auto w = TarZstWriter::Create(dir / "big.tar.zst");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Add("first.txt", "1").ok());
  ASSERT_TRUE(w->Add("big.bin", audit_test::RandomBytes(1 << 20, 5)).ok());
  ASSERT_TRUE(w->Finish().ok());
  std::string big = ReadFile(dir / "big.tar.zst");
  st = ReadAll(big.substr(0, big.size() * 7 / 10), &got);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(st, "entry 'big.bin' at tar byte offset 1024")) << st.ToString();
  EXPECT_TRUE(Contains(st, "truncated")) << st.ToString();
}

TEST(TarReader, GarbageAndFlippedBytesAreErrorsNeverCrashes) {
  ScratchDir dir;
  std::vector<ReadEntry> got;
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::string junk = audit_test::RandomBytes(seed * 7, seed);
    EXPECT_EQ(ReadAll(junk, &got).code(), StatusCode::kCorruption) << seed;
    // Valid zstd around garbage: the tar layer has to refuse it.
    Status st = ReadAll(audit_test::Zstd(junk), &got);
    EXPECT_FALSE(st.ok()) << seed;
  }
  std::string whole = SmallArchive(dir);
  std::vector<ReadEntry> original;
  ASSERT_TRUE(ReadAll(whole, &original).ok());
  for (size_t i = 0; i < whole.size(); ++i) {
    std::string bad = whole;
    bad[i] = static_cast<char>(bad[i] ^ (1 << (i % 8)));
    Status st = ReadAll(bad, &got);
    if (st.ok()) {  // a flip zstd does not depend on (e.g. an unused header bit) must change nothing
      ASSERT_EQ(got.size(), original.size()) << i;
      for (size_t k = 0; k < got.size(); ++k) EXPECT_TRUE(got[k].data == original[k].data) << i;
    }
  }
}

TEST(TarReader, HeaderChecksFindTheDamage) {
  std::vector<ReadEntry> got;
  auto read = [&](const RawTar& t) { return ReadAll(t.Compressed(), &got); };
  Status st = read(RawTar().File("a", "x").Patch(0, 0, "b", /*fix_checksum=*/false).End());
  EXPECT_TRUE(Contains(st, "checksum mismatch")) << st.ToString();
  st = read(RawTar().File("a", "x").Patch(0, 257, "ustaR").End());
  EXPECT_TRUE(Contains(st, "not a ustar header")) << st.ToString();
  st = read(RawTar().File("a", "x").Patch(0, 124, "0000000009x").End());
  EXPECT_TRUE(Contains(st, "size field is not an octal number")) << st.ToString();
  st = read(RawTar().File("ok", "x").File("a", "x").Patch(1024, 148, "zz", false).End());
  EXPECT_TRUE(Contains(st, "tar header at byte offset 1024")) << st.ToString();
  for (const char* bad : {"/abs", "../up", "a/../../b", "x/.."}) {
    st = read(RawTar().File(bad, "x").End());
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << bad;
    EXPECT_TRUE(Contains(st, "'" + std::string(bad) + "'")) << st.ToString();
  }
  st = read(RawTar().Pax(PaxRecord("path", "../../etc/passwd")).File("innocent", "x").End());
  EXPECT_TRUE(Contains(st, "'..' component")) << st.ToString();
  st = read(RawTar().Pax(PaxRecord("path", std::string("a\0b", 3))).File("innocent", "x").End());
  EXPECT_TRUE(Contains(st, "NUL")) << st.ToString();
  st = read(RawTar().Pax("13 path=abc\n").File("innocent", "x").End());
  EXPECT_TRUE(Contains(st, "record length")) << st.ToString();
  st = read(RawTar().Pax(PaxRecord("size", "12x")).File("innocent", "x").End());
  EXPECT_TRUE(Contains(st, "pax size")) << st.ToString();
  st = read(RawTar().Pax(PaxRecord("GNU.sparse.map", "0,1")).File("innocent", "x").End());
  EXPECT_EQ(st.code(), StatusCode::kUnsupported) << st.ToString();
  st = read(RawTar().File("a", "x").Pax(PaxRecord("path", "dangling")).End());
  EXPECT_TRUE(Contains(st, "not followed by an entry")) << st.ToString();
  st = read(RawTar().File("a", "x"));  // no end-of-archive blocks
  EXPECT_TRUE(Contains(st, "without its end-of-archive blocks")) << st.ToString();
  st = read(RawTar().File("a", "x").Data(std::string(512, '\0')));  // one of two
  EXPECT_TRUE(Contains(st, "one of its two")) << st.ToString();
  st = read(RawTar().File("a", "x").End().Data("hidden"));
  EXPECT_TRUE(Contains(st, "non-zero bytes after the end")) << st.ToString();
  // A pax path and size override the header's; the pax mtime may carry a fraction.
  st = read(RawTar()
                .Pax(PaxRecord("path", "real/name.txt") + PaxRecord("mtime", "1700000000.25"))
                .File("fallback", "data")
                .End()
                .Data(std::string(9 * 1024, '\0')));  // zero padding to a record size is fine
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].entry.path, "real/name.txt");
  EXPECT_EQ(got[0].entry.mtime, 1700000000);
  EXPECT_EQ(got[0].entry.offset, 0u);
}

TEST(TarReader, LimitsStopHostileArchivesBeforeTheyCostMemory) {
  std::string raw = RawTar().File("a", std::string(2000, 'a')).File("b", "b").File("c", "c").End().bytes();
  std::vector<ReadEntry> got;
  TarReadLimits limits;
  limits.max_entry_size = 1000;
  Status st = ReadAll(audit_test::Zstd(raw), &got, limits);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_TRUE(Contains(st, "'a' has 2000 bytes")) << st.ToString();
  limits = {};
  limits.max_entries = 2;
  st = ReadAll(audit_test::Zstd(raw), &got, limits);
  EXPECT_TRUE(Contains(st, "more than 2 entries")) << st.ToString();
  limits = {};
  limits.max_total_bytes = 4096;
  st = ReadAll(audit_test::Zstd(raw), &got, limits);
  EXPECT_TRUE(Contains(st, "longer than the limit")) << st.ToString();
  // A header claiming 1.5 GiB, followed by a few bytes: truncation, found without allocating it.
  RawTar liar;
  liar.File("liar", "");
  liar.Patch(0, 124, "13000000000");
  auto start = std::chrono::steady_clock::now();
  st = ReadAll(audit_test::Zstd(liar.bytes() + "short"), &got);
  EXPECT_TRUE(Contains(st, "'liar' is truncated")) << st.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // Endless zero-padding after the end (a zstd bomb) stops at the total limit.
  limits = {};
  limits.max_total_bytes = 1 << 20;
  st = ReadAll(audit_test::Zstd(RawTar().File("a", "a").End().bytes() + std::string(4 << 20, '\0')), &got, limits);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported) << st.ToString();
}

TEST(TarReader, CallbackErrorStopsReadingAndIsReturned) {
  ScratchDir dir;
  std::string whole = SmallArchive(dir);
  int calls = 0;
  Status st = ForEachEntryInMemory(whole, [&](const TarEntry& e, std::string_view) {
    ++calls;
    return e.path == "logs/a.log" ? Status::Cancelled("enough") : Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kCancelled);
  EXPECT_EQ(calls, 2);
}

TEST(TarReader, MissingFileIsAnError) {
  Status st =
      ForEachEntry("/nonexistent/archive.tar.zst", [](const TarEntry&, std::string_view) { return Status::OK(); });
  EXPECT_FALSE(st.ok());
}

}  // namespace
}  // namespace gaggle
