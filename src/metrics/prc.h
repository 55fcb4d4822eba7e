// Precision / recall / F-score of torch-fidelity (docs/conventions.md §7): k-NN balls in feature space,
// distances as torch.cdist computes them in float32, so the counts (and the float32 fractions) equal
// torch-fidelity's.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "fidcpp/metric_results.hpp"
#include "metrics/matrix_products.h"

namespace fidcpp {

struct PrcOptions {
  int neighborhood = 3;  // k: radius = (k+1)-th smallest distance to the own set, self included
  // torch-fidelity's prc_batch_size: the granularity of its cdist calls (affects the <= 25 rule).
  int64_t batch_size = 10000;
  int threads = 0;  // element-wise work; 0 = all cores (BLAS uses its own threads)
  // The distances' products: null = the CPU BLAS; a device's (Backend::matrix_products) runs them there, as
  // torch.cdist does on a GPU. A distance that equals a radius within rounding may then count differently.
  MatrixProducts* products = nullptr;
};

// generated = torch-fidelity's input1, real = input2; row-major float32 features.
Result<PrcResult> precision_recall(const float* generated, int64_t n_generated, const float* real,
                                   int64_t n_real, int64_t dim, const PrcOptions& options = {});

}  // namespace fidcpp
