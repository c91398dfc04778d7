#include "store/work_queue.h"

namespace gaggle {

const char* WorkKindName(WorkKind kind) {
  switch (kind) {
    case WorkKind::kAgent: return "agent";
    case WorkKind::kValidate: return "validate";
    case WorkKind::kAgentThenValidate: return "agent+validate";
  }
  return "agent";
}

Result<WorkKind> ParseWorkKind(const std::string& name) {
  if (name == "agent") return WorkKind::kAgent;
  if (name == "validate") return WorkKind::kValidate;
  if (name == "agent+validate") return WorkKind::kAgentThenValidate;
  return Status::InvalidArgument("unknown work kind '" + name + "' (agent, validate, agent+validate)");
}

}  // namespace gaggle
