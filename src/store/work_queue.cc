#include "store/work_queue.h"

#include <algorithm>

namespace gaggle {

const char* WorkKindName(WorkKind kind) {
  switch (kind) {
    case WorkKind::kAgent: return "agent";
    case WorkKind::kValidate: return "validate";
    case WorkKind::kAgentThenValidate: return "agent+validate";
  }
  return "agent";
}

Result<bool> WorkQueue::Finish(const std::string& worker, int64_t id, int64_t epoch, bool ok, const std::string& result,
                               int64_t now_ms) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<bool> recorded, FinishAll(worker, {{id, epoch, ok, result}}, now_ms));
  return !recorded.empty() && recorded[0];
}

Result<WorkKind> ParseWorkKind(const std::string& name) {
  if (name == "agent") return WorkKind::kAgent;
  if (name == "validate") return WorkKind::kValidate;
  if (name == "agent+validate") return WorkKind::kAgentThenValidate;
  return Status::InvalidArgument("unknown work kind '" + name + "' (agent, validate, agent+validate)");
}

Result<std::map<std::string, std::string>> ParseWorkerLabels(const std::string& text) {
  std::map<std::string, std::string> labels;
  size_t at = 0;
  while (at < text.size()) {
    const size_t comma = std::min(text.find(',', at), text.size());
    const std::string pair = text.substr(at, comma - at);
    const size_t eq = pair.find('=');
    const std::string key = pair.substr(0, eq), value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    const auto bad = [](const std::string& s) { return s.empty() || s.find_first_of("=, ") != std::string::npos; };
    if (eq == std::string::npos || bad(key) || bad(value)) {
      return Status::InvalidArgument("worker labels '" + text + "': '" + pair +
                                     "' is not k=v (non-empty, without ',', '=' or spaces)");
    }
    if (!labels.emplace(key, value).second) {
      return Status::InvalidArgument("worker labels '" + text + "': '" + key + "' is given twice");
    }
    at = comma + 1;
  }
  return labels;
}

std::string FormatWorkerLabels(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

}  // namespace gaggle
