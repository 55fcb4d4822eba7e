// pytorch-fid's input path: v / 255, PyTorch's half-pixel bilinear resize (align_corners False, no
// antialias), 2x - 1 (docs/conventions.md §2.4), the same operations as src/preprocess/resize_bilinear.cpp on
// the taps of make_bilinear_axis, including the FMA contraction of PyTorch's x86-64 build.
#include "kernels.h"
#include "grid_size.h"
#include "resize_plane.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

__device__ inline float unit_level(uint8_t v) {  // ToTensor: float32(v) / 255, one rounding
  return __fdiv_rn(static_cast<float>(v), 255.0f);
}

__global__ void resize_bilinear_halfpixel_kernel(U8Images src, TwoTapAxis ay, TwoTapAxis ax, float* dst) {
  const int ho = ay.size, wo = ax.size;
  const size_t total = static_cast<size_t>(src.n) * 3 * ho * wo;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const PlaneIndex p = plane_index(idx, ho, wo);
    const uint8_t* im = channel_base(src, p.plane);
    const uint8_t* r0 = im + ay.lo[p.y] * src.row_stride;
    const uint8_t* r1 = im + ay.hi[p.y] * src.row_stride;
    const size_t x0 = static_cast<size_t>(ax.lo[p.x]) * src.pixel_stride;
    const size_t x1 = static_cast<size_t>(ax.hi[p.x]) * src.pixel_stride;
    const float w0 = ax.w0[p.x], w1 = ax.w1[p.x], h0 = ay.w0[p.y], h1 = ay.w1[p.y];
    const float t0 = __fmaf_rn(unit_level(r0[x0]), w0, __fmul_rn(unit_level(r0[x1]), w1));
    const float t1 = __fmaf_rn(unit_level(r1[x0]), w0, __fmul_rn(unit_level(r1[x1]), w1));
    const float v = __fmaf_rn(t0, h0, __fmul_rn(t1, h1));
    dst[idx] = __fsub_rn(__fmul_rn(2.0f, v), 1.0f);
  }
}

void launch_resize_bilinear_halfpixel(const U8Images& src, const TwoTapAxis& ay, const TwoTapAxis& ax,
                                      float* dst, cudaStream_t stream) {
  const size_t total = static_cast<size_t>(src.n) * 3 * ay.size * ax.size;
  CUDA_LAUNCH(dim3(grid_for(total)), dim3(kElementwiseThreads), 0, stream, resize_bilinear_halfpixel_kernel)
  (src, ay, ax, dst);
}

FIDCPP_CUDA_NAMESPACE_END
