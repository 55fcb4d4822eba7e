// Density and coverage following prdc 0.2 prdc/prdc.py compute_prdc: radii from the real set only, then one
// pass over blocks of the real x fake distance matrix (pairwise_distance.h, sklearn's float64 formula).
#include "metrics/dc.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "metrics/moments.h"
#include "metrics/pairwise_distance.h"

namespace fidcpp {

Result<DcResult> density_coverage(const float* real, int64_t n_real, const float* fake, int64_t n_fake,
                                  int64_t dim, const DcOptions& options) {
  if (dim < 1 || dim > kMaxFeatureDim) {
    return invalid_argument("density/coverage: feature dimension " + std::to_string(dim) +
                            " is outside [1, " + std::to_string(kMaxFeatureDim) + "]");
  }
  if (real == nullptr || fake == nullptr) return invalid_argument("density/coverage: null features");
  if (options.nearest_k < 1) {
    return invalid_argument("density/coverage: nearest_k must be at least 1, got " +
                            std::to_string(options.nearest_k));
  }
  if (n_real <= options.nearest_k) {
    return invalid_argument("density/coverage: nearest_k " + std::to_string(options.nearest_k) +
                            " needs more than " + std::to_string(options.nearest_k) + " real samples, got " +
                            std::to_string(n_real));
  }
  if (n_fake < 1) return invalid_argument("density/coverage: no generated samples");
  if (n_fake > (int64_t(1) << 24) || n_real > (int64_t(1) << 24)) {
    return invalid_argument("density/coverage: more than 2^24 samples per set is not supported");
  }
  FIDCPP_RETURN_IF_ERROR(check_finite_features(real, n_real, dim, "density/coverage real features"));
  FIDCPP_RETURN_IF_ERROR(check_finite_features(fake, n_fake, dim, "density/coverage generated features"));

  // prdc is run on float64 features: float32 -> float64 is exact, so these are the same numbers.
  const std::vector<double> real64(real, real + n_real * dim), fake64(fake, fake + n_fake * dim);
  ThreadPool pool(options.threads);
  DistanceOptions sk = sklearn_distances();
  sk.products = options.products;
  const FeatureRows<double> rea = feature_rows(real64.data(), n_real, dim);
  const FeatureRows<double> gen = feature_rows(fake64.data(), n_fake, dim);
  FIDCPP_ASSIGN_OR_RETURN(const std::vector<double> radius, kth_radii(rea, dim, options.nearest_k, sk, pool));

  // Per worker: for each fake sample, the number of real balls containing it (density's numerator).
  std::vector<std::vector<int64_t>> inside(static_cast<size_t>(pool.size()),
                                           std::vector<int64_t>(static_cast<size_t>(n_fake), 0));
  std::vector<uint8_t> covered(static_cast<size_t>(n_real), 0);
  const int64_t block = distance_block_rows(n_real, n_fake, sizeof(double));
  std::vector<double> dist(static_cast<size_t>(block * n_fake));
  for (int64_t i0 = 0; i0 < n_real;) {
    const int64_t rows = std::min(block, n_real - i0);
    FIDCPP_RETURN_IF_ERROR(distance_block(rea, i0, rows, gen, dim, sk, pool, dist.data()));
    pool.parallel_for(static_cast<size_t>(rows), [&](size_t r0, size_t r1, int worker) {
      int64_t* in = inside[static_cast<size_t>(worker)].data();
      for (size_t r = r0; r < r1; ++r) {
        const double* row = dist.data() + r * static_cast<size_t>(n_fake);
        const double rr = radius[static_cast<size_t>(i0) + r];
        double nearest = row[0];
        for (int64_t j = 0; j < n_fake; ++j) {
          if (row[j] < rr) ++in[j];
          nearest = std::min(nearest, row[j]);
        }
        covered[static_cast<size_t>(i0) + r] = nearest < rr ? 1 : 0;
      }
    });
    i0 += rows;
  }
  int64_t n_inside = 0, n_covered = 0;
  for (const auto& v : inside)
    for (int64_t c : v) n_inside += c;
  for (uint8_t c : covered) n_covered += c;
  DcResult out;
  // numpy: (1. / k) * counts.sum(axis=0).mean() and flags.mean(); the integer sums are exact in float64.
  out.density = (1.0 / double(options.nearest_k)) * (double(n_inside) / double(n_fake));
  out.coverage = double(n_covered) / double(n_real);
  return out;
}

}  // namespace fidcpp
