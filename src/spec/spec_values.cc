#include "spec/spec_values.h"

#include <cmath>

#include "columnar/value_format.h"

namespace gaggle {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto bad = [&]() {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a duration (expected e.g. 500ms, 30s, 10m, 1h, 30d, 1h30m)");
  };
  if (text.empty()) return bad();
  int64_t plain;
  if (ParseInt64(text, &plain)) {
    if (plain < 0 || plain > INT64_MAX / 1000) return bad();
    return std::chrono::milliseconds(plain * 1000);
  }
  struct Unit {
    const char* name;
    int64_t ms;
  };
  // "ms" before "m" so that the longest unit matches.
  static const Unit kUnits[] = {{"ms", 1},      {"s", 1000},     {"m", 60000},
                                {"h", 3600000}, {"d", 86400000}, {"w", 604800000}};
  int64_t total = 0;
  size_t i = 0;
  int last_unit = -1;
  while (i < text.size()) {
    size_t start = i;
    int64_t v = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (v > (INT64_MAX - 9) / 10) return bad();
      v = v * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) return bad();
    int unit = -1;
    for (int u = 0; u < 6; ++u) {
      std::string_view name = kUnits[u].name;
      if (text.substr(i, name.size()) == name) {
        unit = u;
        break;
      }
    }
    if (unit < 0) return bad();
    // Units go from largest to smallest, each at most once: "1h30m", not "30m1h".
    if (last_unit >= 0 && kUnits[unit].ms >= kUnits[last_unit].ms) return bad();
    last_unit = unit;
    i += std::string_view(kUnits[unit].name).size();
    int64_t part;
    if (__builtin_mul_overflow(v, kUnits[unit].ms, &part) || __builtin_add_overflow(total, part, &total)) return bad();
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  static const std::pair<const char*, int64_t> kUnits[] = {{"w", 604800000}, {"d", 86400000}, {"h", 3600000},
                                                           {"m", 60000},     {"s", 1000},     {"ms", 1}};
  for (const auto& [name, size] : kUnits) {
    if (ms >= size) {
      out += std::to_string(ms / size) + name;
      ms %= size;
    }
  }
  return out;
}

Result<double> ParseFraction(std::string_view text) {
  auto bad = [&]() {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a fraction (expected e.g. 1%, 0.5% or 0.01)");
  };
  double v;
  if (!text.empty() && text.back() == '%') {
    if (!ParseDouble(text.substr(0, text.size() - 1), &v) || !std::isfinite(v) || v < 0 || v > 100) return bad();
    return v / 100;
  }
  if (!ParseDouble(text, &v) || !std::isfinite(v) || v < 0 || v > 1) return bad();
  return v;
}

Result<double> ParsePercentage(std::string_view text) {
  auto f = ParseFraction(text);
  if (!f.ok()) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a percentage (expected e.g. 25% or 0.25)");
  }
  // Round away binary noise: "0.07" is 7%, not 7.000000000000001%.
  return std::round(*f * 100 * 1e9) / 1e9;
}

}  // namespace gaggle
