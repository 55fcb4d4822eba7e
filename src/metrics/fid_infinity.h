// FID∞ and IS∞ (Chong & Forsyth, "Effectively Unbiased FID and Inception Score and where to find them", CVPR
// 2020; reference code mchong6/FID_IS_infinity score_infinity.py): the metric of random subsets of the
// generated set at num_points sizes N evenly spaced in [min_n, n] (np.linspace(...).astype(int32)), a
// least-squares line value = a·(1/N) + b, and b, the value extrapolated to 1/N → 0 (docs/metrics-extra.md).
// Subsets: numpy RandomState(seed).shuffle of the row indices once per point (cumulative, as their
// np.random.shuffle of the features), then the first N rows; reproducible for a seed, independent of threads.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "fidcpp/metric_results.hpp"
#include "metrics/moments.h"

namespace fidcpp {

struct InfinityOptions {
  int num_points = 15;  // subset sizes (≥ 2)
  int64_t min_n = 5000;  // smallest subset size (≥ 2 for FID∞, ≥ 1 for IS∞); must be < the generated count
  uint32_t seed = 2020;
  // Mean of each subset's features (gaussian_stats_two_pass); kFloat64 = np.mean on float64.
  MeanPrecision mean_precision = MeanPrecision::kFloat64;
};

// Subset sizes int32(linspace(min_n, n, num_points)), as numpy computes them.
std::vector<int64_t> infinity_subset_sizes(int64_t min_n, int64_t n, int num_points);

// FID∞ of the generated rows (row-major n×dim float32) against the real side's full statistics.
Result<InfinityResult> fid_infinity(const float* generated, int64_t n, int64_t dim, const GaussianStats& real,
                                    const InfinityOptions& options = {});

// IS∞ of the generated logits (row-major n×classes float32); each subset's IS has a single split
// (torch-fidelity convention, no shuffle within the subset).
Result<InfinityResult> is_infinity(const float* logits, int64_t n, int64_t classes,
                                   const InfinityOptions& options = {});

}  // namespace fidcpp
