// Density and coverage (Naeem et al., ICML 2020), equal to PyPI prdc 0.2's compute_prdc on the same features
// passed as float64 (docs/metrics-extra.md): k-NN balls around the real samples, float64 distances as
// sklearn's euclidean_distances computes them, strict `<` ball tests as prdc has them.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "fidcpp/metric_results.hpp"
#include "metrics/matrix_products.h"

namespace fidcpp {

struct DcOptions {
  int nearest_k =
      5;  // k: a real sample's radius is the (k+1)-th smallest distance to the real set, self included
  int threads = 0;  // element-wise work; 0 = all cores (BLAS uses its own threads)
  // The distances' products: null = the CPU BLAS; a device's (Backend::matrix_products) runs them there.
  MatrixProducts* products = nullptr;
};

// real = prdc's real_features, fake = its fake_features; row-major float32 features, widened to float64.
// Needs n_real > nearest_k and n_fake >= 1.
Result<DcResult> density_coverage(const float* real, int64_t n_real, const float* fake, int64_t n_fake,
                                  int64_t dim, const DcOptions& options = {});

}  // namespace fidcpp
