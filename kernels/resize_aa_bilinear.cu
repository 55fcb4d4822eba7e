// torchmetrics' resize: PyTorch's antialiased bilinear (F.interpolate(..., antialias=True)), then
// (v - 128) / 128 (docs/conventions.md §2.3). The same operations as src/preprocess/resize_aa_bilinear.cpp on
// the weights of make_aa_axis: horizontal pass first into float32 scratch, float accumulation in tap order
// with the fma that PyTorch's x86-64 build contracts `out += t * w` into.
#include "kernels.h"
#include "grid_size.h"
#include "resize_plane.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// Planes of src.h x wo from the bytes: filtered along x when `resize`, else copied (the axis keeps its
// size). Normalised when this is the last pass.
__global__ void resize_aa_horizontal_kernel(U8Images src, FilterAxis<float> ax, bool resize, bool last,
                                            float* out) {
  const int wo = resize ? ax.out_size : src.w;
  const size_t total = static_cast<size_t>(src.n) * 3 * src.h * wo;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const PlaneIndex p = plane_index(idx, src.h, wo);
    const uint8_t* row = channel_base(src, p.plane) + static_cast<size_t>(p.y) * src.row_stride;
    float acc;
    if (!resize) {
      acc = row[static_cast<size_t>(p.x) * src.pixel_stride];
    } else {
      const float* w = ax.weight + static_cast<size_t>(p.x) * ax.max_taps;
      const uint8_t* px = row + static_cast<size_t>(ax.start[p.x]) * src.pixel_stride;
      acc = __fmul_rn(static_cast<float>(px[0]), w[0]);
      const int count = ax.count[p.x];
      for (int k = 1; k < count; ++k)
        acc = __fmaf_rn(static_cast<float>(px[static_cast<size_t>(k) * src.pixel_stride]), w[k], acc);
    }
    out[idx] = last ? normalize_128(acc) : acc;
  }
}

// planes x (ay.in_size x wo) -> planes x (ay.out_size x wo) along y, normalised.
__global__ void resize_aa_vertical_kernel(const float* in, size_t planes, int wo, FilterAxis<float> ay,
                                          float* dst) {
  const int ho = ay.out_size;
  const size_t total = planes * ho * wo;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const PlaneIndex p = plane_index(idx, ho, wo);
    const float* w = ay.weight + static_cast<size_t>(p.y) * ay.max_taps;
    const float* base =
        in + (p.plane * ay.in_size + static_cast<size_t>(ay.start[p.y])) * static_cast<size_t>(wo) + p.x;
    float acc = __fmul_rn(base[0], w[0]);
    const int count = ay.count[p.y];
    for (int k = 1; k < count; ++k) acc = __fmaf_rn(base[static_cast<size_t>(k) * wo], w[k], acc);
    dst[idx] = normalize_128(acc);
  }
}

void launch_resize_aa_bilinear(const U8Images& src, const FilterAxis<float>& ay, const FilterAxis<float>& ax,
                               float* scratch, float* dst, cudaStream_t stream) {
  const bool do_h = ax.in_size != ax.out_size, do_v = ay.in_size != ay.out_size;
  const int wo = ax.out_size;  // == src.w when the width is unchanged
  const size_t planes = static_cast<size_t>(src.n) * 3;
  CUDA_LAUNCH(dim3(grid_for(planes * src.h * wo)), dim3(kElementwiseThreads), 0, stream,
              resize_aa_horizontal_kernel)
  (src, ax, do_h, !do_v, do_v ? scratch : dst);
  if (!do_v) return;
  CUDA_LAUNCH(dim3(grid_for(planes * ay.out_size * wo)), dim3(kElementwiseThreads), 0, stream,
              resize_aa_vertical_kernel)
  (scratch, planes, wo, ay, dst);
}

FIDCPP_CUDA_NAMESPACE_END
