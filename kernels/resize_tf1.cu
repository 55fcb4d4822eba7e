// TF1 legacy bilinear resize of uint8 HWC images to float NCHW with (v - 128) / 128 (REFERENCE.md §2.2).
#include "kernels.h"
#include "launch_util.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// Each step is a separately rounded float32 op, as in torch-fidelity's elementwise tensor ops; the _rn
// intrinsics stop nvcc from contracting them into FMAs, which would change the last bit.
__global__ void resize_tf1_kernel(const uint8_t* src, int n, int h, int w, size_t row_stride,
                                  size_t image_stride, float* dst, int ho, int wo, float scale_y,
                                  float scale_x) {
  const size_t plane = static_cast<size_t>(ho) * wo;
  const size_t total = static_cast<size_t>(n) * 3 * plane;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const int j = static_cast<int>(idx % wo);
    const int i = static_cast<int>((idx / wo) % ho);
    const int ch = static_cast<int>((idx / plane) % 3);
    const size_t img = idx / (3 * plane);
    const float x = __fmul_rn(static_cast<float>(j), scale_x);
    const float y = __fmul_rn(static_cast<float>(i), scale_y);
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);  // x, y >= 0: truncation is floor
    const int x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1);
    const float dx = __fsub_rn(x, static_cast<float>(x0));
    const float dy = __fsub_rn(y, static_cast<float>(y0));
    const uint8_t* im = src + img * image_stride + ch;
    const float a = im[y0 * row_stride + x0 * 3], b = im[y0 * row_stride + x1 * 3];
    const float c = im[y1 * row_stride + x0 * 3], d = im[y1 * row_stride + x1 * 3];
    const float top = __fadd_rn(a, __fmul_rn(__fsub_rn(b, a), dx));
    const float bottom = __fadd_rn(c, __fmul_rn(__fsub_rn(d, c), dx));
    const float v = __fadd_rn(top, __fmul_rn(__fsub_rn(bottom, top), dy));
    dst[idx] = __fmul_rn(__fsub_rn(v, 128.0f), 0.0078125f);  // exact: 1/128 is a power of two
  }
}

void launch_resize_tf1(const uint8_t* src, int n, int h, int w, size_t row_stride, size_t image_stride,
                       float* dst, int ho, int wo, cudaStream_t stream) {
  // Python computes in/out as a double and torch converts the scalar to float32.
  const float sy = static_cast<float>(static_cast<double>(h) / ho);
  const float sx = static_cast<float>(static_cast<double>(w) / wo);
  const size_t total = static_cast<size_t>(n) * 3 * ho * wo;
  CUDA_LAUNCH(dim3(grid_for(total)), dim3(kElementwiseThreads), 0, stream, resize_tf1_kernel)
  (src, n, h, w, row_stride, image_stride, dst, ho, wo, sy, sx);
}

FIDCPP_CUDA_NAMESPACE_END
