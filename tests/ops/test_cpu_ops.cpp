// CPU backend ops vs the naive double references of ops_ref.h, on awkward shapes, for every micro-kernel this
// CPU supports; NaN guard bands and NaN-filled neighbour channels catch out-of-bounds reads and writes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/cpu_ops.h"
#include "core/splitmix64.h"
#include "ops/ops_ref.h"

namespace fidcpp {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int kGuard = 67;

// A channel slice [c_offset, c_offset + c) of a c_total-channel NCHW buffer, surrounded by NaN guard bands.
class SlicedTensor {
 public:
  SlicedTensor(int n, int c, int h, int w, int c_total, int c_offset)
      : storage_(size_t(n) * c_total * h * w + 2 * kGuard, kNaN) {
    view_ = make_view(storage_.data() + kGuard, n, c, h, w);
    view_.c_total = c_total;
    view_.c_offset = c_offset;
  }
  const TensorView& view() const { return view_; }
  float& at(int i, int ch, int y, int x) { return view_.plane(i, ch)[int64_t(y) * view_.w + x]; }
  void fill(const RefTensor& t) {
    for (int i = 0; i < t.n; ++i)
      for (int ch = 0; ch < t.c; ++ch)
        for (int y = 0; y < t.h; ++y)
          for (int x = 0; x < t.w; ++x) at(i, ch, y, x) = float(t.at(i, ch, y, x));
  }
  // Every element outside the slice (guards and other channels) must still be NaN.
  ::testing::AssertionResult untouched_outside_slice() const {
    std::vector<char> inside(storage_.size(), 0);
    for (int i = 0; i < view_.n; ++i)
      for (int ch = 0; ch < view_.c; ++ch) {
        const size_t off = size_t(view_.plane(i, ch) - storage_.data());
        std::memset(inside.data() + off, 1, size_t(view_.hw()));
      }
    for (size_t j = 0; j < storage_.size(); ++j)
      if (!inside[j] && !std::isnan(storage_[j]))
        return ::testing::AssertionFailure() << "write outside the output slice at storage index " << j;
    return ::testing::AssertionSuccess();
  }

 private:
  std::vector<float> storage_;
  TensorView view_;
};

// Small integers make every partial sum exact in float32, so any summation order must give the exact result.
RefTensor random_tensor(SplitMix64& rng, int n, int c, int h, int w, bool small_int) {
  RefTensor t(n, c, h, w);
  for (double& v : t.v)
    v = small_int ? double(int(rng.next() % 5) - 2) : double(rng.uniform_f32() * 2.0f - 1.0f);
  return t;
}
std::vector<double> random_vec(SplitMix64& rng, size_t n, bool small_int, double scale = 1.0) {
  std::vector<double> v(n);
  for (double& x : v)
    x = small_int ? double(int(rng.next() % 5) - 2) : double(float((rng.uniform_f32() * 2 - 1) * scale));
  return v;
}

// Exact match when small_int, else |got - want| <= tol * (1 + |want|) scaled by the K of the op.
::testing::AssertionResult matches(const RefTensor& want, SlicedTensor& got, double tol) {
  int bad = 0;
  std::string first;
  double worst = 0.0;
  for (int i = 0; i < want.n; ++i)
    for (int ch = 0; ch < want.c; ++ch)
      for (int y = 0; y < want.h; ++y)
        for (int x = 0; x < want.w; ++x) {
          const double w = want.at(i, ch, y, x), g = got.at(i, ch, y, x);
          const double err = std::fabs(g - w);
          if (!(err <= tol * (1.0 + std::fabs(w)))) {
            if (bad++ == 0)
              first = "(" + std::to_string(i) + "," + std::to_string(ch) + "," + std::to_string(y) + "," +
                      std::to_string(x) + ") got " + std::to_string(g) + " want " + std::to_string(w);
          }
          worst = std::max(worst, err);
        }
  if (bad)
    return ::testing::AssertionFailure() << bad << " mismatches, first " << first << ", worst abs " << worst;
  return ::testing::AssertionSuccess();
}

std::vector<std::string> available_isas() {
  std::vector<std::string> out;
  for (const char* isa : {"avx512", "avx2", "neon", "portable"}) {
    CpuBackendOptions o;
    o.isa = isa;
    o.threads = 1;
    if (create_cpu_backend(o).ok()) out.push_back(isa);
  }
  return out;
}

std::unique_ptr<Backend> make_backend(const std::string& isa, int threads) {
  CpuBackendOptions o;
  o.isa = isa.c_str();
  o.threads = threads;
  auto b = create_cpu_backend(o);
  EXPECT_TRUE(b.ok()) << b.status().to_string();
  return b.ok() ? std::move(b).value() : nullptr;
}

// What conv2d_cpu needs besides weights and views, for one ISA: its micro-kernel and vector kernels, a pool
// of two workers and their scratch (large enough for Winograd on up to max_cin input channels).
struct ConvRig {
  GemmMicroKernel kernel;
  VectorKernels vk;
  ThreadPool pool{2};
  std::vector<AlignedBuffer<float>> scratch;
  Status run(const CpuConvWeights& w, const TensorView& in, const TensorView& out) {
    return conv2d_cpu(kernel, vk, pool, scratch, w, in, out);
  }
};

::testing::AssertionResult init_rig(const std::string& isa, int max_cin, ConvRig* rig) {
  if (!select_gemm_micro_kernel(isa.c_str(), &rig->kernel))
    return ::testing::AssertionFailure() << "no micro-kernel for " << isa;
  rig->vk = vector_kernels_for(rig->kernel.isa);
  if (!make_gemm_scratch(rig->kernel, rig->pool.size(), &rig->scratch).ok() ||
      !grow_gemm_scratch(winograd_scratch_floats(rig->kernel, max_cin), &rig->scratch).ok())
    return ::testing::AssertionFailure() << "cannot allocate scratch";
  return ::testing::AssertionSuccess();
}

struct ConvCase {
  int n, cin, cout, h, w, kh, kw, stride, ph, pw;
};

const ConvCase kConvCases[] = {
    {1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {2, 3, 5, 17, 13, 3, 3, 2, 0, 0},
    {1, 7, 17, 8, 8, 1, 7, 1, 0, 3},
    {3, 13, 35, 11, 9, 7, 1, 1, 3, 0},
    {1, 32, 64, 35, 35, 3, 3, 1, 1, 1},
    {2, 5, 8, 29, 31, 5, 5, 1, 2, 2},
    {1, 300, 19, 9, 9, 1, 1, 1, 0, 0},
    {2, 67, 9, 17, 17, 3, 3, 1, 1, 1},
    {1, 3, 32, 299, 299, 3, 3, 2, 0, 0},
    {1, 37, 11, 10, 12, 3, 1, 1, 1, 0},
    {2, 16, 33, 17, 17, 3, 3, 2, 0, 0},
    {1, 2, 3, 5, 5, 3, 3, 1, 2, 2},
    // 3x3 stride 1 with >= 9 x 9 outputs take the Winograd path (winograd_cpu.cpp): odd and even output
    // sizes, pads 0, 1, 2 and asymmetric, tile rows split across panels and images, cout not a multiple of
    // any MR, cin above one K block.
    {2, 19, 21, 33, 20, 3, 3, 1, 0, 0},
    {1, 8, 13, 18, 37, 3, 3, 1, 2, 2},
    {3, 6, 10, 18, 17, 3, 3, 1, 0, 1},
    {1, 300, 9, 16, 16, 3, 3, 1, 1, 1},
    // 3x3 stride 1 with 8 outputs the short way: F(2x2, 3x3) with U formed on the fly (the 8 x 8 shape of
    // Mixed_7b/7c.branch3x3dbl_2 with fewer output channels; an 8 x 10 map without padding).
    {2, 448, 20, 8, 8, 3, 3, 1, 1, 1},
    {3, 6, 11, 10, 12, 3, 3, 1, 0, 0},
    // F(4x4, 3x3) (>= 24 x 24 outputs, cin <= kWinograd4MaxCin; float inputs only, see
    // MatchesReferenceExactlyOnSmallIntegers): sides 1, 2 and 3 past a multiple of 4, pads 0, 1, 2 and
    // asymmetric, several images, cin at the bound; one past the bound keeps F(2x2).
    {2, 9, 13, 26, 37, 3, 3, 1, 2, 2},
    {1, 20, 24, 30, 27, 3, 3, 1, 0, 0},
    {3, 6, 10, 25, 26, 3, 3, 1, 0, 1},
    {1, kWinograd4MaxCin, 9, 28, 24, 3, 3, 1, 1, 1},
    {1, kWinograd4MaxCin + 1, 5, 26, 26, 3, 3, 1, 1, 1},
    // F(2x2, 5x5) on the same bounds (float only): the network's Mixed_5x.branch5x5_2 shape, asymmetric pads,
    // odd sides; a 5x5 map too small for it stays direct (and exact on integers).
    {1, 48, 64, 35, 35, 5, 5, 1, 2, 2},
    {2, 7, 9, 30, 27, 5, 5, 1, 1, 2},
    {2, 5, 8, 19, 21, 5, 5, 1, 2, 2},
};

// F(4x4, 3x3)'s and F(2x2, 5x5)'s transforms (points 0, +-7/10, +-3/2) are not exact on integers, unlike
// F(2x2, 3x3)'s and F(4, 7)'s dyadic ones.
bool exact_on_integers(const ConvCase& cc) {
  const ConvDesc d{cc.cin, cc.cout, cc.kh, cc.kw, cc.stride, cc.ph, cc.pw, true, nullptr, nullptr};
  const int oh = pooled_size(cc.h, cc.kh, cc.stride, cc.ph), ow = pooled_size(cc.w, cc.kw, cc.stride, cc.pw);
  return !winograd4_applies(d, oh, ow) && !winograd25_applies(d, oh, ow);
}

void run_conv_case(const std::string& isa, const ConvCase& cc, bool small_int, int threads) {
  SCOPED_TRACE("isa " + isa + " case n=" + std::to_string(cc.n) + " cin=" + std::to_string(cc.cin) +
               " cout=" + std::to_string(cc.cout) + " " + std::to_string(cc.h) + "x" + std::to_string(cc.w) +
               " k=" + std::to_string(cc.kh) + "x" + std::to_string(cc.kw) +
               " s=" + std::to_string(cc.stride) + (small_int ? " int" : " float"));
  SplitMix64 rng(uint64_t(cc.cin * 131 + cc.cout * 7 + cc.h) ^ (small_int ? 0xABCDull : 0x1234ull));
  const RefTensor x = random_tensor(rng, cc.n, cc.cin, cc.h, cc.w, small_int);
  const int k = cc.cin * cc.kh * cc.kw;
  const std::vector<double> wgt = random_vec(rng, size_t(cc.cout) * k, small_int, 1.0 / std::sqrt(double(k)));
  const std::vector<double> bias = random_vec(rng, size_t(cc.cout), small_int);
  for (const bool relu : {true, false}) {
    const RefTensor want = conv2d_ref(x, wgt, bias, cc.cout, cc.kh, cc.kw, cc.stride, cc.ph, cc.pw, relu);
    auto be = make_backend(isa, threads);
    ASSERT_TRUE(be);
    std::vector<float> wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
    ConvDesc d{cc.cin, cc.cout, cc.kh, cc.kw, cc.stride, cc.ph, cc.pw, relu, wf.data(), bf.data()};
    auto prep = be->prepare_conv(d);
    ASSERT_TRUE(prep.ok()) << prep.status().to_string();
    SlicedTensor in(cc.n, cc.cin, cc.h, cc.w, cc.cin + 3, 2);
    in.fill(x);
    SlicedTensor out(cc.n, cc.cout, want.h, want.w, cc.cout + 5, 3);
    ASSERT_TRUE(be->conv2d(**prep, in.view(), out.view()).ok());
    EXPECT_TRUE(out.untouched_outside_slice());
    // Float inputs: error bound of a length-k float32 dot product with |terms| <= 1/sqrt(k).
    EXPECT_TRUE(matches(want, out, small_int ? 0.0 : 4e-7 * std::sqrt(double(k)) + 1e-7));
  }
}

TEST(CpuConv, MatchesReferenceExactlyOnSmallIntegers) {
  int exact = 0;
  for (const auto& cc : kConvCases) exact += exact_on_integers(cc);
  ASSERT_GE(exact, 16);
  for (const auto& isa : available_isas())
    for (const auto& cc : kConvCases)
      if (exact_on_integers(cc)) run_conv_case(isa, cc, true, 2);
}

TEST(CpuConv, MatchesReferenceOnFloats) {
  for (const auto& isa : available_isas())
    for (const auto& cc : kConvCases) run_conv_case(isa, cc, false, 3);
}

// On 17 x 17 (F(2x2, 3x3)) and 35 x 35 (F(4x4, 3x3)) maps.
TEST(CpuConv, BitwiseIndependentOfThreadsAndBatch) {
  for (const int side : {17, 35}) {
    SplitMix64 rng(99);
    const ConvCase cc{4, 40, 72, side, side, 3, 3, 1, 1, 1};
    const RefTensor x = random_tensor(rng, cc.n, cc.cin, cc.h, cc.w, false);
    const std::vector<double> wgt = random_vec(rng, size_t(cc.cout) * cc.cin * 9, false, 0.1);
    const std::vector<double> bias = random_vec(rng, size_t(cc.cout), false);
    std::vector<float> wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
    for (const auto& isa : available_isas()) {
      std::vector<float> first;
      for (int threads : {1, 2, 3, 4}) {
        auto be = make_backend(isa, threads);
        ASSERT_TRUE(be);
        ConvDesc d{cc.cin, cc.cout, 3, 3, 1, 1, 1, true, wf.data(), bf.data()};
        auto prep = be->prepare_conv(d);
        ASSERT_TRUE(prep.ok());
        // Whole batch at once, then image by image.
        std::vector<float> xin(x.v.begin(), x.v.end()), batch(size_t(cc.n) * cc.cout * side * side),
            single(batch.size());
        ASSERT_TRUE(be->conv2d(**prep, make_view(xin.data(), cc.n, cc.cin, side, side),
                               make_view(batch.data(), cc.n, cc.cout, side, side))
                        .ok());
        const size_t in_img = size_t(cc.cin) * side * side, out_img = size_t(cc.cout) * side * side;
        for (int i = 0; i < cc.n; ++i)
          ASSERT_TRUE(be->conv2d(**prep, make_view(xin.data() + i * in_img, 1, cc.cin, side, side),
                                 make_view(single.data() + i * out_img, 1, cc.cout, side, side))
                          .ok());
        EXPECT_EQ(0, std::memcmp(batch.data(), single.data(), batch.size() * sizeof(float)))
            << isa << " " << threads << " " << side;
        if (first.empty()) first = batch;
        EXPECT_EQ(0, std::memcmp(first.data(), batch.data(), batch.size() * sizeof(float)))
            << isa << " " << threads << " " << side;
      }
    }
  }
}

TEST(CpuConv, WinogradOnlyFor3x3Stride1OnLargeMaps) {
  const ConvDesc c3{8, 8, 3, 3, 1, 1, 1, true, nullptr, nullptr};
  EXPECT_TRUE(winograd_applies(c3, kWinogradMinOut, kWinogradMinOut));
  EXPECT_TRUE(winograd_applies(c3, 147, 147));
  // Mixed_7b/7c.branch3x3dbl_2 (8 x 8) run direct: their F(2x2) weights would hold 9.6 MB more (cpu_ops.h).
  EXPECT_FALSE(winograd_applies(c3, 8, 8));
  // They run F(2x2) with U formed on the fly instead, and only maps of 8 outputs the short way do.
  EXPECT_TRUE(winograd_fly_applies(c3, 8, 8));
  EXPECT_TRUE(winograd_fly_applies(c3, 8, 40));
  EXPECT_TRUE(winograd_fly_applies(c3, 40, kWinogradFlyMinOut));
  EXPECT_FALSE(winograd_fly_applies(c3, 9, 9));
  EXPECT_FALSE(winograd_fly_applies(c3, 7, 8));
  EXPECT_FALSE(winograd_fly_applies(ConvDesc{8, 8, 3, 3, 2, 0, 0, true, nullptr, nullptr}, 8, 8));
  EXPECT_FALSE(winograd_fly_applies(ConvDesc{8, 8, 1, 7, 1, 0, 3, true, nullptr, nullptr}, 8, 8));
  EXPECT_FALSE(winograd_applies(c3, kWinogradMinOut - 1, 40));
  EXPECT_FALSE(winograd_applies(c3, 40, kWinogradMinOut - 1));
  EXPECT_FALSE(winograd_applies(ConvDesc{8, 8, 3, 3, 2, 0, 0, true, nullptr, nullptr}, 73, 73));
  EXPECT_FALSE(winograd_applies(ConvDesc{8, 8, 1, 7, 1, 0, 3, true, nullptr, nullptr}, 17, 17));
  EXPECT_FALSE(winograd_applies(ConvDesc{8, 8, 5, 5, 1, 2, 2, true, nullptr, nullptr}, 35, 35));
  EXPECT_FALSE(
      winograd_applies(ConvDesc{kWinogradMaxCin + 1, 8, 3, 3, 1, 1, 1, true, nullptr, nullptr}, 35, 35));
}

// The Winograd path is really taken (its bits differ from the direct GEMM's somewhere) and agrees with the
// direct GEMM as closely as two float32 summation orders can, on a layer shaped like Conv2d_4a (cin 80).
TEST(CpuConv, WinogradAgreesWithDirectGemm) {
  SplitMix64 rng(7);
  const int n = 2, cin = 80, cout = 40, h = 21, w = 19;
  const RefTensor x = random_tensor(rng, n, cin, h, w, false);
  const std::vector<double> wgt = random_vec(rng, size_t(cout) * cin * 9, false, 1.0 / std::sqrt(cin * 9.0));
  const std::vector<double> bias = random_vec(rng, size_t(cout), false);
  std::vector<float> xf(x.v.begin(), x.v.end()), wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
  for (const auto& isa : available_isas()) {
    ConvRig rig;
    ASSERT_TRUE(init_rig(isa, cin, &rig));
    CpuConvWeights cw;
    ASSERT_TRUE(
        pack_conv_weights(rig.kernel, ConvDesc{cin, cout, 3, 3, 1, 1, 1, false, wf.data(), bf.data()}, &cw)
            .ok());
    ASSERT_FALSE(cw.packed_u.empty());
    std::vector<float> wino(size_t(n) * cout * h * w), direct(wino.size());
    ASSERT_TRUE(rig.run(cw, make_view(xf.data(), n, cin, h, w), make_view(wino.data(), n, cout, h, w)).ok());
    cw.packed_u = AlignedBuffer<float>();  // no Winograd weights: the direct GEMM runs
    ASSERT_TRUE(
        rig.run(cw, make_view(xf.data(), n, cin, h, w), make_view(direct.data(), n, cout, h, w)).ok());
    double worst = 0.0;
    size_t differ = 0;
    for (size_t i = 0; i < wino.size(); ++i) {
      worst = std::max(worst, double(std::fabs(wino[i] - direct[i])) / (1.0 + std::fabs(direct[i])));
      differ += wino[i] != direct[i];
    }
    EXPECT_GT(differ, wino.size() / 10) << isa << ": Winograd path not taken?";
    EXPECT_LE(worst, 4e-7 * std::sqrt(cin * 9.0)) << isa;
  }
}

// F(2x2, 3x3) on the fly (8 x 8 maps: U formed from the direct panels just before each panel's GEMMs) gives
// bitwise the results of F(2x2, 3x3) on the packed U of winograd_pack_weights, differs from the direct
// convolution (the path is really taken) by no more than two float32 summation orders can, and the low-memory
// form (no Winograd) keeps the direct convolution's bits. Two images of the Mixed_7b/7c shape (cin 448 > one
// K block of the direct path) with a cout that is no multiple of any MR, and an unpadded 10 x 12 input.
TEST(CpuConv, WinogradOnTheFlyEqualsPackedWeightsBitwise) {
  struct Case {
    int n, cin, cout, h, w, pad;
  };
  for (const Case& c : {Case{2, 448, 21, 8, 8, 1}, Case{3, 37, 10, 10, 12, 0}}) {
    const int oh = c.h + 2 * c.pad - 2, ow = c.w + 2 * c.pad - 2;
    SplitMix64 rng(uint64_t(c.cin) * 7 + uint64_t(c.h));
    const RefTensor x = random_tensor(rng, c.n, c.cin, c.h, c.w, false);
    const std::vector<double> wgt =
        random_vec(rng, size_t(c.cout) * c.cin * 9, false, 1.0 / std::sqrt(c.cin * 9.0));
    const std::vector<double> bias = random_vec(rng, size_t(c.cout), false);
    std::vector<float> xf(x.v.begin(), x.v.end()), wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
    const ConvDesc d{c.cin, c.cout, 3, 3, 1, c.pad, c.pad, true, wf.data(), bf.data()};
    ASSERT_TRUE(winograd_fly_applies(d, oh, ow));
    const TensorView in = make_view(xf.data(), c.n, c.cin, c.h, c.w);
    const size_t outs = size_t(c.n) * c.cout * oh * ow;
    for (const auto& isa : available_isas()) {
      SCOPED_TRACE(isa + " cin " + std::to_string(c.cin));
      ConvRig rig;
      ASSERT_TRUE(init_rig(isa, c.cin, &rig));
      CpuConvWeights both, lean;  // input size unknown: direct panels and packed U; low memory: direct only
      ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &both).ok());
      ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &lean, /*allow_winograd=*/false).ok());
      ASSERT_FALSE(both.packed_u.empty());
      ASSERT_TRUE(both.winograd_fly);
      ASSERT_FALSE(lean.winograd_fly);
      std::vector<float> fly(outs, -1.0f), packed(outs, -2.0f), direct(outs, -3.0f);
      ASSERT_TRUE(rig.run(both, in, make_view(fly.data(), c.n, c.cout, oh, ow)).ok());
      ASSERT_TRUE(conv2d_winograd_cpu(rig.kernel, rig.vk, rig.pool, rig.scratch, both, in,
                                      make_view(packed.data(), c.n, c.cout, oh, ow))
                      .ok());
      ASSERT_TRUE(rig.run(lean, in, make_view(direct.data(), c.n, c.cout, oh, ow)).ok());
      EXPECT_EQ(std::memcmp(fly.data(), packed.data(), outs * sizeof(float)), 0);
      double worst = 0.0;
      size_t differ = 0;
      for (size_t i = 0; i < outs; ++i) {
        worst = std::max(worst, double(std::fabs(fly[i] - direct[i])) / (1.0 + std::fabs(direct[i])));
        differ += fly[i] != direct[i];
      }
      EXPECT_GT(differ, outs / 10) << "F(2x2) on the fly not taken?";
      EXPECT_LE(worst, 4e-7 * std::sqrt(c.cin * 9.0));
    }
  }
}

// F(4x4, 3x3) takes the 3x3 stride-1 layers with few input channels on large maps (the stem and the 35 x 35
// layers), and only those; there its bits differ from F(2x2)'s (the path is really taken) while both stay
// within the float bound of MatchesReferenceOnFloats of the float64 reference, on a Conv2d_4a-like layer
// (cin 80, 3 images, a 71 x 71 map: 18 x 18 tiles, the last row and column of tiles cut).
TEST(CpuConv, Winograd4OnlyOnLargeMapsWithFewChannels) {
  const ConvDesc c3{8, 8, 3, 3, 1, 1, 1, true, nullptr, nullptr};
  EXPECT_TRUE(winograd4_applies(c3, 147, 147));
  EXPECT_TRUE(winograd4_applies(c3, 35, 35));
  EXPECT_TRUE(winograd4_applies(c3, kWinograd4MinOut, kWinograd4MinOut));
  EXPECT_FALSE(winograd4_applies(c3, kWinograd4MinOut - 1, 40));
  EXPECT_FALSE(winograd4_applies(c3, 40, kWinograd4MinOut - 1));
  EXPECT_FALSE(winograd4_applies(c3, 17, 17));
  EXPECT_FALSE(
      winograd4_applies(ConvDesc{kWinograd4MaxCin + 1, 8, 3, 3, 1, 1, 1, true, nullptr, nullptr}, 35, 35));
  EXPECT_FALSE(winograd4_applies(ConvDesc{8, 8, 3, 3, 2, 0, 0, true, nullptr, nullptr}, 73, 73));
  EXPECT_FALSE(winograd4_applies(ConvDesc{8, 8, 5, 5, 1, 2, 2, true, nullptr, nullptr}, 35, 35));
  EXPECT_FALSE(winograd4_applies(ConvDesc{8, 8, 1, 7, 1, 0, 3, true, nullptr, nullptr}, 35, 35));

  SplitMix64 rng(71);
  const int n = 3, cin = 80, cout = 20, h = 73, w = 73, oh = 71, ow = 71, k = cin * 9;
  const RefTensor x = random_tensor(rng, n, cin, h, w, false);
  const std::vector<double> wgt = random_vec(rng, size_t(cout) * k, false, 1.0 / std::sqrt(double(k)));
  const std::vector<double> bias = random_vec(rng, size_t(cout), false);
  const RefTensor want = conv2d_ref(x, wgt, bias, cout, 3, 3, 1, 0, 0, true);
  std::vector<float> wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
  for (const auto& isa : available_isas()) {
    SCOPED_TRACE(isa);
    ConvRig rig;
    ASSERT_TRUE(init_rig(isa, cin, &rig));
    ConvDesc d{cin, cout, 3, 3, 1, 0, 0, true, wf.data(), bf.data()};
    d.in_h = h;
    d.in_w = w;
    CpuConvWeights f4, f2;
    ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &f4).ok());
    EXPECT_FALSE(f4.packed_u36.empty());
    EXPECT_TRUE(f4.packed_u.empty());
    EXPECT_TRUE(f4.packed_a.empty());
    d.in_h = d.in_w = 0;  // size unknown: every form, so F(2x2) can be forced below
    ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &f2).ok());
    f2.packed_u36 = AlignedBuffer<float>();
    ASSERT_FALSE(f2.packed_u.empty());
    SlicedTensor in(n, cin, h, w, cin + 1, 1), y4(n, cout, oh, ow, cout + 2, 1), y2(n, cout, oh, ow, cout, 0);
    in.fill(x);
    ASSERT_TRUE(rig.run(f4, in.view(), y4.view()).ok());
    ASSERT_TRUE(rig.run(f2, in.view(), y2.view()).ok());
    EXPECT_TRUE(y4.untouched_outside_slice());
    const double tol = 4e-7 * std::sqrt(double(k)) + 1e-7;
    EXPECT_TRUE(matches(want, y4, tol));
    EXPECT_TRUE(matches(want, y2, tol));
    size_t differ = 0;
    for (int b = 0; b < n; ++b)
      for (int ch = 0; ch < cout; ++ch)
        for (int yy = 0; yy < oh; ++yy)
          for (int xx = 0; xx < ow; ++xx) differ += y4.at(b, ch, yy, xx) != y2.at(b, ch, yy, xx);
    EXPECT_GT(differ, size_t(n) * cout * oh * ow / 4) << "F(4x4, 3x3) path not taken?";
  }
}

// F(2x2, 5x5) takes the 5x5 stride-1 layers with few input channels on large maps (Mixed_5b..5d), and only
// those; there its bits differ from the direct convolution's while both stay within the float bound of the
// float64 reference, on the network's shape (48 -> 64 at 35 x 35, "same" padding) with several images.
TEST(CpuConv, Winograd25OnlyFor5x5OnLargeMaps) {
  const ConvDesc c5{48, 64, 5, 5, 1, 2, 2, true, nullptr, nullptr};
  EXPECT_TRUE(winograd25_applies(c5, 35, 35));
  EXPECT_TRUE(winograd25_applies(c5, kWinograd4MinOut, kWinograd4MinOut));
  EXPECT_FALSE(winograd25_applies(c5, kWinograd4MinOut - 1, 35));
  EXPECT_FALSE(winograd25_applies(c5, 35, kWinograd4MinOut - 1));
  EXPECT_FALSE(
      winograd25_applies(ConvDesc{kWinograd4MaxCin + 1, 8, 5, 5, 1, 2, 2, true, nullptr, nullptr}, 35, 35));
  EXPECT_FALSE(winograd25_applies(ConvDesc{8, 8, 5, 5, 2, 2, 2, true, nullptr, nullptr}, 35, 35));
  EXPECT_FALSE(winograd25_applies(ConvDesc{8, 8, 3, 3, 1, 1, 1, true, nullptr, nullptr}, 35, 35));
  EXPECT_FALSE(winograd4_applies(c5, 35, 35));

  SplitMix64 rng(55);
  const int n = 3, cin = 48, cout = 24, side = 35, k = cin * 25;
  const RefTensor x = random_tensor(rng, n, cin, side, side, false);
  const std::vector<double> wgt = random_vec(rng, size_t(cout) * k, false, 1.0 / std::sqrt(double(k)));
  const std::vector<double> bias = random_vec(rng, size_t(cout), false);
  const RefTensor want = conv2d_ref(x, wgt, bias, cout, 5, 5, 1, 2, 2, true);
  std::vector<float> wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
  for (const auto& isa : available_isas()) {
    SCOPED_TRACE(isa);
    ConvRig rig;
    ASSERT_TRUE(init_rig(isa, cin, &rig));
    ConvDesc d{cin, cout, 5, 5, 1, 2, 2, true, wf.data(), bf.data()};
    d.in_h = d.in_w = side;
    CpuConvWeights wino, direct;
    ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &wino).ok());
    EXPECT_FALSE(wino.packed_u36.empty());
    EXPECT_TRUE(wino.packed_a.empty());
    d.in_h = d.in_w = 0;  // size unknown: every form, so the direct convolution can be forced below
    ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &direct).ok());
    direct.packed_u36 = AlignedBuffer<float>();
    SlicedTensor in(n, cin, side, side, cin + 1, 1), yw(n, cout, side, side, cout + 2, 1),
        yd(n, cout, side, side, cout, 0);
    in.fill(x);
    ASSERT_TRUE(rig.run(wino, in.view(), yw.view()).ok());
    ASSERT_TRUE(rig.run(direct, in.view(), yd.view()).ok());
    EXPECT_TRUE(yw.untouched_outside_slice());
    const double tol = 4e-7 * std::sqrt(double(k)) + 1e-7;
    EXPECT_TRUE(matches(want, yw, tol));
    EXPECT_TRUE(matches(want, yd, tol));
    size_t differ = 0;
    for (int b = 0; b < n; ++b)
      for (int ch = 0; ch < cout; ++ch)
        for (int yy = 0; yy < side; ++yy)
          for (int xx = 0; xx < side; ++xx) differ += yw.at(b, ch, yy, xx) != yd.at(b, ch, yy, xx);
    EXPECT_GT(differ, size_t(n) * cout * side * side / 4) << "F(2x2, 5x5) path not taken?";
  }
}

// The F(4, 7) path is taken on 1x7 and 7x1 layers of at least kWinograd7MinOut outputs each way, and agrees
// with the direct GEMM on odd and even sizes (rows of 4k + 1..3 outputs: the last tile cut), several images
// (tile panels straddle them), cin above one K block, every ISA (4-lane vectors read a sixth row window).
// The bound, 8x the direct GEMM test's float bound, was set for F(2, 7); F(4, 7) measured 3.0e-6 to 1.1e-5
// against it (2.5e-5 to 1.5e-4).
TEST(CpuConv, Winograd7AgreesWithDirectGemm) {
  const ConvDesc h{8, 8, 1, 7, 1, 0, 3, true, nullptr, nullptr},
      v{8, 8, 7, 1, 1, 3, 0, true, nullptr, nullptr};
  EXPECT_TRUE(winograd7_applies(h, 17, 17));
  EXPECT_TRUE(winograd7_applies(v, 17, 17));
  EXPECT_FALSE(winograd7_applies(h, kWinograd7MinOut - 1, 17));
  EXPECT_FALSE(winograd7_applies(v, 17, kWinograd7MinOut - 1));
  EXPECT_FALSE(winograd7_applies(ConvDesc{8, 8, 1, 7, 2, 0, 3, true, nullptr, nullptr}, 17, 17));
  EXPECT_FALSE(winograd7_applies(ConvDesc{8, 8, 1, 7, 1, 0, 2, true, nullptr, nullptr}, 17, 17));
  EXPECT_FALSE(winograd7_applies(ConvDesc{8, 8, 7, 1, 1, 3, 1, true, nullptr, nullptr}, 17, 17));
  struct Case {
    int n, cin, cout, h, w, kh, kw;
  };
  const Case cases[] = {{1, 40, 24, 17, 17, 1, 7}, {2, 33, 19, 17, 17, 7, 1},  {3, 9, 12, 13, 20, 1, 7},
                        {2, 12, 10, 20, 13, 7, 1}, {1, 300, 16, 12, 12, 1, 7}, {2, 21, 9, 15, 31, 7, 1},
                        {1, 20, 8, 14, 18, 1, 7},  {2, 11, 13, 18, 14, 7, 1}};
  for (const Case& c : cases) {
    SplitMix64 rng(uint64_t(c.cin) * 31 + uint64_t(c.kh));
    const int k = c.cin * 7;
    const RefTensor x = random_tensor(rng, c.n, c.cin, c.h, c.w, false);
    const std::vector<double> wgt = random_vec(rng, size_t(c.cout) * k, false, 1.0 / std::sqrt(double(k)));
    const std::vector<double> bias = random_vec(rng, size_t(c.cout), false);
    std::vector<float> xf(x.v.begin(), x.v.end()), wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
    for (const auto& isa : available_isas()) {
      SCOPED_TRACE(isa + " " + std::to_string(c.h) + "x" + std::to_string(c.w) + " k=" +
                   std::to_string(c.kh) + "x" + std::to_string(c.kw) + " cin=" + std::to_string(c.cin));
      ConvRig rig;
      ASSERT_TRUE(init_rig(isa, c.cin, &rig));
      CpuConvWeights cw;
      const ConvDesc d{c.cin, c.cout, c.kh, c.kw, 1, c.kh / 2, c.kw / 2, false, wf.data(), bf.data()};
      ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &cw).ok());
      ASSERT_FALSE(cw.packed_u.empty());
      SlicedTensor in(c.n, c.cin, c.h, c.w, c.cin + 1, 1), wino(c.n, c.cout, c.h, c.w, c.cout + 2, 1);
      in.fill(x);
      std::vector<float> direct(size_t(c.n) * c.cout * c.h * c.w);
      ASSERT_TRUE(rig.run(cw, in.view(), wino.view()).ok());
      EXPECT_TRUE(wino.untouched_outside_slice());
      cw.packed_u = AlignedBuffer<float>();  // no Winograd weights: the direct GEMM runs
      ASSERT_TRUE(rig.run(cw, make_view(xf.data(), c.n, c.cin, c.h, c.w),
                          make_view(direct.data(), c.n, c.cout, c.h, c.w))
                      .ok());
      double worst = 0.0;
      size_t differ = 0, i = 0;
      for (int b = 0; b < c.n; ++b)
        for (int ch = 0; ch < c.cout; ++ch)
          for (int y = 0; y < c.h; ++y)
            for (int xx = 0; xx < c.w; ++xx, ++i) {
              const float got = wino.at(b, ch, y, xx), want = direct[i];
              worst = std::max(worst, double(std::fabs(got - want)) / (1.0 + std::fabs(want)));
              differ += got != want;
            }
      EXPECT_GT(differ, direct.size() / 10) << "F(4, 7) path not taken?";
      EXPECT_LE(worst, 8 * 4e-7 * std::sqrt(double(k)));
    }
  }
}

// With the input size known (ConvDesc::in_h/in_w), one form of the weights is kept: only Winograd's
// transformed panels where a Winograd path runs at that size (same bits as with both forms), only the direct
// panels where it does not, and only the direct panels when Winograd is not allowed (the low-memory mode). A
// size the kept form cannot run is refused by name.
TEST(CpuConv, KnownInputSizeKeepsOneFormOfTheWeights) {
  struct Case {
    int kh, kw, ph, pw, in;  // in: the declared (and run) square input side
    bool winograd;           // a Winograd path applies at that size
  };
  const Case cases[] = {{3, 3, 1, 1, 35, true},  // F(4x4, 3x3)
                        {3, 3, 1, 1, 17, true},  // F(2x2, 3x3)
                        {3, 3, 1, 1, 8, false},  // F(2x2, 3x3) on the fly: the direct panels only
                        {3, 3, 1, 1, 4, false}, {1, 7, 0, 3, 17, true},
                        {7, 1, 3, 0, 8, false}, {1, 1, 0, 0, 17, false}};
  const int n = 2, cin = 24, cout = 20;
  for (const Case& c : cases) {
    SplitMix64 rng(uint64_t(c.kh) * 131 + uint64_t(c.in));
    const int k = cin * c.kh * c.kw;
    const RefTensor x = random_tensor(rng, n, cin, c.in, c.in, false);
    const std::vector<double> wgt = random_vec(rng, size_t(cout) * k, false, 1.0 / std::sqrt(double(k)));
    const std::vector<double> bias = random_vec(rng, size_t(cout), false);
    std::vector<float> xf(x.v.begin(), x.v.end()), wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
    for (const auto& isa : available_isas()) {
      SCOPED_TRACE(isa + " " + std::to_string(c.kh) + "x" + std::to_string(c.kw) + " on " +
                   std::to_string(c.in));
      ConvRig rig;
      ASSERT_TRUE(init_rig(isa, cin, &rig));
      ConvDesc d{cin, cout, c.kh, c.kw, 1, c.ph, c.pw, false, wf.data(), bf.data()};
      CpuConvWeights both, one, lean;
      ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &both).ok());
      d.in_h = d.in_w = c.in;
      ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &one).ok());
      ASSERT_TRUE(pack_conv_weights(rig.kernel, d, &lean, /*allow_winograd=*/false).ok());
      EXPECT_EQ(one.packed_u.empty() && one.packed_u36.empty(), !c.winograd);
      EXPECT_TRUE(one.packed_u.empty() || one.packed_u36.empty());  // one Winograd form at most
      EXPECT_EQ(one.packed_a.empty(), c.winograd);
      EXPECT_TRUE(lean.packed_u.empty());
      EXPECT_TRUE(lean.packed_u36.empty());
      EXPECT_FALSE(lean.packed_a.empty());
      const int oh = pooled_size(c.in, c.kh, 1, c.ph), ow = pooled_size(c.in, c.kw, 1, c.pw);
      const size_t outs = size_t(n) * cout * oh * ow;
      std::vector<float> y_both(outs), y_one(outs), y_lean(outs), y_direct(outs);
      const TensorView in = make_view(xf.data(), n, cin, c.in, c.in);
      ASSERT_TRUE(rig.run(both, in, make_view(y_both.data(), n, cout, oh, ow)).ok());
      ASSERT_TRUE(rig.run(one, in, make_view(y_one.data(), n, cout, oh, ow)).ok());
      ASSERT_TRUE(rig.run(lean, in, make_view(y_lean.data(), n, cout, oh, ow)).ok());
      both.packed_u = AlignedBuffer<float>();  // the direct GEMM alone, for the lean form's bits
      both.packed_u36 = AlignedBuffer<float>();
      both.winograd_fly = false;
      ASSERT_TRUE(rig.run(both, in, make_view(y_direct.data(), n, cout, oh, ow)).ok());
      EXPECT_EQ(std::memcmp(y_one.data(), y_both.data(), outs * sizeof(float)), 0);
      EXPECT_EQ(std::memcmp(y_lean.data(), y_direct.data(), outs * sizeof(float)), 0);
      if (c.winograd) {
        // The Winograd-only form cannot run on a map too small for Winograd: refused, naming both sizes.
        const int small = 2 + c.kh / 2 * 2;  // output side 2 < every Winograd minimum
        std::vector<float> xs(size_t(n) * cin * small * small, 0.5f), ys(size_t(n) * cout * 2 * 2);
        const int sh = pooled_size(small, c.kh, 1, c.ph), sw = pooled_size(small, c.kw, 1, c.pw);
        ys.resize(size_t(n) * cout * sh * sw);
        const Status st =
            rig.run(one, make_view(xs.data(), n, cin, small, small), make_view(ys.data(), n, cout, sh, sw));
        EXPECT_FALSE(st.ok());
        EXPECT_NE(st.message().find("prepared for a " + std::to_string(c.in) + "x" + std::to_string(c.in)),
                  std::string::npos)
            << st.message();
      }
    }
  }
}

// Every vector ISA's packed micro-kernel, at every tile width it can be asked for (1 .. NR columns, 1 .. MR
// rows), equals its definition bitwise: per element one fused multiply-add per k step in increasing k, from 0
// or from C, then + bias and max(., 0). Panel columns past n_valid hold NaN, and C's rows and columns outside
// the tile (and between its rows) hold a guard value that must stay untouched, so a tile computed or stored
// wider or narrower than asked fails. (AVX-512 computes narrow tiles with 256-bit registers.)
TEST(CpuConv, MicroKernelEveryTileWidthEqualsFmaDefinition) {
  int checked = 0;
  for (const auto& isa : available_isas()) {
    if (isa == "portable") continue;  // mul + add, not fused: compared through the conv tests
    GemmMicroKernel mk;
    ASSERT_TRUE(select_gemm_micro_kernel(isa.c_str(), &mk));
    const int mr = mk.mr, nr = mk.nr;
    constexpr float kGuardValue = 1234.5f;  // not what a lane computed from a NaN column could be
    SplitMix64 rng(uint64_t(nr) * 31 + uint64_t(mr));
    const auto draw = [&] { return rng.uniform_f32() * 2.0f - 1.0f; };
    for (int kc : {1, 5, 37}) {
      AlignedBuffer<float> a, b;
      ASSERT_TRUE(a.resize(size_t(kc) * mr));
      ASSERT_TRUE(b.resize(size_t(kc) * nr));
      for (size_t i = 0; i < a.size(); ++i) a.data()[i] = draw();
      std::vector<float> bias(static_cast<size_t>(mr));
      for (float& v : bias) v = draw();
      const int64_t ldc = nr + 5;
      for (int nv = 1; nv <= nr; ++nv) {
        for (int k = 0; k < kc; ++k)
          for (int j = 0; j < nr; ++j) b.data()[k * nr + j] = j < nv ? draw() : kNaN;
        for (int mv = 1; mv <= mr; ++mv)
          for (int mode = 0; mode < 6; ++mode) {  // accumulate x {no bias, bias, bias + ReLU}
            const bool accumulate = mode >= 3, with_bias = mode % 3 >= 1, relu = mode % 3 == 2;
            std::vector<float> c(size_t(mr + 1) * ldc, kGuardValue), c0;
            for (int r = 0; r < mv; ++r)
              for (int j = 0; j < nv; ++j) c[size_t(r * ldc + j)] = accumulate ? draw() : kNaN;
            c0 = c;
            mk.fn(kc, a.data(), b.data(), c.data(), ldc, mv, nv, accumulate,
                  with_bias ? bias.data() : nullptr, relu);
            for (int r = 0; r <= mr; ++r)
              for (int j = 0; j < ldc; ++j) {
                const size_t e = size_t(r * ldc + j);
                if (r >= mv || j >= nv) {
                  ASSERT_EQ(c[e], kGuardValue) << isa << " wrote outside the tile: row " << r << " col " << j
                                               << " (m_valid " << mv << ", n_valid " << nv << ")";
                  continue;
                }
                float want = accumulate ? c0[e] : 0.0f;
                for (int k = 0; k < kc; ++k)
                  want = std::fma(a.data()[k * mr + r], b.data()[k * nr + j], want);
                if (with_bias) want += bias[size_t(r)];
                if (relu) want = want > 0.0f ? want : 0.0f;
                ASSERT_EQ(std::memcmp(&want, &c[e], sizeof(float)), 0)
                    << isa << " kc " << kc << " m_valid " << mv << " n_valid " << nv << " mode " << mode
                    << " row " << r << " col " << j << ": " << c[e] << " want " << want;
              }
            ++checked;
          }
      }
    }
  }
  if (checked == 0) GTEST_SKIP() << "skipped: no vector micro-kernel on this CPU";
}

// The direct micro-kernel (B rows read straight from the input, masked at the map's edges) gives the same
// bits as the packed panel on the "same"-padded stride-1 shapes it takes (1x7, 7x1, 5x5 in the network) and
// on awkward ones: cin over one K block, a 1x1 map, maps smaller than the kernel, panels ending mid-row and
// mid-map, several images. The input slice sits between NaN channels and guards, so a lane read off the map
// poisons the result.
TEST(CpuConv, DirectKernelBitwiseEqualsPackedPanels) {
  const ConvCase cases[] = {
      {2, 7, 17, 17, 17, 1, 7, 1, 0, 3},  {3, 13, 35, 11, 9, 7, 1, 1, 3, 0}, {2, 5, 8, 29, 31, 5, 5, 1, 2, 2},
      {2, 29, 41, 17, 17, 7, 1, 1, 3, 0}, {1, 300, 9, 8, 8, 1, 7, 1, 0, 3},  {1, 3, 9, 1, 1, 5, 5, 1, 2, 2},
      {1, 11, 20, 6, 40, 1, 7, 1, 0, 3},  {2, 4, 8, 3, 3, 7, 7, 1, 3, 3},    {2, 6, 9, 5, 11, 1, 7, 1, 0, 3},
  };
  int direct_isas = 0;
  for (const auto& isa : available_isas()) {
    ConvRig rig;
    ASSERT_TRUE(init_rig(isa, 1, &rig));
    if (!rig.kernel.direct) continue;
    ++direct_isas;
    const GemmMicroKernel direct = rig.kernel;
    GemmMicroKernel packed = direct;
    packed.direct = nullptr;
    for (const ConvCase& cc : cases) {
      SCOPED_TRACE(isa + " cin=" + std::to_string(cc.cin) + " " + std::to_string(cc.h) + "x" +
                   std::to_string(cc.w) + " k=" + std::to_string(cc.kh) + "x" + std::to_string(cc.kw));
      SplitMix64 rng(uint64_t(cc.cin) * 977 + uint64_t(cc.kh * 10 + cc.kw));
      const RefTensor x = random_tensor(rng, cc.n, cc.cin, cc.h, cc.w, false);
      const int k = cc.cin * cc.kh * cc.kw;
      const std::vector<double> wgt = random_vec(rng, size_t(cc.cout) * k, false, 1.0 / std::sqrt(double(k)));
      const std::vector<double> bias = random_vec(rng, size_t(cc.cout), false);
      std::vector<float> wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
      CpuConvWeights cw;
      ASSERT_TRUE(pack_conv_weights(
                      direct,
                      ConvDesc{cc.cin, cc.cout, cc.kh, cc.kw, 1, cc.ph, cc.pw, true, wf.data(), bf.data()},
                      &cw)
                      .ok());
      cw.packed_u = AlignedBuffer<float>();    // the 17 x 17 shapes would take F(4, 7), the 29 x 31 one
      cw.packed_u36 = AlignedBuffer<float>();  // F(2x2, 5x5)
      SlicedTensor in(cc.n, cc.cin, cc.h, cc.w, cc.cin + 2, 1);
      in.fill(x);
      SlicedTensor a(cc.n, cc.cout, cc.h, cc.w, cc.cout + 3, 2), b(cc.n, cc.cout, cc.h, cc.w, cc.cout + 3, 2);
      ASSERT_TRUE(rig.run(cw, in.view(), a.view()).ok());
      rig.kernel = packed;
      ASSERT_TRUE(rig.run(cw, in.view(), b.view()).ok());
      rig.kernel = direct;
      EXPECT_TRUE(a.untouched_outside_slice());
      size_t differ = 0, nan = 0;
      for (int i = 0; i < cc.n; ++i)
        for (int ch = 0; ch < cc.cout; ++ch)
          for (int y = 0; y < cc.h; ++y)
            for (int xx = 0; xx < cc.w; ++xx) {
              const float va = a.at(i, ch, y, xx), vb = b.at(i, ch, y, xx);
              nan += std::isnan(va);
              differ += std::memcmp(&va, &vb, sizeof(float)) != 0;
            }
      EXPECT_EQ(nan, 0u);
      EXPECT_EQ(differ, 0u);
    }
  }
  EXPECT_EQ(size_t(direct_isas), available_isas().size()) << "an ISA without a direct kernel";
}

// Backend::conv2d_siblings gives, bitwise, what conv2d gives on each layer in turn: stacked 1x1 layers (cout
// not a multiple of MR, K over one block, several images, sliced outputs, 1 to 3 threads) and a group that
// cannot stack (a 3x3 among them).
TEST(CpuConv, SiblingsEqualSeparateConvolutionsBitwise) {
  struct Group {
    int n, cin, h, w;
    std::vector<int> couts, ks;
  };
  const Group groups[] = {
      {2, 37, 35, 35, {64, 48, 64}, {1, 1, 1}},
      {3, 300, 8, 8, {8, 13, 5}, {1, 1, 1}},
      {1, 20, 17, 17, {24, 40}, {1, 1}},
      {2, 9, 11, 12, {16, 7}, {1, 3}},
  };
  for (const auto& isa : available_isas())
    for (const Group& gr : groups)
      for (const int threads : {1, 2, 3}) {
        SCOPED_TRACE(isa + " cin=" + std::to_string(gr.cin) + " " + std::to_string(gr.h) + "x" +
                     std::to_string(gr.w) + " threads=" + std::to_string(threads));
        auto be = make_backend(isa, threads);
        ASSERT_TRUE(be);
        SplitMix64 rng(uint64_t(gr.cin) * 31 + uint64_t(gr.h));
        const RefTensor x = random_tensor(rng, gr.n, gr.cin, gr.h, gr.w, false);
        SlicedTensor in(gr.n, gr.cin, gr.h, gr.w, gr.cin + 2, 1);
        in.fill(x);
        const int count = int(gr.couts.size());
        std::vector<std::unique_ptr<PreparedConv>> preps;
        std::vector<std::unique_ptr<SlicedTensor>> stacked, alone;
        for (int i = 0; i < count; ++i) {
          const int cout = gr.couts[size_t(i)], kk = gr.ks[size_t(i)], k = gr.cin * kk * kk;
          const std::vector<double> wgt =
              random_vec(rng, size_t(cout) * k, false, 1.0 / std::sqrt(double(k)));
          const std::vector<double> bias = random_vec(rng, size_t(cout), false);
          std::vector<float> wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
          auto prep = be->prepare_conv(
              ConvDesc{gr.cin, cout, kk, kk, 1, kk / 2, kk / 2, i != 1, wf.data(), bf.data()});
          ASSERT_TRUE(prep.ok()) << prep.status().to_string();
          preps.push_back(std::move(*prep));
          stacked.push_back(std::make_unique<SlicedTensor>(gr.n, cout, gr.h, gr.w, cout + 4, 3));
          alone.push_back(std::make_unique<SlicedTensor>(gr.n, cout, gr.h, gr.w, cout + 4, 3));
        }
        std::vector<const PreparedConv*> convs;
        std::vector<TensorView> outs;
        for (int i = 0; i < count; ++i) {
          convs.push_back(preps[size_t(i)].get());
          outs.push_back(stacked[size_t(i)]->view());
          ASSERT_TRUE(be->conv2d(*preps[size_t(i)], in.view(), alone[size_t(i)]->view()).ok());
        }
        ASSERT_TRUE(be->conv2d_siblings(convs.data(), outs.data(), count, in.view()).ok());
        for (int i = 0; i < count; ++i) {
          SlicedTensor &a = *stacked[size_t(i)], &b = *alone[size_t(i)];
          EXPECT_TRUE(a.untouched_outside_slice());
          size_t differ = 0, nonzero = 0;
          for (int im = 0; im < gr.n; ++im)
            for (int ch = 0; ch < gr.couts[size_t(i)]; ++ch)
              for (int y = 0; y < gr.h; ++y)
                for (int xx = 0; xx < gr.w; ++xx) {
                  const float va = a.at(im, ch, y, xx), vb = b.at(im, ch, y, xx);
                  differ += std::memcmp(&va, &vb, sizeof(float)) != 0;
                  nonzero += va != 0.0f;
                }
          EXPECT_EQ(differ, 0u) << "sibling " << i;
          EXPECT_GT(nonzero, 0u) << "sibling " << i;
        }
      }
}

// A sibling whose output does not fit its layer is named in the error; so is a count out of range.
TEST(CpuConv, SiblingsRejectBadOutputsAndCounts) {
  auto be = make_backend(available_isas().front(), 2);
  ASSERT_TRUE(be);
  std::vector<float> w(16 * 8, 0.1f), b(16, 0.0f), x(8 * 5 * 5, 1.0f), y(16 * 5 * 5), z(16 * 4 * 4);
  auto prep = be->prepare_conv(ConvDesc{8, 16, 1, 1, 1, 0, 0, true, w.data(), b.data()});
  ASSERT_TRUE(prep.ok());
  const PreparedConv* convs[5] = {prep->get(), prep->get(), prep->get(), prep->get(), prep->get()};
  const TensorView in = make_view(x.data(), 1, 8, 5, 5);
  TensorView outs[5];
  for (auto& o : outs) o = make_view(y.data(), 1, 16, 5, 5);
  outs[1] = make_view(z.data(), 1, 16, 4, 4);
  const Status bad = be->conv2d_siblings(convs, outs, 2, in);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.to_string().find("expected output [1,16,5,5]"), std::string::npos) << bad.to_string();
  EXPECT_EQ(be->conv2d_siblings(convs, outs, 0, in).code(), StatusCode::kInvalidArgument);
  outs[1] = outs[0];
  EXPECT_TRUE(be->conv2d_siblings(convs, outs, 1, in).ok());
}

// The task grid: blocks never exceed the packing scratch, and output channels are split only where that
// balances the workers (repeating B packing otherwise costs time for nothing).
TEST(CpuConv, TaskGridBalancesWithoutRepeatingPacking) {
  for (int workers : {1, 2, 3, 8})
    for (int64_t panels : {1, 2, 3, 7, 10, 39, 677, 43000})
      for (int m_panels : {1, 4, 24}) {
        const ConvTaskGrid g = balance_conv_tasks(panels, m_panels, workers, kGemmPanelsPerBlock);
        EXPECT_GE(g.col_blocks * kGemmPanelsPerBlock, panels) << panels;
        EXPECT_LE(g.col_blocks, panels);
        EXPECT_GE(g.m_chunks, 1);
        EXPECT_LE(g.m_chunks, m_panels);
      }
  // 17 x 17 maps at batch 1 (10 panels) on two workers: five panels each, all output channels.
  ConvTaskGrid g = balance_conv_tasks(10, 20, 2, kGemmPanelsPerBlock);
  EXPECT_EQ(g.col_blocks, 2);
  EXPECT_EQ(g.m_chunks, 1);
  // 8 x 8 maps at batch 1 (2 panels): one panel each.
  g = balance_conv_tasks(2, 48, 2, kGemmPanelsPerBlock);
  EXPECT_EQ(g.col_blocks * g.m_chunks, 2);
  EXPECT_EQ(g.m_chunks, 1);
  // One panel: only an output-channel split keeps the second worker busy.
  g = balance_conv_tasks(1, 24, 2, kGemmPanelsPerBlock);
  EXPECT_EQ(g.col_blocks, 1);
  EXPECT_EQ(g.m_chunks, 2);
  // Many panels: a multiple of the workers, no split.
  g = balance_conv_tasks(677, 8, 2, kGemmPanelsPerBlock);
  EXPECT_EQ(g.col_blocks % 2, 0);
  EXPECT_EQ(g.m_chunks, 1);
}

// The implicit-im2col row copy of every ISA (AVX-512: masked loads that must not read or write outside the
// row or the run) against the plain definition, with NaN guards around the source row and the destination.
TEST(CpuConv, CopyRunMatchesDefinitionOnEveryIsa) {
  for (const auto& isa : available_isas()) {
    const CopyRunFn copy_run = vector_kernels_for(isa.c_str()).copy_run;
    int checked = 0;
    for (int in_w : {1, 5, 17, 35, 40})
      for (int stride : {1, 2, 3})
        for (int len = 1; len <= 37; len += 3)
          for (int ix0 = -4; ix0 <= in_w + 2; ++ix0) {
            std::vector<float> row(size_t(in_w) + 2 * kGuard, kNaN), dst(size_t(len) + 2 * kGuard, kNaN);
            for (int x = 0; x < in_w; ++x) row[size_t(kGuard + x)] = float(x + 1);
            copy_run(dst.data() + kGuard, row.data() + kGuard, ix0, len, in_w, stride);
            for (int t = -kGuard; t < len + kGuard; ++t) {
              const float got = dst[size_t(kGuard + t)];
              const int ix = ix0 + t * stride;
              if (t < 0 || t >= len) {
                ASSERT_TRUE(std::isnan(got)) << isa << ": wrote outside the run at " << t;
              } else {
                const float want = (ix >= 0 && ix < in_w) ? float(ix + 1) : 0.0f;
                ASSERT_EQ(got, want) << isa << " in_w " << in_w << " stride " << stride << " len " << len
                                     << " ix0 " << ix0 << " t " << t;
              }
            }
            ++checked;
          }
    EXPECT_GT(checked, 1000);
  }
}

TEST(CpuConv, RejectsBadShapes) {
  auto be = make_backend("", 1);
  ASSERT_TRUE(be);
  std::vector<float> w(2 * 3 * 9, 0.0f), b(2, 0.0f), x(3 * 5 * 5), y(2 * 3 * 3);
  auto prep = be->prepare_conv(ConvDesc{3, 2, 3, 3, 1, 0, 0, true, w.data(), b.data()});
  ASSERT_TRUE(prep.ok());
  EXPECT_FALSE(be->conv2d(**prep, make_view(x.data(), 1, 3, 5, 5), make_view(y.data(), 1, 2, 4, 4)).ok());
  EXPECT_FALSE(be->conv2d(**prep, make_view(x.data(), 1, 2, 5, 5), make_view(y.data(), 1, 2, 3, 3)).ok());
  EXPECT_TRUE(be->conv2d(**prep, make_view(x.data(), 1, 3, 5, 5), make_view(y.data(), 1, 2, 3, 3)).ok());
  EXPECT_FALSE(be->prepare_conv(ConvDesc{0, 2, 3, 3, 1, 0, 0, true, w.data(), b.data()}).ok());
  EXPECT_FALSE(be->prepare_conv(ConvDesc{3, 2, 3, 3, 1, 0, 0, true, nullptr, b.data()}).ok());
  CpuBackendOptions bad;
  bad.isa = "sse9";
  auto r = create_cpu_backend(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("sse9"), std::string::npos);
}

// The default is the widest kernel of this architecture, never a silent portable fallback where a vector
// kernel exists, and the ISAs iterated above include it (so the other tests run it).
TEST(CpuConv, DefaultIsaIsTheBestOfThisArchitecture) {
  GemmMicroKernel k;
  ASSERT_TRUE(select_gemm_micro_kernel(nullptr, &k));
#if defined(__aarch64__)
  EXPECT_STREQ(k.isa, "neon");
#elif defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    EXPECT_STREQ(k.isa, "avx512");
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_STREQ(k.isa, "avx2");
  }
#endif
  const std::vector<std::string> isas = available_isas();
  std::string names;
  for (const auto& isa : isas) names += " " + isa;
  std::printf("ISAs tested:%s; default micro-kernel %s (%dx%d)\n", names.c_str(), k.isa, k.mr, k.nr);
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.front(), k.isa);
  EXPECT_EQ(isas.back(), "portable");
  if (std::string(k.isa) != "portable") {
    EXPECT_TRUE(vector_kernels_for(k.isa).copy_run != vector_kernels_portable().copy_run)
        << "the vector kernels of " << k.isa << " fell back to the portable set";
  }
}

struct PoolCase {
  int n, c, h, w, k, stride, pad;
};

TEST(CpuPool, MaxPoolMatchesReference) {
  const PoolCase cases[] = {{2, 5, 17, 17, 3, 2, 0}, {1, 3, 147, 147, 3, 2, 0}, {1, 2, 8, 8, 3, 1, 1},
                            {3, 7, 35, 35, 3, 2, 0}, {1, 1, 1, 1, 3, 1, 1},     {1, 4, 71, 71, 3, 2, 0}};
  auto be = make_backend("", 2);
  ASSERT_TRUE(be);
  SplitMix64 rng(5);
  for (const auto& pc : cases) {
    const RefTensor x = random_tensor(rng, pc.n, pc.c, pc.h, pc.w, false);
    const RefTensor want = max_pool_ref(x, pc.k, pc.stride, pc.pad);
    SlicedTensor in(pc.n, pc.c, pc.h, pc.w, pc.c + 2, 1), out(pc.n, pc.c, want.h, want.w, pc.c + 4, 4);
    in.fill(x);
    ASSERT_TRUE(be->max_pool(PoolDesc{pc.k, pc.stride, pc.pad, false}, in.view(), out.view()).ok());
    EXPECT_TRUE(out.untouched_outside_slice());
    EXPECT_TRUE(matches(want, out, 0.0));
  }
}

TEST(CpuPool, AvgPoolMatchesReferenceWithAndWithoutPadCounting) {
  const PoolCase cases[] = {{1, 3, 35, 35, 3, 1, 1}, {2, 4, 17, 17, 3, 1, 1}, {1, 1, 1, 1, 3, 1, 1},
                            {1, 2, 8, 8, 3, 1, 1},   {2, 3, 13, 7, 3, 2, 1},  {1, 2, 9, 9, 3, 2, 0},
                            {1, 2, 11, 10, 3, 3, 1}};  // stride 3: the row-by-row path
  auto be = make_backend("", 2);
  ASSERT_TRUE(be);
  SplitMix64 rng(6);
  int clamped = 0;
  for (const bool relu : {false, true})
    for (const bool include : {false, true})
      for (const bool small_int : {true, false})
        for (const auto& pc : cases) {
          const RefTensor x = random_tensor(rng, pc.n, pc.c, pc.h, pc.w, small_int);
          RefTensor want = avg_pool_ref(x, pc.k, pc.stride, pc.pad, include);
          if (relu)
            for (double& v : want.v) {
              clamped += v < 0.0;
              v = std::max(v, 0.0);
            }
          SlicedTensor in(pc.n, pc.c, pc.h, pc.w, pc.c, 0), out(pc.n, pc.c, want.h, want.w, pc.c + 1, 1);
          in.fill(x);
          PoolDesc p{pc.k, pc.stride, pc.pad, include};
          p.relu = relu;
          ASSERT_TRUE(be->avg_pool(p, in.view(), out.view()).ok());
          EXPECT_TRUE(out.untouched_outside_slice());
          // Integer sums are exact, so only the final division rounds: the float result is correctly rounded.
          EXPECT_TRUE(matches(want, out, small_int ? 6e-8 : 3e-7))
              << "include_pad " << include << " relu " << relu;
        }
  EXPECT_GT(clamped, 20);  // the ReLU had negative averages to clear
  // A max-pool has no ReLU option: asking for one is an error, not silently ignored.
  PoolDesc m{3, 2, 0, false};
  m.relu = true;
  std::vector<float> a(9, 1.0f), b(1);
  const Status s = be->max_pool(m, make_view(a.data(), 1, 1, 3, 3), make_view(b.data(), 1, 1, 1, 1));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.to_string().find("relu"), std::string::npos) << s.to_string();
}

// The pools' vectorised interior path must give bitwise what the plain per-output loop gives (float sum in
// row-major window order, one division; NaN-propagating max), on every border/interior split.
// Every width up to 23, then widths around where whole 16-float vectors of stride-2 outputs start to fit
// (the vector kernels' stride-2 loads read one float past a window), for every ISA's vector kernels; kernels
// up to 4 and at and past the bound of the whole-plane kernels (strides 1 and 2; stride 3 runs row by row).
TEST(CpuPool, InteriorFastPathBitwiseEqualsPlainLoopOnAllSmallShapes) {
  std::vector<int> widths;
  for (int w = 1; w <= 23; ++w) widths.push_back(w);
  for (int w : {31, 33, 34, 35, 36, 37, 38, 40, 47}) widths.push_back(w);
  for (const auto& isa : available_isas()) {
    SCOPED_TRACE(isa);
    auto be = make_backend(isa, 2);
    ASSERT_TRUE(be);
    SplitMix64 rng(7);
    int checked = 0;
    for (const int k : {1, 2, 3, 4, kPoolPlaneMaxKernel, kPoolPlaneMaxKernel + 1})
      for (int stride = 1; stride <= 3; ++stride)
        for (int pad = 0; pad < k; ++pad)
          for (int h = 1; h <= 11; h += 5)
            for (int w : widths) {
              const int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
              if (h + 2 * pad < k || w + 2 * pad < k) continue;
              std::vector<float> x(size_t(2) * h * w);
              // A third signed zeros: windows whose maximum is a tie of -0 and +0 keep the first of them.
              for (auto& v : x) {
                const double r = rng.uniform_f64();
                v = r < 1.0 / 6.0 ? -0.0f : r < 1.0 / 3.0 ? 0.0f : float(rng.uniform_f64() * 8.0 - 4.0);
              }
              x[x.size() / 3] = std::nanf("");  // one NaN: must propagate through max, and into sums
              for (const bool include : {false, true}) {
                std::vector<float> got(size_t(2) * oh * ow), mx(size_t(2) * oh * ow);
                ASSERT_TRUE(be->avg_pool(PoolDesc{k, stride, pad, include}, make_view(x.data(), 1, 2, h, w),
                                         make_view(got.data(), 1, 2, oh, ow))
                                .ok());
                ASSERT_TRUE(be->max_pool(PoolDesc{k, stride, pad, false}, make_view(x.data(), 1, 2, h, w),
                                         make_view(mx.data(), 1, 2, oh, ow))
                                .ok());
                for (int c = 0; c < 2; ++c)
                  for (int oy = 0; oy < oh; ++oy)
                    for (int ox = 0; ox < ow; ++ox) {
                      const int ys = oy * stride - pad, xs = ox * stride - pad;
                      const int ye = std::min(ys + k, h + pad), xe = std::min(xs + k, w + pad);
                      const int y0 = std::max(0, ys), y1 = std::min(h, ye), x0 = std::max(0, xs),
                                x1 = std::min(w, xe);
                      float sum = 0.0f, m = -std::numeric_limits<float>::infinity();
                      for (int y = y0; y < y1; ++y)
                        for (int xx = x0; xx < x1; ++xx) {
                          const float v = x[size_t(c) * h * w + size_t(y) * w + xx];
                          sum += v;
                          if (v > m || std::isnan(v)) m = v;
                        }
                      const int count = include ? (ye - ys) * (xe - xs) : (y1 - y0) * (x1 - x0);
                      const float want = sum / float(count);
                      const float g = got[size_t(c) * oh * ow + size_t(oy) * ow + ox];
                      const float gm = mx[size_t(c) * oh * ow + size_t(oy) * ow + ox];
                      ASSERT_EQ(std::memcmp(&want, &g, 4), 0)
                          << "avg k" << k << " s" << stride << " p" << pad << " " << h << "x" << w << " at "
                          << oy << "," << ox;
                      ASSERT_EQ(std::memcmp(&m, &gm, 4), 0)
                          << "max k" << k << " s" << stride << " p" << pad << " " << h << "x" << w << " at "
                          << oy << "," << ox;
                      ++checked;
                    }
              }
            }
    EXPECT_GT(checked, 10000);
  }
}

TEST(CpuPool, AvgPoolPadCountingChangesEdges) {
  auto be = make_backend("", 1);
  ASSERT_TRUE(be);
  std::vector<float> x(9, 1.0f), a(9), b(9);
  ASSERT_TRUE(
      be->avg_pool(PoolDesc{3, 1, 1, false}, make_view(x.data(), 1, 1, 3, 3), make_view(a.data(), 1, 1, 3, 3))
          .ok());
  ASSERT_TRUE(
      be->avg_pool(PoolDesc{3, 1, 1, true}, make_view(x.data(), 1, 1, 3, 3), make_view(b.data(), 1, 1, 3, 3))
          .ok());
  EXPECT_EQ(a[0], 1.0f);
  EXPECT_EQ(b[0], 4.0f / 9.0f);
  EXPECT_EQ(b[4], 1.0f);
}

TEST(CpuPool, GlobalMeanMatchesReference) {
  auto be = make_backend("", 2);
  ASSERT_TRUE(be);
  SplitMix64 rng(7);
  const PoolCase cases[] = {
      {2, 5, 8, 8, 0, 0, 0}, {1, 3, 73, 73, 0, 0, 0}, {3, 17, 17, 17, 0, 0, 0}, {1, 1, 1, 1, 0, 0, 0}};
  for (const auto& pc : cases) {
    const RefTensor x = random_tensor(rng, pc.n, pc.c, pc.h, pc.w, false);
    const RefTensor want = global_mean_ref(x);
    SlicedTensor in(pc.n, pc.c, pc.h, pc.w, pc.c + 1, 1), out(pc.n, pc.c, 1, 1, pc.c + 3, 2);
    in.fill(x);
    ASSERT_TRUE(be->global_mean(in.view(), out.view()).ok());
    EXPECT_TRUE(out.untouched_outside_slice());
    EXPECT_TRUE(matches(want, out, 6e-8));
  }
}

TEST(CpuLinear, MatchesReferenceWithAndWithoutBias) {
  auto be = make_backend("", 2);
  ASSERT_TRUE(be);
  SplitMix64 rng(8);
  for (const int n : {1, 3}) {
    const int in_f = 2048, out_f = 1008;
    const RefTensor x = random_tensor(rng, n, in_f, 1, 1, false);
    const std::vector<double> wgt = random_vec(rng, size_t(in_f) * out_f, false, 0.05);
    const std::vector<double> bias = random_vec(rng, size_t(out_f), false);
    std::vector<float> wf(wgt.begin(), wgt.end()), bf(bias.begin(), bias.end());
    auto prep = be->prepare_linear(LinearDesc{in_f, out_f, wf.data(), bf.data()});
    ASSERT_TRUE(prep.ok());
    for (const bool add_bias : {false, true}) {
      const RefTensor want = linear_ref(x, wgt, add_bias ? bias : std::vector<double>{}, out_f);
      SlicedTensor in(n, in_f, 1, 1, in_f, 0), out(n, out_f, 1, 1, out_f, 0);
      in.fill(x);
      ASSERT_TRUE(be->linear(**prep, in.view(), out.view(), add_bias).ok());
      EXPECT_TRUE(out.untouched_outside_slice());
      EXPECT_TRUE(matches(want, out, 2e-7));
    }
  }
  auto nobias = be->prepare_linear(LinearDesc{4, 2, std::vector<float>(8, 1.0f).data(), nullptr});
  ASSERT_TRUE(nobias.ok());
  std::vector<float> xi(4, 1.0f), yo(2);
  EXPECT_FALSE(
      be->linear(**nobias, make_view(xi.data(), 1, 4, 1, 1), make_view(yo.data(), 1, 2, 1, 1), true).ok());
  EXPECT_TRUE(
      be->linear(**nobias, make_view(xi.data(), 1, 4, 1, 1), make_view(yo.data(), 1, 2, 1, 1), false).ok());
  EXPECT_EQ(yo[0], 4.0f);
}

}  // namespace
}  // namespace fidcpp
