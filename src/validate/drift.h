// Drift: distances between the distributions of one column on two sides (old
// data mapped through the transformation vs new data). Pure functions.
//
//  - KolmogorovSmirnov: the two-sample KS statistic, sup_x |F_a(x) - F_b(x)| of the
//    empirical CDFs, in [0, 1]. Inputs are sorted samples (NaN-free).
//  - TotalVariation: 1/2 sum_c |p_a(c) - p_b(c)| of two frequency tables, in [0, 1];
//    categories are matched by key (or by position for aligned histograms).
//  - NullRateDelta: |nulls_a / rows_a - nulls_b / rows_b|, in [0, 1].
// Conventions for empty inputs: both empty -> 0; exactly one empty -> 1 (all of
// the mass moved).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace gaggle {

// REQUIRES: a and b sorted ascending, without NaN.
double KolmogorovSmirnov(std::span<const double> a, std::span<const double> b);

// Frequencies keyed by category (keys unique within each side; any order).
double TotalVariation(const std::vector<std::pair<uint64_t, int64_t>>& a,
                      const std::vector<std::pair<uint64_t, int64_t>>& b);
// Aligned histograms: bin i of a against bin i of b (the shorter is padded with zeros).
double TotalVariationOfBins(std::span<const int64_t> a, std::span<const int64_t> b);

double NullRateDelta(int64_t nulls_a, int64_t rows_a, int64_t nulls_b, int64_t rows_b);

// The p-quantile (0 <= p <= 1) of a sorted sample by linear interpolation between
// closest ranks (the "type 7" definition of R and NumPy). REQUIRES: non-empty, sorted.
double SampleQuantile(std::span<const double> sorted, double p);

}  // namespace gaggle
