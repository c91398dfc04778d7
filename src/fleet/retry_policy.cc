#include "fleet/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace gaggle {

std::chrono::milliseconds RetryPolicy::NextDelay(int retry, double unit_random) const {
  double cap = static_cast<double>(spec_.max_delay.count());
  double base = static_cast<double>(spec_.initial.count()) * std::pow(spec_.factor, std::max(0, retry - 1));
  double delay = std::min(cap, base);
  unit_random = std::clamp(unit_random, 0.0, 1.0);
  switch (spec_.jitter) {
    case RetrySpec::Jitter::kNone: break;
    case RetrySpec::Jitter::kFull: delay = delay * unit_random; break;
    case RetrySpec::Jitter::kEqual: delay = delay / 2 + delay / 2 * unit_random; break;
    case RetrySpec::Jitter::kFraction:
      delay = std::min(cap, delay * (1 + spec_.jitter_fraction * (2 * unit_random - 1)));
      break;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(0.0, delay)));
}

}  // namespace gaggle
