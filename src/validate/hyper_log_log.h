// HyperLogLog: a fixed-size sketch estimating the number of distinct values in a
// stream, fed with 64-bit hashes (the caller hashes; equal values must give equal
// hashes).
//
// Precision p (4..18) gives m = 2^p one-byte registers; the standard error is
// 1.04 / sqrt(m): 0.81% at the default p = 14 (16 KiB). The estimate uses Ertl's
// improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
// sketches", 2017), which needs no empirical bias tables and stays unbiased from
// zero to billions. Sketches of equal precision merge (union) exactly.
// Thread-safety: a value; one writer at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gaggle {

class HyperLogLog {
 public:
  static constexpr int kDefaultPrecision = 14;
  static constexpr int kMinPrecision = 4;
  static constexpr int kMaxPrecision = 18;

  // REQUIRES: kMinPrecision <= precision <= kMaxPrecision (clamped otherwise).
  explicit HyperLogLog(int precision = kDefaultPrecision);

  int precision() const { return precision_; }
  // Registers (m) in the sketch.
  size_t num_registers() const { return registers_.size(); }

  void AddHash(uint64_t hash) {
    const size_t index = static_cast<size_t>(hash >> (64 - precision_));
    // Rank = leading zeros of the remaining 64-p bits, plus one; the sentinel bit caps it at 65-p.
    const uint64_t rest = (hash << precision_) | (uint64_t{1} << (precision_ - 1));
    const uint8_t rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    if (rank > registers_[index]) registers_[index] = rank;
  }
  void AddHashes(const uint64_t* hashes, size_t n) {
    for (size_t i = 0; i < n; ++i) AddHash(hashes[i]);
  }

  // Union: afterwards this sketch estimates the distinct count of both streams.
  // REQUIRES: same precision (ignored otherwise, returns false).
  bool Merge(const HyperLogLog& other);

  // Estimated number of distinct hashes added.
  double Estimate() const;
  // 1.04 / sqrt(m).
  double StandardError() const;

 private:
  int precision_;
  std::vector<uint8_t> registers_;
};

// A fast 64-bit mixer (splitmix64 finalizer): hashes fixed-width values for the sketches.
inline uint64_t MixHash64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace gaggle
