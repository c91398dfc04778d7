// PlanProblems: every problem found while planning a transform, with the code that best
// describes them all (SchemaMismatch, else TypeError, else InvalidArgument), one per line.
// Private to transform/. Thread-safety: a plain value.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace gaggle {

class PlanProblems {
 public:
  void Add(StatusCode code, std::string message) { list_.push_back({code, std::move(message)}); }
  bool empty() const { return list_.empty(); }
  Status ToStatus() const {
    StatusCode code = StatusCode::kInvalidArgument;
    auto has = [&](StatusCode c) {
      return std::any_of(list_.begin(), list_.end(), [c](const auto& p) { return p.first == c; });
    };
    if (has(StatusCode::kSchemaMismatch)) {
      code = StatusCode::kSchemaMismatch;
    } else if (has(StatusCode::kTypeError)) {
      code = StatusCode::kTypeError;
    }
    std::string message;
    for (const auto& p : list_) message += (message.empty() ? "" : "\n") + p.second;
    return Status(code, message);
  }

 private:
  std::vector<std::pair<StatusCode, std::string>> list_;
};

}  // namespace gaggle
