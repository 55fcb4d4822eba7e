// Pillow 'F'-mode bicubic resize (docs/conventions.md §2.5; Pillow src/libImaging/Resample.c
// precompute_coeffs and the 32-bit-per-channel passes), as clean-fid's make_resizer("PIL", False, "bicubic")
// runs it on each channel.
#include "preprocess/resize_pil_bicubic.h"

#include <algorithm>
#include <cmath>

namespace fidcpp {

namespace {

// Keys cubic with a = -0.5, evaluated in Pillow's operation order.
double keys_cubic(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

}  // namespace

PilBicubicAxis make_pil_bicubic_axis(int in_size, int out_size) {
  PilBicubicAxis a;
  a.in_size = in_size;
  a.out_size = out_size;
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 2.0 * filterscale;
  a.max_taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  a.start.resize(out_size);
  a.count.resize(out_size);
  a.weights.assign(static_cast<size_t>(out_size) * a.max_taps, 0.0);
  const double ss = 1.0 / filterscale;
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
    const int xmax = std::min(static_cast<int>(center + support + 0.5), in_size) - xmin;
    double* k = &a.weights[static_cast<size_t>(i) * a.max_taps];
    double total = 0.0;
    for (int x = 0; x < xmax; ++x) {
      k[x] = keys_cubic((x + xmin - center + 0.5) * ss);
      total += k[x];
    }
    if (total != 0.0) {
      for (int x = 0; x < xmax; ++x) k[x] /= total;
    }
    a.start[i] = xmin;
    a.count[i] = std::max(xmax, 0);
  }
  return a;
}

bool pil_bicubic_vertical_first(int in_h, int in_w, int out_h, int out_w) {
  return out_h < in_h && out_w > in_w;
}

size_t pil_bicubic_scratch_size(int in_h, int in_w, int out_h, int out_w) {
  return pil_bicubic_vertical_first(in_h, in_w, out_h, out_w) ? static_cast<size_t>(out_h) * in_w
                                                              : static_cast<size_t>(in_h) * out_w;
}

namespace {

// Horizontal pass over `rows` rows; row r of the input is read through `at(r, x)`.
template <class Reader>
void horizontal_pass(const Reader& at, int rows, const PilBicubicAxis& ax, float* out) {
  const int out_w = ax.out_size;
  for (int y = 0; y < rows; ++y) {
    float* o = out + static_cast<ptrdiff_t>(y) * out_w;
    for (int x = 0; x < out_w; ++x) {
      const double* k = &ax.weights[static_cast<size_t>(x) * ax.max_taps];
      const int x0 = ax.start[x];
      double acc = 0.0;
      for (int t = 0; t < ax.count[x]; ++t) acc += static_cast<double>(at(y, x0 + t)) * k[t];
      o[x] = static_cast<float>(acc);
    }
  }
}

// Vertical pass with `cols` columns. Pillow sums each output pixel over its taps in order; a per-row double
// accumulator keeps that order while walking rows contiguously.
template <class Reader>
void vertical_pass(const Reader& at, int cols, const PilBicubicAxis& ay, double* acc, float* out) {
  for (int y = 0; y < ay.out_size; ++y) {
    const double* k = &ay.weights[static_cast<size_t>(y) * ay.max_taps];
    const int y0 = ay.start[y];
    for (int x = 0; x < cols; ++x) acc[x] = 0.0;
    for (int t = 0; t < ay.count[y]; ++t) {
      const double kt = k[t];
      for (int x = 0; x < cols; ++x) acc[x] += static_cast<double>(at(y0 + t, x)) * kt;
    }
    float* o = out + static_cast<ptrdiff_t>(y) * cols;
    for (int x = 0; x < cols; ++x) o[x] = static_cast<float>(acc[x]);
  }
}

}  // namespace

void resize_pil_bicubic(const ResizeSource& src, const PilBicubicAxis& ay, const PilBicubicAxis& ax,
                        float* scratch, float* dst) {
  const bool do_h = ax.in_size != ax.out_size, do_v = ay.in_size != ay.out_size;
  auto from_src = [&src](int y, int x) { return src.at(y, x); };
  std::vector<double> acc(std::max(ax.in_size, ax.out_size));
  if (!do_h && !do_v) {
    for (int y = 0; y < src.height; ++y)
      for (int x = 0; x < src.width; ++x) dst[static_cast<ptrdiff_t>(y) * src.width + x] = src.at(y, x);
  } else if (!do_v) {
    horizontal_pass(from_src, src.height, ax, dst);
  } else if (!do_h) {
    vertical_pass(from_src, src.width, ay, acc.data(), dst);
  } else if (pil_bicubic_vertical_first(ay.in_size, ax.in_size, ay.out_size, ax.out_size)) {
    vertical_pass(from_src, src.width, ay, acc.data(), scratch);
    const int w = src.width;
    horizontal_pass([scratch, w](int y, int x) { return scratch[static_cast<ptrdiff_t>(y) * w + x]; },
                    ay.out_size, ax, dst);
  } else {
    horizontal_pass(from_src, src.height, ax, scratch);
    const int w = ax.out_size;
    vertical_pass([scratch, w](int y, int x) { return scratch[static_cast<ptrdiff_t>(y) * w + x]; }, w, ay,
                  acc.data(), dst);
  }
}

}  // namespace fidcpp
