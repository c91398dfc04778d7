#include "store/work_queue.h"

namespace gaggle {

const char* WorkKindName(WorkKind kind) { return kind == WorkKind::kAgent ? "agent" : "validate"; }

Result<WorkKind> ParseWorkKind(const std::string& name) {
  if (name == "agent") return WorkKind::kAgent;
  if (name == "validate") return WorkKind::kValidate;
  return Status::InvalidArgument("unknown work kind '" + name + "' (agent, validate)");
}

}  // namespace gaggle
