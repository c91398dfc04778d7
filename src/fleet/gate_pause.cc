#include "fleet/gate_pause.h"

#include <cstdlib>

namespace gaggle {
namespace {

constexpr const char* kStageMarker = "`gaggle approve --stage ";
constexpr const char* kStageMarkerEnd = "` to go on";
constexpr const char* kFinalMarker = ", or `gaggle approve --final` to cut over anyway";

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string StageGatePauseReason(int stage, const std::string& summary) {
  return summary + ". Fix and `gaggle resume`, or " + kStageMarker + std::to_string(stage) + kStageMarkerEnd;
}

std::string FinalGatePauseReason(const std::string& summary) {
  return "final verification: " + summary + ". See `gaggle verify`; fix and `gaggle resume`" + kFinalMarker;
}

std::optional<int> PausedAtGate(const MigrationRun& run) {
  if (run.state != RunState::kPaused) return std::nullopt;
  const std::string& r = run.state_reason;
  if (EndsWith(r, kFinalMarker)) return kFinalGateStage;
  if (!EndsWith(r, kStageMarkerEnd)) return std::nullopt;
  const size_t at = r.rfind(kStageMarker);
  if (at == std::string::npos) return std::nullopt;
  const size_t from = at + std::char_traits<char>::length(kStageMarker);
  const size_t to = r.size() - std::char_traits<char>::length(kStageMarkerEnd);
  if (to <= from || to - from > 6) return std::nullopt;
  for (size_t i = from; i < to; ++i) {
    if (r[i] < '0' || r[i] > '9') return std::nullopt;
  }
  return std::atoi(r.substr(from, to - from).c_str());
}

}  // namespace gaggle
