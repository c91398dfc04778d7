#include "validate/drift.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace gaggle {

double KolmogorovSmirnov(std::span<const double> a, std::span<const double> b) {
  if (a.empty() && b.empty()) return 0.0;
  if (a.empty() || b.empty()) return 1.0;
  const double na = static_cast<double>(a.size());
  const double nb = static_cast<double>(b.size());
  size_t i = 0, j = 0;
  double d = 0.0;
  // Walk the merged order; compare the CDFs only after every copy of a value is consumed
  // on both sides, so ties do not create spurious steps.
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] == x) ++i;
    while (j < b.size() && b[j] == x) ++j;
    d = std::max(d, std::fabs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
  }
  // Once one side is exhausted its CDF is 1 and the other's only grows toward 1:
  // the largest gap left is at the current position, already counted.
  return d;
}

double TotalVariation(const std::vector<std::pair<uint64_t, int64_t>>& a,
                      const std::vector<std::pair<uint64_t, int64_t>>& b) {
  int64_t ta = 0, tb = 0;
  for (const auto& [k, c] : a) ta += c;
  for (const auto& [k, c] : b) tb += c;
  if (ta == 0 && tb == 0) return 0.0;
  if (ta == 0 || tb == 0) return 1.0;
  std::map<uint64_t, std::pair<int64_t, int64_t>> joined;
  for (const auto& [k, c] : a) joined[k].first += c;
  for (const auto& [k, c] : b) joined[k].second += c;
  double sum = 0.0;
  for (const auto& [k, counts] : joined) {
    sum += std::fabs(static_cast<double>(counts.first) / static_cast<double>(ta) -
                     static_cast<double>(counts.second) / static_cast<double>(tb));
  }
  return std::min(1.0, 0.5 * sum);
}

double TotalVariationOfBins(std::span<const int64_t> a, std::span<const int64_t> b) {
  int64_t ta = 0, tb = 0;
  for (int64_t c : a) ta += c;
  for (int64_t c : b) tb += c;
  if (ta == 0 && tb == 0) return 0.0;
  if (ta == 0 || tb == 0) return 1.0;
  double sum = 0.0;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const double pa = i < a.size() ? static_cast<double>(a[i]) / static_cast<double>(ta) : 0.0;
    const double pb = i < b.size() ? static_cast<double>(b[i]) / static_cast<double>(tb) : 0.0;
    sum += std::fabs(pa - pb);
  }
  return std::min(1.0, 0.5 * sum);
}

double NullRateDelta(int64_t nulls_a, int64_t rows_a, int64_t nulls_b, int64_t rows_b) {
  const double ra = rows_a > 0 ? static_cast<double>(nulls_a) / static_cast<double>(rows_a) : 0.0;
  const double rb = rows_b > 0 ? static_cast<double>(nulls_b) / static_cast<double>(rows_b) : 0.0;
  return std::fabs(ra - rb);
}

double SampleQuantile(std::span<const double> sorted, double p) {
  if (sorted.empty()) return 0.0;
  p = std::clamp(p, 0.0, 1.0);
  const double h = p * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace gaggle
