// FID's trace of the matrix square root on the GPU through Linalg (cuSOLVER dsyevd, cuBLAS dgemm): the eigen
// method of docs/conventions.md §3, for statistics that live on the device or dimensions where the CPU solve
// is the bottleneck. Same result as metrics/fid.h's trace_sqrt_product to round-off.
#pragma once

#include <cstdint>

#include "backend/cuda/linalg.h"
#include "core/status.h"
#include "cuda_compat.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// tr((S1 S2)^{1/2}) = sum sqrt(lambda) over the eigenvalues of (S1^{1/2}) S2 (S1^{1/2}), negative round-off
// clamped to 0. sigma1/sigma2: dim x dim symmetric, host memory. Runs on `stream` (the Linalg's stream).
Result<double> cuda_trace_sqrt_product(Linalg& linalg, cudaStream_t stream, const double* sigma1,
                                       const double* sigma2, int64_t dim);

// FID = |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr((S1 S2)^{1/2}) (docs/conventions.md §3.1), host inputs.
Result<double> cuda_frechet_distance(Linalg& linalg, cudaStream_t stream, const double* mu1,
                                     const double* sigma1, const double* mu2, const double* sigma2,
                                     int64_t dim);

FIDCPP_CUDA_NAMESPACE_END
