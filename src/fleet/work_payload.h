// The words a coordinator and its workers exchange through the work queue
// (store/work_queue.h), as compact JSON: the task a worker runs (the plan and progress
// fields an executor reads) and what it reports back (an attempt's outcome, a
// validation, or the error with its code and retry flag). Decoding checks every field
// and names what is wrong, so a damaged row is a clear error and never a crash.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "common/status.h"
#include "fleet/task_executor.h"
#include "store/fleet_records.h"

namespace gaggle {

std::string EncodeWorkTask(const TaskRecord& task);
Result<TaskRecord> DecodeWorkTask(const std::string& text);
// What makes two attempts the same work: source, format and target.
std::string WorkIdentity(const TaskRecord& task);

std::string EncodeOutcome(const Result<TaskOutcome>& outcome);
Result<TaskOutcome> DecodeOutcome(const std::string& text);
std::string EncodeValidation(const Result<TaskValidation>& validation);
Result<TaskValidation> DecodeValidation(const std::string& text);
// The report of an agent+validate item: the attempt's outcome, then, when the worker
// validated after a success, the validation on a second line.
std::string EncodeAttemptReport(const Result<TaskOutcome>& outcome, const Result<TaskValidation>* validation);
std::pair<std::string, std::optional<std::string>> SplitAttemptReport(const std::string& text);

}  // namespace gaggle
