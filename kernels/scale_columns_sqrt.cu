// FID's matrix square root on the device (src/backend/cuda/cuda_fid.cpp): scales eigenvector column j by
// sqrt(max(lambda_j, 0)), clamping negative round-off like the CPU path (docs/conventions.md §3).
#include "kernels.h"
#include "grid_size.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

__global__ void scale_columns_sqrt_kernel(double* a, int rows, int cols, int lda, const double* w) {
  const size_t total = static_cast<size_t>(rows) * cols;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const int i = static_cast<int>(idx % rows);
    const int j = static_cast<int>(idx / rows);
    const double l = w[j] > 0.0 ? w[j] : 0.0;
    a[i + static_cast<size_t>(j) * lda] *= sqrt(l);
  }
}

void launch_scale_columns_sqrt(double* a, int rows, int cols, int lda, const double* w, cudaStream_t stream) {
  const size_t total = static_cast<size_t>(rows) * cols;
  CUDA_LAUNCH(dim3(grid_for(total)), dim3(kElementwiseThreads), 0, stream, scale_columns_sqrt_kernel)
  (a, rows, cols, lda, w);
}

FIDCPP_CUDA_NAMESPACE_END
