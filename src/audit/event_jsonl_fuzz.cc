// libFuzzer target: any line through the events.jsonl parser; a line that parses must write
// back (EventToJsonLine) to a line that parses to the same event.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "audit/event_jsonl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto e = gaggle::EventFromJsonLine(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!e.ok()) return 0;
  auto again = gaggle::EventFromJsonLine(gaggle::EventToJsonLine(*e));
  if (!again.ok() || gaggle::EventToJsonLine(*again) != gaggle::EventToJsonLine(*e)) __builtin_trap();
  return 0;
}
