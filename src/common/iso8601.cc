#include "common/iso8601.h"

#include <cstdio>
#include <ctime>

namespace gaggle {

std::string Iso8601Millis(int64_t unix_micros) {
  // Floor division, so that an instant before 1970 keeps a millisecond field in [0, 999].
  int64_t seconds = unix_micros / 1000000;
  int64_t micros = unix_micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    seconds -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  struct tm tm;
  ::gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(micros / 1000));
  return buf;
}

}  // namespace gaggle
