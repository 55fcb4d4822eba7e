// clean-fid's default resize: Pillow 'F'-mode bicubic per channel, clip to [0, 255], then (v - 128) / 128
// (docs/conventions.md §2.5). The same operations as src/preprocess/resize_pil_bicubic.cpp on the
// coefficients of make_pil_bicubic_axis: double products and sums in tap order (no FMA), float32 storage
// after each pass.
#include "kernels.h"
#include "grid_size.h"
#include "resize_plane.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// Where a pass reads: the 8-bit images themselves, or float planes of rows x cols from an earlier pass.
struct PilSource {
  U8Images bytes;
  const float* planes = nullptr;  // null: read `bytes`
  int rows = 0, cols = 0;
  __device__ float at(size_t plane, int y, int x) const {
    if (!planes)
      return channel_base(
          bytes,
          plane)[static_cast<size_t>(y) * bytes.row_stride + static_cast<size_t>(x) * bytes.pixel_stride];
    return planes[(plane * rows + static_cast<size_t>(y)) * cols + x];
  }
};

__device__ inline float pil_store(double acc, bool last) {
  const float v = static_cast<float>(acc);
  return last ? normalize_128(fminf(255.0f, fmaxf(v, 0.0f))) : v;
}

// Along x (or a plain copy when !resize): planes x (src.rows x wo).
__global__ void resize_pil_horizontal_kernel(PilSource src, size_t planes, FilterAxis<double> ax, bool resize,
                                             bool last, float* out) {
  const int wo = resize ? ax.out_size : src.cols;
  const size_t total = planes * src.rows * wo;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const PlaneIndex p = plane_index(idx, src.rows, wo);
    double acc;
    if (!resize) {
      acc = src.at(p.plane, p.y, p.x);
    } else {
      const double* k = ax.weight + static_cast<size_t>(p.x) * ax.max_taps;
      const int x0 = ax.start[p.x], count = ax.count[p.x];
      acc = 0.0;
      for (int t = 0; t < count; ++t)
        acc = __dadd_rn(acc, __dmul_rn(static_cast<double>(src.at(p.plane, p.y, x0 + t)), k[t]));
    }
    out[idx] = pil_store(acc, last);
  }
}

// Along y: planes x (ay.out_size x src.cols).
__global__ void resize_pil_vertical_kernel(PilSource src, size_t planes, FilterAxis<double> ay, bool last,
                                           float* out) {
  const int ho = ay.out_size, wo = src.cols;
  const size_t total = planes * ho * wo;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const PlaneIndex p = plane_index(idx, ho, wo);
    const double* k = ay.weight + static_cast<size_t>(p.y) * ay.max_taps;
    const int y0 = ay.start[p.y], count = ay.count[p.y];
    double acc = 0.0;
    for (int t = 0; t < count; ++t)
      acc = __dadd_rn(acc, __dmul_rn(static_cast<double>(src.at(p.plane, y0 + t, p.x)), k[t]));
    out[idx] = pil_store(acc, last);
  }
}

void launch_resize_pil_bicubic(const U8Images& src, const FilterAxis<double>& ay,
                               const FilterAxis<double>& ax, bool vertical_first, float* scratch, float* dst,
                               cudaStream_t stream) {
  const bool do_h = ax.in_size != ax.out_size, do_v = ay.in_size != ay.out_size;
  const size_t planes = static_cast<size_t>(src.n) * 3;
  PilSource bytes;
  bytes.bytes = src;
  bytes.rows = src.h;
  bytes.cols = src.w;
  const auto horizontal = [&](const PilSource& from, bool last, float* out) {
    const size_t total = planes * from.rows * (do_h ? ax.out_size : from.cols);
    CUDA_LAUNCH(dim3(grid_for(total)), dim3(kElementwiseThreads), 0, stream, resize_pil_horizontal_kernel)
    (from, planes, ax, do_h, last, out);
  };
  const auto vertical = [&](const PilSource& from, bool last, float* out) {
    CUDA_LAUNCH(dim3(grid_for(planes * ay.out_size * from.cols)), dim3(kElementwiseThreads), 0, stream,
                resize_pil_vertical_kernel)
    (from, planes, ay, last, out);
  };
  if (!do_v) {  // horizontal only, or a copy when neither axis changes (Pillow returns a copy)
    horizontal(bytes, true, dst);
    return;
  }
  if (!do_h) {
    vertical(bytes, true, dst);
    return;
  }
  PilSource mid;
  mid.planes = scratch;
  if (vertical_first) {
    vertical(bytes, false, scratch);
    mid.rows = ay.out_size;
    mid.cols = src.w;
    horizontal(mid, true, dst);
  } else {
    horizontal(bytes, false, scratch);
    mid.rows = src.h;
    mid.cols = ax.out_size;
    vertical(mid, true, dst);
  }
}

FIDCPP_CUDA_NAMESPACE_END
