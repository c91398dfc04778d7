// Avro object container framing (Avro 1.11 spec, "Object Container Files"), read
// and written by gaggle itself so that every length and offset is checked before
// any byte reaches avro-c (which trusts its input):
//
//   header = "Obj" 0x01, metadata map<string, bytes>, 16-byte sync marker
//   block  = long object count, long byte size, <size> bytes, sync marker
//
// ReadContainerHeader validates the magic, the metadata map and the presence of
// avro.schema; BlockCursor walks blocks, checking each count and size against the
// limits below and the file size, and each trailing sync marker. Errors are
// Status::Corruption naming the file and the byte offset.
// Thread-safety: a BlockCursor is used by one thread; the file must outlive it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace gaggle::avro {

constexpr size_t kSyncSize = 16;
using SyncMarker = std::array<uint8_t, kSyncSize>;

// A header larger than this is refused: real schemas are kilobytes, and the whole
// header is held in memory while it is parsed.
constexpr uint64_t kMaxHeaderBytes = 64ull << 20;
// One block, compressed or decompressed, is held in memory whole; writers use
// 16 KiB..1 MiB blocks, so 256 MiB leaves room while bounding a crafted file's cost.
constexpr int64_t kMaxBlockBytes = 256ll << 20;

struct ContainerHeader {
  // Every metadata entry in file order (values are raw bytes).
  std::vector<std::pair<std::string, std::string>> metadata;
  std::string schema_json;  // avro.schema
  std::string codec;        // avro.codec, "null" when absent
  SyncMarker sync{};
  uint64_t data_offset = 0;  // where the first block starts

  // Metadata value for `key`, or nullptr.
  const std::string* Find(std::string_view key) const;
};

Result<ContainerHeader> ReadContainerHeader(const RandomAccessFile& file);

struct BlockInfo {
  int64_t index = 0;         // 0-based block number
  uint64_t offset = 0;       // file offset of the block's count varint
  uint64_t data_offset = 0;  // file offset of the block's bytes
  int64_t count = 0;         // objects in the block
  int64_t size = 0;          // bytes of (compressed) data
};

// Walks the blocks of a container after its header.
class BlockCursor {
 public:
  BlockCursor(const RandomAccessFile* file, uint64_t data_offset, const SyncMarker& sync)
      : file_(file), offset_(data_offset), sync_(sync) {}

  // Reads the next block: its framing into *info and, if data is not null, its bytes
  // into *data. The trailing sync marker is always checked. Returns false at the end
  // of the file (exactly after a sync marker).
  Result<bool> Next(BlockInfo* info, std::string* data);

  uint64_t offset() const { return offset_; }

 private:
  Status Corrupt(uint64_t at, const std::string& what) const;

  const RandomAccessFile* file_;
  uint64_t offset_;
  SyncMarker sync_;
  int64_t index_ = 0;
  std::string tail_;  // sync marker + lookahead scratch
};

// --- zig-zag varints (Avro int/long) ---

// Decodes a long at data[*pos]; false if truncated, longer than 10 bytes or overflowing.
bool DecodeVarLong(const uint8_t* data, size_t size, size_t* pos, int64_t* out);
void AppendVarLong(std::string* out, int64_t value);

// The bytes of a container header (magic, metadata map in the given order, sync).
std::string EncodeContainerHeader(const std::vector<std::pair<std::string, std::string>>& metadata,
                                  const SyncMarker& sync);

}  // namespace gaggle::avro
