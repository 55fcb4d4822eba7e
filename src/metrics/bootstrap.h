// Bootstrap percentile confidence intervals for FID and KID from kept per-image features
// (docs/metrics-extra.md "Bootstrap confidence intervals"). Replicate b resamples both sides independently
// with replacement, n draws each, from numpy RandomState(s_b), s_b the b-th uint32 of RandomState(seed):
// an independent numpy script draws the same rows, and each replicate's draws depend on (seed, b) only, so
// the replicates run in parallel with results independent of the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "fidcpp/metric_results.hpp"
#include "metrics/kid.h"
#include "metrics/numpy_random.h"

namespace fidcpp {

// Most replicates accepted: each FID replicate of 2048-d features is a covariance pair and a D³ solve.
constexpr int64_t kMaxBootstrapReplicates = 100000;

struct BootstrapOptions {
  double level = 0.95;       // confidence level, in (0, 1)
  int64_t replicates = 200;  // in [2, kMaxBootstrapReplicates]
  uint32_t seed = 2020;
  int threads = 0;  // replicates computed in parallel; 0 = all cores. The result does not depend on it.
};

Status check_bootstrap_options(const BootstrapOptions& options, const char* metric);

// s_b for b < replicates: RandomState(seed).randint(0, 2**32, size=replicates, dtype=np.uint32).
std::vector<uint32_t> bootstrap_replicate_seeds(uint32_t seed, int64_t replicates);

// One side's resample: n row indices drawn with replacement, as rng.randint(0, n, size=n) (n ≤ 2^32).
void bootstrap_draw(NumpyRandomState& rng, int64_t n, std::vector<int64_t>& rows);

// np.quantile(values, q) with the default 'linear' method, values sorted ascending, q in [0, 1].
double numpy_quantile_sorted(const std::vector<double>& sorted, double q);

// FID of each replicate: two-pass statistics (np.mean / np.cov) of each resampled side, then the Fréchet
// distance (metrics/fid.h). Replicate b draws the real rows first, then the generated rows. Both row-major
// float32, n ≥ 2 each.
Result<BootstrapResult> fid_bootstrap(const float* real, int64_t n_real, const float* generated,
                                      int64_t n_gen, int64_t dim, const BootstrapOptions& options);

// KID mean of each replicate: kernel_inception_distance with `kid` (its subsets and its seed unchanged) on
// the resampled sides, input 1 generated and input 2 real as torch-fidelity; the draws as for FID (real rows
// first). kid.threads is not used: each replicate runs on one worker.
Result<BootstrapResult> kid_bootstrap(const float* generated, int64_t n_gen, const float* real,
                                      int64_t n_real, int64_t dim, const KidOptions& kid,
                                      const BootstrapOptions& options);

}  // namespace fidcpp
