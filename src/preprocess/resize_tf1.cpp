// TF1 legacy bilinear resize (docs/conventions.md §2.2; torch_fidelity/interpolate_compat_tensorflow.py,
// method "slow").
#include "preprocess/resize_tf1.h"

#include <algorithm>
#include <cmath>

namespace fidcpp {

Tf1Axis make_tf1_axis(int in_size, int out_size) {
  // The scale is a Python double (in/out) turned into a float32 tensor; the grid is arange(out) in float32
  // times it.
  const float scale = static_cast<float>(static_cast<double>(in_size) / static_cast<double>(out_size));
  Tf1Axis a;
  a.lo.resize(out_size);
  a.hi.resize(out_size);
  a.frac.resize(out_size);
  for (int i = 0; i < out_size; ++i) {
    const float x = static_cast<float>(i) * scale;
    const int lo = static_cast<int>(x);  // .long() truncates; x >= 0
    a.lo[i] = lo;
    a.hi[i] = std::min(lo + 1, in_size - 1);
    a.frac[i] = x - static_cast<float>(lo);
  }
  return a;
}

void resize_tf1(const ResizeSource& src, const Tf1Axis& ay, const Tf1Axis& ax, float* dst) {
  const int out_h = static_cast<int>(ay.lo.size());
  const int out_w = static_cast<int>(ax.lo.size());
  const ptrdiff_t ps = src.pixel_stride;
  const float* lut = src.lut;
  for (int i = 0; i < out_h; ++i) {
    const uint8_t* r0 = src.row(ay.lo[i]);
    const uint8_t* r1 = src.row(ay.hi[i]);
    const float dy = ay.frac[i];
    float* out = dst + static_cast<ptrdiff_t>(i) * out_w;
    for (int j = 0; j < out_w; ++j) {
      const ptrdiff_t x0 = ax.lo[j] * ps, x1 = ax.hi[j] * ps;
      const float dx = ax.frac[j];
      const float a = lut[r0[x0]], b = lut[r0[x1]], c = lut[r1[x0]], d = lut[r1[x1]];
      // Separate float32 subtract, multiply and add, as the reference's elementwise tensor ops round them.
      const float top = a + (b - a) * dx;
      const float bottom = c + (d - c) * dx;
      out[j] = top + (bottom - top) * dy;
    }
  }
}

}  // namespace fidcpp
