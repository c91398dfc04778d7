// Fault injection for drills and demos: a TaskExecutor decorator that makes
// chosen datasets misbehave in the ways real agents do, so the fleet's timeout,
// retry and needs-attention paths can be watched end to end.
//
// Spec (GAGGLE_INJECT_FAULTS, comma-separated):
//   stall-once:ID   the first attempt of ID hangs until its deadline or cancellation
//   stall:ID        every attempt of ID hangs that way
//   fail-once:ID    the first attempt of ID fails with a retryable I/O error
//   fail:ID         every attempt of ID fails permanently
//   crash-before-commit:K  the runner kills itself (SIGKILL) right before its K-th
//                   group commit of completions: the agents' work is done and published,
//                   the store does not know yet (service/run_operations.cc does the kill)
// Faults apply before the inner executor runs, so a faulted attempt writes nothing.
// Thread-safety: immutable after Parse; Execute() may run concurrently.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "fleet/task_executor.h"

namespace gaggle {

class FaultInjectingExecutor final : public TaskExecutor {
 public:
  enum class Fault { kStallOnce, kStall, kFailOnce, kFail };

  // InvalidArgument naming the bad entry when `spec` is malformed.
  static Result<std::unique_ptr<FaultInjectingExecutor>> Parse(const std::string& spec, TaskExecutor* inner);

  Result<TaskOutcome> Execute(const TaskRecord& task, CancellationToken* token, const TaskContext& context) override;
  // Validation is never faulted: it is the inner executor's.
  Result<TaskValidation> Validate(const TaskRecord& task, CancellationToken* token) override {
    return inner_->Validate(task, token);
  }
  std::optional<Result<TaskValidation>> TakeReadyValidation(const TaskRecord& task) override {
    return inner_->TakeReadyValidation(task);
  }
  const std::map<std::string, Fault>& faults() const { return faults_; }
  // K of crash-before-commit:K, or 0.
  int crash_before_commit() const { return crash_before_commit_; }

 private:
  FaultInjectingExecutor(std::map<std::string, Fault> faults, TaskExecutor* inner)
      : faults_(std::move(faults)), inner_(inner) {}
  std::map<std::string, Fault> faults_;
  int crash_before_commit_ = 0;
  TaskExecutor* inner_;
};

const char* FaultName(FaultInjectingExecutor::Fault fault);

}  // namespace gaggle
