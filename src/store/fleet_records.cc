// Run state names, run updates and stage counts (see fleet_records.h).
#include "store/fleet_records.h"

#include <array>
#include <map>

namespace gaggle {
namespace {

constexpr std::array<const char*, 4> kRunStateNames = {"running", "paused", "cancelled", "completed"};

}  // namespace

const char* RunStateName(RunState s) {
  const int i = static_cast<int>(s);
  return i >= 0 && i < static_cast<int>(kRunStateNames.size()) ? kRunStateNames[static_cast<size_t>(i)] : "unknown";
}

Result<RunState> ParseRunState(std::string_view name) {
  for (size_t i = 0; i < kRunStateNames.size(); ++i) {
    if (name == kRunStateNames[i]) return static_cast<RunState>(i);
  }
  return Status::InvalidArgument("unknown run state '" + std::string(name) +
                                 "' (expected running, paused, cancelled or completed)");
}

void ApplyRunUpdate(const MigrationRunUpdate& update, MigrationRun* run) {
  if (update.state) run->state = *update.state;
  if (update.state_reason) run->state_reason = *update.state_reason;
  if (update.concurrency) run->concurrency = *update.concurrency;
  if (update.bump_requeue) ++run->requeue_seq;
  if (update.requeue_applied_seq) run->requeue_applied_seq = *update.requeue_applied_seq;
}

std::vector<StageCounts> SumStageCounts(const std::vector<TaskStateCount>& counts) {
  std::map<int, StageCounts> stages;
  for (const TaskStateCount& n : counts) {
    StageCounts& c = stages[n.stage];
    c.stage = n.stage;
    c.by_state[static_cast<int>(n.state)] += n.tasks;
    c.size_bytes += n.size_bytes;
    if (IsDone(n.state)) {
      c.done_bytes += n.size_bytes;
      c.rows_in += n.rows_in;
      c.rows_out += n.rows_out;
      c.dead_lettered += n.dead_lettered;
      c.filtered += n.filtered;
    }
  }
  if (!stages.empty()) {
    for (int s = 0; s < stages.rbegin()->first; ++s) stages[s].stage = s;
  }
  std::vector<StageCounts> out;
  out.reserve(stages.size());
  for (auto& [stage, c] : stages) out.push_back(c);
  return out;
}

}  // namespace gaggle
