// MatrixProducts on the GPU: the feature-space metrics' products (KID's Gram matrices, the k-NN distances)
// through the backend's Linalg (cuBLAS).
#pragma once

#include <memory>

#include "backend/cuda/linalg.h"
#include "cuda_compat.h"
#include "metrics/matrix_products.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// Each product copies A and B to the device, runs one GEMM on `stream` and copies C back before it returns;
// the device buffers grow to the largest product and are kept. Calls from several threads take turns.
std::unique_ptr<MatrixProducts> create_cuda_matrix_products(Linalg& linalg, cudaStream_t stream);

FIDCPP_CUDA_NAMESPACE_END
