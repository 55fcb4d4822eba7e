// TF1 legacy bilinear resize of 8-bit images to float NCHW with (v - 128) / 128 (docs/conventions.md §2.2),
// the same operations as src/preprocess/resize_tf1.cpp on the taps of make_tf1_axis.
#include "kernels.h"
#include "grid_size.h"
#include "resize_plane.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// Each step is a separately rounded float32 op, as in torch-fidelity's elementwise tensor ops; the _rn
// intrinsics stop nvcc from contracting them into FMAs, which would change the last bit.
__global__ void resize_tf1_kernel(U8Images src, TwoTapAxis ay, TwoTapAxis ax, float* dst) {
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
    const float dx = ax.w1[p.x], dy = ay.w1[p.y];
    const float a = r0[x0], b = r0[x1], c = r1[x0], d = r1[x1];
    const float top = __fadd_rn(a, __fmul_rn(__fsub_rn(b, a), dx));
    const float bottom = __fadd_rn(c, __fmul_rn(__fsub_rn(d, c), dx));
    dst[idx] = normalize_128(__fadd_rn(top, __fmul_rn(__fsub_rn(bottom, top), dy)));
  }
}

void launch_resize_tf1(const U8Images& src, const TwoTapAxis& ay, const TwoTapAxis& ax, float* dst,
                       cudaStream_t stream) {
  const size_t total = static_cast<size_t>(src.n) * 3 * ay.size * ax.size;
  CUDA_LAUNCH(dim3(grid_for(total)), dim3(kElementwiseThreads), 0, stream, resize_tf1_kernel)
  (src, ay, ax, dst);
}

FIDCPP_CUDA_NAMESPACE_END
