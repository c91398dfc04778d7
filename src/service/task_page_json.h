// TaskQueryPageText: a task page (service/task_operations.h) as the JSON text the API
// sends, written straight into one string. It is byte for byte what
// TaskQueryPageJson(page).dump() gives for valid UTF-8 (the same keys in the same,
// sorted, order; the same escapes), without building a JSON tree of 100 objects of 18
// members per request: under wrk -c16 that tree (its nodes' allocation, the
// serializer, their destruction) was the largest part of a page request's CPU.
// A string that is not valid UTF-8 has its bad bytes replaced with U+FFFD (the tree's
// dump would throw).
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "store/control_records.h"

namespace gaggle::service {

std::string TaskQueryPageText(const TaskQueryPage& page);

}  // namespace gaggle::service
