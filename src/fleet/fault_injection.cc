#include "fleet/fault_injection.h"

#include <chrono>
#include <cstdlib>
#include <thread>

namespace gaggle {

const char* FaultName(FaultInjectingExecutor::Fault fault) {
  switch (fault) {
    case FaultInjectingExecutor::Fault::kStallOnce: return "stall-once";
    case FaultInjectingExecutor::Fault::kStall: return "stall";
    case FaultInjectingExecutor::Fault::kFailOnce: return "fail-once";
    case FaultInjectingExecutor::Fault::kFail: return "fail";
  }
  return "?";
}

Result<std::unique_ptr<FaultInjectingExecutor>> FaultInjectingExecutor::Parse(const std::string& spec,
                                                                              TaskExecutor* inner) {
  std::map<std::string, Fault> faults;
  int crash_before_commit = 0;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string entry = spec.substr(start, end - start);
    start = end + 1;
    if (entry.empty()) continue;
    size_t colon = entry.find(':');
    std::string kind = entry.substr(0, colon);
    std::string id = colon == std::string::npos ? "" : entry.substr(colon + 1);
    Fault fault;
    if (kind == "crash-before-commit") {
      char* end_of_number = nullptr;
      const long k = id.empty() ? 0 : std::strtol(id.c_str(), &end_of_number, 10);
      if (k <= 0 || k > 1000000 || *end_of_number != '\0') {
        return Status::InvalidArgument("GAGGLE_INJECT_FAULTS: '" + entry +
                                       "' needs a count from 1 (write crash-before-commit:K)");
      }
      crash_before_commit = static_cast<int>(k);
      continue;
    }
    if (kind == "stall-once") {
      fault = Fault::kStallOnce;
    } else if (kind == "stall") {
      fault = Fault::kStall;
    } else if (kind == "fail-once") {
      fault = Fault::kFailOnce;
    } else if (kind == "fail") {
      fault = Fault::kFail;
    } else {
      return Status::InvalidArgument("GAGGLE_INJECT_FAULTS: unknown fault '" + kind + "' in '" + entry +
                                     "' (known: stall-once, stall, fail-once, fail, crash-before-commit)");
    }
    if (id.empty()) {
      return Status::InvalidArgument("GAGGLE_INJECT_FAULTS: '" + entry + "' names no dataset (write " + kind +
                                     ":DATASET_ID)");
    }
    faults[id] = fault;
  }
  auto executor = std::unique_ptr<FaultInjectingExecutor>(new FaultInjectingExecutor(std::move(faults), inner));
  executor->crash_before_commit_ = crash_before_commit;
  return executor;
}

Result<TaskOutcome> FaultInjectingExecutor::Execute(const TaskRecord& task, CancellationToken* token,
                                                    const TaskContext& context) {
  auto it = faults_.find(task.dataset_id);
  if (it != faults_.end()) {
    const Fault fault = it->second;
    const bool first = task.attempts <= 1;
    const std::string what = "dataset '" + task.dataset_id + "' (injected " + FaultName(fault) + ")";
    if (fault == Fault::kStall || (fault == Fault::kStallOnce && first)) {
      // Hang like a stuck agent: only the deadline or a cancellation ends it.
      while (true) {
        Status st = token->Check(what);
        if (!st.ok()) return st;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    if (fault == Fault::kFail) return Status::AgentError(what + ": permanent failure");
    if (fault == Fault::kFailOnce && first) return Status::IOError(what + ": transient failure");
  }
  return inner_->Execute(task, token, context);
}

}  // namespace gaggle
