// libFuzzer target: any bytes as ~/.aws/credentials or ~/.aws/config give profiles or an
// error naming the line, never a crash; no profile name or key is ever empty.
#include <cstddef>
#include <cstdint>

#include "storage/aws_shared_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool config : {false, true}) {
    auto profiles = gaggle::ParseAwsSharedFile(text, "fuzz", config);
    if (!profiles.ok()) continue;
    for (const auto& [name, keys] : *profiles) {
      if (name.empty()) __builtin_trap();
      for (const auto& [key, value] : keys) {
        if (key.empty()) __builtin_trap();
      }
    }
  }
  return 0;
}
