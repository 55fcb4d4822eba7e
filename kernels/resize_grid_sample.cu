// clean-fid "legacy_tensorflow": the bilinear grid_sample inside NVIDIA's TorchScript Inception, then
// (v - 128) / 128 (docs/conventions.md §2.6), the same operations as src/preprocess/resize_grid_sample.cpp on
// the taps of make_grid_sample_axis.
#include "kernels.h"
#include "grid_size.h"
#include "resize_plane.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

__global__ void resize_grid_sample_kernel(U8Images src, TwoTapAxis ay, TwoTapAxis ax, float* dst) {
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
    const float n = ay.w1[p.y], s = __fsub_rn(1.0f, n);
    const float w = ax.w1[p.x], e = __fsub_rn(1.0f, w);
    const float nw = __fmul_rn(s, e), ne = __fmul_rn(s, w), sw = __fmul_rn(n, e), se = __fmul_rn(n, w);
    // PyTorch's sum of the four weighted corners, left to right, each product rounded.
    float v = __fadd_rn(__fmul_rn(static_cast<float>(r0[x0]), nw), __fmul_rn(static_cast<float>(r0[x1]), ne));
    v = __fadd_rn(v, __fmul_rn(static_cast<float>(r1[x0]), sw));
    v = __fadd_rn(v, __fmul_rn(static_cast<float>(r1[x1]), se));
    dst[idx] = normalize_128(v);
  }
}

void launch_resize_grid_sample(const U8Images& src, const TwoTapAxis& ay, const TwoTapAxis& ax, float* dst,
                               cudaStream_t stream) {
  const size_t total = static_cast<size_t>(src.n) * 3 * ay.size * ax.size;
  CUDA_LAUNCH(dim3(grid_for(total)), dim3(kElementwiseThreads), 0, stream, resize_grid_sample_kernel)
  (src, ay, ax, dst);
}

FIDCPP_CUDA_NAMESPACE_END
