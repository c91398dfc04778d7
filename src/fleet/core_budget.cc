#include "fleet/core_budget.h"

#include <algorithm>
#include <thread>

namespace gaggle {

int HostCores() {
  static const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return cores;
}

int CoreShare(int cores, int concurrency) { return std::max(1, std::max(1, cores) / std::max(1, concurrency)); }

}  // namespace gaggle
