// Helpers shared by the audit archive tests: a scratch directory per test, running the
// system's tar/zstd, raw tar bytes for hand-made (hostile) archives. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "audit/tar_header.h"
#include "audit/tar_reader.h"
#include "store/event_chain.h"
#include "store/state_store.h"

namespace gaggle::audit_test {

namespace fs = std::filesystem;

// A fresh directory named after the running test, removed at the end.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("gaggle-audit-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << data;
}

// Runs a shell command; returns its exit status and (in *output) its stdout and stderr.
inline int RunShell(const std::string& command, std::string* output = nullptr) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (output != nullptr) *output = out;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

inline std::string Zstd(const std::string& raw) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// `n` events chained as the state store chains them, after `unchained` events from before the chain.
inline std::vector<Event> ChainedEvents(int n, int unchained = 0) {
  std::vector<Event> out;
  std::string prev;
  for (int i = 0; i < unchained + n; ++i) {
    Event e;
    e.seq = i + 1;
    e.time = "2024-05-01T12:00:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + "Z";
    e.actor = i % 3 == 0 ? "alice" : "gaggle";
    e.migration = "events-v2";
    e.dataset = "ds" + std::to_string(i % 7);
    e.from_state = "pending";
    e.to_state = "running";
    e.detail = "{\"attempt\":" + std::to_string(i) + "}";
    if (i >= unchained) {
      e.prev_hash = prev;
      e.hash = EventHash(prev, e);
      prev = e.hash;
    }
    out.push_back(e);
  }
  return out;
}

struct ReadEntry {
  TarEntry entry;
  std::string data;
};

// Every entry of an in-memory .tar.zst, or the reader's error.
inline Status ReadAll(const std::string& tar_zst, std::vector<ReadEntry>* out, const TarReadLimits& limits = {}) {
  out->clear();
  return ForEachEntryInMemory(
      tar_zst,
      [&](const TarEntry& e, std::string_view data) {
        out->push_back({e, std::string(data)});
        return Status::OK();
      },
      limits);
}

// Builds raw (uncompressed) tar bytes block by block, for archives no honest writer makes.
class RawTar {
 public:
  // A regular-file header (or `typeflag`), then the data padded to a block.
  RawTar& File(const std::string& name, const std::string& data, char typeflag = '0') {
    UstarHeader h;
    h.name = name;
    h.size = data.size();
    h.typeflag = typeflag;
    char block[kTarBlockSize];
    EncodeUstarHeader(h, block);
    bytes_.append(block, kTarBlockSize);
    return Data(data);
  }
  RawTar& Pax(const std::string& records) { return File("PaxHeaders/x", records, 'x'); }
  RawTar& Data(const std::string& data) {
    bytes_ += data;
    bytes_.append((kTarBlockSize - data.size() % kTarBlockSize) % kTarBlockSize, '\0');
    return *this;
  }
  RawTar& End() {
    bytes_.append(2 * kTarBlockSize, '\0');
    return *this;
  }
  // Overwrites bytes at `offset` of the header block starting at `header_offset`, then fixes
  // the checksum (so only the intended field is wrong) unless `fix_checksum` is false.
  RawTar& Patch(size_t header_offset, size_t offset, const std::string& bytes, bool fix_checksum = true) {
    std::memcpy(bytes_.data() + header_offset + offset, bytes.data(), bytes.size());
    if (fix_checksum) {
      char* b = bytes_.data() + header_offset;
      std::memset(b + 148, ' ', 8);
      unsigned sum = 0;
      for (size_t i = 0; i < kTarBlockSize; ++i) sum += static_cast<unsigned char>(b[i]);
      std::snprintf(b + 148, 8, "%06o", sum);
      b[155] = ' ';
    }
    return *this;
  }
  const std::string& bytes() const { return bytes_; }
  std::string Compressed() const { return Zstd(bytes_); }

 private:
  std::string bytes_;
};

}  // namespace gaggle::audit_test
