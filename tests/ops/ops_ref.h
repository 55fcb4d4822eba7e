// Naive double-accumulation references for the backend ops (docs/conventions.md §1.2, §1.5, §1.6), written to
// be obviously right rather than fast. Shared by the CPU op tests and (later) the CUDA kernel tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace fidcpp {

// Plain NCHW tensor for the references.
struct RefTensor {
  int n = 0, c = 0, h = 0, w = 0;
  std::vector<double> v;
  RefTensor() = default;
  RefTensor(int n_, int c_, int h_, int w_) : n(n_), c(c_), h(h_), w(w_), v(size_t(n_) * c_ * h_ * w_, 0.0) {}
  double& at(int i, int ch, int y, int x) { return v[((size_t(i) * c + ch) * h + y) * w + x]; }
  double at(int i, int ch, int y, int x) const { return v[((size_t(i) * c + ch) * h + y) * w + x]; }
};

// weight [cout, cin, kh, kw], bias [cout]; out = relu?(conv + bias).
inline RefTensor conv2d_ref(const RefTensor& in, const std::vector<double>& weight,
                            const std::vector<double>& bias, int cout, int kh, int kw, int stride, int ph,
                            int pw, bool relu) {
  const int oh = (in.h + 2 * ph - kh) / stride + 1, ow = (in.w + 2 * pw - kw) / stride + 1;
  RefTensor out(in.n, cout, oh, ow);
  for (int i = 0; i < in.n; ++i)
    for (int co = 0; co < cout; ++co)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double s = 0.0;
          for (int ci = 0; ci < in.c; ++ci)
            for (int dy = 0; dy < kh; ++dy)
              for (int dx = 0; dx < kw; ++dx) {
                const int y = oy * stride - ph + dy, x = ox * stride - pw + dx;
                if (y < 0 || y >= in.h || x < 0 || x >= in.w) continue;
                s += in.at(i, ci, y, x) * weight[((size_t(co) * in.c + ci) * kh + dy) * kw + dx];
              }
          s += bias[co];
          out.at(i, co, oy, ox) = relu ? std::max(s, 0.0) : s;
        }
  return out;
}

inline RefTensor max_pool_ref(const RefTensor& in, int k, int stride, int pad) {
  const int oh = (in.h + 2 * pad - k) / stride + 1, ow = (in.w + 2 * pad - k) / stride + 1;
  RefTensor out(in.n, in.c, oh, ow);
  for (int i = 0; i < in.n; ++i)
    for (int ch = 0; ch < in.c; ++ch)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double m = -std::numeric_limits<double>::infinity();
          for (int dy = 0; dy < k; ++dy)
            for (int dx = 0; dx < k; ++dx) {
              const int y = oy * stride - pad + dy, x = ox * stride - pad + dx;
              if (y >= 0 && y < in.h && x >= 0 && x < in.w) m = std::max(m, in.at(i, ch, y, x));
            }
          out.at(i, ch, oy, ox) = m;
        }
  return out;
}

// count_include_pad = false divides by the number of in-bounds elements; true by the whole (padded) window.
inline RefTensor avg_pool_ref(const RefTensor& in, int k, int stride, int pad, bool count_include_pad) {
  const int oh = (in.h + 2 * pad - k) / stride + 1, ow = (in.w + 2 * pad - k) / stride + 1;
  RefTensor out(in.n, in.c, oh, ow);
  for (int i = 0; i < in.n; ++i)
    for (int ch = 0; ch < in.c; ++ch)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double s = 0.0;
          int inside = 0;
          for (int dy = 0; dy < k; ++dy)
            for (int dx = 0; dx < k; ++dx) {
              const int y = oy * stride - pad + dy, x = ox * stride - pad + dx;
              if (y >= 0 && y < in.h && x >= 0 && x < in.w) {
                s += in.at(i, ch, y, x);
                ++inside;
              }
            }
          out.at(i, ch, oy, ox) = s / (count_include_pad ? k * k : inside);
        }
  return out;
}

inline RefTensor global_mean_ref(const RefTensor& in) {
  RefTensor out(in.n, in.c, 1, 1);
  for (int i = 0; i < in.n; ++i)
    for (int ch = 0; ch < in.c; ++ch) {
      double s = 0.0;
      for (int y = 0; y < in.h; ++y)
        for (int x = 0; x < in.w; ++x) s += in.at(i, ch, y, x);
      out.at(i, ch, 0, 0) = s / (double(in.h) * in.w);
    }
  return out;
}

// in [n, in_features], weight [out, in]; bias may be empty.
inline RefTensor linear_ref(const RefTensor& in, const std::vector<double>& weight,
                            const std::vector<double>& bias, int out_features) {
  RefTensor out(in.n, out_features, 1, 1);
  for (int i = 0; i < in.n; ++i)
    for (int o = 0; o < out_features; ++o) {
      double s = 0.0;
      for (int k = 0; k < in.c; ++k) s += in.at(i, k, 0, 0) * weight[size_t(o) * in.c + k];
      out.at(i, o, 0, 0) = s + (bias.empty() ? 0.0 : bias[o]);
    }
  return out;
}

}  // namespace fidcpp
