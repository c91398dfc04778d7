#include "dataset/content_checksum.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gaggle {
namespace {

std::shared_ptr<const Schema> TwoColumns() {
  return std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Int64()}, {"name", DataType::String()}});
}

RecordBatch Rows(const std::vector<std::pair<int64_t, std::string>>& rows, bool null_last_name = false) {
  RecordBatch b = RecordBatch::Empty(TwoColumns());
  for (size_t i = 0; i < rows.size(); ++i) {
    b.columns[0].Append<int64_t>(rows[i].first);
    if (null_last_name && i + 1 == rows.size()) {
      b.columns[1].AppendNull();
    } else {
      b.columns[1].AppendString(rows[i].second);
    }
  }
  return b;
}

TEST(ContentChecksum, IndependentOfRowOrderAndBatching) {
  ContentChecksum a, b;
  a.Update(Rows({{1, "x"}, {2, "y"}, {3, "z"}}));
  b.Update(Rows({{3, "z"}}));
  b.Update(Rows({{2, "y"}, {1, "x"}}));
  EXPECT_EQ(a.value(), b.value());
  EXPECT_EQ(a.rows(), 3u);
  EXPECT_EQ(a.ToHex().size(), 16u);
}

TEST(ContentChecksum, DetectsChangedValuesSwapsAndNulls) {
  ContentChecksum base, changed, swapped, nulled, dup;
  base.Update(Rows({{1, "x"}, {2, "y"}}));
  changed.Update(Rows({{1, "x"}, {2, "Y"}}));
  swapped.Update(Rows({{1, "y"}, {2, "x"}}));  // same column multisets, different rows
  nulled.Update(Rows({{1, "x"}, {2, ""}}, /*null_last_name=*/true));
  dup.Update(Rows({{1, "x"}, {1, "x"}}));
  EXPECT_NE(base.value(), changed.value());
  EXPECT_NE(base.value(), swapped.value());
  EXPECT_NE(base.value(), nulled.value());
  EXPECT_NE(base.value(), dup.value());
  ContentChecksum empty_string;
  empty_string.Update(Rows({{1, "x"}, {2, ""}}));
  EXPECT_NE(empty_string.value(), nulled.value());
}

TEST(ContentChecksum, SelectedRowsAndMerge) {
  RecordBatch b = Rows({{1, "x"}, {2, "y"}, {3, "z"}});
  ContentChecksum some;
  some.UpdateSelected(b, {1, 0, 1});
  ContentChecksum expected;
  expected.Update(Rows({{1, "x"}, {3, "z"}}));
  EXPECT_EQ(some.value(), expected.value());
  ContentChecksum other;
  other.Update(Rows({{2, "y"}}));
  some.Merge(other);
  ContentChecksum all;
  all.Update(b);
  EXPECT_EQ(some.value(), all.value());
  EXPECT_EQ(some.rows(), 3u);
}

TEST(ContentChecksum, WideDecimalsAreHashedWholeAndLikeNarrowOnes) {
  auto schema_of = [](int precision) {
    return std::make_shared<Schema>(std::vector<Field>{{"d", DataType::Decimal(precision, 2)}});
  };
  auto one = [&](int precision, Int128 v) {
    RecordBatch b = RecordBatch::Empty(schema_of(precision));
    if (precision > 18) {
      b.columns[0].Append<Int128>(v);
    } else {
      b.columns[0].Append<int64_t>(static_cast<int64_t>(v));
    }
    ContentChecksum c;
    c.Update(b);
    return c.value();
  };
  EXPECT_EQ(one(18, -12345), one(38, -12345));  // the storage width does not change a value's hash
  // Values that differ only in their high 64 bits differ.
  const Int128 high = static_cast<Int128>(1) << 64;
  EXPECT_NE(one(38, high + 5), one(38, 5));
  EXPECT_NE(one(38, high * 3 + 5), one(38, high + 5));
}

TEST(ContentChecksum, AllNaNsAreEqual) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"v", DataType::Double()}});
  RecordBatch a = RecordBatch::Empty(schema), b = RecordBatch::Empty(schema);
  a.columns[0].Append<double>(std::nan("1"));
  b.columns[0].Append<double>(-std::nan("2"));
  ContentChecksum ca, cb;
  ca.Update(a);
  cb.Update(b);
  EXPECT_EQ(ca.value(), cb.value());
}

// The checksum is stored in manifests and compared across versions: its value for a batch
// of every flat and nested type, nulls included, must never change.
TEST(ContentChecksum, ValueIsPinnedAcrossVersions) {
  std::vector<Field> fields = {
      {"b", DataType::Bool()},      {"i", DataType::Int32()},        {"l", DataType::Int64()},
      {"f", DataType::Float()},     {"d", DataType::Double()},       {"s", DataType::String()},
      {"t", DataType::Timestamp()}, {"w", DataType::Decimal(30, 2)}, {"n", DataType::List(DataType::Int64())}};
  RecordBatch batch = RecordBatch::Empty(std::make_shared<Schema>(fields));
  for (int r = 0; r < 5; ++r) {
    auto& c = batch.columns;
    if (r == 3) {
      for (Column& col : c) col.AppendNull();
      continue;
    }
    c[0].Append<uint8_t>(r % 2);
    c[1].Append<int32_t>(-r * 1000);
    c[2].Append<int64_t>(int64_t{1} << (10 * r));
    c[3].Append<float>(r == 4 ? std::nanf("") : 0.5f * static_cast<float>(r));
    c[4].Append<double>(r == 4 ? -0.0 : 1.25 * r);
    c[5].AppendString(std::string(static_cast<size_t>(r), 'x'));
    c[6].Append<int64_t>(1700000000000000 + r);
    c[7].Append<Int128>(static_cast<Int128>(r) * static_cast<Int128>(INT64_MAX) * 3);
    for (int k = 0; k < r; ++k) c[8].child(0).Append<int64_t>(k);
    c[8].CommitList();
  }
  ContentChecksum sum;
  sum.Update(batch);
  EXPECT_EQ(sum.ToHex(), "d81d2d4e4a24d16c");  // computed before the one-pass fold too
  EXPECT_EQ(sum.rows(), 5u);
}

}  // namespace
}  // namespace gaggle
