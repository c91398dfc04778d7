// libFuzzer target: any bytes as an object URI parse or fail cleanly; a parsed URI prints
// back to a URI that parses to the same bucket and key (so prefixes mean what they say).
#include <cstddef>
#include <cstdint>

#include "storage/object_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto uri = gaggle::ParseObjectUri(text);
  if (!uri.ok()) return 0;
  auto again = gaggle::ParseObjectUri(uri->ToString());
  if (!again.ok() || again->bucket != uri->bucket || again->key != uri->key) __builtin_trap();
  if (uri->key.starts_with('/') || uri->key.ends_with('/')) __builtin_trap();
  return 0;
}
