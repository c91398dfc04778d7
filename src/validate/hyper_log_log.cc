#include "validate/hyper_log_log.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gaggle {
namespace {

// sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1)  (Ertl 2017, eq. for the zero-register correction).
double Sigma(double x) {
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  double y = 1.0;
  double z = x;
  while (true) {
    x *= x;
    double previous = z;
    z += x * y;
    y += y;
    if (z == previous) return z;
  }
}

// tau(x) = 1/3 (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k)  (the saturated-register correction).
double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0;
  double z = 1.0 - x;
  while (true) {
    x = std::sqrt(x);
    double previous = z;
    y *= 0.5;
    z -= (1.0 - x) * (1.0 - x) * y;
    if (z == previous) return z / 3.0;
  }
}

}  // namespace

HyperLogLog::HyperLogLog(int precision)
    : precision_(std::clamp(precision, kMinPrecision, kMaxPrecision)), registers_(size_t{1} << precision_, 0) {}

bool HyperLogLog::Merge(const HyperLogLog& other) {
  if (other.precision_ != precision_) return false;
  for (size_t i = 0; i < registers_.size(); ++i) registers_[i] = std::max(registers_[i], other.registers_[i]);
  return true;
}

double HyperLogLog::Estimate() const {
  const int q = 64 - precision_;  // rank bits; register values are 0..q+1
  std::vector<int64_t> histogram(static_cast<size_t>(q) + 2, 0);
  for (uint8_t r : registers_) ++histogram[std::min<size_t>(r, static_cast<size_t>(q) + 1)];
  const double m = static_cast<double>(registers_.size());
  double z = m * Tau(1.0 - static_cast<double>(histogram[static_cast<size_t>(q) + 1]) / m);
  for (int k = q; k >= 1; --k) z = 0.5 * (z + static_cast<double>(histogram[static_cast<size_t>(k)]));
  z += m * Sigma(static_cast<double>(histogram[0]) / m);
  if (std::isinf(z)) return 0.0;                              // every register empty
  constexpr double kAlphaInfinity = 0.721347520444481703680;  // 1 / (2 ln 2)
  return kAlphaInfinity * m * m / z;
}

double HyperLogLog::StandardError() const { return 1.04 / std::sqrt(static_cast<double>(registers_.size())); }

}  // namespace gaggle
