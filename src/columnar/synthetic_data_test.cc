#include "columnar/synthetic_data.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "columnar/value_format.h"

namespace gaggle {
namespace {

std::vector<std::string> Render(const RecordBatch& b) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < b.num_rows(); ++r) {
    std::string line;
    for (const Column& c : b.columns) line += c.ValueToString(r) + "|";
    rows.push_back(line);
  }
  return rows;
}

TEST(SyntheticData, SameSeedSameRowsWhateverTheBatchSize) {
  for (const char* profile : {"bench", "events", "nested_events", "nested_bench"}) {
    auto a = SyntheticData::Make(profile, 7);
    auto b = SyntheticData::Make(profile, 7);
    ASSERT_TRUE(a.ok() && b.ok());
    RecordBatch whole, part;
    a->NextBatch(100, &whole);
    ASSERT_TRUE(whole.Validate().ok());
    std::vector<std::string> pieces;
    for (int i = 0; i < 4; ++i) {
      b->NextBatch(25, &part);
      for (auto& r : Render(part)) pieces.push_back(r);
    }
    EXPECT_EQ(Render(whole), pieces) << profile;
  }
}

// The estate's data is the same from release to release: a demo, a benchmark or a test
// that generated an estate gets the same bytes again. The digest was taken from the
// snprintf-based generator that the fixed-width formatting replaced.
TEST(SyntheticData, EventsAreTheSameRowsAsEver) {
  auto d = SyntheticData::Make("nested_events", 11, 0.05);
  ASSERT_TRUE(d.ok());
  RecordBatch b;
  d->NextBatch(20000, &b);
  uint64_t h = 1469598103934665603ULL;  // FNV-1a over every rendered row
  for (const std::string& row : Render(b)) {
    for (unsigned char c : row) h = (h ^ c) * 1099511628211ULL;
  }
  EXPECT_EQ(b.columns[1].GetString(0), "2024-01-01T00:00:00.000Z") << "the first timestamp";
  EXPECT_EQ(h, 8605818346002324287ULL) << Render(b)[1];
}

TEST(SyntheticData, EventsHaveParseableTimestampsAndRequestedBadAmounts) {
  auto d = SyntheticData::Make("events", 3, 0.1);
  ASSERT_TRUE(d.ok());
  RecordBatch b;
  d->NextBatch(10000, &b);
  size_t bad = 0;
  for (size_t r = 0; r < b.num_rows(); ++r) {
    int64_t us;
    ASSERT_TRUE(ParseTimestamp(b.columns[1].GetString(r), &us)) << b.columns[1].GetString(r);
    double v;
    if (!ParseDouble(b.columns[2].GetString(r), &v)) ++bad;
  }
  EXPECT_GT(bad, 700u);
  EXPECT_LT(bad, 1300u);
  EXPECT_GT(b.columns[5].null_count(), 0u);
  EXPECT_FALSE(SyntheticData::Make("nope", 1).ok());
}

TEST(SyntheticData, NestedBenchHasTheBenchmarksShape) {
  auto d = SyntheticData::Make("nested_bench", 5);
  ASSERT_TRUE(d.ok());
  RecordBatch b;
  d->NextBatch(10000, &b);
  ASSERT_TRUE(b.Validate().ok());
  const Column& items = b.columns[1];
  uint64_t longest = 0;
  size_t empty = 0;
  for (size_t r = 0; r < b.num_rows(); ++r) {
    if (items.IsNull(r)) continue;
    longest = std::max(longest, items.ListLength(r));
    if (items.ListLength(r) == 0) ++empty;
  }
  EXPECT_EQ(longest, 8u);  // 0-8 elements
  EXPECT_GT(empty, 0u);
  EXPECT_GT(items.null_count(), 100u);  // about 2%
  EXPECT_LT(items.null_count(), 300u);
  EXPECT_GT(b.columns[3].null_count(), 300u);  // device: about 5%
  EXPECT_LT(b.columns[3].null_count(), 700u);
  EXPECT_EQ(b.columns[3].type().children->size(), 4u);
}

}  // namespace
}  // namespace gaggle
