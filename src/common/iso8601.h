// ISO 8601 timestamps: how gaggle writes a point in time in the state store, logs
// and reports ("2024-05-01T12:00:00.123Z": UTC, milliseconds). Take the time from
// a Clock (common/clock.h): Iso8601Millis(clock->NowMicros()).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace gaggle {

// `unix_micros` (microseconds since the Unix epoch) as "YYYY-MM-DDTHH:MM:SS.mmmZ",
// truncated to the millisecond.
std::string Iso8601Millis(int64_t unix_micros);

}  // namespace gaggle
