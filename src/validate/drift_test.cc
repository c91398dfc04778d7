#include "validate/drift.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace gaggle {
namespace {

TEST(DriftTest, KolmogorovSmirnovHandComputed) {
  // F_a steps at 1,2,3,4; F_b at 3,4,5,6: the gap is 0.5 from x=2 to x=4.
  std::vector<double> a = {1, 2, 3, 4}, b = {3, 4, 5, 6};
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(a, b), 0.5);
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(b, a), 0.5);
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(a, a), 0.0);
  std::vector<double> far = {10, 11};
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(a, far), 1.0);
}

TEST(DriftTest, KolmogorovSmirnovTiesAndUnequalSizes) {
  // Ties: at 1, F_a = 2/3 and F_b = 1/3; at 2 both are 1.
  std::vector<double> a = {1, 1, 2}, b = {1, 2, 2};
  EXPECT_NEAR(KolmogorovSmirnov(a, b), 1.0 / 3, 1e-12);
  // a = {1,2,3}, b = {2}: at 1: 1/3 - 0; at 2: 2/3 - 1; at 3: 0.
  std::vector<double> c = {1, 2, 3}, d = {2};
  EXPECT_NEAR(KolmogorovSmirnov(c, d), 1.0 / 3, 1e-12);
  // Same values, different multiplicities.
  std::vector<double> e = {5, 5, 5, 5}, f = {5};
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(e, f), 0.0);
}

TEST(DriftTest, KolmogorovSmirnovEmptySides) {
  std::vector<double> empty, one = {1};
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(empty, empty), 0.0);
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(empty, one), 1.0);
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(one, empty), 1.0);
}

std::vector<double> NormalSample(size_t n, double mean, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(mean, 1.0);
  std::vector<double> v(n);
  for (double& x : v) x = dist(rng);
  std::sort(v.begin(), v.end());
  return v;
}

TEST(DriftTest, KolmogorovSmirnovIdenticalVersusShiftedDistributions) {
  auto a = NormalSample(16384, 0.0, 1);
  auto b = NormalSample(16384, 0.0, 2);  // same distribution, other draws
  auto shifted = NormalSample(16384, 0.5, 3);
  // Noise between two samples of 16384: ~0.015 at 95%.
  EXPECT_LT(KolmogorovSmirnov(a, b), 0.025);
  // Shift by half a standard deviation: sup gap = Phi(0.25) - Phi(-0.25) = 0.1974.
  EXPECT_NEAR(KolmogorovSmirnov(a, shifted), 0.1974, 0.025);
}

TEST(DriftTest, TotalVariationHandComputed) {
  using Counts = std::vector<std::pair<uint64_t, int64_t>>;
  EXPECT_DOUBLE_EQ(TotalVariation(Counts{{1, 50}, {2, 50}}, Counts{{1, 25}, {2, 75}}), 0.25);
  EXPECT_DOUBLE_EQ(TotalVariation(Counts{{1, 1}}, Counts{{2, 1}}), 1.0);
  // p = {x .5, y .25, z .25}, q = {x .25, y .25, w .5}: (0.25 + 0 + 0.25 + 0.5) / 2.
  EXPECT_DOUBLE_EQ(TotalVariation(Counts{{1, 2}, {2, 1}, {3, 1}}, Counts{{2, 1}, {1, 1}, {4, 2}}), 0.5);
  // Scale does not matter, only frequencies.
  EXPECT_DOUBLE_EQ(TotalVariation(Counts{{7, 3}, {8, 1}}, Counts{{8, 100}, {7, 300}}), 0.0);
  EXPECT_DOUBLE_EQ(TotalVariation(Counts{}, Counts{}), 0.0);
  EXPECT_DOUBLE_EQ(TotalVariation(Counts{}, Counts{{1, 3}}), 1.0);
}

TEST(DriftTest, TotalVariationOfAlignedBins) {
  std::vector<int64_t> a = {10, 30, 60}, b = {20, 30, 50};
  EXPECT_NEAR(TotalVariationOfBins(a, b), 0.1, 1e-12);
  std::vector<int64_t> shorter = {1};
  std::vector<int64_t> longer = {1, 1};
  EXPECT_NEAR(TotalVariationOfBins(shorter, longer), 0.5, 1e-12);
}

TEST(DriftTest, NullRateDelta) {
  EXPECT_DOUBLE_EQ(NullRateDelta(10, 100, 30, 100), 0.2);
  EXPECT_DOUBLE_EQ(NullRateDelta(1, 4, 50, 200), 0.0);
  EXPECT_DOUBLE_EQ(NullRateDelta(0, 0, 0, 0), 0.0);
  EXPECT_DOUBLE_EQ(NullRateDelta(0, 0, 5, 5), 1.0);
}

TEST(DriftTest, SampleQuantileInterpolates) {
  std::vector<double> v = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(SampleQuantile(v, 0.5), 3);
  EXPECT_DOUBLE_EQ(SampleQuantile(v, 0.25), 2);
  EXPECT_DOUBLE_EQ(SampleQuantile(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(SampleQuantile(v, 1.0), 5);
  std::vector<double> two = {0, 10};
  EXPECT_DOUBLE_EQ(SampleQuantile(two, 0.01), 0.1);
  std::vector<double> one = {7};
  EXPECT_DOUBLE_EQ(SampleQuantile(one, 0.99), 7);
}

}  // namespace
}  // namespace gaggle
