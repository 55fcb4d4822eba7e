// Every kernel in kernels/ through cudaemu against its naive reference (kernels/kernel_refs.h), on awkward
// shapes and in forward, reverse and random fiber orders. Outputs start as NaN so unwritten elements fail the
// comparison.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "preprocess/resize_bilinear.h"
#include "preprocess/resize_tf1.h"
#include "core/splitmix64.h"
#include "emu/cudaemu_wmma.h"
#include "emu/emu_device_array.h"
#include "kernel_refs.h"
#include "kernels.h"

namespace {

using fidcpp::SplitMix64;
using fidcpp::testing::DeviceArray;
using fidcpp::testing::kAllOrders;
using fidcpp::testing::OrderScope;

std::vector<float> small_ints(size_t n, uint64_t seed) {
  SplitMix64 r(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(static_cast<int>(r.next() % 17) - 8);
  return v;
}
std::vector<uint8_t> random_bytes(size_t n, uint64_t seed) {
  SplitMix64 r(seed);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = r.byte();
  return v;
}
void expect_near_all(const std::vector<float>& got, const std::vector<float>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const bool ok = std::fabs(double(got[i]) - want[i]) <= tol * (1 + std::fabs(double(want[i])));
    if (!ok && bad++ < 5) ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want " << want[i];
  }
  EXPECT_EQ(bad, 0u);
}

// Device copies of a two-tap axis (lo, hi, optional w0, w1) for calling the resize kernels directly.
struct TwoTapTables {
  DeviceArray<int32_t> lo, hi;
  DeviceArray<float> w0, w1;
  TwoTapTables(const std::vector<int32_t>& l, const std::vector<int32_t>& h, const std::vector<float>& a,
               const std::vector<float>& b)
      : lo(l), hi(h), w0(a.empty() ? std::vector<float>(1) : a), w1(b) {}
  fidcpp::TwoTapAxis axis() {
    fidcpp::TwoTapAxis x;
    x.lo = lo.get(), x.hi = hi.get(), x.w0 = w0.get(), x.w1 = w1.get();
    x.size = int(lo.size());
    return x;
  }
};
TwoTapTables tf1_tables(int in, int out) {
  const auto a = fidcpp::make_tf1_axis(in, out);
  return TwoTapTables(a.lo, a.hi, {}, a.frac);
}
fidcpp::U8Images images(const uint8_t* data, int n, int h, int w, size_t row_stride, size_t image_stride) {
  fidcpp::U8Images im;
  im.data = data, im.n = n, im.h = h, im.w = w, im.row_stride = row_stride, im.image_stride = image_stride;
  im.pixel_stride = 3;
  return im;
}

// docs/conventions.md §2.2 test vector: the reference implementation itself is pinned to the published
// values.
TEST(EmuKernels, ResizeTf1MatchesPublishedTestVector) {
  const uint8_t rows[4][4] = {{0, 50, 100, 150}, {200, 250, 30, 80}, {10, 20, 40, 60}, {255, 128, 64, 32}};
  std::vector<uint8_t> img(4 * 4 * 3);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) img[size_t(y * 4 + x) * 3 + c] = rows[y][x];
  const float want[9] = {0,          66.66667f,  133.33334f, 136.66666f, 126.66666f,
                         60.000004f, 173.33336f, 80.00001f,  46.22222f};
  DeviceArray<uint8_t> src(img);
  DeviceArray<float> dst(3 * 9);
  auto ty = tf1_tables(4, 3), tx = tf1_tables(4, 3);
  fidcpp::launch_resize_tf1(images(src.get(), 1, 4, 4, 12, 48), ty.axis(), tx.axis(), dst.get(), 0);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  const auto got = dst.download();
  const auto ref = fidcpp::ref::resize_tf1_ref(img.data(), 1, 4, 4, 12, 48, 3, 3);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 9; ++i) {
      EXPECT_NEAR(got[size_t(c * 9 + i)] * 128.0f + 128.0f, want[i], 1e-4) << i;
      EXPECT_EQ(got[size_t(c * 9 + i)], ref[size_t(c * 9 + i)]) << i;
    }
}

TEST(EmuKernels, ResizeTf1IsBitExactWithReference) {
  const int shapes[][4] = {{1, 1, 7, 5}, {17, 35, 8, 13}, {32, 32, 299, 299}, {5, 3, 2, 9}};
  for (auto order : kAllOrders) {
    OrderScope scope(order);
    for (auto& s : shapes) {
      const int h = s[0], w = s[1], ho = s[2], wo = s[3], n = 2;
      const size_t row_stride = size_t(w) * 3 + 5, image_stride = row_stride * h + 3;  // padded, unaligned
      const auto img = random_bytes(image_stride * n, uint64_t(h * 1000 + w));
      DeviceArray<uint8_t> src(img);
      DeviceArray<float> dst(size_t(n) * 3 * ho * wo);
      auto ty = tf1_tables(h, ho), tx = tf1_tables(w, wo);
      fidcpp::launch_resize_tf1(images(src.get(), n, h, w, row_stride, image_stride), ty.axis(), tx.axis(),
                                dst.get(), 0);
      ASSERT_EQ(cudaGetLastError(), cudaSuccess);
      EXPECT_EQ(dst.download(),
                fidcpp::ref::resize_tf1_ref(img.data(), n, h, w, row_stride, image_stride, ho, wo))
          << h << "x" << w << " -> " << ho << "x" << wo;
    }
  }
}

TEST(EmuKernels, ResizeHalfPixelMatchesDoubleReference) {
  const int shapes[][4] = {{1, 1, 3, 4}, {17, 35, 8, 13}, {64, 48, 299, 299}, {299, 299, 299, 299}};
  for (auto& s : shapes) {
    const int h = s[0], w = s[1], ho = s[2], wo = s[3], n = 2;
    const size_t row_stride = size_t(w) * 3, image_stride = row_stride * h;
    const auto img = random_bytes(image_stride * n, uint64_t(h + w));
    DeviceArray<uint8_t> src(img);
    DeviceArray<float> dst(size_t(n) * 3 * ho * wo);
    const auto ay = fidcpp::make_bilinear_axis(h, ho), ax = fidcpp::make_bilinear_axis(w, wo);
    TwoTapTables ty(ay.i0, ay.i1, ay.w0, ay.w1), tx(ax.i0, ax.i1, ax.w0, ax.w1);
    fidcpp::launch_resize_bilinear_halfpixel(images(src.get(), n, h, w, row_stride, image_stride), ty.axis(),
                                             tx.axis(), dst.get(), 0);
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
    // float32 steps vs double: the float32 source coordinate (scale rounded to float, then i * scale) moves
    // the taps by up to ~1e-6 of a pixel on the [-1, 1] output, i.e. ~2e-4 on the 0..255 scale.
    expect_near_all(
        dst.download(),
        fidcpp::ref::resize_bilinear_halfpixel_ref(img.data(), n, h, w, row_stride, image_stride, ho, wo),
        1e-5);
  }
}

struct ConvShape {
  int c, h, w, kh, kw, s, ph, pw;
};
const ConvShape kConvShapes[] = {{3, 17, 17, 3, 3, 2, 0, 0}, {5, 8, 8, 1, 7, 1, 0, 3},
                                 {5, 8, 8, 7, 1, 1, 3, 0},   {2, 35, 35, 3, 3, 1, 1, 1},
                                 {1, 1, 1, 1, 1, 1, 0, 0},   {7, 13, 11, 5, 5, 1, 2, 2},
                                 {4, 9, 9, 3, 3, 2, 0, 0}};

std::vector<float> random_floats(size_t n, uint64_t seed) {
  SplitMix64 r(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(static_cast<int64_t>(r.next() % 2000001) - 1000000) * 1e-6f;
  return v;
}

// OIHW -> K x cout, as the CUDA backend uploads it.
std::vector<float> transpose_weight(const std::vector<float>& w, int cout, int k) {
  std::vector<float> t(w.size());
  for (int o = 0; o < cout; ++o)
    for (int i = 0; i < k; ++i) t[size_t(i) * cout + o] = w[size_t(o) * k + i];
  return t;
}

// One implicit-GEMM launch into channel slice [c_off, c_off + cout) of a NaN-filled c_total output, input
// images not packed; bitwise against the sequential-FMA reference on non-integer data (so the summation
// order is pinned, not just the sum).
void check_conv_igemm(const ConvShape& s, int cout, int n, bool relu) {
  const int ho = (s.h + 2 * s.ph - s.kh) / s.s + 1, wo = (s.w + 2 * s.pw - s.kw) / s.s + 1;
  const int k = s.c * s.kh * s.kw, c_total = cout + 5, c_off = 3;
  const size_t in_stride = size_t(s.c) * s.h * s.w + 7, out_stride = size_t(c_total) * ho * wo;
  const auto x = random_floats(in_stride * n, uint64_t(s.c * 31 + s.h + cout));
  const auto wt = random_floats(size_t(cout) * k, uint64_t(k + cout));
  const auto bias = random_floats(size_t(cout), uint64_t(cout));
  std::vector<float> want(out_stride * n, NAN);
  fidcpp::ref::conv2d_fma_ref(x.data(), in_stride, n, s.c, s.h, s.w, wt.data(), bias.data(), relu, cout, s.kh,
                              s.kw, s.s, s.ph, s.pw, want.data() + size_t(c_off) * ho * wo, out_stride);
  DeviceArray<float> src(x), w(transpose_weight(wt, cout, k)), b(bias), dst(want);
  ASSERT_TRUE(fidcpp::launch_conv2d_igemm(src.get(), in_stride, w.get(), b.get(), relu,
                                          dst.get() + size_t(c_off) * ho * wo, out_stride, n, s.c, s.h, s.w,
                                          cout, s.kh, s.kw, s.s, s.ph, s.pw, false, 0));
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  const auto got = dst.download();
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const bool same = std::isnan(want[i]) ? std::isnan(got[i]) : got[i] == want[i];
    if (!same && bad++ < 5)
      ADD_FAILURE() << s.c << "x" << s.h << "x" << s.w << " k" << s.kh << "x" << s.kw << " s" << s.s
                    << " cout " << cout << " n " << n << ": element " << i << " got " << got[i] << ", want "
                    << want[i] << (std::isnan(want[i]) ? " (outside the slice)" : "");
  }
  EXPECT_EQ(bad, 0u);
}

// Every geometry of kConvShapes, both tile heights (cout 70 -> 64-row tiles with a partial one, 128 -> one
// full 128-row tile), K not a multiple of the K step, column counts not a multiple of the 128-wide tile,
// in every fiber order.
TEST(EmuKernels, ConvIgemmIsTheSequentialFmaConvolution) {
  for (auto order : kAllOrders) {
    OrderScope scope(order);
    for (const auto& s : kConvShapes) check_conv_igemm(s, 6, 2, true);
  }
  check_conv_igemm({5, 9, 7, 3, 3, 1, 1, 1}, 70, 3, true);
  check_conv_igemm({3, 6, 5, 1, 1, 1, 0, 0}, 128, 2, false);
  check_conv_igemm({11, 5, 6, 1, 3, 1, 0, 1}, 131, 1, true);
}

// The result of an image does not depend on the batch it is in (each output is one thread's chain of fmaf).
TEST(EmuKernels, ConvIgemmImageDoesNotDependOnTheBatch) {
  const ConvShape s{4, 11, 9, 3, 3, 1, 1, 1};
  const int cout = 9, n = 5, ho = 11, wo = 9, k = s.c * 9;
  const size_t in_stride = size_t(s.c) * s.h * s.w, out_stride = size_t(cout) * ho * wo;
  const auto x = random_floats(in_stride * n, 5);
  const auto wt = transpose_weight(random_floats(size_t(cout) * k, 6), cout, k);
  const auto bias = random_floats(size_t(cout), 7);
  DeviceArray<float> src(x), w(wt), b(bias), all(out_stride * n);
  ASSERT_TRUE(fidcpp::launch_conv2d_igemm(src.get(), in_stride, w.get(), b.get(), true, all.get(), out_stride,
                                          n, s.c, s.h, s.w, cout, 3, 3, 1, 1, 1, false, 0));
  const auto batch = all.download();
  for (int i = 0; i < n; ++i) {
    DeviceArray<float> one(out_stride);
    ASSERT_TRUE(fidcpp::launch_conv2d_igemm(src.get() + in_stride * i, in_stride, w.get(), b.get(), true,
                                            one.get(), out_stride, 1, s.c, s.h, s.w, cout, 3, 3, 1, 1, 1,
                                            false, 0));
    const auto got = one.download();
    EXPECT_TRUE(std::equal(got.begin(), got.end(), batch.begin() + long(out_stride * i))) << "image " << i;
  }
}

// TF32 (cvt.rna): round to nearest on a 10-bit mantissa, ties away from zero.
TEST(EmuKernels, Tf32RoundingIsRoundToNearestTiesAway) {
  using nvcuda::wmma::__float_to_tf32;
  const float ulp = std::ldexp(1.0f, -10);  // of a TF32 value in [1, 2)
  EXPECT_EQ(__float_to_tf32(1.0f), 1.0f);
  EXPECT_EQ(__float_to_tf32(1.0f + ulp * 0.49f), 1.0f);
  EXPECT_EQ(__float_to_tf32(1.0f + ulp * 0.5f), 1.0f + ulp);  // the tie goes away from zero
  EXPECT_EQ(__float_to_tf32(-(1.0f + ulp * 0.5f)), -(1.0f + ulp));
  EXPECT_EQ(__float_to_tf32(2.0f - ulp * 0.5f), 2.0f);  // carries into the exponent
  EXPECT_EQ(__float_to_tf32(INFINITY), INFINITY);
  EXPECT_TRUE(std::isnan(__float_to_tf32(NAN)));
}

// The TF32 variant: the same shapes and both tile heights, bitwise against the sequential-FMA reference on
// inputs rounded to TF32 first (the emulated mma_sync adds its products in k order with fmaf, so this pins
// the warp tiling, the fragment loads and the epilogue exactly), and different from the float32 result.
TEST(EmuKernels, ConvIgemmTf32IsTheFmaConvolutionOfTf32RoundedInputs) {
  using nvcuda::wmma::__float_to_tf32;
  auto check = [](const ConvShape& s, int cout, int n, bool relu) {
    const int ho = (s.h + 2 * s.ph - s.kh) / s.s + 1, wo = (s.w + 2 * s.pw - s.kw) / s.s + 1;
    const int k = s.c * s.kh * s.kw, c_total = cout + 5, c_off = 3;
    const size_t in_stride = size_t(s.c) * s.h * s.w + 7, out_stride = size_t(c_total) * ho * wo;
    const auto x = random_floats(in_stride * n, uint64_t(s.c * 37 + s.h + cout));
    const auto wt = random_floats(size_t(cout) * k, uint64_t(k + 3 * cout));
    const auto bias = random_floats(size_t(cout), uint64_t(cout + 1));
    std::vector<float> xr(x), wr(wt);
    for (auto& v : xr) v = __float_to_tf32(v);
    for (auto& v : wr) v = __float_to_tf32(v);
    std::vector<float> want(out_stride * n, NAN), fp32(out_stride * n, NAN);
    fidcpp::ref::conv2d_fma_ref(xr.data(), in_stride, n, s.c, s.h, s.w, wr.data(), bias.data(), relu, cout,
                                s.kh, s.kw, s.s, s.ph, s.pw, want.data() + size_t(c_off) * ho * wo,
                                out_stride);
    fidcpp::ref::conv2d_fma_ref(x.data(), in_stride, n, s.c, s.h, s.w, wt.data(), bias.data(), relu, cout,
                                s.kh, s.kw, s.s, s.ph, s.pw, fp32.data() + size_t(c_off) * ho * wo,
                                out_stride);
    DeviceArray<float> src(x), w(transpose_weight(wt, cout, k)), b(bias),
        dst(std::vector<float>(want.size(), NAN));
    ASSERT_TRUE(fidcpp::launch_conv2d_igemm(src.get(), in_stride, w.get(), b.get(), relu,
                                            dst.get() + size_t(c_off) * ho * wo, out_stride, n, s.c, s.h, s.w,
                                            cout, s.kh, s.kw, s.s, s.ph, s.pw, true, 0));
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
    const auto got = dst.download();
    size_t bad = 0, differs = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      const bool same = std::isnan(want[i]) ? std::isnan(got[i]) : got[i] == want[i];
      if (!std::isnan(want[i]) && got[i] != fp32[i]) ++differs;
      if (!same && bad++ < 5)
        ADD_FAILURE() << s.c << "x" << s.h << "x" << s.w << " k" << s.kh << "x" << s.kw << " s" << s.s
                      << " cout " << cout << " n " << n << ": element " << i << " got " << got[i] << ", want "
                      << want[i] << (std::isnan(want[i]) ? " (outside the slice)" : "");
    }
    EXPECT_EQ(bad, 0u);
    EXPECT_GT(differs, 0u) << "the TF32 result equals the float32 one: the inputs were not rounded";
  };
  for (const auto& s : kConvShapes) check(s, 6, 2, true);
  check({5, 9, 7, 3, 3, 1, 1, 1}, 70, 3, true);    // 64-row tiles, a partial one
  check({3, 6, 5, 1, 1, 1, 0, 0}, 128, 2, false);  // one full 128-row tile
  check({11, 5, 6, 1, 3, 1, 0, 1}, 131, 1, true);  // 128-row tiles, K not a multiple of 8
}

// Too many taps for the tap table, or an image too large for 32-bit indices: refused, nothing launched.
TEST(EmuKernels, ConvIgemmRefusesWhatItCannotIndex) {
  const int max_k = fidcpp::conv2d_igemm_max_k();
  EXPECT_GE(max_k, 448 * 9) << "Inception's largest K (3x3 over 448 channels) must fit";
  DeviceArray<float> dummy(16);
  EXPECT_FALSE(fidcpp::launch_conv2d_igemm(dummy.get(), 16, dummy.get(), dummy.get(), true, dummy.get(), 16,
                                           1, max_k + 1, 1, 1, 1, 1, 1, 1, 0, 0, false, 0));
  EXPECT_FALSE(fidcpp::launch_conv2d_igemm(dummy.get(), size_t(1) << 31, dummy.get(), dummy.get(), true,
                                           dummy.get(), 16, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, false, 0));
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

TEST(EmuKernels, BiasReluWritesOnlyItsChannelSlice) {
  for (auto order : kAllOrders) {
    OrderScope scope(order);
    const int n = 3, c = 5, hw = 17, c_total = 11, c_off = 4;
    const auto src = small_ints(size_t(n) * c * hw, 7);
    const auto bias = small_ints(size_t(c), 8);
    std::vector<float> want(size_t(n) * c_total * hw, NAN);
    fidcpp::ref::bias_relu_ref(src.data(), size_t(c) * hw, want.data() + size_t(c_off) * hw,
                               size_t(c_total) * hw, n, c, hw, bias.data(), true);
    DeviceArray<float> dsrc(src), dbias(bias), dst(want.size());
    fidcpp::launch_bias_relu(dsrc.get(), size_t(c) * hw, dst.get() + size_t(c_off) * hw, size_t(c_total) * hw,
                             n, c, hw, dbias.get(), true, 0);
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
    const auto got = dst.download();
    for (size_t i = 0; i < got.size(); ++i) {
      if (std::isnan(want[i])) {
        EXPECT_TRUE(std::isnan(got[i])) << "write outside the slice at " << i;
      } else {
        EXPECT_EQ(got[i], want[i]) << i;
      }
    }
  }
}

TEST(EmuKernels, PoolsMatchReference) {
  struct P {
    fidcpp::PoolKind kind;
    int k, s, pad, h, w;
  };
  const P cases[] = {{fidcpp::PoolKind::kMax, 3, 2, 0, 17, 17},
                     {fidcpp::PoolKind::kMax, 3, 2, 0, 8, 35},
                     {fidcpp::PoolKind::kMax, 3, 1, 1, 8, 8},
                     {fidcpp::PoolKind::kMax, 3, 1, 1, 1, 1},
                     {fidcpp::PoolKind::kAvgExcludePad, 3, 1, 1, 35, 17},
                     {fidcpp::PoolKind::kAvgExcludePad, 3, 1, 1, 1, 2},
                     {fidcpp::PoolKind::kAvgExcludePadRelu, 3, 1, 1, 17, 8},
                     {fidcpp::PoolKind::kAvgIncludePad, 3, 1, 1, 5, 7}};
  for (auto order : kAllOrders) {
    OrderScope scope(order);
    for (const auto& p : cases) {
      const int n = 2, c = 3, c_total = 5;
      const int ho = (p.h + 2 * p.pad - p.k) / p.s + 1, wo = (p.w + 2 * p.pad - p.k) / p.s + 1;
      // Negative values matter for max with padding: a zero pad would win.
      auto x = small_ints(size_t(n) * c * p.h * p.w, uint64_t(p.h * 7 + p.w));
      for (auto& v : x) v = v * 0.25f - 3.0f;
      std::vector<float> want(size_t(n) * c_total * ho * wo, NAN);
      fidcpp::ref::pool2d_ref(x.data(), size_t(c) * p.h * p.w, n, c, p.h, p.w, static_cast<int>(p.kind), p.k,
                              p.s, p.pad, want.data() + size_t(ho) * wo, size_t(c_total) * ho * wo);
      DeviceArray<float> src(x), dst(want.size());
      fidcpp::launch_pool2d(src.get(), size_t(c) * p.h * p.w, n, c, p.h, p.w, p.kind, p.k, p.s, p.pad,
                            dst.get() + size_t(ho) * wo, size_t(c_total) * ho * wo, 0);
      ASSERT_EQ(cudaGetLastError(), cudaSuccess);
      const auto got = dst.download();
      for (size_t i = 0; i < got.size(); ++i) {
        if (std::isnan(want[i]))
          EXPECT_TRUE(std::isnan(got[i])) << "write outside the slice at " << i;
        else
          EXPECT_NEAR(got[i], want[i], 1e-6 * (1 + std::fabs(want[i])))
              << "kind " << int(p.kind) << " at " << i;
      }
    }
  }
}

TEST(EmuKernels, GlobalMeanMatchesReference) {
  for (auto order : kAllOrders) {
    OrderScope scope(order);
    for (int hw : {1, 17, 64, 1225, 5329}) {
      for (int c : {1, 8, 35}) {
        const int n = 3, row_stride = c + 2;
        const auto x = small_ints(size_t(n) * c * hw, uint64_t(hw + c));
        std::vector<float> want(size_t(n) * row_stride, NAN);
        fidcpp::ref::global_mean_ref(x.data(), size_t(c) * hw, n, c, hw, want.data(), size_t(row_stride));
        DeviceArray<float> src(x), dst(want.size());
        fidcpp::launch_global_mean(src.get(), size_t(c) * hw, n, c, hw, dst.get(), size_t(row_stride), 0);
        ASSERT_EQ(cudaGetLastError(), cudaSuccess);
        const auto got = dst.download();
        for (size_t i = 0; i < got.size(); ++i) {
          if (std::isnan(want[i]))
            EXPECT_TRUE(std::isnan(got[i])) << i;
          else
            EXPECT_EQ(got[i], want[i]) << "hw=" << hw << " c=" << c << " at " << i;  // integer sums: exact
        }
      }
    }
  }
}

// Rows widened into the pending block and added to existing sums in row order: bitwise the CPU's order.
TEST(EmuKernels, MomentsWidenRowsAddsInRowOrder) {
  const int rows = 37, cols = 35, stride = 41;
  SplitMix64 r(3);
  std::vector<float> f(size_t(rows) * stride, NAN);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) f[size_t(i) * stride + j] = r.uniform_f32() * 4 - 2;
  std::vector<double> want_sum(size_t(cols), 1.5), want_rows(size_t(rows) * cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      want_rows[size_t(i) * cols + j] = double(f[size_t(i) * stride + j]);
      want_sum[size_t(j)] += double(f[size_t(i) * stride + j]);
    }
  for (auto order : kAllOrders) {
    OrderScope scope(order);
    DeviceArray<float> df(f);
    DeviceArray<double> d64(std::vector<double>(want_rows.size(), NAN)),
        sum(std::vector<double>(size_t(cols), 1.5));
    fidcpp::launch_widen_rows_f64(df.get(), rows, cols, stride, d64.get(), sum.get(), 0);
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
    EXPECT_EQ(sum.download(), want_sum);
    EXPECT_EQ(d64.download(), want_rows);
  }
}

}  // namespace
