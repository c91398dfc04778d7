// Stage gates: the fleet's decision, after a stage (and at each milestone inside
// it), whether the migration may go on. Each dataset's own evidence is its
// validation (validate/dataset_validator.h: row counts, checksum, schema, drift,
// dead letters against spec.gates); the gate counts the datasets that did not make
// it — invalid, failed, needs-attention — and fails when their share crosses
// gates.max_failed_datasets:
//   at a milestone: failing / datasets settled so far in the stage (early warning);
//   at the stage's end: failing / datasets in the stage.
// A gate an operator approved (`gaggle approve --stage N`) passes whatever it sees.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "spec/migration_spec.h"
#include "store/fleet_records.h"

namespace gaggle {

struct GateDataset {
  std::string dataset;
  TaskState state = TaskState::kPending;
  std::string reason;  // failed checks ("checksum, ks(amount)") or the last error
};

struct GateDecision {
  int stage = 0;
  double at_percent = 100;  // the milestone evaluated; 100 = the stage's end
  bool passed = true;
  bool approved = false;  // passed only because an operator approved it
  int64_t datasets = 0;   // in the stage
  int64_t settled = 0;    // settled so far
  int64_t failing = 0;
  double failing_fraction = 0;
  double threshold = 0;
  std::vector<GateDataset> failures;  // the failing datasets, plan order
  // One line: "stage 2 gate failed at 50%: 3 of 40 settled datasets failing (7.5% > 1%): a [checksum], ..."
  std::string Summary(size_t max_listed = 10) const;
};

// `tasks`: every task of the stage, in plan order, with its failure reason.
GateDecision EvaluateStageGate(const GatesSpec& gates, int stage, double at_percent,
                               const std::vector<GateDataset>& tasks, bool approved);

// The milestones (percent, ascending) still ahead of `settled_fraction` that it has
// now reached or passed, given the ones already evaluated (`done`, a count).
std::vector<double> ReachedMilestones(const GatesSpec& gates, double settled_fraction, size_t done);

// A task counts against the gate.
inline bool FailsGate(TaskState s) {
  return s == TaskState::kFailed || s == TaskState::kNeedsAttention || s == TaskState::kInvalid;
}

}  // namespace gaggle
