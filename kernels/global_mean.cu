// Global spatial mean per (image, channel): the final 8x8 average pool and the 64/192/768 taps
// (docs/conventions.md §1.5).
#include "kernels.h"
#include "grid_size.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

constexpr int kMeanWarpsPerBlock = 8;

// One warp per (image, channel) row: lanes stride over the row, then a shuffle tree adds the 32 partial sums.
__global__ void global_mean_kernel(const float* src, size_t src_image_stride, int n, int c, int hw,
                                   float* dst, size_t dst_row_stride) {
  const int lane = threadIdx.x & 31;
  const size_t rows = static_cast<size_t>(n) * c;
  const size_t row = static_cast<size_t>(blockIdx.x) * kMeanWarpsPerBlock + (threadIdx.x >> 5);
  // Whole warps leave together, so the full-mask shuffles below always see all 32 lanes.
  if (row >= rows) return;
  const size_t img = row / c, ch = row % c;
  const float* in = src + img * src_image_stride + ch * hw;
  float s = 0.f;
  for (int i = lane; i < hw; i += 32) s += in[i];
  for (int o = 16; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffffu, s, o);
  if (lane == 0) dst[img * dst_row_stride + ch] = s / static_cast<float>(hw);
}

void launch_global_mean(const float* src, size_t src_image_stride, int n, int c, int hw, float* dst,
                        size_t dst_row_stride, cudaStream_t stream) {
  const size_t rows = static_cast<size_t>(n) * c;
  const unsigned blocks = static_cast<unsigned>((rows + kMeanWarpsPerBlock - 1) / kMeanWarpsPerBlock);
  CUDA_LAUNCH(dim3(blocks ? blocks : 1), dim3(32 * kMeanWarpsPerBlock), 0, stream, global_mean_kernel)
  (src, src_image_stride, n, c, hw, dst, dst_row_stride);
}

FIDCPP_CUDA_NAMESPACE_END
