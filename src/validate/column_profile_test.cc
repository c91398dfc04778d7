#include "validate/column_profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "columnar/value_format.h"
#include "validate/dataset_profile.h"

namespace gaggle {
namespace {

// Profiles `column` split into batches of `batch` rows, sampling every row of the
// stream with a reservoir of `sample` slots (as DatasetProfile does).
ColumnSummary ProfileColumn(const Column& column, size_t batch = 1000, size_t sample = 16384) {
  ProfileOptions options;
  options.sample_rows = sample;
  ColumnProfile profile("c", column.type(), options);
  RowReservoir reservoir(options.sample_rows, options.seed);
  std::vector<RowReservoir::Pick> picks;
  for (size_t start = 0; start < column.size(); start += batch) {
    Column part(column.type());
    for (size_t i = start; i < std::min(column.size(), start + batch); ++i) part.AppendFrom(column, i);
    profile.Update(part);
    reservoir.Advance(part.size(), &picks);
    profile.Sample(part, picks);
  }
  return profile.Summarize();
}

TEST(ColumnProfileTest, IntegerStatisticsWithNulls) {
  Column c(DataType::Int64());
  for (int64_t v : {5, -3, 12, 7}) c.Append<int64_t>(v);
  c.AppendNull();
  c.Append<int64_t>(5);
  ColumnSummary s = ProfileColumn(c, 2);
  EXPECT_EQ(s.rows, 6);
  EXPECT_EQ(s.nulls, 1);
  EXPECT_EQ(*s.min, -3);
  EXPECT_EQ(*s.max, 12);
  EXPECT_DOUBLE_EQ(*s.mean, 26.0 / 5);
  EXPECT_EQ(*s.min_text, "-3");
  EXPECT_EQ(*s.max_text, "12");
  EXPECT_NEAR(s.distinct, 4, 0.01);
  EXPECT_EQ(s.sample_size, 5);
  ASSERT_EQ(s.quantiles.size(), kNumQuantiles);
  EXPECT_DOUBLE_EQ(s.quantiles[2], 5);  // median of {-3, 5, 5, 7, 12}
}

TEST(ColumnProfileTest, QuantilesOfAUniformDistribution) {
  Column c(DataType::Int32());
  for (int32_t i = 0; i < 200000; ++i) c.Append<int32_t>((i * 7919) % 200000);  // a permutation of 0..199999
  ColumnSummary s = ProfileColumn(c, 65536);
  ASSERT_EQ(s.quantiles.size(), kNumQuantiles);
  // A 16384-row sample: the quantile's standard error is about sqrt(p(1-p)/n) * range <= 800.
  const double expected[] = {2000, 50000, 100000, 150000, 198000};
  for (size_t i = 0; i < kNumQuantiles; ++i) EXPECT_NEAR(s.quantiles[i], expected[i], 3000) << i;
  EXPECT_EQ(*s.min, 0);
  EXPECT_EQ(*s.max, 199999);
  EXPECT_NEAR(*s.mean, 99999.5, 1e-6);
  EXPECT_NEAR(s.distinct, 200000, 0.03 * 200000);
}

TEST(ColumnProfileTest, QuantilesOfANormalDistribution) {
  Column c(DataType::Double());
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(10.0, 2.0);
  for (int i = 0; i < 300000; ++i) c.Append<double>(normal(rng));
  ColumnSummary s = ProfileColumn(c, 4096);
  // z = -2.326, -0.674, 0, 0.674, 2.326
  const double expected[] = {10 - 2 * 2.326, 10 - 2 * 0.674, 10, 10 + 2 * 0.674, 10 + 2 * 2.326};
  for (size_t i = 0; i < kNumQuantiles; ++i) EXPECT_NEAR(s.quantiles[i], expected[i], 0.12) << i;
  EXPECT_NEAR(*s.mean, 10.0, 0.02);
}

TEST(ColumnProfileTest, FloatingNaNsAreCountedApart) {
  Column c(DataType::Double());
  c.Append<double>(1.5);
  c.Append<double>(std::nan(""));
  c.Append<double>(-2.5);
  c.AppendNull();
  ColumnSummary s = ProfileColumn(c);
  EXPECT_EQ(s.nulls, 1);
  EXPECT_EQ(s.nans, 1);
  EXPECT_DOUBLE_EQ(*s.min, -2.5);
  EXPECT_DOUBLE_EQ(*s.max, 1.5);
  EXPECT_DOUBLE_EQ(*s.mean, -0.5);
  EXPECT_EQ(s.sample_size, 2);
}

TEST(ColumnProfileTest, StringsHaveExtremesAndExactTopValues) {
  Column c(DataType::String());
  for (const char* v : {"pear", "apple", "pear", "fig", "pear", "apple"}) c.AppendString(v);
  c.AppendNull();
  ColumnSummary s = ProfileColumn(c, 3);
  EXPECT_EQ(s.nulls, 1);
  EXPECT_EQ(*s.min_text, "apple");
  EXPECT_EQ(*s.max_text, "pear");
  EXPECT_FALSE(s.mean.has_value());
  EXPECT_TRUE(s.top_values_exact);
  ASSERT_EQ(s.top_values.size(), 3u);
  EXPECT_EQ(s.top_values[0], (ValueCount{"pear", 3}));
  EXPECT_EQ(s.top_values[1], (ValueCount{"apple", 2}));
  EXPECT_TRUE(s.categories_exact);
  EXPECT_EQ(s.categories.size(), 3u);
  EXPECT_NEAR(s.distinct, 3, 0.01);
  EXPECT_TRUE(s.quantiles.empty());
}

TEST(ColumnProfileTest, ManyDistinctStringsTurnApproximate) {
  Column c(DataType::String());
  for (int i = 0; i < 5000; ++i) c.AppendString(i % 4 == 0 ? std::string("common") : "v" + std::to_string(i));
  ColumnSummary s = ProfileColumn(c);
  EXPECT_FALSE(s.top_values_exact);
  EXPECT_FALSE(s.categories_exact);
  ASSERT_FALSE(s.top_values.empty());
  EXPECT_EQ(s.top_values[0].value, "common");
  int64_t binned = 0;
  for (int64_t b : s.histogram) binned += b;
  EXPECT_EQ(binned, 5000);
  EXPECT_NEAR(s.distinct, 3751, 0.03 * 3751);
}

TEST(ColumnProfileTest, BoolCountsAreExact) {
  Column c(DataType::Bool());
  for (int i = 0; i < 10; ++i) c.Append<uint8_t>(i < 7 ? 1 : 0);
  c.AppendNull();
  ColumnSummary s = ProfileColumn(c);
  EXPECT_EQ(s.nulls, 1);
  EXPECT_DOUBLE_EQ(*s.mean, 0.7);
  EXPECT_EQ(s.distinct, 2);
  ASSERT_EQ(s.top_values.size(), 2u);
  EXPECT_EQ(s.top_values[0], (ValueCount{"true", 7}));
  EXPECT_EQ(s.top_values[1], (ValueCount{"false", 3}));
  EXPECT_EQ(*s.min_text, "false");
}

TEST(ColumnProfileTest, DatesTimestampsAndDecimalsRenderInTheirType) {
  Column d(DataType::Date());
  d.Append<int32_t>(19723);  // 2024-01-01
  d.Append<int32_t>(0);
  ColumnSummary ds = ProfileColumn(d);
  EXPECT_EQ(*ds.min_text, "1970-01-01");
  EXPECT_EQ(*ds.max_text, "2024-01-01");
  Column t(DataType::Timestamp());
  t.Append<int64_t>(1500000);
  ColumnSummary ts = ProfileColumn(t);
  EXPECT_EQ(*ts.min_text, "1970-01-01T00:00:01.500000Z");
  Column m(DataType::Decimal(10, 2));
  m.Append<int64_t>(1250);  // 12.50
  m.Append<int64_t>(-50);   // -0.50
  ColumnSummary ms = ProfileColumn(m);
  EXPECT_DOUBLE_EQ(*ms.mean, 6.0);
  EXPECT_DOUBLE_EQ(*ms.min, -0.5);
  EXPECT_EQ(*ms.max_text, "12.50");
  EXPECT_DOUBLE_EQ(ms.quantiles[4], 12.5 - 0.01 * 13.0);
}

TEST(ColumnProfileTest, WideDecimalsKeepExactExtremesAndTheNarrowFingerprint) {
  Column w(DataType::Decimal(38, 2));
  const Int128 big = Pow10Int128(37) + 7;  // 100000000000000000000000000000000000.07
  w.Append<Int128>(big);
  w.Append<Int128>(-250);
  w.AppendNull();
  ColumnSummary ws = ProfileColumn(w);
  EXPECT_EQ(ws.nulls, 1);
  EXPECT_EQ(*ws.max_text, "100000000000000000000000000000000000.07");
  EXPECT_EQ(*ws.min_text, "-2.50");
  EXPECT_NEAR(*ws.mean, 5e34, 1e20);
  // Values that fit 64 bits hash as in a narrow decimal column: the width is storage, not value.
  Column narrow(DataType::Decimal(18, 2)), wide(DataType::Decimal(38, 2));
  for (int64_t v : {1250, -50, 0}) {
    narrow.Append<int64_t>(v);
    wide.Append<Int128>(v);
  }
  EXPECT_EQ(ProfileColumn(narrow).fingerprint, ProfileColumn(wide).fingerprint);
  Column other(DataType::Decimal(38, 2));
  for (Int128 v : {Int128{1250}, Int128{-50}, big}) other.Append<Int128>(v);
  EXPECT_NE(ProfileColumn(other).fingerprint, ProfileColumn(wide).fingerprint);
}

TEST(ColumnProfileTest, FingerprintIgnoresOrderButSeesOneChangedValue) {
  Column a(DataType::String()), b(DataType::String()), changed(DataType::String());
  for (int i = 0; i < 100; ++i) a.AppendString("v" + std::to_string(i));
  for (int i = 99; i >= 0; --i) b.AppendString("v" + std::to_string(i));
  for (int i = 0; i < 100; ++i) changed.AppendString(i == 42 ? "oops" : "v" + std::to_string(i));
  EXPECT_EQ(ProfileColumn(a, 7).fingerprint, ProfileColumn(b, 30).fingerprint);
  EXPECT_NE(ProfileColumn(a).fingerprint, ProfileColumn(changed).fingerprint);
  Column n1(DataType::Int64()), n2(DataType::Int64());
  n1.Append<int64_t>(1);
  n1.AppendNull();
  n2.AppendNull();
  n2.Append<int64_t>(1);
  EXPECT_EQ(ProfileColumn(n1).fingerprint, ProfileColumn(n2).fingerprint);
  Column n3(DataType::Int64());
  n3.Append<int64_t>(1);
  n3.Append<int64_t>(0);
  EXPECT_NE(ProfileColumn(n1).fingerprint, ProfileColumn(n3).fingerprint);
}

TEST(DatasetProfileTest, IdenticalRowsGiveIdenticalSamplesAndChecksums) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"x", DataType::Double()}});
  ProfileOptions options;
  options.sample_rows = 500;
  DatasetProfile one(schema, options), two(schema, options);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> values(20000);
  for (double& v : values) v = u(rng);
  auto feed = [&](DatasetProfile* p, size_t batch) {
    for (size_t start = 0; start < values.size(); start += batch) {
      RecordBatch rb = RecordBatch::Empty(schema);
      for (size_t i = start; i < std::min(values.size(), start + batch); ++i) rb.columns[0].Append<double>(values[i]);
      p->Update(rb);
    }
  };
  feed(&one, 1000);
  feed(&two, 4096);
  EXPECT_EQ(one.rows(), 20000);
  EXPECT_EQ(one.checksum().value(), two.checksum().value());
  auto s1 = one.Summarize(), s2 = two.Summarize();
  ASSERT_EQ(s1.size(), 1u);
  EXPECT_EQ(s1[0].sample, s2[0].sample);
  EXPECT_EQ(s1[0].sample.size(), 500u);
}

}  // namespace
}  // namespace gaggle
