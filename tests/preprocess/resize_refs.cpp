// Naive references of the CPU resizes (resize_refs.h).
#include "preprocess/resize_refs.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace fidcpp {

namespace {

// Keys cubic with a = -0.5 (Pillow's bicubic filter), spelled here so that the reference does not share the
// optimised code's.
double keys_cubic(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

}  // namespace

void resize_tf1_ref(const ResizeSource& src, int out_h, int out_w, float* dst) {
  const float sx = static_cast<float>(static_cast<double>(src.width) / out_w);
  const float sy = static_cast<float>(static_cast<double>(src.height) / out_h);
  for (int i = 0; i < out_h; ++i) {
    const float y = static_cast<float>(i) * sy;
    const int y0 = static_cast<int>(std::floor(y)), y1 = std::min(y0 + 1, src.height - 1);
    const float dy = y - static_cast<float>(y0);
    for (int j = 0; j < out_w; ++j) {
      const float x = static_cast<float>(j) * sx;
      const int x0 = static_cast<int>(std::floor(x)), x1 = std::min(x0 + 1, src.width - 1);
      const float dx = x - static_cast<float>(x0);
      const float top = src.at(y0, x0) + (src.at(y0, x1) - src.at(y0, x0)) * dx;
      const float bottom = src.at(y1, x0) + (src.at(y1, x1) - src.at(y1, x0)) * dx;
      dst[i * out_w + j] = top + (bottom - top) * dy;
    }
  }
}

void resize_bilinear_ref(const ResizeSource& src, int out_h, int out_w, double* dst) {
  auto taps = [](int in, int out, int i, int* i0, int* i1, double* l1) {
    const double s = std::max(static_cast<double>(in) / out * (i + 0.5) - 0.5, 0.0);
    *i0 = std::min(static_cast<int>(s), in - 1);
    *i1 = *i0 < in - 1 ? *i0 + 1 : *i0;
    *l1 = std::min(s - *i0, 1.0);
  };
  for (int i = 0; i < out_h; ++i) {
    int y0, y1;
    double ly;
    taps(src.height, out_h, i, &y0, &y1, &ly);
    for (int j = 0; j < out_w; ++j) {
      int x0, x1;
      double lx;
      taps(src.width, out_w, j, &x0, &x1, &lx);
      const double top = (1 - lx) * src.at(y0, x0) + lx * src.at(y0, x1);
      const double bot = (1 - lx) * src.at(y1, x0) + lx * src.at(y1, x1);
      dst[i * out_w + j] = (1 - ly) * top + ly * bot;
    }
  }
}

void resize_aa_bilinear_ref(const ResizeSource& src, int out_h, int out_w, double* dst) {
  auto weights = [](int in, int out, int i, std::vector<double>* w) -> int {
    const double scale = static_cast<double>(in) / out;
    const double support = scale >= 1 ? scale : 1.0, inv = scale >= 1 ? 1 / scale : 1.0;
    const double center = scale * (i + 0.5);
    const int lo = std::max(static_cast<int>(center - support + 0.5), 0);
    const int hi = std::min(static_cast<int>(center + support + 0.5), in);
    w->assign(in, 0.0);
    double total = 0;
    for (int j = lo; j < hi; ++j) total += (*w)[j] = std::max(0.0, 1 - std::fabs((j - center + 0.5) * inv));
    for (double& v : *w) v = total != 0 ? v / total : v;
    return 0;
  };
  std::vector<double> wy, wx, tmp(static_cast<size_t>(src.height) * out_w);
  for (int y = 0; y < src.height; ++y)
    for (int j = 0; j < out_w; ++j) {
      weights(src.width, out_w, j, &wx);
      double s = 0;
      for (int x = 0; x < src.width; ++x) s += wx[x] * src.at(y, x);
      tmp[static_cast<size_t>(y) * out_w + j] = s;
    }
  for (int i = 0; i < out_h; ++i) {
    weights(src.height, out_h, i, &wy);
    for (int j = 0; j < out_w; ++j) {
      double s = 0;
      for (int y = 0; y < src.height; ++y) s += wy[y] * tmp[static_cast<size_t>(y) * out_w + j];
      dst[static_cast<size_t>(i) * out_w + j] = s;
    }
  }
}

void resize_grid_sample_ref(const ResizeSource& src, int out_h, int out_w, double* dst) {
  for (int i = 0; i < out_h; ++i) {
    const double y = std::min(static_cast<double>(i) * src.height / out_h, src.height - 1.0);
    const int y0 = static_cast<int>(y), y1 = std::min(y0 + 1, src.height - 1);
    for (int j = 0; j < out_w; ++j) {
      const double x = std::min(static_cast<double>(j) * src.width / out_w, src.width - 1.0);
      const int x0 = static_cast<int>(x), x1 = std::min(x0 + 1, src.width - 1);
      const double dx = x - x0, dy = y - y0;
      dst[static_cast<size_t>(i) * out_w + j] = (1 - dy) * ((1 - dx) * src.at(y0, x0) + dx * src.at(y0, x1)) +
                                                dy * ((1 - dx) * src.at(y1, x0) + dx * src.at(y1, x1));
    }
  }
}

void resize_pil_bicubic_ref(const ResizeSource& src, int out_h, int out_w, float* dst) {
  auto weights = [](int in, int out, int i, std::vector<double>* w) {
    const double scale = static_cast<double>(in) / out, fs = std::max(scale, 1.0), support = 2 * fs;
    const double center = (i + 0.5) * scale;
    const int lo = std::max(static_cast<int>(center - support + 0.5), 0);
    const int hi = std::min(static_cast<int>(center + support + 0.5), in);
    w->assign(in, 0.0);
    double total = 0;
    for (int j = lo; j < hi; ++j) total += (*w)[j] = keys_cubic((j - center + 0.5) / fs);
    if (total != 0)
      for (double& v : *w) v /= total;
  };
  const bool do_h = src.width != out_w, do_v = src.height != out_h;
  std::vector<float> tmp(static_cast<size_t>(src.height) * out_w);
  std::vector<double> w;
  for (int j = 0; j < out_w; ++j) {
    weights(src.width, out_w, j, &w);
    for (int y = 0; y < src.height; ++y) {
      double s = 0;
      for (int x = 0; x < src.width; ++x) s += w[x] * src.at(y, x);
      tmp[static_cast<size_t>(y) * out_w + j] = do_h ? static_cast<float>(s) : src.at(y, j);
    }
  }
  for (int i = 0; i < out_h; ++i) {
    weights(src.height, out_h, i, &w);
    for (int j = 0; j < out_w; ++j) {
      double s = 0;
      for (int y = 0; y < src.height; ++y) s += w[y] * tmp[static_cast<size_t>(y) * out_w + j];
      dst[static_cast<size_t>(i) * out_w + j] =
          do_v ? static_cast<float>(s) : tmp[static_cast<size_t>(i) * out_w + j];
    }
  }
}

}  // namespace fidcpp
