// k x k max pooling (padding = -inf) and average pooling with count_include_pad = False, optionally followed
// by a ReLU (docs/conventions.md §1.5).
#include "kernels.h"
#include "grid_size.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

template <PoolKind kKind>
__global__ void pool2d_kernel(const float* src, size_t src_image_stride, int n, int c, int h, int w, int k,
                              int stride, int pad, int ho, int wo, float* dst, size_t dst_image_stride) {
  const size_t plane = static_cast<size_t>(ho) * wo;
  const size_t total = static_cast<size_t>(n) * c * plane;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const int ox = static_cast<int>(idx % wo), oy = static_cast<int>((idx / wo) % ho);
    const size_t ch = (idx / plane) % c, img = idx / (plane * c);
    const float* in = src + img * src_image_stride + ch * h * w;
    const int y0 = oy * stride - pad, x0 = ox * stride - pad;
    const int ya = max(y0, 0), yb = min(y0 + k, h), xa = max(x0, 0), xb = min(x0 + k, w);
    float acc = kKind == PoolKind::kMax ? -INFINITY : 0.f;
    for (int y = ya; y < yb; ++y)
      for (int x = xa; x < xb; ++x) {
        const float v = in[y * w + x];
        if (kKind == PoolKind::kMax) {
          acc = v > acc ? v : acc;
        } else {
          acc += v;
        }
      }
    if (kKind == PoolKind::kAvgExcludePad || kKind == PoolKind::kAvgExcludePadRelu)
      acc /= static_cast<float>((yb - ya) * (xb - xa));
    if (kKind == PoolKind::kAvgExcludePadRelu) acc = acc > 0.f ? acc : 0.f;
    if (kKind == PoolKind::kAvgIncludePad) acc /= static_cast<float>(k * k);
    dst[img * dst_image_stride + ch * plane + oy * wo + ox] = acc;
  }
}

void launch_pool2d(const float* src, size_t src_image_stride, int n, int c, int h, int w, PoolKind kind,
                   int k, int stride, int pad, float* dst, size_t dst_image_stride, cudaStream_t stream) {
  const int ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
  const size_t total = static_cast<size_t>(n) * c * ho * wo;
  const dim3 grid(grid_for(total)), block(kElementwiseThreads);
  switch (kind) {
    case PoolKind::kMax:
      CUDA_LAUNCH(grid, block, 0, stream, pool2d_kernel<PoolKind::kMax>)
      (src, src_image_stride, n, c, h, w, k, stride, pad, ho, wo, dst, dst_image_stride);
      break;
    case PoolKind::kAvgExcludePad:
      CUDA_LAUNCH(grid, block, 0, stream, pool2d_kernel<PoolKind::kAvgExcludePad>)
      (src, src_image_stride, n, c, h, w, k, stride, pad, ho, wo, dst, dst_image_stride);
      break;
    case PoolKind::kAvgExcludePadRelu:
      CUDA_LAUNCH(grid, block, 0, stream, pool2d_kernel<PoolKind::kAvgExcludePadRelu>)
      (src, src_image_stride, n, c, h, w, k, stride, pad, ho, wo, dst, dst_image_stride);
      break;
    case PoolKind::kAvgIncludePad:
      CUDA_LAUNCH(grid, block, 0, stream, pool2d_kernel<PoolKind::kAvgIncludePad>)
      (src, src_image_stride, n, c, h, w, k, stride, pad, ho, wo, dst, dst_image_stride);
      break;
  }
}

FIDCPP_CUDA_NAMESPACE_END
