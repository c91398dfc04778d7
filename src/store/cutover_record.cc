#include "store/cutover_record.h"

#include <array>

namespace gaggle {
namespace {
constexpr std::array<const char*, 4> kNames = {"current", "rolled-back", "collected", "collecting"};
}  // namespace

const char* CutoverStateName(CutoverState state) {
  const auto i = static_cast<size_t>(state);
  return i < kNames.size() ? kNames[i] : "unknown";
}

Result<CutoverState> ParseCutoverState(const std::string& text) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (text == kNames[i]) return static_cast<CutoverState>(i);
  }
  return Status::Corruption("unknown cut-over state '" + text +
                            "' (expected current, rolled-back, collected or collecting)");
}

}  // namespace gaggle
