// ColumnProfile: the statistics of one column, accumulated in one streaming pass,
// a batch at a time, in memory bounded by its sketches (whatever the row count).
//
// Per column:          all types: rows, nulls, distinct estimate (HyperLogLog, p = 14,
//                      0.81% standard error; exact for bool)
//  numeric (ints, float, double, decimal, date, timestamp):
//                      min, max, mean (dates as days, timestamps as microseconds,
//                      decimals scaled), NaN count, a row sample (slots filled by
//                      the owner's RowReservoir) for quantiles p01/p25/p50/p75/p99
//                      and the Kolmogorov-Smirnov drift statistic.
//  string, binary:     min, max (bytewise), top values (FrequencyCounter, exact
//                      while <= capacity distinct), a hashed histogram for drift.
//  bool:               exact counts of false/true (min, max, mean = share true).
// NaNs count as non-null values but are left out of min/max/mean/sample.
// Thread-safety: a value; one writer at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "columnar/column.h"
#include "validate/frequency_counter.h"
#include "validate/hyper_log_log.h"
#include "validate/row_reservoir.h"

namespace gaggle {

// The quantile levels reported (and kept in ColumnSummary::quantiles, in this order).
inline constexpr double kQuantileLevels[] = {0.01, 0.25, 0.50, 0.75, 0.99};
inline constexpr size_t kNumQuantiles = sizeof(kQuantileLevels) / sizeof(kQuantileLevels[0]);

// How a column's drift is measured.
enum class ColumnKind {
  kNumeric,      // KS on the sample
  kCategorical,  // total variation of value frequencies (string, bool)
  kOpaque,       // binary: total variation of the hashed histogram
};
ColumnKind KindOfType(const DataType& type);

struct ProfileOptions {
  // Rows kept in the sample (per dataset side). KS noise between two independent
  // samples of n rows is about 1.36 * sqrt(2 / n) at 95%: 0.015 at the default.
  size_t sample_rows = 16384;
  uint64_t seed = 0x6761676c65ULL;  // "gaggle"
  int hll_precision = HyperLogLog::kDefaultPrecision;
  // Distinct values counted exactly per string column before the summary turns approximate.
  size_t top_capacity = 256;
  // Top values reported per column.
  size_t top_reported = 10;
  // Bins of the hashed value histogram of string/binary columns (drift when counts are inexact).
  size_t histogram_bins = 1024;
};

// The result for one column on one side.
struct ColumnSummary {
  std::string name;
  DataType type;
  int64_t rows = 0;
  int64_t nulls = 0;
  int64_t nans = 0;  // float, double
  // Numeric view (numeric types and bool); unset when there is no non-null, non-NaN value.
  std::optional<double> min, max, mean;
  // The same extremes rendered in the column's type ("2024-01-02", "abc"; strings cut to 64 bytes).
  std::optional<std::string> min_text, max_text;
  double distinct = 0;
  // Order-independent fingerprint of the column's values, nulls included (sum of value
  // hashes mod 2^64): two sides with the same multiset of values agree, so a checksum
  // mismatch can be traced to the columns that differ.
  uint64_t fingerprint = 0;
  // At kQuantileLevels, from the sample (numeric only; empty when the sample has no value).
  std::vector<double> quantiles;
  int64_t sample_size = 0;  // non-null, non-NaN values in the sample
  // string and bool: the most frequent values, most frequent first.
  std::vector<ValueCount> top_values;
  bool top_values_exact = false;

  // Drift material (kept in memory for the comparison, not serialized):
  std::vector<double> sample;                            // sorted
  std::vector<std::pair<uint64_t, int64_t>> categories;  // (value hash, count) of every value...
  bool categories_exact = false;                         // ...when this is true
  std::vector<int64_t> histogram;                        // hashed bins (string, binary)
};

class ColumnProfile {
 public:
  ColumnProfile(std::string name, DataType type, const ProfileOptions& options);

  const std::string& name() const { return name_; }
  const DataType& type() const { return type_; }

  // Adds every row of `column`. REQUIRES: column.type() == type().
  void Update(const Column& column);
  // Copies the picked rows of `column` into their sample slots (numeric columns;
  // no-op otherwise). REQUIRES: picks from the owner's reservoir for this batch.
  void Sample(const Column& column, const std::vector<RowReservoir::Pick>& picks);

  ColumnSummary Summarize() const;

 private:
  template <typename T>
  void UpdateInteger(const Column& column);
  template <typename T>
  void UpdateFloating(const Column& column);
  void UpdateBytes(const Column& column);
  void UpdateBool(const Column& column);
  void UpdateWideDecimal(const Column& column);
  double ToNumber(Int128 v) const;

  std::string name_;
  DataType type_;
  ColumnKind kind_;
  ProfileOptions options_;
  int64_t rows_ = 0;
  int64_t nulls_ = 0;
  int64_t nans_ = 0;
  int64_t numeric_count_ = 0;  // values in min/max/sum
  uint64_t fingerprint_ = 0;
  HyperLogLog hll_;
  // Integer-backed types keep exact extremes and sum (decimals over 18 digits: a floating sum).
  Int128 int_min_ = 0, int_max_ = 0;
  Int128 int_sum_ = 0;
  long double wide_sum_ = 0;
  // Floating types.
  double float_min_ = 0, float_max_ = 0, float_sum_ = 0;
  // Bool.
  int64_t trues_ = 0;
  // String / binary.
  bool has_text_extremes_ = false;
  std::string text_min_, text_max_;
  FrequencyCounter counter_;
  std::vector<int64_t> histogram_;
  // Numeric sample slots.
  std::vector<double> sample_;
  std::vector<uint8_t> sample_valid_;
  std::vector<uint64_t> hashes_;        // scratch: value hashes of one batch
  std::vector<uint32_t> rows_scratch_;  // scratch: rows with a value
  std::vector<int32_t> int32_scratch_;  // scratch: the non-null values of a batch
  std::vector<int64_t> int64_scratch_;
  std::vector<float> float_scratch_;
  std::vector<double> double_scratch_;
};

}  // namespace gaggle
