// The matrix products behind the feature-space metrics (KID's Gram matrices, the k-NN metrics' distance
// blocks), so that a device can run them: null means the CPU BLAS, the CUDA backend supplies cuBLAS on the
// GPU (Backend::matrix_products).
#pragma once

#include <cstdint>

#include "core/status.h"

namespace fidcpp {

class MatrixProducts {
 public:
  virtual ~MatrixProducts() = default;
  // Row-major C (m x n, leading dimension ldc >= n) = alpha A Bᵀ, for row-major A (m x k) and B (n x k), all
  // host memory; returns when C is written.
  virtual Status abt(int64_t m, int64_t n, int64_t k, float alpha, const float* a, const float* b, float* c,
                     int64_t ldc) = 0;
  virtual Status abt(int64_t m, int64_t n, int64_t k, double alpha, const double* a, const double* b,
                     double* c, int64_t ldc) = 0;
};

}  // namespace fidcpp
