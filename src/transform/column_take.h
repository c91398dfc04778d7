// Column selection kernels used by the transformer: gather rows by index, and
// repeat one value. Both keep types and nulls.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "columnar/column.h"

namespace gaggle {

// Rows rows[0], rows[1], ... of `in` (each index < in.size()).
Column TakeRows(const Column& in, const std::vector<uint32_t>& rows);
// The same into *out, reusing its buffers when it already has in's type (batch
// after batch, this avoids allocating and page-faulting fresh memory).
void TakeRowsInto(const Column& in, const std::vector<uint32_t>& rows, Column* out);

// `n` copies of row `row` of `value`.
Column RepeatValue(const Column& value, size_t row, size_t n);

}  // namespace gaggle
