// BackendMoments on the GPU: the float64 streaming sums of metrics/moments.h computed where the features are.
#pragma once

#include <cstdint>
#include <memory>

#include "backend/backend.h"
#include "backend/cuda/linalg.h"
#include "cuda_compat.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// Σf: rows added in order by a kernel (bitwise the CPU's sum). Σffᵀ: Linalg::dsyrk on each full block of 256
// rows counted from the first row added (the CPU's block size; the CPU's BLAS and cuBLAS sum inside a block
// in their own orders). Everything runs on `stream`; take() synchronises it.
Result<std::unique_ptr<BackendMoments>> create_cuda_moments(Linalg& linalg, cudaStream_t stream, int64_t dim);

FIDCPP_CUDA_NAMESPACE_END
