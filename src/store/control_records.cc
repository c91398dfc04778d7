#include "store/control_records.h"

#include <algorithm>
#include <tuple>

namespace gaggle {

const char* RoleName(Role r) {
  switch (r) {
    case Role::kViewer: return "viewer";
    case Role::kOperator: return "operator";
    case Role::kAdmin: return "admin";
  }
  return "viewer";
}

Result<Role> ParseRole(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "operator") return Role::kOperator;
  if (name == "admin") return Role::kAdmin;
  return Status::InvalidArgument("unknown role '" + std::string(name) + "' (expected viewer, operator or admin)");
}

void AssembleTaskPage(std::vector<TaskRow> rows, size_t limit, bool any_stopped, std::tuple<int, int64_t> horizon,
                      TaskQueryPage* page) {
  std::sort(rows.begin(), rows.end(), [](const TaskRow& a, const TaskRow& b) {
    return std::tie(a.task.stage, a.task.ordinal) < std::tie(b.task.stage, b.task.ordinal);
  });
  for (TaskRow& r : rows) {
    if (page->rows.size() >= limit) break;
    if (any_stopped && std::make_tuple(r.task.stage, r.task.ordinal) > horizon) break;
    page->rows.push_back(std::move(r));
  }
  if (page->rows.size() >= limit) {
    page->more = true;
    page->next_stage = page->rows.back().task.stage;
    page->next_ordinal = page->rows.back().task.ordinal;
  } else if (any_stopped) {
    page->more = true;
    page->next_stage = std::get<0>(horizon);
    page->next_ordinal = std::get<1>(horizon);
  }
}

}  // namespace gaggle
