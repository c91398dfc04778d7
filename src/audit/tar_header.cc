#include "audit/tar_header.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace gaggle {

namespace {

// Field offsets and widths of the POSIX ustar header (IEEE Std 1003.1, pax "ustar Interchange Format").
constexpr size_t kNameOff = 0;
constexpr size_t kModeOff = 100;
constexpr size_t kUidOff = 108;
constexpr size_t kGidOff = 116;
constexpr size_t kSizeOff = 124;
constexpr size_t kMtimeOff = 136;
constexpr size_t kChksumOff = 148;
constexpr size_t kChksumSize = 8;
constexpr size_t kTypeOff = 156;
constexpr size_t kMagicOff = 257;
constexpr size_t kVersionOff = 263;
constexpr size_t kUnameOff = 265;
constexpr size_t kGnameOff = 297;
constexpr size_t kDevMajorOff = 329;
constexpr size_t kDevMinorOff = 337;
constexpr size_t kPrefixOff = 345;

// Writes `value` as width-1 zero-padded octal digits and a NUL. REQUIRES: it fits.
void PutOctal(char* field, size_t width, uint64_t value) {
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
}

size_t BoundedLength(const char* field, size_t width) {
  const void* nul = std::memchr(field, '\0', width);
  return nul == nullptr ? width : static_cast<size_t>(static_cast<const char*>(nul) - field);
}

// Sum of the header's bytes with the checksum field taken as spaces, unsigned and as the
// historic signed-char sum (some old writers used it).
void Checksums(const char* block, int64_t* unsigned_sum, int64_t* signed_sum) {
  int64_t u = 0, s = 0;
  for (size_t i = 0; i < kTarBlockSize; ++i) {
    bool in_field = i >= kChksumOff && i < kChksumOff + kChksumSize;
    u += in_field ? ' ' : static_cast<unsigned char>(block[i]);
    s += in_field ? ' ' : static_cast<signed char>(block[i]);
  }
  *unsigned_sum = u;
  *signed_sum = s;
}

enum class NumberError { kNone, kEmpty, kMalformed, kNegative, kOverflow };

// An octal field (leading spaces, digits, then only spaces/NULs) or a GNU base-256 one
// (first byte's high bit set; a set 0x40 bit means negative, which we refuse).
NumberError ParseNumber(const char* field, size_t width, uint64_t* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(field);
  if (p[0] & 0x80) {
    if (p[0] & 0x40) return NumberError::kNegative;
    uint64_t v = p[0] & 0x3f;
    for (size_t i = 1; i < width; ++i) {
      if (v > (std::numeric_limits<uint64_t>::max() >> 9)) return NumberError::kOverflow;
      v = (v << 8) | p[i];
    }
    *out = v;
    return NumberError::kNone;
  }
  size_t i = 0;
  while (i < width && p[i] == ' ') ++i;
  uint64_t v = 0;
  size_t digits = 0;
  for (; i < width && p[i] >= '0' && p[i] <= '7'; ++i, ++digits) {
    if (v > (std::numeric_limits<uint64_t>::max() >> 4)) return NumberError::kOverflow;
    v = (v << 3) | (p[i] - '0');
  }
  for (; i < width; ++i) {
    if (p[i] != ' ' && p[i] != '\0') return NumberError::kMalformed;
  }
  if (digits == 0) return NumberError::kEmpty;
  *out = v;
  return NumberError::kNone;
}

const char* NumberErrorText(NumberError e) {
  switch (e) {
    case NumberError::kEmpty: return "is empty";
    case NumberError::kMalformed: return "is not an octal number";
    case NumberError::kNegative: return "is a negative base-256 number";
    case NumberError::kOverflow: return "overflows";
    case NumberError::kNone: break;
  }
  return "";
}

std::string Printable(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string UstarHeader::Path() const { return prefix.empty() ? name : prefix + "/" + name; }

void EncodeUstarHeader(const UstarHeader& h, char block[kTarBlockSize]) {
  std::memset(block, 0, kTarBlockSize);
  std::memcpy(block + kNameOff, h.name.data(), std::min(h.name.size(), kUstarNameSize));
  PutOctal(block + kModeOff, 8, 0644);
  PutOctal(block + kUidOff, 8, 0);
  PutOctal(block + kGidOff, 8, 0);
  PutOctal(block + kSizeOff, 12, std::min<uint64_t>(h.size, kUstarMaxOctal11));
  PutOctal(block + kMtimeOff, 12, static_cast<uint64_t>(std::clamp<int64_t>(h.mtime, 0, kUstarMaxOctal11)));
  block[kTypeOff] = h.typeflag;
  std::memcpy(block + kMagicOff, "ustar", 6);  // with its NUL
  std::memcpy(block + kVersionOff, "00", 2);
  std::memcpy(block + kUnameOff, "gaggle", 6);
  std::memcpy(block + kGnameOff, "gaggle", 6);
  PutOctal(block + kDevMajorOff, 8, 0);
  PutOctal(block + kDevMinorOff, 8, 0);
  std::memcpy(block + kPrefixOff, h.prefix.data(), std::min(h.prefix.size(), kUstarPrefixSize));
  int64_t sum = 0, signed_sum = 0;
  Checksums(block, &sum, &signed_sum);
  PutOctal(block + kChksumOff, 7, static_cast<uint64_t>(sum));  // six digits and a NUL ...
  block[kChksumOff + 7] = ' ';                                  // ... then a space, as tar writes it
}

Result<UstarHeader> DecodeUstarHeader(const char block[kTarBlockSize], uint64_t offset) {
  std::string where = "tar header at byte offset " + std::to_string(offset);
  uint64_t stored = 0;
  if (NumberError e = ParseNumber(block + kChksumOff, kChksumSize, &stored); e != NumberError::kNone) {
    return Status::Corruption(where + ": checksum field " + NumberErrorText(e) + " (not a tar header)");
  }
  int64_t sum = 0, signed_sum = 0;
  Checksums(block, &sum, &signed_sum);
  if (static_cast<int64_t>(stored) != sum && static_cast<int64_t>(stored) != signed_sum) {
    return Status::Corruption(where + ": checksum mismatch (stored " + std::to_string(stored) + ", computed " +
                              std::to_string(sum) + ")");
  }
  UstarHeader h;
  std::string_view magic(block + kMagicOff, 8);  // magic and version
  if (magic == std::string_view("ustar\0"
                                "00",
                                8)) {
    h.gnu = false;
  } else if (magic == std::string_view("ustar  \0", 8)) {
    h.gnu = true;
  } else {
    return Status::Corruption(where + ": not a ustar header (magic \"" + Printable(magic) + "\")");
  }
  h.typeflag = block[kTypeOff];
  h.name.assign(block + kNameOff, BoundedLength(block + kNameOff, kUstarNameSize));
  if (!h.gnu) h.prefix.assign(block + kPrefixOff, BoundedLength(block + kPrefixOff, kUstarPrefixSize));
  if (NumberError e = ParseNumber(block + kSizeOff, 12, &h.size); e != NumberError::kNone) {
    return Status::Corruption(where + " ('" + Printable(h.Path()) + "'): size field " + NumberErrorText(e));
  }
  if (h.size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::Corruption(where + " ('" + Printable(h.Path()) + "'): size overflows");
  }
  uint64_t mtime = 0;
  NumberError e = ParseNumber(block + kMtimeOff, 12, &mtime);
  if (e == NumberError::kEmpty) {
    mtime = 0;
  } else if (e != NumberError::kNone || mtime > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::Corruption(where + " ('" + Printable(h.Path()) + "'): mtime field " +
                              (e == NumberError::kNone ? "overflows" : NumberErrorText(e)));
  }
  h.mtime = static_cast<int64_t>(mtime);
  return h;
}

bool IsZeroBlock(const char block[kTarBlockSize]) {
  for (size_t i = 0; i < kTarBlockSize; ++i) {
    if (block[i] != 0) return false;
  }
  return true;
}

bool SplitUstarPath(std::string_view path, std::string* prefix, std::string* name) {
  if (path.size() > kUstarPrefixSize + 1 + kUstarNameSize) return false;
  // The longest prefix that fits leaves the shortest name; any '/' that makes both fit will do.
  size_t limit = std::min(path.size(), kUstarPrefixSize + 1);
  for (size_t slash = path.rfind('/', limit - 1); slash != std::string_view::npos && slash > 0;
       slash = path.rfind('/', slash - 1)) {
    size_t name_len = path.size() - slash - 1;
    if (name_len > kUstarNameSize) return false;  // only gets longer to the left
    if (slash <= kUstarPrefixSize && name_len > 0) {
      prefix->assign(path.substr(0, slash));
      name->assign(path.substr(slash + 1));
      return true;
    }
  }
  return false;
}

std::string UnsafeTarPathReason(std::string_view path) {
  if (path.empty()) return "empty path";
  if (path.find('\0') != std::string_view::npos) return "path contains a NUL byte";
  if (path[0] == '/') return "absolute path";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return "path has a '..' component";
    start = end + 1;
  }
  return "";
}

std::string PaxRecord(std::string_view key, std::string_view value) {
  size_t body = 1 + key.size() + 1 + value.size() + 1;  // " key=value\n"
  size_t len = body + std::to_string(body).size();
  if (std::to_string(len).size() != std::to_string(body).size()) len = body + std::to_string(len).size();
  std::string out = std::to_string(len);
  out += ' ';
  out += key;
  out += '=';
  out += value;
  out += '\n';
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParsePaxRecords(std::string_view data, uint64_t offset) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < data.size()) {
    std::string where = "pax header at tar byte offset " + std::to_string(offset) + ", record at byte " +
                        std::to_string(pos) + " of its data";
    if (data[pos] == '\0') {  // some writers pad the data with NULs
      if (data.find_first_not_of('\0', pos) != std::string_view::npos) {
        return Status::Corruption(where + ": bytes after the NUL padding");
      }
      break;
    }
    uint64_t len = 0;
    size_t i = pos;
    for (; i < data.size() && data[i] >= '0' && data[i] <= '9'; ++i) {
      if (i - pos >= 18) return Status::Corruption(where + ": record length too long");
      len = len * 10 + static_cast<uint64_t>(data[i] - '0');
    }
    if (i == pos || i >= data.size() || data[i] != ' ') {
      return Status::Corruption(where + ": expected \"<length> <key>=<value>\\n\"");
    }
    if (len <= i - pos + 1 || len > data.size() - pos) {
      return Status::Corruption(where + ": record length " + std::to_string(len) + " does not fit the header's " +
                                std::to_string(data.size()) + " bytes");
    }
    std::string_view record = data.substr(i + 1, pos + len - (i + 1));  // "key=value\n"
    if (record.empty() || record.back() != '\n')
      return Status::Corruption(where + ": record does not end in a newline");
    record.remove_suffix(1);
    size_t eq = record.find('=');
    if (eq == std::string_view::npos || eq == 0) return Status::Corruption(where + ": record has no \"key=\"");
    out.emplace_back(std::string(record.substr(0, eq)), std::string(record.substr(eq + 1)));
    pos += len;
  }
  return out;
}

bool ParsePaxUnsigned(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool ParsePaxTime(std::string_view text, int64_t* out) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  if (dot != std::string_view::npos) {
    std::string_view frac = text.substr(dot + 1);
    if (frac.find_first_not_of("0123456789") != std::string_view::npos) return false;
  }
  uint64_t v = 0;
  if (!ParsePaxUnsigned(whole, &v)) return false;
  *out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

}  // namespace gaggle
