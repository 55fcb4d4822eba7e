// Antialiased bilinear resize mirroring PyTorch's CPU _upsample_bilinear2d_aa for float32
// (docs/conventions.md §2.3; aten/src/ATen/native/cpu/UpSampleKernel.cpp,
// HelperInterpLinear::compute_index_ranges_weights and separable_upsample_generic_Nd_kernel_impl): weights in
// float with PyTorch's mixed float/double expressions, float accumulation in tap order with the FMA
// contraction PyTorch's x86-64 build applies to `out += t * w`, horizontal pass first. Bit-exact for scale
// factors below about 2; beyond that a few weights differ by an ulp (max 4.6e-5 on the 0..255 scale measured;
// see tests/preprocess).
#include "preprocess/resize_aa_bilinear.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace fidcpp {

namespace {

float triangle(float x) {
  x = std::fabs(x);
  return x < 1.0f ? static_cast<float>(1.0 - x) : 0.0f;
}

}  // namespace

AaAxis make_aa_axis(int in_size, int out_size) {
  AaAxis a;
  a.in_size = in_size;
  a.out_size = out_size;
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  // Bilinear has interp_size 2, so the support is 1 input pixel, widened by the scale when downsampling.
  const float support = scale >= 1.0f ? 1.0f * scale : 1.0f;
  const float invscale = scale >= 1.0f ? static_cast<float>(1.0 / scale) : 1.0f;
  a.max_taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  a.start.resize(out_size);
  a.count.resize(out_size);
  a.weights.assign(static_cast<size_t>(out_size) * a.max_taps, 0.0f);
  for (int i = 0; i < out_size; ++i) {
    // The literals are doubles in PyTorch, so these expressions mix float and double exactly like this.
    const float center = static_cast<float>(scale * (i + 0.5));
    const int64_t xmin = std::max<int64_t>(static_cast<int64_t>((center - support) + 0.5), 0);
    int64_t xsize = std::min<int64_t>(static_cast<int64_t>((center + support) + 0.5), in_size) - xmin;
    xsize = std::clamp<int64_t>(xsize, 0, a.max_taps);
    float* w = &a.weights[static_cast<size_t>(i) * a.max_taps];
    float total = 0.0f;
    for (int64_t j = 0; j < xsize; ++j) {
      w[j] = triangle(static_cast<float>((static_cast<float>(j + xmin) - center + 0.5) * invscale));
      total += w[j];
    }
    if (total != 0.0f) {
      for (int64_t j = 0; j < xsize; ++j) w[j] /= total;
    }
    a.start[i] = static_cast<int32_t>(xmin);
    a.count[i] = static_cast<int32_t>(xsize);
  }
  return a;
}

void resize_aa_bilinear(const ResizeSource& src, const AaAxis& ay, const AaAxis& ax, float* scratch,
                        float* dst) {
  const int in_h = src.height, out_w = ax.out_size, out_h = ay.out_size;
  const ptrdiff_t ps = src.pixel_stride;
  const float* lut = src.lut;
  const bool do_h = ax.in_size != ax.out_size, do_v = ay.in_size != ay.out_size;
  float* hbuf = do_v ? scratch : dst;  // the horizontal result is final when the height is unchanged
  for (int y = 0; y < in_h; ++y) {
    const uint8_t* row = src.row(y);
    float* out = hbuf + static_cast<ptrdiff_t>(y) * out_w;
    if (!do_h) {
      for (int x = 0; x < out_w; ++x) out[x] = lut[row[x * ps]];
      continue;
    }
    for (int x = 0; x < out_w; ++x) {
      const float* w = &ax.weights[static_cast<size_t>(x) * ax.max_taps];
      const uint8_t* p = row + static_cast<ptrdiff_t>(ax.start[x]) * ps;
      float acc = lut[p[0]] * w[0];
      for (int k = 1; k < ax.count[x]; ++k) acc = std::fma(lut[p[k * ps]], w[k], acc);
      out[x] = acc;
    }
  }
  if (!do_v) return;
  for (int y = 0; y < out_h; ++y) {
    const float* w = &ay.weights[static_cast<size_t>(y) * ay.max_taps];
    const float* base = hbuf + static_cast<ptrdiff_t>(ay.start[y]) * out_w;
    const int n = ay.count[y];
    float* out = dst + static_cast<ptrdiff_t>(y) * out_w;
    for (int x = 0; x < out_w; ++x) out[x] = base[x] * w[0];
    for (int k = 1; k < n; ++k) {
      const float* r = base + static_cast<ptrdiff_t>(k) * out_w;
      const float wk = w[k];
      for (int x = 0; x < out_w; ++x) out[x] = std::fma(r[x], wk, out[x]);
    }
  }
}

}  // namespace fidcpp
