// Min/max tracking for Parquet column statistics, in each physical type's sort order:
// signed for INT32/INT64 (and so DATE, TIMESTAMP, DECIMAL stored in them), IEEE for
// FLOAT/DOUBLE with NaN ignored, false < true for BOOLEAN, and unsigned lexicographic
// bytes for BYTE_ARRAY (std::string_view compares as unsigned char). When no non-null,
// non-NaN value was seen, min/max stay unset and are not written.
// Zero is written as -0.0 for a min and +0.0 for a max, as parquet.thrift asks, so that
// readers which mix up signed zeros still prune correctly.
// Header-only: used in the writer's inner loops. Thread-safety: values.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <type_traits>

#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/plain_encoder.h"

namespace gaggle::parquet {

// Byte arrays whose min or max is longer than this get no min/max at all (a footer
// should not carry megabyte-long values; truncating would need care to stay a bound).
inline constexpr size_t kMaxStatisticsValueBytes = 4096;

template <typename T>
class MinMax {
 public:
  void Update(T v) {
    if constexpr (std::is_floating_point_v<T>) {
      if (v != v) return;  // NaN
    }
    if (!has_) {
      min_ = max_ = v;
      has_ = true;
    } else {
      min_ = std::min(min_, v);
      max_ = std::max(max_, v);
    }
  }
  void UpdateRange(const T* v, size_t n) {
    if constexpr (std::is_floating_point_v<T>) {
      for (size_t i = 0; i < n; ++i) Update(v[i]);
    } else {
      if (n == 0) return;
      T lo = v[0], hi = v[0];
      for (size_t i = 1; i < n; ++i) {
        lo = std::min(lo, v[i]);
        hi = std::max(hi, v[i]);
      }
      Update(lo);
      Update(hi);
    }
  }
  void Merge(const MinMax& o) {
    if (!o.has_) return;
    Update(o.min_);
    Update(o.max_);
  }
  void Reset() { has_ = false; }
  bool has() const { return has_; }
  T min() const { return min_; }
  T max() const { return max_; }

  // Sets min_value/max_value and the legacy min/max (valid: these orders are signed).
  void FillStatistics(Statistics* s) const {
    if (!has_) return;
    T lo = min_, hi = max_;
    if constexpr (std::is_floating_point_v<T>) {
      if (lo == 0) lo = -T(0);
      if (hi == 0) hi = T(0);
    }
    s->min_value = s->min = StatisticsBytes(lo);
    s->max_value = s->max = StatisticsBytes(hi);
  }

 private:
  bool has_ = false;
  T min_{};
  T max_{};
};

// BYTE_ARRAY: keeps copies, updated only when a new extreme appears.
class ByteArrayMinMax {
 public:
  void Update(std::string_view v) {
    if (!has_) {
      min_.assign(v);
      max_.assign(v);
      has_ = true;
    } else if (v < min_) {
      min_.assign(v);
    } else if (v > max_) {
      max_.assign(v);
    }
  }
  void Reset() { has_ = false; }
  bool has() const { return has_; }
  const std::string& min() const { return min_; }
  const std::string& max() const { return max_; }

  // Sets min_value/max_value only: the legacy fields were defined with signed byte order.
  void FillStatistics(Statistics* s) const {
    if (!has_ || min_.size() > kMaxStatisticsValueBytes || max_.size() > kMaxStatisticsValueBytes) return;
    s->min_value = min_;
    s->max_value = max_;
  }

 private:
  bool has_ = false;
  std::string min_;
  std::string max_;
};

}  // namespace gaggle::parquet
