// Spellings of the scalar values a migration spec (and the CLI) accepts.
//
//   duration    "500ms", "30s", "10m", "1h", "30d", "1w", "1h30m"; a bare integer is seconds
//   fraction    "1%" = 0.01, "0.5%", or a plain number within [0, 1] ("0.01")
//   percentage  like a fraction, returned in percent: "25%" = 25, "0.25" = 25
// Parsing is exact: anything else (negative, unknown unit, trailing text, a
// fraction above 1) is an InvalidArgument saying what was expected.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace gaggle {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// Shortest spelling that ParseDuration reads back: "1h30m", "500ms", "0s".
std::string FormatDuration(std::chrono::milliseconds d);

Result<double> ParseFraction(std::string_view text);
Result<double> ParsePercentage(std::string_view text);

}  // namespace gaggle
