#include "transform/column_take.h"

#include <gtest/gtest.h>

#include <random>

namespace gaggle {
namespace {

// The row-at-a-time reference: what TakeRows must equal, whatever runs its rows form.
Column TakeOneByOne(const Column& in, const std::vector<uint32_t>& rows) {
  Column out(in.type());
  for (uint32_t r : rows) out.AppendFrom(in, r);
  return out;
}

Column Strings(size_t n, std::mt19937* random) {
  Column c(DataType::String());
  for (size_t i = 0; i < n; ++i) {
    if ((*random)() % 7 == 0) {
      c.AppendNull();
    } else {
      c.AppendString(std::string((*random)() % 5, static_cast<char>('a' + i % 26)));  // empty strings too
    }
  }
  return c;
}

Column Lists(size_t n, std::mt19937* random) {
  Column c(DataType::List(DataType::Int64()));
  for (size_t i = 0; i < n; ++i) {
    if ((*random)() % 5 == 0) {
      c.AppendNull();
      continue;
    }
    const int64_t len = static_cast<int64_t>((*random)() % 4);
    for (int64_t k = 0; k < len; ++k) c.child(0).Append<int64_t>(static_cast<int64_t>(i) * 10 + k);
    c.CommitList();
  }
  return c;
}

// Selections of every shape: what a filter keeps (ascending, in runs), none, all, one row
// repeated (an added constant), descending and shuffled.
std::vector<std::vector<uint32_t>> Selections(size_t n, std::mt19937* random) {
  std::vector<std::vector<uint32_t>> out(6);
  for (uint32_t i = 0; i < n; ++i) {
    if ((*random)() % 10 != 0) out[0].push_back(i);
    out[2].push_back(i);
    out[4].push_back(static_cast<uint32_t>(n - 1 - i));
  }
  out[3].assign(n, static_cast<uint32_t>(n / 2));
  out[5] = out[2];
  std::shuffle(out[5].begin(), out[5].end(), *random);
  return out;
}

TEST(ColumnTake, EqualsTakingRowsOneByOne) {
  std::mt19937 random(7);
  for (size_t n : {1u, 2u, 17u, 1000u}) {
    for (const Column& in : {Strings(n, &random), Lists(n, &random)}) {
      for (const std::vector<uint32_t>& rows : Selections(n, &random)) {
        Column got = TakeRows(in, rows);
        ASSERT_TRUE(got.Equals(TakeOneByOne(in, rows))) << in.type().ToString() << ", " << rows.size() << " of " << n;
      }
    }
  }
}

TEST(ColumnTake, IntoAReusedColumnForgetsItsRows) {
  std::mt19937 random(11);
  Column in = Strings(100, &random);
  Column out(DataType::String());
  out.AppendString("left over from the previous batch");
  TakeRowsInto(in, {3, 4, 5, 9, 10}, &out);
  EXPECT_TRUE(out.Equals(TakeOneByOne(in, {3, 4, 5, 9, 10})));
}

}  // namespace
}  // namespace gaggle
