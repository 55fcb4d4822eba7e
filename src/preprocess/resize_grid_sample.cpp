// NVIDIA's grid_sample resize (docs/conventions.md §2.6), following PyTorch's float32 CPU arithmetic:
// torch.linspace and affine_grid for the base grid, then GridSamplerKernel.cpp's unnormalise, border clip and
// bilinear weights.
#include "preprocess/resize_grid_sample.h"

#include <algorithm>
#include <cmath>

namespace fidcpp {

GridSampleAxis make_grid_sample_axis(int in_size, int out_size) {
  // theta[k,2] += theta[k,k] / in - theta[k,k] / out, in float32 tensor arithmetic.
  const float shift = 0.0f + (1.0f / static_cast<float>(in_size) - 1.0f / static_cast<float>(out_size));
  // affine_grid(align_corners=False): linspace(-1, 1, out) * (out - 1) / out. torch.linspace fills the first
  // half from the start and the second half from the end.
  const float step = out_size > 1 ? 2.0f / static_cast<float>(out_size - 1) : 0.0f;
  const int halfway = out_size / 2;
  const float half_size = static_cast<float>(in_size) * 0.5f;
  GridSampleAxis a;
  a.lo.resize(out_size);
  a.hi.resize(out_size);
  a.frac.resize(out_size);
  for (int i = 0; i < out_size; ++i) {
    float base = out_size == 1 ? -1.0f
                 : i < halfway ? -1.0f + step * static_cast<float>(i)
                               : 1.0f - step * static_cast<float>(out_size - i - 1);
    base = base * static_cast<float>(out_size - 1) / static_cast<float>(out_size);
    const float g = base + shift;  // the 1x3 by 3x2 product has one inexact term
    // GridSampler: unnormalise as (g + 1) * size / 2 - 0.5, then clip to [0, size - 1] (border padding).
    float x = (g + 1.0f) * half_size - 0.5f;
    x = std::min(static_cast<float>(in_size - 1), std::max(x, 0.0f));
    const float x0 = std::floor(x);
    a.lo[i] = static_cast<int32_t>(x0);
    a.hi[i] = std::min(a.lo[i] + 1, in_size - 1);
    a.frac[i] = x - x0;
  }
  return a;
}

void resize_grid_sample(const ResizeSource& src, const GridSampleAxis& ay, const GridSampleAxis& ax,
                        float* dst) {
  const int out_h = static_cast<int>(ay.lo.size());
  const int out_w = static_cast<int>(ax.lo.size());
  const ptrdiff_t ps = src.pixel_stride;
  const float* lut = src.lut;
  for (int i = 0; i < out_h; ++i) {
    const uint8_t* r0 = src.row(ay.lo[i]);
    const uint8_t* r1 = src.row(ay.hi[i]);
    const float n = ay.frac[i], s = 1.0f - n;
    float* out = dst + static_cast<ptrdiff_t>(i) * out_w;
    for (int j = 0; j < out_w; ++j) {
      const ptrdiff_t x0 = ax.lo[j] * ps, x1 = ax.hi[j] * ps;
      const float w = ax.frac[j], e = 1.0f - w;
      const float nw = s * e, ne = s * w, sw = n * e, se = n * w;
      out[j] = lut[r0[x0]] * nw + lut[r0[x1]] * ne + lut[r1[x0]] * sw + lut[r1[x1]] * se;
    }
  }
}

}  // namespace fidcpp
