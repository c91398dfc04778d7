// RowError: one row of a batch that a cast or an expression could not compute.
//
// Casts and expressions never fail a whole batch for bad values: the row's
// result becomes null and a RowError (its index in the batch, and why) is
// appended, so the agent can dead-letter exactly that row.
#pragma once

#include <cstddef>
#include <string>

namespace gaggle {

struct RowError {
  size_t row = 0;
  std::string reason;  // "cannot parse 'abc' as double", "integer overflow in 'a * b'"

  bool operator==(const RowError& o) const { return row == o.row && reason == o.reason; }
};

}  // namespace gaggle
