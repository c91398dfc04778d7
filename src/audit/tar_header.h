// The bytes of a tar archive's metadata: one 512-byte POSIX ustar header block and the
// records of a pax extended header ("<len> <key>=<value>\n").
//
// Encoding is for our writer (regular files, pax headers). Decoding accepts what POSIX
// ustar/pax writers and GNU tar's default format produce: the header checksum (unsigned or
// historic signed sum) must match, the magic must be "ustar\0" "00" or GNU's "ustar  \0",
// numbers are octal (space/NUL terminated) or GNU base-256; anything else is Corruption
// naming the tar byte offset of the header. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace gaggle {

inline constexpr size_t kTarBlockSize = 512;
inline constexpr size_t kUstarNameSize = 100;
inline constexpr size_t kUstarPrefixSize = 155;
// The largest number an 11-digit octal field holds (size, mtime): 8 GiB - 1, year 2242.
inline constexpr uint64_t kUstarMaxOctal11 = (uint64_t{1} << 33) - 1;

struct UstarHeader {
  std::string name;    // name field, up to 100 bytes
  std::string prefix;  // ustar prefix field, up to 155 bytes; always empty for GNU headers
  uint64_t size = 0;
  int64_t mtime = 0;
  char typeflag = '0';
  bool gnu = false;  // GNU magic "ustar  \0" (its prefix field holds other things)

  // prefix + "/" + name, or name when there is no prefix.
  std::string Path() const;
};

// Writes a complete header block: mode 0644, uid/gid 0, owner and group "gaggle", ustar magic.
// REQUIRES: name <= 100 bytes, prefix <= 155 bytes, size and mtime in [0, kUstarMaxOctal11].
void EncodeUstarHeader(const UstarHeader& header, char block[kTarBlockSize]);

// Decodes and checks one header block found at tar byte offset `offset` (for messages).
Result<UstarHeader> DecodeUstarHeader(const char block[kTarBlockSize], uint64_t offset);

bool IsZeroBlock(const char block[kTarBlockSize]);

// Splits `path` at a '/' so that it fits the ustar prefix and name fields; false when no
// split fits (then the path needs a pax "path" record).
bool SplitUstarPath(std::string_view path, std::string* prefix, std::string* name);

// Why `path` must not be extracted, or "" when it may: empty, absolute, a ".." component
// or a NUL byte. (Writers are stricter; see TarZstWriter::Add.)
std::string UnsafeTarPathReason(std::string_view path);

// One pax record, "<len> <key>=<value>\n" where <len> counts the whole record.
std::string PaxRecord(std::string_view key, std::string_view value);

// Parses a pax extended header's data (the entry starting at tar offset `offset`).
Result<std::vector<std::pair<std::string, std::string>>> ParsePaxRecords(std::string_view data, uint64_t offset);

// Pax numbers: "size" (non-negative decimal) and "mtime" (decimal seconds, maybe negative,
// maybe with a fraction, which is dropped). False when the text is not such a number or overflows.
bool ParsePaxUnsigned(std::string_view text, uint64_t* out);
bool ParsePaxTime(std::string_view text, int64_t* out);

}  // namespace gaggle
