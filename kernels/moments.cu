// Float64 feature moments on the device: rows of float32 features widened into the pending block of the
// statistics (the outer-product sum is a cuBLAS dsyrk per full block, src/backend/cuda/cuda_moments.cpp).
#include "kernels.h"
#include "grid_size.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// One thread per column, rows in order: sum[j] gets the same additions in the same order as the CPU's
// Moments::add (sum_[j] += double(row[j]) row by row), so the two are bitwise equal.
__global__ void widen_rows_f64_kernel(const float* src, int rows, int cols, int src_row_stride, double* dst,
                                      double* sum) {
  for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < cols; j += gridDim.x * blockDim.x) {
    double s = sum[j];
    for (int i = 0; i < rows; ++i) {
      const double v = static_cast<double>(src[i * src_row_stride + j]);
      dst[i * cols + j] = v;
      s += v;
    }
    sum[j] = s;
  }
}

void launch_widen_rows_f64(const float* src, int rows, int cols, int src_row_stride, double* dst, double* sum,
                           cudaStream_t stream) {
  CUDA_LAUNCH(dim3(grid_for(static_cast<size_t>(cols))), dim3(kElementwiseThreads), 0, stream,
              widen_rows_f64_kernel)
  (src, rows, cols, src_row_stride, dst, sum);
}

FIDCPP_CUDA_NAMESPACE_END
