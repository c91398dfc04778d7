#include "audit/audit_archive.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "audit/audit_test_util.h"
#include "audit/event_jsonl.h"
#include "audit/tar_writer.h"
#include "common/digest.h"
#include "store/event_chain.h"

namespace gaggle {
namespace {

using audit_test::ReadAll;
using audit_test::ReadEntry;
using audit_test::ReadFile;
using audit_test::RunShell;
using audit_test::ScratchDir;

std::vector<AuditFile> SampleFiles(const std::vector<Event>& events = audit_test::ChainedEvents(20, 2)) {
  return {
      {"spec.yaml", "migration: events-v2\nsource: {format: csv}\n"},
      {"plan.json", R"({"waves":[["ds0","ds1"],["ds2"]]})"},
      {"agents/gaggle-transform.json", R"({"version":"0.1.0","digest":"abc"})"},
      {"events.jsonl", EventsToJsonl(events)},
      {"gates/stage-1.json", R"({"passed":true})"},
      {"logs/ds0/attempt-1.log", std::string(70000, 'l')},
      {"manifests/ds0/_gaggle_manifest.json", "{}"},
      {"empty.txt", ""},
  };
}

// Reads the archive's entries, lets `mutate` change them, and writes them back in order with
// the tar writer alone (so an old manifest stays as it was).
void Rewrite(const std::string& path, const std::function<void(std::vector<ReadEntry>*)>& mutate) {
  std::vector<ReadEntry> entries;
  ASSERT_TRUE(ReadAll(ReadFile(path), &entries).ok());
  mutate(&entries);
  auto w = TarZstWriter::Create(path);
  ASSERT_TRUE(w.ok());
  for (const auto& e : entries) ASSERT_TRUE(w->Add(e.entry.path, e.data).ok());
  ASSERT_TRUE(w->Finish().ok());
}

ReadEntry Entry(const std::string& path, const std::string& data) {
  ReadEntry e;
  e.entry.path = path;
  e.data = data;
  return e;
}

ReadEntry* Find(std::vector<ReadEntry>* entries, const std::string& path) {
  for (auto& e : *entries) {
    if (e.entry.path == path) return &e;
  }
  ADD_FAILURE() << path << " not in the archive";
  return nullptr;
}

ArchiveVerifyReport MustVerify(const std::string& path) {
  auto r = VerifyAuditArchive(path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ArchiveVerifyReport{};
}

std::string Problems(const ArchiveVerifyReport& r) {
  std::string out;
  for (const auto& p : r.problems) out += p.path + ": " + p.problem + "\n";
  return out;
}

// True when exactly one problem is reported, about `path`, containing `text`.
::testing::AssertionResult OnlyProblem(const ArchiveVerifyReport& r, const std::string& path, const std::string& text) {
  if (r.problems.size() == 1 && r.problems[0].path == path && r.problems[0].problem.find(text) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected one problem on " << path << " with '" << text << "', got:\n"
                                       << Problems(r);
}

TEST(AuditArchive, WrittenArchiveVerifiesAndCountsItsContents) {
  ScratchDir dir;
  auto events = audit_test::ChainedEvents(20, 2);
  auto files = SampleFiles(events);
  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", files).ok());
  ArchiveVerifyReport r = MustVerify(dir / "m.tar.zst");
  EXPECT_TRUE(r.ok()) << Problems(r);
  EXPECT_EQ(r.files, static_cast<int64_t>(files.size()));
  int64_t bytes = 0;
  for (const auto& f : files) bytes += static_cast<int64_t>(f.data.size());
  EXPECT_EQ(r.bytes, bytes);
  EXPECT_EQ(r.events, 22);
  EXPECT_EQ(r.unchained_events, 2);
  EXPECT_EQ(r.event_chain_head, events.back().hash);

  // The same check through memory, for the fuzz target's entry point.
  auto m = VerifyAuditArchiveInMemory(ReadFile(dir / "m.tar.zst"));
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->ok());
  EXPECT_EQ(m->files, r.files);
}

TEST(AuditArchive, EntriesAreSortedAndTheManifestIsLastInSha256sumFormat) {
  ScratchDir dir;
  auto files = SampleFiles();
  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", files).ok());
  std::vector<ReadEntry> entries;
  ASSERT_TRUE(ReadAll(ReadFile(dir / "m.tar.zst"), &entries).ok());
  ASSERT_EQ(entries.size(), files.size() + 1);
  for (size_t i = 1; i + 1 < entries.size(); ++i) EXPECT_LT(entries[i - 1].entry.path, entries[i].entry.path);
  EXPECT_EQ(entries.back().entry.path, kAuditManifestPath);
  EXPECT_EQ(entries.back().data, AuditManifest(files));
  EXPECT_EQ(entries[0].entry.path, "agents/gaggle-transform.json");
  std::string first = Sha256Hex(entries[0].data) + "  agents/gaggle-transform.json\n";
  EXPECT_EQ(entries.back().data.substr(0, first.size()), first);

  // The system's tools agree: tar extracts it, sha256sum -c accepts the manifest.
  std::string out;
  std::filesystem::create_directories(dir / "x");
  ASSERT_EQ(RunShell("/usr/bin/tar --zstd -xf " + dir / "m.tar.zst" + " -C " + dir / "x", &out), 0) << out;
  ASSERT_EQ(RunShell("cd " + dir / "x" + " && sha256sum --strict -c " + kAuditManifestPath, &out), 0) << out;
}

TEST(AuditArchive, SameFilesInAnyOrderGiveTheSameBytes) {
  ScratchDir dir;
  auto files = SampleFiles();
  ASSERT_TRUE(WriteAuditArchive(dir / "a.tar.zst", files).ok());
  std::reverse(files.begin(), files.end());
  ASSERT_TRUE(WriteAuditArchive(dir / "b.tar.zst", files).ok());
  EXPECT_TRUE(ReadFile(dir / "a.tar.zst") == ReadFile(dir / "b.tar.zst"));
}

TEST(AuditArchive, RefusesFilesItCouldNotVerifyLater) {
  ScratchDir dir;
  std::string out = dir / "bad.tar.zst";
  auto with = [](AuditFile extra) {
    auto files = SampleFiles();
    files.push_back(std::move(extra));
    return files;
  };
  EXPECT_EQ(WriteAuditArchive(out, with({"plan.json", "again"})).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteAuditArchive(out, with({kAuditManifestPath, "x"})).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteAuditArchive(out, with({"line\nbreak", "x"})).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteAuditArchive(out, with({"../escape", "x"})).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

TEST(AuditArchive, ChangedFileIsReportedByName) {
  ScratchDir dir;
  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", SampleFiles()).ok());
  Rewrite(dir / "m.tar.zst", [](std::vector<ReadEntry>* e) { Find(e, "plan.json")->data[5] ^= 0x01; });
  EXPECT_TRUE(OnlyProblem(MustVerify(dir / "m.tar.zst"), "plan.json", "sha256 differs from the manifest"));
}

TEST(AuditArchive, DeletedFileIsReportedMissing) {
  ScratchDir dir;
  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", SampleFiles()).ok());
  Rewrite(dir / "m.tar.zst", [](std::vector<ReadEntry>* e) {
    e->erase(
        std::remove_if(e->begin(), e->end(), [](const ReadEntry& x) { return x.entry.path == "gates/stage-1.json"; }),
        e->end());
  });
  ArchiveVerifyReport r = MustVerify(dir / "m.tar.zst");
  EXPECT_TRUE(OnlyProblem(r, "gates/stage-1.json", "missing from the archive"));
  EXPECT_EQ(r.files, static_cast<int64_t>(SampleFiles().size()) - 1);
}

TEST(AuditArchive, AddedOrDuplicatedFileIsReported) {
  ScratchDir dir;
  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", SampleFiles()).ok());
  Rewrite(dir / "m.tar.zst", [](std::vector<ReadEntry>* e) { e->push_back(Entry("smuggled.txt", "hi")); });
  EXPECT_TRUE(OnlyProblem(MustVerify(dir / "m.tar.zst"), "smuggled.txt", "not in the manifest"));

  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", SampleFiles()).ok());
  Rewrite(dir / "m.tar.zst", [](std::vector<ReadEntry>* e) {
    e->push_back(Entry("spec.yaml", "migration: evil\n"));  // tar -x would keep this later copy
  });
  EXPECT_TRUE(OnlyProblem(MustVerify(dir / "m.tar.zst"), "spec.yaml", "stored twice"));
}

TEST(AuditArchive, ManifestProblemsAreReported) {
  ScratchDir dir;
  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", SampleFiles()).ok());
  Rewrite(dir / "m.tar.zst", [](std::vector<ReadEntry>* e) { e->pop_back(); });
  EXPECT_TRUE(OnlyProblem(MustVerify(dir / "m.tar.zst"), kAuditManifestPath, "the archive has no manifest"));

  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", SampleFiles()).ok());
  Rewrite(dir / "m.tar.zst", [](std::vector<ReadEntry>* e) {
    std::string& m = e->back().data;
    m.insert(m.find('\n') + 1, "not a checksum line\n");
  });
  EXPECT_TRUE(OnlyProblem(MustVerify(dir / "m.tar.zst"), kAuditManifestPath, "line 2 is not"));

  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", SampleFiles()).ok());
  Rewrite(dir / "m.tar.zst", [](std::vector<ReadEntry>* e) {
    std::string& m = e->back().data;
    m += m.substr(0, m.find('\n') + 1);  // the first line again
  });
  EXPECT_TRUE(OnlyProblem(MustVerify(dir / "m.tar.zst"), "agents/gaggle-transform.json", "listed twice"));
}

TEST(AuditArchive, EveryProblemIsReportedNotJustTheFirst) {
  ScratchDir dir;
  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", SampleFiles()).ok());
  Rewrite(dir / "m.tar.zst", [](std::vector<ReadEntry>* e) {
    Find(e, "spec.yaml")->data += " ";
    Find(e, "plan.json")->data.clear();
    e->erase(e->begin());
    e->insert(e->begin(), Entry("new.txt", "x"));
  });
  ArchiveVerifyReport r = MustVerify(dir / "m.tar.zst");
  EXPECT_EQ(r.problems.size(), 4u) << Problems(r);
}

// Writes an archive (with a fresh, consistent manifest) whose events.jsonl holds `events`.
ArchiveVerifyReport VerifyEvents(const ScratchDir& dir, const std::string& jsonl) {
  auto files = SampleFiles();
  for (auto& f : files) {
    if (f.path == kAuditEventsPath) f.data = jsonl;
  }
  EXPECT_TRUE(WriteAuditArchive(dir / "e.tar.zst", files).ok());
  return MustVerify(dir / "e.tar.zst");
}

TEST(AuditArchive, EditedEventWithItsOwnHashRecomputedBreaksTheNextLink) {
  ScratchDir dir;
  auto events = audit_test::ChainedEvents(10);
  events[4].detail = "{\"attempt\":999}";  // seq 5
  events[4].hash = EventHash(events[4].prev_hash, events[4]);
  ArchiveVerifyReport r = VerifyEvents(dir, EventsToJsonl(events));
  EXPECT_TRUE(OnlyProblem(r, kAuditEventsPath, "event 6 (line 6): its prev_hash does not match")) << Problems(r);
  EXPECT_NE(r.problems[0].problem.find("event 5"), std::string::npos);
  EXPECT_EQ(r.events, 10);
}

TEST(AuditArchive, EventChainDamageIsNamedBySeq) {
  ScratchDir dir;
  auto events = audit_test::ChainedEvents(10, 3);
  {
    auto e = events;
    e[6].detail = "edited";  // seq 7, hash left alone
    EXPECT_TRUE(OnlyProblem(VerifyEvents(dir, EventsToJsonl(e)), kAuditEventsPath,
                            "event 7 (line 7): its content does not match its hash"));
  }
  {
    auto e = events;
    e.erase(e.begin() + 8);  // seq 9 removed
    EXPECT_TRUE(OnlyProblem(VerifyEvents(dir, EventsToJsonl(e)), kAuditEventsPath, "event 10 (line 9): its prev_hash"));
  }
  {
    auto e = events;
    std::swap(e[8], e[9]);
    ArchiveVerifyReport r = VerifyEvents(dir, EventsToJsonl(e));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(Problems(r).find("seq does not increase"), std::string::npos) << Problems(r);
  }
  {
    auto e = events;
    e.back().hash.clear();  // an unchained event after the chain began
    e.back().prev_hash.clear();
    EXPECT_TRUE(OnlyProblem(VerifyEvents(dir, EventsToJsonl(e)), kAuditEventsPath, "has no hash but follows"));
  }
  {
    std::string jsonl = EventsToJsonl(events);
    jsonl.insert(jsonl.find('\n') + 1, "{broken\n");  // line 2: the chain resumes after it
    ArchiveVerifyReport r = VerifyEvents(dir, jsonl);
    EXPECT_TRUE(OnlyProblem(r, kAuditEventsPath, "line 2: event line is not valid JSON"));
    EXPECT_EQ(r.events, 13);
  }
  {
    auto e = events;
    e.erase(e.begin(), e.begin() + 5);  // the log does not start at the chain's beginning
    EXPECT_TRUE(OnlyProblem(VerifyEvents(dir, EventsToJsonl(e)), kAuditEventsPath, "first event"));
  }
  // No events.jsonl at all: nothing to judge.
  auto files = SampleFiles();
  files.erase(std::find_if(files.begin(), files.end(), [](const AuditFile& f) { return f.path == kAuditEventsPath; }));
  ASSERT_TRUE(WriteAuditArchive(dir / "n.tar.zst", files).ok());
  ArchiveVerifyReport r = MustVerify(dir / "n.tar.zst");
  EXPECT_TRUE(r.ok()) << Problems(r);
  EXPECT_EQ(r.events, 0);
  EXPECT_EQ(r.event_chain_head, "");
}

TEST(AuditArchive, UnreadableBytesAreCorruptionNotAReport) {
  ScratchDir dir;
  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", SampleFiles()).ok());
  std::string whole = ReadFile(dir / "m.tar.zst");
  audit_test::WriteFile(dir / "cut.tar.zst", whole.substr(0, whole.size() * 2 / 3));
  auto r = VerifyAuditArchive(dir / "cut.tar.zst");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("offset"), std::string::npos) << r.status().ToString();

  std::string flipped = whole;
  flipped[flipped.size() / 2] ^= 0x10;
  audit_test::WriteFile(dir / "flip.tar.zst", flipped);
  r = VerifyAuditArchive(dir / "flip.tar.zst");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();

  for (uint32_t seed = 1; seed < 50; ++seed) {
    auto g = VerifyAuditArchiveInMemory(audit_test::RandomBytes(seed * 97, seed));
    EXPECT_FALSE(g.ok());
  }
  EXPECT_FALSE(VerifyAuditArchive(dir / "does-not-exist.tar.zst").ok());
}

// Issue 20, case 18: task logs are streamed from their files into the archive (never
// loaded whole); the archive verifies and counts their bytes.
TEST(AuditArchive, StreamsSourceFilesAndTheManifestCoversThem) {
  ScratchDir dir;
  const std::string log = dir / "attempt-1.log";
  {
    std::ofstream out(log, std::ios::binary);
    for (int i = 0; i < 3000; ++i) out << "line " << i << " of a long agent log\n";
  }
  auto files = SampleFiles();
  AuditFile streamed;
  streamed.path = "logs/ds9/attempt-1.log";
  streamed.source = log;
  streamed.size = static_cast<uint64_t>(std::filesystem::file_size(log));
  files.push_back(streamed);
  ASSERT_TRUE(WriteAuditArchive(dir / "m.tar.zst", files).ok());
  ArchiveVerifyReport r = MustVerify(dir / "m.tar.zst");
  EXPECT_TRUE(r.ok()) << Problems(r);
  EXPECT_EQ(r.files, static_cast<int64_t>(files.size()));
  int64_t bytes = 0;
  for (const auto& f : files) bytes += static_cast<int64_t>(f.bytes());
  EXPECT_EQ(r.bytes, bytes);
  EXPECT_NE(AuditManifest(files).find(Sha256Hex(ReadFile(log)) + "  logs/ds9/attempt-1.log"), std::string::npos);
}

}  // namespace
}  // namespace gaggle
