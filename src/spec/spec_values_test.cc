#include "spec/spec_values.h"

#include <gtest/gtest.h>

#include "common/suggest.h"

namespace gaggle {
namespace {

using std::chrono::milliseconds;

TEST(SpecValues, Durations) {
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("30s"), milliseconds(30000));
  EXPECT_EQ(*ParseDuration("10m"), milliseconds(600000));
  EXPECT_EQ(*ParseDuration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(*ParseDuration("30d"), milliseconds(30LL * 86400000));
  EXPECT_EQ(*ParseDuration("2w"), milliseconds(14LL * 86400000));
  EXPECT_EQ(*ParseDuration("45"), milliseconds(45000));
  EXPECT_EQ(*ParseDuration("0s"), milliseconds(0));
  for (const char* bad : {"", "-1", "1.5h", "10 m", "m", "30m1h", "1h1h", "5x", "99999999999999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseDuration("9223372036854775807d").ok());
  for (int64_t ms : {0LL, 1LL, 500LL, 1000LL, 5400000LL, 90061001LL, 30LL * 86400000}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
  EXPECT_EQ(FormatDuration(milliseconds(5400000)), "1h30m");
}

TEST(SpecValues, FractionsAndPercentages) {
  EXPECT_DOUBLE_EQ(*ParseFraction("1%"), 0.01);
  EXPECT_DOUBLE_EQ(*ParseFraction("0.1%"), 0.001);
  EXPECT_DOUBLE_EQ(*ParseFraction("0.25"), 0.25);
  EXPECT_DOUBLE_EQ(*ParseFraction("100%"), 1);
  for (const char* bad : {"", "%", "101%", "1.5", "-0.1", "nan", "inf", "abc", "5 %"}) {
    EXPECT_FALSE(ParseFraction(bad).ok()) << bad;
  }
  EXPECT_EQ(*ParsePercentage("5%"), 5);
  EXPECT_EQ(*ParsePercentage("0.07"), 7);
  EXPECT_EQ(*ParsePercentage("1"), 100);
  EXPECT_FALSE(ParsePercentage("100").ok());
}

TEST(SpecValues, EditDistanceAndSuggestions) {
  EXPECT_EQ(EditDistance("double", "double"), 0u);
  EXPECT_EQ(EditDistance("dobule", "double"), 1u);  // a transposition costs 1
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("ABC", "abc"), 0u);
  std::vector<std::string> keys = {"transform", "target", "rollout"};
  EXPECT_EQ(ClosestMatch("tranform", keys), "transform");
  EXPECT_EQ(ClosestMatch("targte", keys), "target");
  EXPECT_EQ(ClosestMatch("zzz", keys), "");
  EXPECT_EQ(ClosestMatch("x", {"id"}), "");
  EXPECT_EQ(DidYouMean("rollot", keys), " (did you mean 'rollout'?)");
  EXPECT_EQ(DidYouMean("rollout", keys), "");
}

}  // namespace
}  // namespace gaggle
