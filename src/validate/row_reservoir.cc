#include "validate/row_reservoir.h"

#include <cmath>
#include <limits>

namespace gaggle {

RowReservoir::RowReservoir(size_t capacity, uint64_t seed) : capacity_(capacity), state_(seed) {}

double RowReservoir::NextUniform() {
  // splitmix64: deterministic, well mixed, cheap. 53 random bits -> (0, 1).
  state_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return (static_cast<double>(z >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

void RowReservoir::ScheduleNext() {
  // Algorithm L: skip floor(log(u) / log(1 - w)) rows, then take one.
  double skip = std::floor(std::log(NextUniform()) / std::log1p(-w_));
  if (!(skip < 1e18)) skip = 1e18;  // w_ tiny after astronomically long streams: never again
  next_ += static_cast<uint64_t>(skip) + 1;
  w_ *= std::exp(std::log(NextUniform()) / static_cast<double>(capacity_));
}

void RowReservoir::Advance(size_t rows, std::vector<Pick>* picks) {
  picks->clear();
  if (capacity_ == 0) {
    seen_ += rows;
    return;
  }
  const uint64_t begin = seen_;
  const uint64_t end = seen_ + rows;
  uint64_t i = begin;
  while (i < end && filled_ < capacity_) {
    picks->push_back({static_cast<size_t>(i - begin), filled_++});
    ++i;
    if (filled_ == capacity_) {
      w_ = std::exp(std::log(NextUniform()) / static_cast<double>(capacity_));
      next_ = i - 1;  // index of the last row taken
      ScheduleNext();
    }
  }
  while (next_ < end && filled_ == capacity_) {
    const size_t slot = static_cast<size_t>(NextUniform() * static_cast<double>(capacity_)) % capacity_;
    picks->push_back({static_cast<size_t>(next_ - begin), slot});
    ScheduleNext();
  }
  seen_ = end;
}

}  // namespace gaggle
