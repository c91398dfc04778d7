#include "columnar/value_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace gaggle {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool ParseFixedDigits(std::string_view text, size_t pos, size_t n, int64_t* out) {
  if (pos + n > text.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Parses YYYY-MM-DD at the start of text; sets *consumed.
bool ParseDatePrefix(std::string_view text, int64_t* days, size_t* consumed) {
  int64_t y, m, d;
  if (!ParseFixedDigits(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  if (!ParseFixedDigits(text, 5, 2, &m) || !ParseFixedDigits(text, 8, 2, &d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(m))) return false;
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  *consumed = 10;
  return true;
}

}  // namespace

// Howard Hinnant's days_from_civil algorithm (public-domain description of the arithmetic).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (*month <= 2);
}

std::string FormatDate(int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string FormatTimestamp(int64_t micros, bool utc) {
  int64_t days = micros / 86400000000LL;
  int64_t rem = micros % 86400000000LL;
  if (rem < 0) {
    rem += 86400000000LL;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t secs = rem / 1000000, frac = rem % 1000000;
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                        static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                        static_cast<long long>(secs % 60));
  if (frac != 0)
    n += std::snprintf(buf + n, sizeof(buf) - static_cast<size_t>(n), ".%06lld", static_cast<long long>(frac));
  if (utc) std::snprintf(buf + n, sizeof(buf) - static_cast<size_t>(n), "Z");
  return buf;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

std::string FormatFloat(float v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

namespace {

std::string PlaceDecimalPoint(bool neg, const std::string& digits, int scale) {
  std::string out = neg ? "-" : "";
  if (scale > 0) {
    size_t sc = static_cast<size_t>(scale);
    if (digits.size() <= sc) {
      out.append("0.");
      out.append(sc - digits.size(), '0');
      out.append(digits);
    } else {
      out.append(digits, 0, digits.size() - sc);
      out.push_back('.');
      out.append(digits, digits.size() - sc, sc);
    }
    return out;
  }
  return out + digits;
}

}  // namespace

std::string FormatDecimal(int64_t unscaled, int scale) {
  bool neg = unscaled < 0;
  // Work in unsigned to handle INT64_MIN.
  uint64_t mag = neg ? (~static_cast<uint64_t>(unscaled) + 1) : static_cast<uint64_t>(unscaled);
  return PlaceDecimalPoint(neg, std::to_string(mag), scale);
}

std::string FormatDecimal128(Int128 unscaled, int scale) {
  bool neg = unscaled < 0;
  UInt128 mag = neg ? (~static_cast<UInt128>(unscaled) + 1) : static_cast<UInt128>(unscaled);
  char buf[48];
  size_t n = sizeof(buf);
  do {
    buf[--n] = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  } while (mag != 0);
  return PlaceDecimalPoint(neg, std::string(buf + n, sizeof(buf) - n), scale);
}

Int128 Pow10Int128(int n) {
  Int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

bool FormatBigDecimal(std::string_view big_endian, int precision, int scale, std::string* out) {
  if (big_endian.empty() || precision < 1 || scale < 0 || scale > precision) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(big_endian.data());
  size_t n = big_endian.size();
  const bool neg = (p[0] & 0x80) != 0;
  // Magnitude as big-endian bytes (two's complement negated when negative).
  std::string mag(big_endian);
  if (neg) {
    for (char& c : mag) c = static_cast<char>(~static_cast<uint8_t>(c));
    for (size_t i = n; i-- > 0;) {
      uint8_t b = static_cast<uint8_t>(mag[i]) + 1;
      mag[i] = static_cast<char>(b);
      if (b != 0) break;
    }
  }
  size_t start = 0;
  while (start < n && mag[start] == 0) ++start;
  // 10^precision < 256^(precision / 2.4 + 1): more significant bytes cannot fit the precision,
  // which also bounds the quadratic digit loop below.
  if (n - start > static_cast<size_t>(precision) * 10 / 24 + 1) return false;
  std::string digits;
  while (start < n) {  // long division by 10, least significant digit first
    unsigned rem = 0;
    for (size_t i = start; i < n; ++i) {
      unsigned cur = rem * 256 + static_cast<uint8_t>(mag[i]);
      mag[i] = static_cast<char>(cur / 10);
      rem = cur % 10;
    }
    digits.push_back(static_cast<char>('0' + rem));
    while (start < n && mag[start] == 0) ++start;
  }
  if (digits.empty()) digits.push_back('0');
  if (digits.size() > static_cast<size_t>(precision)) return false;
  std::reverse(digits.begin(), digits.end());
  *out = PlaceDecimalPoint(neg && digits != "0", digits, scale);
  return true;
}

std::string HexEncode(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool ParseInt64(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  auto r = std::from_chars(begin, text.data() + text.size(), *out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

bool ParseInt32(std::string_view text, int32_t* out) {
  int64_t v;
  if (!ParseInt64(text, &v) || v < INT32_MIN || v > INT32_MAX) return false;
  *out = static_cast<int32_t>(v);
  return true;
}

bool ParseDouble(std::string_view text, double* out) {
  if (text.empty()) return false;
  std::string_view t = text;
  bool neg = false;
  if (t[0] == '+' || t[0] == '-') {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  if (EqualsIgnoreCase(t, "nan")) {
    *out = std::nan("");
    return true;
  }
  if (EqualsIgnoreCase(t, "inf") || EqualsIgnoreCase(t, "infinity")) {
    *out = neg ? -INFINITY : INFINITY;
    return true;
  }
  if (t.empty() || t[0] == '+' || t[0] == '-') return false;
  double v;
  auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ptr != t.data() + t.size()) return false;
  if (r.ec == std::errc::result_out_of_range) {
    // Denormal underflow is fine; overflow is not.
    return false;
  }
  if (r.ec != std::errc()) return false;
  *out = neg ? -v : v;
  return true;
}

bool ParseFloat(std::string_view text, float* out) {
  double v;
  if (!ParseDouble(text, &v)) return false;
  if (std::isfinite(v) && std::fabs(v) > 3.4028234663852886e38) return false;
  *out = static_cast<float>(v);
  return true;
}

bool ParseBool(std::string_view text, bool* out) {
  if (EqualsIgnoreCase(text, "true") || EqualsIgnoreCase(text, "t") || EqualsIgnoreCase(text, "yes") || text == "1") {
    *out = true;
    return true;
  }
  if (EqualsIgnoreCase(text, "false") || EqualsIgnoreCase(text, "f") || EqualsIgnoreCase(text, "no") || text == "0") {
    *out = false;
    return true;
  }
  return false;
}

bool ParseDate(std::string_view text, int32_t* days) {
  int64_t d;
  size_t used;
  if (!ParseDatePrefix(text, &d, &used) || used != text.size()) return false;
  if (d < INT32_MIN || d > INT32_MAX) return false;
  *days = static_cast<int32_t>(d);
  return true;
}

bool ParseTimestamp(std::string_view text, int64_t* micros) {
  int64_t days;
  size_t pos;
  if (!ParseDatePrefix(text, &days, &pos)) return false;
  int64_t secs = 0, frac_us = 0, offset_s = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ') return false;
    ++pos;
    int64_t h, mi, s;
    if (!ParseFixedDigits(text, pos, 2, &h) || pos + 2 >= text.size() || text[pos + 2] != ':' ||
        !ParseFixedDigits(text, pos + 3, 2, &mi) || pos + 5 >= text.size() || text[pos + 5] != ':' ||
        !ParseFixedDigits(text, pos + 6, 2, &s)) {
      return false;
    }
    if (h > 23 || mi > 59 || s > 60) return false;
    secs = h * 3600 + mi * 60 + s;
    pos += 8;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      size_t digits = 0;
      int64_t scale = 100000;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 6) {
          frac_us += (text[pos] - '0') * scale;
          scale /= 10;
        } else if (text[pos] != '0') {
          return false;  // sub-microsecond precision would be silently lost
        }
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 9) return false;
    }
    if (pos < text.size()) {
      char c = text[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        int64_t oh, om;
        if (!ParseFixedDigits(text, pos + 1, 2, &oh)) return false;
        size_t mpos = pos + 3;
        if (mpos < text.size() && text[mpos] == ':') ++mpos;
        if (!ParseFixedDigits(text, mpos, 2, &om) || oh > 23 || om > 59) return false;
        offset_s = (oh * 3600 + om * 60) * (c == '+' ? 1 : -1);
        pos = mpos + 2;
      }
    }
    if (pos != text.size()) return false;
  }
  Int128 total = static_cast<Int128>(days) * 86400000000LL + (secs - offset_s) * 1000000LL + frac_us;
  if (total > INT64_MAX || total < INT64_MIN) return false;
  *micros = static_cast<int64_t>(total);
  return true;
}

bool ParseDecimal(std::string_view text, int scale, int precision, int64_t* unscaled) {
  Int128 v = 0;
  if (precision > kMaxDecimal64Precision || !ParseDecimal128(text, scale, precision, &v)) return false;
  if (v > static_cast<Int128>(INT64_MAX) || v < static_cast<Int128>(INT64_MIN)) return false;
  *unscaled = static_cast<int64_t>(v);
  return true;
}

bool ParseDecimal128(std::string_view text, int scale, int precision, Int128* unscaled) {
  if (text.empty() || precision < 1 || precision > kMaxDecimalPrecision || scale < 0 || scale > precision) return false;
  size_t pos = 0;
  bool neg = false;
  if (text[0] == '-' || text[0] == '+') {
    neg = text[0] == '-';
    pos = 1;
  }
  Int128 v = 0;
  int int_digits = 0, frac_digits = 0;
  bool seen_dot = false, any_digit = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '.') {
      if (seen_dot) return false;
      seen_dot = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    any_digit = true;
    if (seen_dot) {
      if (++frac_digits > scale) {
        if (c != '0') return false;  // would lose precision
        continue;
      }
    } else if (v != 0 || c != '0') {
      ++int_digits;
    }
    // At most 38 significant digits are kept (more fail the precision check below), so v
    // stays far from Int128 overflow; leading zeros do not grow it.
    if (int_digits + std::min(frac_digits, scale) > kMaxDecimalPrecision) return false;
    v = v * 10 + (c - '0');
  }
  if (!any_digit) return false;
  for (int i = std::min(frac_digits, scale); i < scale; ++i) v *= 10;
  if (int_digits > precision - scale) return false;
  *unscaled = neg ? -v : v;
  return true;
}

}  // namespace gaggle
