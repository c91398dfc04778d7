#include "fleet/fleet_runner.h"

#include "fleet/run_session.h"

namespace gaggle {

bool FleetRunSummary::all_succeeded() const {
  for (const StageCounts& s : stages) {
    if (s.done() != s.total() - s.count(TaskState::kCancelled) - s.count(TaskState::kRolledBack)) {
      return false;
    }
  }
  return ending == Ending::kCompleted;
}

const char* EndingName(FleetRunSummary::Ending ending) {
  switch (ending) {
    case FleetRunSummary::Ending::kCompleted: return "completed";
    case FleetRunSummary::Ending::kCancelled: return "cancelled";
    case FleetRunSummary::Ending::kInterrupted: return "interrupted";
    case FleetRunSummary::Ending::kPaused: return "paused";
  }
  return "?";
}

Result<FleetRunSummary> FleetRunner::Run(const std::string& migration, const TaskGraph& graph) {
  RunSession session(store_, executor_, options_, migration, graph);
  return session.Run();
}

}  // namespace gaggle
