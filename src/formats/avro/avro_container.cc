#include "formats/avro/avro_container.h"

#include <algorithm>
#include <cstring>

namespace gaggle::avro {
namespace {

constexpr uint8_t kMagic[4] = {'O', 'b', 'j', 1};

std::string At(const std::string& path, uint64_t offset) {
  return "avro file '" + path + "' at byte " + std::to_string(offset);
}

Result<std::string> ReadExactly(const RandomAccessFile& file, uint64_t offset, size_t n) {
  std::string buf(n, '\0');
  GAGGLE_ASSIGN_OR_RETURN(size_t got, file.ReadAt(offset, n, reinterpret_cast<uint8_t*>(buf.data())));
  buf.resize(got);
  return buf;
}

// Parses the header from `buf` (a prefix of the file). Sets *need_more when the
// prefix ended before the header did.
Status ParseHeader(const std::string& path, const std::string& buf, ContainerHeader* header, bool* need_more) {
  *need_more = false;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(buf.data());
  size_t n = buf.size();
  size_t pos = 0;
  auto truncated = [&](const char* what) {
    *need_more = true;
    return Status::Corruption(At(path, pos) + ": file ends inside the header (" + what + ")");
  };
  if (n < sizeof(kMagic)) {
    if (std::memcmp(p, kMagic, n) == 0) return truncated("magic");
    return Status::Corruption(At(path, 0) + ": not an Avro object container file (magic is not \"Obj\\x01\")");
  }
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
    return Status::Corruption(At(path, 0) + ": not an Avro object container file (magic is not \"Obj\\x01\")");
  }
  pos = sizeof(kMagic);
  header->metadata.clear();
  while (true) {
    size_t at = pos;
    int64_t count = 0;
    if (!DecodeVarLong(p, n, &pos, &count)) {
      if (n - at < 10) return truncated("metadata block count");
      return Status::Corruption(At(path, at) + ": malformed metadata block count");
    }
    if (count == 0) break;
    if (count < 0) {
      if (count == INT64_MIN) return Status::Corruption(At(path, at) + ": malformed metadata block count");
      count = -count;
      int64_t byte_size = 0;
      at = pos;
      if (!DecodeVarLong(p, n, &pos, &byte_size)) {
        if (n - at < 10) return truncated("metadata block size");
        return Status::Corruption(At(path, at) + ": malformed metadata block size");
      }
    }
    // Every entry takes at least two bytes (two length varints).
    if (count > static_cast<int64_t>(kMaxHeaderBytes)) {
      return Status::Corruption(At(path, at) + ": metadata block claims " + std::to_string(count) + " entries");
    }
    for (int64_t i = 0; i < count; ++i) {
      std::string kv[2];
      for (std::string& s : kv) {
        at = pos;
        int64_t len = 0;
        if (!DecodeVarLong(p, n, &pos, &len)) {
          if (n - at < 10) return truncated("metadata entry length");
          return Status::Corruption(At(path, at) + ": malformed metadata entry length");
        }
        if (len < 0 || static_cast<uint64_t>(len) > kMaxHeaderBytes) {
          return Status::Corruption(At(path, at) + ": metadata entry length " + std::to_string(len) + " is invalid");
        }
        if (static_cast<uint64_t>(len) > n - pos) return truncated("metadata entry");
        s.assign(buf.data() + pos, static_cast<size_t>(len));
        pos += static_cast<size_t>(len);
      }
      header->metadata.emplace_back(std::move(kv[0]), std::move(kv[1]));
    }
  }
  if (n - pos < kSyncSize) return truncated("sync marker");
  std::memcpy(header->sync.data(), p + pos, kSyncSize);
  pos += kSyncSize;
  header->data_offset = pos;

  const std::string* schema = header->Find("avro.schema");
  if (schema == nullptr) return Status::Corruption(At(path, 4) + ": header metadata has no avro.schema");
  header->schema_json = *schema;
  const std::string* codec = header->Find("avro.codec");
  header->codec = (codec == nullptr || codec->empty()) ? "null" : *codec;
  return Status::OK();
}

}  // namespace

const std::string* ContainerHeader::Find(std::string_view key) const {
  const std::string* found = nullptr;
  for (const auto& [k, v] : metadata) {
    if (k == key) found = &v;  // the last entry wins, as in a map
  }
  return found;
}

Result<ContainerHeader> ReadContainerHeader(const RandomAccessFile& file) {
  const uint64_t file_size = file.size();
  uint64_t want = std::min<uint64_t>(file_size, 64 * 1024);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(std::string buf, ReadExactly(file, 0, static_cast<size_t>(want)));
    ContainerHeader header;
    bool need_more = false;
    Status st = ParseHeader(file.path(), buf, &header, &need_more);
    if (st.ok()) return header;
    if (!need_more || buf.size() < want || want >= file_size) return st;
    if (want >= kMaxHeaderBytes) {
      return Status::Corruption("avro file '" + file.path() + "': header is larger than " +
                                std::to_string(kMaxHeaderBytes) + " bytes");
    }
    want = std::min<uint64_t>({file_size, want * 4, kMaxHeaderBytes});
  }
}

Status BlockCursor::Corrupt(uint64_t at, const std::string& what) const {
  return Status::Corruption(At(file_->path(), at) + " (block " + std::to_string(index_) + "): " + what);
}

Result<bool> BlockCursor::Next(BlockInfo* info, std::string* data) {
  const uint64_t file_size = file_->size();
  if (offset_ >= file_size) return false;
  const uint64_t start = offset_;
  // Two varints take at most 20 bytes.
  size_t head_len = static_cast<size_t>(std::min<uint64_t>(20, file_size - start));
  uint8_t head[20];
  GAGGLE_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(start, head_len, head));
  if (got < head_len) return Corrupt(start, "file shrank while reading");
  size_t pos = 0;
  int64_t count = 0;
  int64_t size = 0;
  if (!DecodeVarLong(head, got, &pos, &count)) {
    return Corrupt(start, got < 10 ? "file ends inside a block header" : "malformed block object count");
  }
  size_t size_at = pos;
  if (!DecodeVarLong(head, got, &pos, &size)) {
    return Corrupt(start + size_at, got - size_at < 10 ? "file ends inside a block header" : "malformed block size");
  }
  // A record with at least one column encodes to at least one byte, so a block
  // cannot hold more objects than its limit has bytes.
  if (count < 0 || count > kMaxBlockBytes) {
    return Corrupt(start, "block object count " + std::to_string(count) + " is out of range");
  }
  if (size < 0 || size > kMaxBlockBytes) {
    return Corrupt(start + size_at, "block size " + std::to_string(size) + " is out of range");
  }
  const uint64_t data_offset = start + pos;
  const uint64_t end = data_offset + static_cast<uint64_t>(size) + kSyncSize;
  if (end > file_size) {
    return Corrupt(start, "block of " + std::to_string(size) + " bytes runs past the end of the file (" +
                              std::to_string(file_size) + " bytes): truncated file");
  }
  uint8_t sync[kSyncSize];
  if (data != nullptr) {
    data->resize(static_cast<size_t>(size) + kSyncSize);
    GAGGLE_ASSIGN_OR_RETURN(size_t n,
                            file_->ReadAt(data_offset, data->size(), reinterpret_cast<uint8_t*>(data->data())));
    if (n < data->size()) return Corrupt(data_offset, "file shrank while reading");
    std::memcpy(sync, data->data() + size, kSyncSize);
    data->resize(static_cast<size_t>(size));
  } else {
    GAGGLE_ASSIGN_OR_RETURN(size_t n, file_->ReadAt(end - kSyncSize, kSyncSize, sync));
    if (n < kSyncSize) return Corrupt(end - kSyncSize, "file shrank while reading");
  }
  if (std::memcmp(sync, sync_.data(), kSyncSize) != 0) {
    return Corrupt(end - kSyncSize, "sync marker after the block does not match the header's (corrupt block)");
  }
  info->index = index_++;
  info->offset = start;
  info->data_offset = data_offset;
  info->count = count;
  info->size = size;
  offset_ = end;
  return true;
}

bool DecodeVarLong(const uint8_t* data, size_t size, size_t* pos, int64_t* out) {
  uint64_t value = 0;
  size_t i = *pos;
  for (int shift = 0; shift < 64; shift += 7) {
    if (i >= size) return false;
    uint8_t b = data[i++];
    if (shift == 63 && (b & 0xFE) != 0) return false;  // the 10th byte may only carry one bit
    value |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *pos = i;
      *out = static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
      return true;
    }
  }
  return false;
}

void AppendVarLong(std::string* out, int64_t value) {
  uint64_t n = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  char buf[10];
  size_t len = 0;
  while (n >= 0x80) {
    buf[len++] = static_cast<char>((n & 0x7F) | 0x80);
    n >>= 7;
  }
  buf[len++] = static_cast<char>(n);
  out->append(buf, len);
}

std::string EncodeContainerHeader(const std::vector<std::pair<std::string, std::string>>& metadata,
                                  const SyncMarker& sync) {
  std::string out(reinterpret_cast<const char*>(kMagic), sizeof(kMagic));
  if (!metadata.empty()) {
    AppendVarLong(&out, static_cast<int64_t>(metadata.size()));
    for (const auto& [k, v] : metadata) {
      AppendVarLong(&out, static_cast<int64_t>(k.size()));
      out += k;
      AppendVarLong(&out, static_cast<int64_t>(v.size()));
      out += v;
    }
  }
  AppendVarLong(&out, 0);
  out.append(reinterpret_cast<const char*>(sync.data()), sync.size());
  return out;
}

}  // namespace gaggle::avro
