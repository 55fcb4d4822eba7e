// pytorch-fid's input path: v / 255, half-pixel bilinear resize (align_corners False, no antialias), 2x - 1
// (REFERENCE.md §2.4). Not bit-exact with PyTorch's float32 kernel, which rounds in a different order.
#include "kernels.h"
#include "launch_util.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

__device__ inline void halfpixel_taps(int i, float scale, int in, int* i0, int* i1, float* l1) {
  float src = __fsub_rn(__fmul_rn(scale, __fadd_rn(static_cast<float>(i), 0.5f)), 0.5f);
  if (src < 0.f) src = 0.f;
  *i0 = static_cast<int>(src);
  *i1 = *i0 < in - 1 ? *i0 + 1 : *i0;
  *l1 = __fsub_rn(src, static_cast<float>(*i0));
}

__global__ void resize_bilinear_halfpixel_kernel(const uint8_t* src, int n, int h, int w, size_t row_stride,
                                                 size_t image_stride, float* dst, int ho, int wo,
                                                 float scale_y, float scale_x) {
  const size_t plane = static_cast<size_t>(ho) * wo;
  const size_t total = static_cast<size_t>(n) * 3 * plane;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const int j = static_cast<int>(idx % wo);
    const int i = static_cast<int>((idx / wo) % ho);
    const int ch = static_cast<int>((idx / plane) % 3);
    const size_t img = idx / (3 * plane);
    int x0, x1, y0, y1;
    float lx, ly;
    halfpixel_taps(j, scale_x, w, &x0, &x1, &lx);
    halfpixel_taps(i, scale_y, h, &y0, &y1, &ly);
    const uint8_t* im = src + img * image_stride + ch;
    const float a = __fdiv_rn(static_cast<float>(im[y0 * row_stride + x0 * 3]), 255.0f);
    const float b = __fdiv_rn(static_cast<float>(im[y0 * row_stride + x1 * 3]), 255.0f);
    const float c = __fdiv_rn(static_cast<float>(im[y1 * row_stride + x0 * 3]), 255.0f);
    const float d = __fdiv_rn(static_cast<float>(im[y1 * row_stride + x1 * 3]), 255.0f);
    const float lx0 = __fsub_rn(1.0f, lx), ly0 = __fsub_rn(1.0f, ly);
    const float top = __fadd_rn(__fmul_rn(lx0, a), __fmul_rn(lx, b));
    const float bottom = __fadd_rn(__fmul_rn(lx0, c), __fmul_rn(lx, d));
    const float v = __fadd_rn(__fmul_rn(ly0, top), __fmul_rn(ly, bottom));
    dst[idx] = __fsub_rn(__fmul_rn(2.0f, v), 1.0f);
  }
}

void launch_resize_bilinear_halfpixel(const uint8_t* src, int n, int h, int w, size_t row_stride,
                                      size_t image_stride, float* dst, int ho, int wo, cudaStream_t stream) {
  const float sy = static_cast<float>(static_cast<double>(h) / ho);
  const float sx = static_cast<float>(static_cast<double>(w) / wo);
  const size_t total = static_cast<size_t>(n) * 3 * ho * wo;
  CUDA_LAUNCH(dim3(grid_for(total)), dim3(kElementwiseThreads), 0, stream, resize_bilinear_halfpixel_kernel)
  (src, n, h, w, row_stride, image_stride, dst, ho, wo, sy, sx);
}

FIDCPP_CUDA_NAMESPACE_END
