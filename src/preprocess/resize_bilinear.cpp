// Half-pixel bilinear resize as PyTorch's CPU upsample_bilinear2d computes it in float32 (docs/conventions.md
// §2.4; aten/src/ATen/native/cpu/UpSampleKernel.cpp, generic N-d kernel with HelperInterpLinear).
#include "preprocess/resize_bilinear.h"

#include <algorithm>
#include <cmath>

namespace fidcpp {

BilinearAxis make_bilinear_axis(int in_size, int out_size) {
  BilinearAxis a;
  a.i0.resize(out_size);
  a.i1.resize(out_size);
  a.w0.resize(out_size);
  a.w1.resize(out_size);
  // PyTorch computes the ratio and source index in the tensor's opmath type, float for float32 input.
  const float ratio = static_cast<float>(in_size) / static_cast<float>(out_size);
  for (int i = 0; i < out_size; ++i) {
    if (in_size == out_size) {  // PyTorch's explicit copy branch
      a.i0[i] = a.i1[i] = i;
      a.w0[i] = 1.0f;
      a.w1[i] = 0.0f;
      continue;
    }
    float src = ratio * (static_cast<float>(i) + 0.5f) - 0.5f;
    if (src < 0.0f) src = 0.0f;
    const int i0 = std::min(static_cast<int>(std::floor(src)), in_size - 1);
    const float l1 = std::min(std::max(src - static_cast<float>(i0), 0.0f), 1.0f);
    a.i0[i] = i0;
    a.i1[i] = i0 + (i0 < in_size - 1 ? 1 : 0);
    a.w1[i] = l1;
    a.w0[i] = 1.0f - l1;
  }
  return a;
}

void resize_bilinear(const ResizeSource& src, const BilinearAxis& ay, const BilinearAxis& ax, float* dst) {
  const int out_h = static_cast<int>(ay.i0.size());
  const int out_w = static_cast<int>(ax.i0.size());
  const ptrdiff_t ps = src.pixel_stride;
  const float* lut = src.lut;
  for (int i = 0; i < out_h; ++i) {
    const uint8_t* r0 = src.row(ay.i0[i]);
    const uint8_t* r1 = src.row(ay.i1[i]);
    const float h0 = ay.w0[i], h1 = ay.w1[i];
    float* out = dst + static_cast<ptrdiff_t>(i) * out_w;
    for (int j = 0; j < out_w; ++j) {
      const ptrdiff_t x0 = ax.i0[j] * ps, x1 = ax.i1[j] * ps;
      const float w0 = ax.w0[j], w1 = ax.w1[j];
      // PyTorch's x86-64 build compiles this kernel with FMA enabled and lets the compiler contract
      // `t0 * w0 + t1 * w1` into fma(t0, w0, t1 * w1); reproducing that contraction makes the result
      // bit-exact.
      const float t0 = std::fma(lut[r0[x0]], w0, lut[r0[x1]] * w1);
      const float t1 = std::fma(lut[r1[x0]], w0, lut[r1[x1]] * w1);
      out[j] = std::fma(t0, h0, t1 * h1);
    }
  }
}

}  // namespace fidcpp
