// Fuzz target: arbitrary bytes parsed as a Parquet FileMetaData and as a PageHeader must
// fail cleanly or parse; whatever parses must serialize to bytes that parse to the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "formats/parquet/parquet_metadata.h"

namespace {

template <typename T>
void ParseAndRoundTrip(std::string_view bytes) {
  T parsed;
  if (!gaggle::parquet::Parse(bytes, &parsed).ok()) return;
  std::string once = gaggle::parquet::Serialize(parsed);
  T again;
  if (!gaggle::parquet::Parse(once, &again).ok()) std::abort();
  if (gaggle::parquet::Serialize(again) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ParseAndRoundTrip<gaggle::parquet::FileMetaData>(bytes);
  ParseAndRoundTrip<gaggle::parquet::PageHeader>(bytes);
  return 0;
}
