// Float64 feature moments on the device: widening and column sums (the outer-product sum is a cuBLAS dsyrk).
#include "kernels.h"
#include "grid_size.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

__global__ void f32_to_f64_kernel(const float* src, size_t count, double* dst) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<size_t>(gridDim.x) * blockDim.x)
    dst[i] = static_cast<double>(src[i]);
}

// One thread per column; rows are added in order, so the result does not depend on the launch configuration.
__global__ void column_sum_f64_kernel(const double* x, int rows, int cols, double* sum) {
  for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < cols; j += gridDim.x * blockDim.x) {
    double s = 0.0;
    for (int i = 0; i < rows; ++i) s += x[static_cast<size_t>(i) * cols + j];
    sum[j] += s;
  }
}

void launch_f32_to_f64(const float* src, size_t count, double* dst, cudaStream_t stream) {
  CUDA_LAUNCH(dim3(grid_for(count)), dim3(kElementwiseThreads), 0, stream, f32_to_f64_kernel)
  (src, count, dst);
}

void launch_column_sum_f64(const double* x, int rows, int cols, double* sum, cudaStream_t stream) {
  CUDA_LAUNCH(dim3(grid_for(static_cast<size_t>(cols))), dim3(kElementwiseThreads), 0, stream,
              column_sum_f64_kernel)
  (x, rows, cols, sum);
}

FIDCPP_CUDA_NAMESPACE_END
