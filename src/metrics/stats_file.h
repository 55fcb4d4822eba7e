// Statistics and feature files (docs/conventions.md §8.1): pytorch-fid .npz (mu, sigma), our mergeable .npz
// that adds n, sum and sum_outer in float64, and N×D feature matrices in .npy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/file.h"
#include "core/status.h"
#include "metrics/moments.h"

namespace fidcpp {

// np.savez_compressed(path, mu=μ, sigma=Σ) as pytorch-fid writes it (float64).
Status write_fid_stats_npz(const std::string& path, const GaussianStats& stats, Overwrite overwrite);

// Mergeable statistics: n (int64 scalar), sum (D), sum_outer (D×D) in float64, plus mu and sigma (one-pass
// formula) when n ≥ 2 so that pytorch-fid and clean-fid read the same file.
Status write_moments_npz(const std::string& path, const Moments& moments, Overwrite overwrite);

// mu and sigma from any pytorch-fid/clean-fid/TTUR .npz (float32 or float64; extra keys ignored).
Result<GaussianStats> read_fid_stats_npz(const std::string& path);

// The sums of a mergeable .npz; an error naming the missing keys for a plain pytorch-fid file.
Result<Moments> read_moments_npz(const std::string& path);

struct FeatureMatrix {
  int64_t n = 0;
  int64_t dim = 0;
  std::vector<float> data;  // row-major n×dim
};

// An N×D float feature matrix from .npy (float64 files are rounded to float32, as the network's features
// are).
Result<FeatureMatrix> read_features_npy(const std::string& path);

}  // namespace fidcpp
