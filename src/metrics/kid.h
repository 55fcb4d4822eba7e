// Kernel Inception Distance (docs/conventions.md §5): unbiased MMD² over random subsets, torch-fidelity's
// sampling (numpy RandomState(seed).choice without replacement, input 1 then input 2 per subset) reproduced
// exactly.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "fidcpp/metric_results.hpp"
#include "metrics/matrix_products.h"

namespace fidcpp {

enum class KidKernel {
  kPolynomial,  // k(x,y) = (γ·xᵀy + c₀)^d
  kRbf,         // k(x,y) = exp(−‖x−y‖²/(2σ²)) (torch-fidelity kid_kernel='rbf')
};

enum class KidPrecision {
  // Everything in float64 (default). torch-fidelity works in float32 numpy and KID is a small difference of
  // O(1)
  // kernel means, so its own rounding noise is ~1e-7 absolute per subset: measured against float64 on the
  // reference cases it is 3e-8 to 1.3e-6 relative (largest for small KID). float64 is the centre of that
  // noise.
  kFloat64,
  // Mirror torch-fidelity's numpy float32 arithmetic step by step (float32 Gram matrices and kernel values,
  // numpy's pairwise row sums and sequential column sums, a float32 MMD² per subset). Bit-identical to
  // torch-fidelity when the kernel values are (e.g. degree ≤ 2); with degree 3 numpy's SIMD float32 power and
  // its BLAS round differently from ours in the last bit, and the result then lands 1e-6 to 1e-5 away.
  kFloat32Numpy,
};

struct KidOptions {
  int64_t subsets = 100;
  int64_t subset_size = 1000;
  KidKernel kernel = KidKernel::kPolynomial;
  int degree = 3;
  double gamma = 0.0;  // 0 means 1/D
  double coef0 = 1.0;
  double rbf_sigma = 10.0;
  uint32_t seed = 2020;
  KidPrecision precision = KidPrecision::kFloat64;
  int threads = 0;  // element-wise work; 0 = all cores (BLAS uses its own threads)
  // The Gram matrices' products: null = the CPU BLAS; a device's (Backend::matrix_products) runs them there,
  // within its rounding of the CPU's.
  MatrixProducts* products = nullptr;
};

// features1 = torch-fidelity's input1 (generated), features2 = input2 (real); both row-major n×dim float32.
Result<KidResult> kernel_inception_distance(const float* features1, int64_t n1, const float* features2,
                                            int64_t n2, int64_t dim, const KidOptions& options = {});

// The checks kernel_inception_distance makes before any work: dimension, options, subset size against both
// counts, finite features.
Status check_kid_inputs(const float* features1, int64_t n1, const float* features2, int64_t n2, int64_t dim,
                        const KidOptions& options);

// Row maps of resampled inputs (the bootstrap, metrics/bootstrap.h): position p of input 1 is row rows1[p]
// of features1, p < n1, each entry in [0, n1); likewise rows2 for input 2 (nullptr: the identity). The
// subsets are drawn over positions exactly as without maps. Two positions of a subset that map to the same
// row are one image: that pair is left out of the within-input kernel sum, as the diagonal is, and the sum is
// divided by the number of pairs kept (without repeated rows, exactly the plain KID of the gathered rows).
struct KidRowMaps {
  const int64_t* rows1 = nullptr;
  const int64_t* rows2 = nullptr;
};
Result<KidResult> kernel_inception_distance(const float* features1, int64_t n1, const float* features2,
                                            int64_t n2, int64_t dim, const KidOptions& options,
                                            const KidRowMaps& maps);

}  // namespace fidcpp
