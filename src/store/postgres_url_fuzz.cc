// libFuzzer target: any bytes through RedactPostgresUrl give a string that never holds the
// user information's password, never a crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "store/postgres_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  const std::string shown = gaggle::RedactPostgresUrl(url);
  if (shown.size() > url.size()) __builtin_trap();
  if (gaggle::IsPostgresUrl(url) != gaggle::IsPostgresUrl(shown)) __builtin_trap();
  return 0;
}
