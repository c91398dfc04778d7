#include "transform/column_take.h"

namespace gaggle {
namespace {

template <typename T>
void Gather(const Column& in, const std::vector<uint32_t>& rows, Column* out) {
  const T* src = in.data<T>();
  T* dst = out->mutable_data<T>();
  const size_t m = rows.size();
  for (size_t j = 0; j < m; ++j) dst[j] = src[rows[j]];
}

}  // namespace

Column TakeRows(const Column& in, const std::vector<uint32_t>& rows) {
  Column out(in.type());
  TakeRowsInto(in, rows, &out);
  return out;
}

void TakeRowsInto(const Column& in, const std::vector<uint32_t>& rows, Column* dst) {
  if (dst->type() == in.type()) {
    dst->Clear();
  } else {
    *dst = Column(in.type());
  }
  Column& out = *dst;
  const size_t m = rows.size();
  if (in.type().is_nested() || in.type().is_variable_width()) {
    // Each run of consecutive rows (a filter keeps most rows in runs) is one bulk append.
    if (in.type().is_variable_width()) {
      const size_t avg = in.size() == 0 ? 0 : in.chars().size() / in.size();
      out.Reserve(m, avg * m);  // average width times rows: one allocation in the common case
    }
    for (size_t j = 0; j < m;) {
      size_t k = j + 1;
      while (k < m && rows[k] == rows[k - 1] + 1) ++k;
      out.AppendRange(in, rows[j], k - j);
      j = k;
    }
    return;
  }
  out.Resize(m);
  switch (in.type().byte_width()) {
    case 1: Gather<uint8_t>(in, rows, &out); break;
    case 4: Gather<int32_t>(in, rows, &out); break;
    case 16: Gather<Int128>(in, rows, &out); break;  // decimals over 18 digits
    default: Gather<int64_t>(in, rows, &out); break;
  }
  if (in.may_have_nulls()) {
    for (size_t j = 0; j < m; ++j) {
      if (in.IsNull(rows[j])) out.SetNull(j);
    }
  }
}

Column RepeatValue(const Column& value, size_t row, size_t n) {
  return TakeRows(value, std::vector<uint32_t>(n, static_cast<uint32_t>(row)));
}

}  // namespace gaggle
