#include "audit/tar_reader.h"

#include <algorithm>

#include "audit/tar_header.h"
#include "audit/zstd_stream.h"

namespace gaggle {

namespace {

// Pax and GNU long-name data hold a path and a few numbers: a megabyte is generous, and the
// bound keeps a crafted header from making us buffer gigabytes that are not an entry.
constexpr uint64_t kMaxMetaSize = 1 << 20;
// Metadata headers (pax, GNU long name) may precede an entry; more than this in a row is not
// an archive anyone wrote.
constexpr int kMaxMetaHeadersInARow = 16;
constexpr size_t kChunk = 1 << 20;

std::string Quote(std::string_view path) {
  std::string out = "'";
  for (char c : path) {
    if (c == '\0') {
      out += "\\0";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

const char* SpecialTypeName(char typeflag) {
  switch (typeflag) {
    case '1': return "a hard link";
    case '2': return "a symbolic link";
    case '3': return "a character device";
    case '4': return "a block device";
    case '6': return "a FIFO";
    case 'S': return "a GNU sparse file";
    case 'V': return "a volume label";
    case 'M': return "a multi-volume continuation";
    case 'D': return "a GNU dump directory";
    default: return nullptr;
  }
}

// What pax and GNU long-name headers say about the entry that follows them.
struct PendingMeta {
  int headers = 0;
  uint64_t first_offset = 0;
  bool has_path = false;
  std::string path;
  bool has_size = false;
  uint64_t size = 0;
  bool has_mtime = false;
  int64_t mtime = 0;
};

class ArchiveReader {
 public:
  ArchiveReader(ZstdReadStream* in, const TarReadLimits& limits) : in_(in), limits_(limits) {}

  Status Run(const TarEntryFn& fn) {
    char block[kTarBlockSize];
    PendingMeta meta;
    int64_t entries = 0;
    std::string data;
    while (true) {
      uint64_t offset = in_->position();
      GAGGLE_ASSIGN_OR_RETURN(size_t got, ReadUpTo(block, kTarBlockSize));
      if (got < kTarBlockSize) {
        return Corrupt(offset, got == 0 ? "the archive ends without its end-of-archive blocks (truncated?)"
                                        : "the archive ends inside a header (truncated)");
      }
      if (IsZeroBlock(block)) {
        if (meta.headers > 0)
          return Corrupt(meta.first_offset, "a pax or long-name header is not followed by an entry");
        return CheckEnd(offset);
      }
      GAGGLE_ASSIGN_OR_RETURN(UstarHeader h, DecodeUstarHeader(block, offset));
      const char type = h.typeflag;
      if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
        if (meta.headers == 0) meta.first_offset = offset;
        if (++meta.headers > kMaxMetaHeadersInARow)
          return Corrupt(offset, "too many pax or long-name headers in a row");
        if (h.size > kMaxMetaSize) {
          return Unsupported(offset, "a pax or long-name header of " + std::to_string(h.size) + " bytes (limit " +
                                         std::to_string(kMaxMetaSize) + ")");
        }
        GAGGLE_RETURN_IF_ERROR(ReadData(h.size, &data, offset, "pax or long-name header"));
        if (type == 'x') GAGGLE_RETURN_IF_ERROR(ApplyPax(data, offset, &meta));
        if (type == 'L') GAGGLE_RETURN_IF_ERROR(ApplyLongName(data, offset, &meta));
        continue;  // 'g' (global pax) and 'K' (long link name) say nothing we use
      }
      uint64_t entry_offset = meta.headers > 0 ? meta.first_offset : offset;
      TarEntry entry;
      entry.path = meta.has_path ? meta.path : h.Path();
      entry.mtime = meta.has_mtime ? meta.mtime : h.mtime;
      uint64_t size = meta.has_size ? meta.size : h.size;
      meta = PendingMeta();
      if (const char* special = SpecialTypeName(type)) {
        return Unsupported(entry_offset, "entry " + Quote(entry.path) + " is " + special +
                                             "; only regular files and "
                                             "directories are read");
      }
      bool is_dir = type == '5' || (type == '\0' && !entry.path.empty() && entry.path.back() == '/');
      if (!is_dir && type != '0' && type != '\0' && type != '7') {
        return Unsupported(entry_offset,
                           "entry " + Quote(entry.path) + " has unknown type '" + std::string(1, type) + "'");
      }
      if (std::string why = UnsafeTarPathReason(entry.path); !why.empty()) {
        return Corrupt(entry_offset, "entry " + Quote(entry.path) + ": " + why);
      }
      if (++entries > limits_.max_entries) {
        return Unsupported(entry_offset, "more than " + std::to_string(limits_.max_entries) + " entries");
      }
      if (size > static_cast<uint64_t>(limits_.max_entry_size)) {
        return Unsupported(entry_offset, "entry " + Quote(entry.path) + " has " + std::to_string(size) +
                                             " bytes, more than the limit of " +
                                             std::to_string(limits_.max_entry_size));
      }
      if (in_->position() + size > static_cast<uint64_t>(limits_.max_total_bytes)) return TooLong(entry_offset);
      GAGGLE_RETURN_IF_ERROR(ReadData(size, &data, entry_offset, "entry " + Quote(entry.path)));
      entry.offset = entry_offset;
      if (is_dir) {
        while (entry.path.size() > 1 && entry.path.back() == '/') entry.path.pop_back();
        entry.type = TarEntryType::kDirectory;
        data.clear();
      }
      entry.size = static_cast<int64_t>(data.size());
      GAGGLE_RETURN_IF_ERROR(fn(entry, data));
    }
  }

 private:
  Status Corrupt(uint64_t offset, const std::string& what) const {
    return Status::Corruption(in_->name() + ": at tar byte offset " + std::to_string(offset) + ": " + what);
  }
  Status Unsupported(uint64_t offset, const std::string& what) const {
    return Status::Unsupported(in_->name() + ": at tar byte offset " + std::to_string(offset) + ": " + what);
  }
  Status TooLong(uint64_t offset) const {
    return Unsupported(
        offset, "the tar stream is longer than the limit of " + std::to_string(limits_.max_total_bytes) + " bytes");
  }

  // Reads n bytes, fewer only where the stream ends.
  Result<size_t> ReadUpTo(char* out, size_t n) {
    size_t total = 0;
    while (total < n) {
      GAGGLE_ASSIGN_OR_RETURN(size_t got, in_->Read(out + total, n - total));
      if (got == 0) break;
      total += got;
    }
    if (in_->position() > static_cast<uint64_t>(limits_.max_total_bytes)) return TooLong(in_->position() - total);
    return total;
  }

  // Reads `size` bytes of entry data into *data (growing it as bytes arrive, so a header that
  // lies about its size costs no memory) and skips the padding to the next block.
  Status ReadData(uint64_t size, std::string* data, uint64_t offset, const std::string& what) {
    data->clear();
    uint64_t padded = size + (kTarBlockSize - size % kTarBlockSize) % kTarBlockSize;
    uint64_t done = 0;
    while (done < padded) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, padded - done));
      size_t keep = static_cast<size_t>(std::min<uint64_t>(want, size > done ? size - done : 0));
      size_t old = data->size();
      data->resize(old + want);
      Result<size_t> read = ReadUpTo(data->data() + old, want);
      if (!read.ok()) return read.status().WithContext(what + " at tar byte offset " + std::to_string(offset));
      size_t got = *read;
      if (got < want) {
        uint64_t have = std::min(done + got, size);
        return Corrupt(offset, what + " is truncated: the stream ends after " + std::to_string(have) + " of its " +
                                   std::to_string(size) + " bytes (at tar byte offset " +
                                   std::to_string(in_->position()) + ")");
      }
      data->resize(old + keep);  // drop the padding
      done += want;
    }
    return Status::OK();
  }

  Status ApplyPax(const std::string& data, uint64_t offset, PendingMeta* meta) {
    GAGGLE_ASSIGN_OR_RETURN(auto records, ParsePaxRecords(data, offset));
    for (auto& [key, value] : records) {
      if (key == "path") {
        meta->has_path = true;
        meta->path = value;
      } else if (key == "size") {
        if (!ParsePaxUnsigned(value, &meta->size)) return Corrupt(offset, "pax size \"" + value + "\" is not a number");
        meta->has_size = true;
      } else if (key == "mtime") {
        if (!ParsePaxTime(value, &meta->mtime)) return Corrupt(offset, "pax mtime \"" + value + "\" is not a time");
        meta->has_mtime = true;
      } else if (key.rfind("GNU.sparse.", 0) == 0) {
        return Unsupported(offset, "a GNU sparse file (pax record " + key + ")");
      }
    }
    return Status::OK();
  }

  Status ApplyLongName(const std::string& data, uint64_t offset, PendingMeta* meta) {
    size_t nul = data.find('\0');
    if (nul != std::string::npos && data.find_first_not_of('\0', nul) != std::string::npos) {
      return Corrupt(offset, "GNU long name contains a NUL byte");
    }
    if (!meta->has_path) meta->path = data.substr(0, nul);  // a pax path wins over a long name
    meta->has_path = true;
    return Status::OK();
  }

  // After the first zero block: a second one, then nothing but zeros (tar pads to its record size).
  Status CheckEnd(uint64_t offset) {
    char block[kTarBlockSize];
    GAGGLE_ASSIGN_OR_RETURN(size_t got, ReadUpTo(block, kTarBlockSize));
    if (got < kTarBlockSize) return Corrupt(offset, "the archive ends after one of its two end-of-archive blocks");
    if (!IsZeroBlock(block)) {
      return Corrupt(offset + kTarBlockSize, "a zero block is followed by a non-zero one (a damaged header?)");
    }
    std::string rest(64 << 10, '\0');
    while (true) {
      uint64_t at = in_->position();
      GAGGLE_ASSIGN_OR_RETURN(got, ReadUpTo(rest.data(), rest.size()));
      size_t bad = std::string_view(rest.data(), got).find_first_not_of('\0');
      if (bad != std::string_view::npos) {
        return Corrupt(at + bad, "non-zero bytes after the end of the archive");
      }
      if (got < rest.size()) return Status::OK();
    }
  }

  ZstdReadStream* in_;
  TarReadLimits limits_;
};

}  // namespace

Status ForEachEntry(const std::string& path, const TarEntryFn& fn, const TarReadLimits& limits, FileSystem* fs) {
  GAGGLE_ASSIGN_OR_RETURN(auto in, ZstdReadStream::OpenFile(fs != nullptr ? fs : FileSystem::Default(), path));
  return ArchiveReader(in.get(), limits).Run(fn);
}

Status ForEachEntryInMemory(std::string_view tar_zst, const TarEntryFn& fn, const TarReadLimits& limits,
                            const std::string& name) {
  auto in = ZstdReadStream::FromMemory(tar_zst, name);
  return ArchiveReader(in.get(), limits).Run(fn);
}

}  // namespace gaggle
