// Naive host references for the CUDA kernels; see kernel_refs.h.
#include "kernel_refs.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fidcpp {
namespace ref {

std::vector<float> resize_tf1_ref(const uint8_t* src, int n, int h, int w, size_t row_stride,
                                  size_t image_stride, int ho, int wo) {
  std::vector<float> out(static_cast<size_t>(n) * 3 * ho * wo);
  const float sy = static_cast<float>(double(h) / double(ho));
  const float sx = static_cast<float>(double(w) / double(wo));
  for (int b = 0; b < n; ++b)
    for (int ch = 0; ch < 3; ++ch)
      for (int i = 0; i < ho; ++i)
        for (int j = 0; j < wo; ++j) {
          volatile float x = float(j) * sx;  // volatile: one rounding per step, whatever the flags
          volatile float y = float(i) * sy;
          const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
          const int x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
          volatile float dx = x - float(x0);
          volatile float dy = y - float(y0);
          auto px = [&](int yy, int xx) {
            return float(src[b * image_stride + size_t(yy) * row_stride + size_t(xx) * 3 + size_t(ch)]);
          };
          const float a = px(y0, x0), bb = px(y0, x1), c = px(y1, x0), d = px(y1, x1);
          volatile float t0 = bb - a;
          volatile float t1 = t0 * dx;
          volatile float top = a + t1;
          volatile float u0 = d - c;
          volatile float u1 = u0 * dx;
          volatile float bottom = c + u1;
          volatile float v0 = bottom - top;
          volatile float v1 = v0 * dy;
          volatile float v = top + v1;
          volatile float centred = v - 128.0f;
          out[((size_t(b) * 3 + ch) * ho + i) * wo + j] = centred / 128.0f;
        }
  return out;
}

std::vector<float> resize_bilinear_halfpixel_ref(const uint8_t* src, int n, int h, int w, size_t row_stride,
                                                 size_t image_stride, int ho, int wo) {
  std::vector<float> out(static_cast<size_t>(n) * 3 * ho * wo);
  auto taps = [](int i, int in, int out_size, int* i0, int* i1, double* l1) {
    const double scale = double(in) / out_size;
    double s = std::max(scale * (i + 0.5) - 0.5, 0.0);
    *i0 = static_cast<int>(s);
    *i1 = *i0 < in - 1 ? *i0 + 1 : *i0;
    *l1 = s - *i0;
  };
  for (int b = 0; b < n; ++b)
    for (int ch = 0; ch < 3; ++ch)
      for (int i = 0; i < ho; ++i)
        for (int j = 0; j < wo; ++j) {
          int x0, x1, y0, y1;
          double lx, ly;
          taps(j, w, wo, &x0, &x1, &lx);
          taps(i, h, ho, &y0, &y1, &ly);
          auto px = [&](int yy, int xx) {
            return src[b * image_stride + size_t(yy) * row_stride + size_t(xx) * 3 + size_t(ch)] / 255.0;
          };
          const double v = (1 - ly) * ((1 - lx) * px(y0, x0) + lx * px(y0, x1)) +
                           ly * ((1 - lx) * px(y1, x0) + lx * px(y1, x1));
          out[((size_t(b) * 3 + ch) * ho + i) * wo + j] = static_cast<float>(2 * v - 1);
        }
  return out;
}

void conv2d_fma_ref(const float* src, size_t src_image_stride, int n, int c, int h, int w,
                    const float* weight, const float* bias, bool relu, int cout, int kh, int kw, int stride,
                    int ph, int pw, float* dst, size_t dst_image_stride) {
  const int ho = (h + 2 * ph - kh) / stride + 1, wo = (w + 2 * pw - kw) / stride + 1;
  for (int b = 0; b < n; ++b)
    for (int o = 0; o < cout; ++o)
      for (int oy = 0; oy < ho; ++oy)
        for (int ox = 0; ox < wo; ++ox) {
          float acc = 0.0f;
          for (int ch = 0; ch < c; ++ch)
            for (int ky = 0; ky < kh; ++ky)
              for (int kx = 0; kx < kw; ++kx) {
                const int iy = oy * stride - ph + ky, ix = ox * stride - pw + kx;
                const bool in = iy >= 0 && iy < h && ix >= 0 && ix < w;
                const float x = in ? src[b * src_image_stride + (size_t(ch) * h + iy) * w + ix] : 0.0f;
                acc = std::fma(weight[((size_t(o) * c + ch) * kh + ky) * kw + kx], x, acc);
              }
          const float v = acc + bias[o];
          dst[b * dst_image_stride + (size_t(o) * ho + oy) * wo + ox] = relu && v < 0 ? 0.0f : v;
        }
}

std::vector<float> conv2d_ref(const float* src, int n, int c, int h, int w, const float* weight, int cout,
                              int kh, int kw, int sh, int sw, int ph, int pw) {
  const int ho = (h + 2 * ph - kh) / sh + 1, wo = (w + 2 * pw - kw) / sw + 1;
  std::vector<float> out(size_t(n) * cout * ho * wo);
  for (int b = 0; b < n; ++b)
    for (int o = 0; o < cout; ++o)
      for (int oy = 0; oy < ho; ++oy)
        for (int ox = 0; ox < wo; ++ox) {
          double s = 0;
          for (int ch = 0; ch < c; ++ch)
            for (int ky = 0; ky < kh; ++ky)
              for (int kx = 0; kx < kw; ++kx) {
                const int iy = oy * sh - ph + ky, ix = ox * sw - pw + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                s += double(src[((size_t(b) * c + ch) * h + iy) * w + ix]) *
                     weight[((size_t(o) * c + ch) * kh + ky) * kw + kx];
              }
          out[((size_t(b) * cout + o) * ho + oy) * wo + ox] = static_cast<float>(s);
        }
  return out;
}

void bias_relu_ref(const float* src, size_t src_image_stride, float* dst, size_t dst_image_stride, int n,
                   int c, int hw, const float* bias, bool relu) {
  for (int b = 0; b < n; ++b)
    for (int ch = 0; ch < c; ++ch)
      for (int p = 0; p < hw; ++p) {
        const float v = src[b * src_image_stride + size_t(ch) * hw + p] + bias[ch];
        dst[b * dst_image_stride + size_t(ch) * hw + p] = relu && v < 0 ? 0 : v;
      }
}

void pool2d_ref(const float* src, size_t src_image_stride, int n, int c, int h, int w, int kind, int k,
                int stride, int pad, float* dst, size_t dst_image_stride) {
  const int ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
  for (int b = 0; b < n; ++b)
    for (int ch = 0; ch < c; ++ch)
      for (int oy = 0; oy < ho; ++oy)
        for (int ox = 0; ox < wo; ++ox) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int count = 0;
          for (int dy = 0; dy < k; ++dy)
            for (int dx = 0; dx < k; ++dx) {
              const int y = oy * stride - pad + dy, x = ox * stride - pad + dx;
              if (y < 0 || y >= h || x < 0 || x >= w) continue;
              const double v = src[b * src_image_stride + (size_t(ch) * h + y) * w + x];
              best = std::max(best, v);
              sum += v;
              count++;
            }
          const double v = kind == 0 ? best : kind == 2 ? sum / (k * k) : sum / count;
          dst[b * dst_image_stride + (size_t(ch) * ho + oy) * wo + ox] =
              static_cast<float>(kind == 3 ? std::max(v, 0.0) : v);
        }
}

void global_mean_ref(const float* src, size_t src_image_stride, int n, int c, int hw, float* dst,
                     size_t dst_row_stride) {
  for (int b = 0; b < n; ++b)
    for (int ch = 0; ch < c; ++ch) {
      double s = 0;
      for (int p = 0; p < hw; ++p) s += src[b * src_image_stride + size_t(ch) * hw + p];
      dst[b * dst_row_stride + ch] = static_cast<float>(s / hw);
    }
}

}  // namespace ref
}  // namespace fidcpp
