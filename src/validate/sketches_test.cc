// Tests of the bounded-memory sketches: HyperLogLog, RowReservoir, FrequencyCounter.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "validate/frequency_counter.h"
#include "validate/hyper_log_log.h"
#include "validate/row_reservoir.h"

namespace gaggle {
namespace {

TEST(HyperLogLogTest, EmptyIsZero) {
  HyperLogLog hll;
  EXPECT_EQ(hll.Estimate(), 0.0);
  EXPECT_EQ(hll.num_registers(), 16384u);
  EXPECT_NEAR(hll.StandardError(), 0.0081, 0.0001);
}

TEST(HyperLogLogTest, ErrorBoundOnOneMillionDistinctValues) {
  HyperLogLog hll;
  for (uint64_t i = 0; i < 1000000; ++i) hll.AddHash(MixHash64(i));
  // Standard error 0.81%; 3% is more than 3.5 standard errors.
  EXPECT_NEAR(hll.Estimate(), 1e6, 0.03 * 1e6);
}

TEST(HyperLogLogTest, AccurateAcrossTheRange) {
  for (uint64_t n : {1ull, 10ull, 100ull, 5000ull, 20000ull, 60000ull, 300000ull}) {
    HyperLogLog hll;
    for (uint64_t i = 0; i < n; ++i) hll.AddHash(MixHash64(i * 7919 + n));
    const double tolerance = std::max(1.0, 0.03 * static_cast<double>(n));
    EXPECT_NEAR(hll.Estimate(), static_cast<double>(n), tolerance) << "n = " << n;
  }
}

TEST(HyperLogLogTest, DuplicatesDoNotCount) {
  HyperLogLog hll;
  for (int rep = 0; rep < 50; ++rep) {
    for (uint64_t i = 0; i < 1000; ++i) hll.AddHash(MixHash64(i));
  }
  EXPECT_NEAR(hll.Estimate(), 1000, 30);
}

TEST(HyperLogLogTest, MergeIsUnion) {
  HyperLogLog a, b, all;
  for (uint64_t i = 0; i < 60000; ++i) {
    (i % 2 ? a : b).AddHash(MixHash64(i));
    all.AddHash(MixHash64(i));
  }
  ASSERT_TRUE(a.Merge(b));
  EXPECT_DOUBLE_EQ(a.Estimate(), all.Estimate());
  HyperLogLog other(10);
  EXPECT_FALSE(a.Merge(other));
}

std::vector<RowReservoir::Pick> AllPicks(RowReservoir* r, const std::vector<size_t>& batches) {
  std::vector<RowReservoir::Pick> all, picks;
  size_t base = 0;
  for (size_t rows : batches) {
    r->Advance(rows, &picks);
    for (auto p : picks) all.push_back({base + p.row, p.slot});
    base += rows;
  }
  return all;
}

TEST(RowReservoirTest, SamePicksWhateverTheBatching) {
  RowReservoir a(100, 7), b(100, 7);
  auto pa = AllPicks(&a, std::vector<size_t>(100, 1000));
  auto pb = AllPicks(&b, {1, 99999});
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].row, pb[i].row);
    EXPECT_EQ(pa[i].slot, pb[i].slot);
  }
  EXPECT_EQ(a.size(), 100u);
  EXPECT_EQ(a.rows_seen(), 100000u);
  // Algorithm L replaces about k ln(n/k) times.
  EXPECT_GT(pa.size(), 100u + 400u);
  EXPECT_LT(pa.size(), 100u + 1100u);
}

TEST(RowReservoirTest, SampleIsUniform) {
  const size_t k = 2000, n = 200000;
  RowReservoir r(k, 11);
  std::vector<size_t> slots(k, 0);
  for (auto p : AllPicks(&r, {n})) slots[p.slot] = p.row;
  // Each tenth of the stream should hold about a tenth of the sample.
  std::vector<int> deciles(10, 0);
  for (size_t row : slots) ++deciles[row * 10 / n];
  for (int d : deciles) EXPECT_NEAR(d, 200, 45);
  // A different seed samples other rows.
  RowReservoir other(k, 12);
  std::vector<size_t> other_slots(k, 0);
  for (auto p : AllPicks(&other, {n})) other_slots[p.slot] = p.row;
  EXPECT_NE(slots, other_slots);
}

TEST(RowReservoirTest, ShortStreamIsTakenWhole) {
  RowReservoir r(10, 1);
  std::vector<RowReservoir::Pick> picks;
  r.Advance(4, &picks);
  ASSERT_EQ(picks.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(picks[i].slot, i);
  EXPECT_EQ(r.size(), 4u);
}

TEST(FrequencyCounterTest, ExactBelowCapacity) {
  FrequencyCounter counter(8);
  const std::vector<std::string> values = {"a", "b", "a", "c", "a", "b"};
  for (const std::string& v : values) counter.Add(std::hash<std::string>()(v), v);
  EXPECT_TRUE(counter.exact());
  EXPECT_EQ(counter.total(), 6);
  auto top = counter.Values();
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0], (ValueCount{"a", 3}));
  EXPECT_EQ(top[1], (ValueCount{"b", 2}));
  EXPECT_EQ(top[2], (ValueCount{"c", 1}));
}

TEST(FrequencyCounterTest, KeepsHeavyHittersPastCapacity) {
  const size_t capacity = 16;
  FrequencyCounter counter(capacity);
  int64_t n = 0;
  // "hot" is 20% of the stream; the rest is all distinct.
  for (int i = 0; i < 50000; ++i) {
    std::string v = i % 5 == 0 ? "hot" : "cold" + std::to_string(i);
    counter.Add(std::hash<std::string>()(v), v);
    ++n;
  }
  EXPECT_FALSE(counter.exact());
  auto top = counter.Values();
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top[0].value, "hot");
  // Misra-Gries: the count is low by at most n / (capacity + 1).
  EXPECT_LE(top[0].count, 10000);
  EXPECT_GE(top[0].count, 10000 - n / static_cast<int64_t>(capacity + 1));
  EXPECT_LE(top.size(), capacity);
}

}  // namespace
}  // namespace gaggle
