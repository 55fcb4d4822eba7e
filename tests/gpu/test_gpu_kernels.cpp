// The kernels on a real GPU (nvcc-built fidcpp_cuda, real cudart) against the same naive references as the
// emulated tests, plus the backend's "no device" error. Every test skips when no device is usable; none
// passes for nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/cuda_fid.h"
#include "backend/cuda/linalg.h"
#include "api/synthetic_weights_file.h"
#include "emu/preprocess_parity.h"
#include "gpu/evaluator_parity.h"
#include "metrics/fid.h"
#include "metrics/moments.h"
#include "model/inception_forward.h"
#include "model/inception_network.h"
#include "model/inception_weights.h"
#include "preprocess/preprocess.h"
#include "model/synthetic_weights.h"
#include "core/splitmix64.h"
#include "kernel_refs.h"
#include "kernels.h"

namespace {

bool have_device() {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  (void)cudaGetLastError();
  return e == cudaSuccess && n > 0;
}
#define REQUIRE_GPU() \
  if (!have_device()) GTEST_SKIP() << "no CUDA device"

template <class T>
struct Dev {
  T* p = nullptr;
  size_t n = 0;
  explicit Dev(const std::vector<T>& v) : n(v.size()) {
    EXPECT_EQ(cudaMalloc(&p, n * sizeof(T)), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(p, v.data(), n * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  }
  ~Dev() { cudaFree(p); }
  std::vector<T> get() const {
    std::vector<T> v(n);
    EXPECT_EQ(cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
    return v;
  }
};

TEST(GpuBackend, CreateFailsClearlyWithoutDevice) {
  auto r = fidcpp::create_cuda_backend();
  if (have_device()) {
    EXPECT_TRUE(r.ok()) << r.status().to_string();
  } else {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), fidcpp::StatusCode::kUnsupported);
    EXPECT_NE(r.status().message().find("no CUDA device"), std::string::npos) << r.status().message();
  }
}

// Device preprocessing of every mode against the CPU Preprocessor, bit for bit (the kernels use _rn
// intrinsics wherever nvcc could contract), on the same awkward shapes as the emulated test plus 299.
TEST(GpuPreprocess, EveryModeIsBitIdenticalToTheCpuPreprocessor) {
  REQUIRE_GPU();
  auto be = fidcpp::create_cuda_backend();
  ASSERT_TRUE(be.ok()) << be.status().to_string();
  for (const auto& tm : fidcpp::testing::kTransformModes) {
    for (const auto& s : fidcpp::testing::kResizeShapes) {
      for (int ps : {3, 4}) {
        const fidcpp::testing::TestImages im(2, s.h, s.w, ps, uint64_t(s.h * 131 + s.w * 7 + ps));
        Dev<uint8_t> dev(im.bytes);
        fidcpp::testing::expect_bitwise_equal(
            fidcpp::testing::backend_preprocess(**be, tm.transform, im, dev.p, s.out), im.cpu(tm.mode, s.out),
            std::string(fidcpp::preprocess_mode_name(tm.mode)) + " " + std::to_string(s.h) + "x" +
                std::to_string(s.w) + " ps " + std::to_string(ps));
      }
    }
    const fidcpp::testing::TestImages im(1, 61, 331, 3, 5);
    Dev<uint8_t> dev(im.bytes);
    fidcpp::testing::expect_bitwise_equal(
        fidcpp::testing::backend_preprocess(**be, tm.transform, im, dev.p, 299), im.cpu(tm.mode, 299),
        fidcpp::preprocess_mode_name(tm.mode));
  }
}

// FID through cuSOLVER/cuBLAS equals the CPU LAPACK path.
TEST(GpuLinalg, DeviceFidEqualsCpuFid) {
  REQUIRE_GPU();
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  auto la = fidcpp::create_cublas_linalg(stream);
  ASSERT_TRUE(la.ok()) << la.status().to_string();
  const int dim = 256, rows = 600;
  fidcpp::GaussianStats st[2];
  for (int side = 0; side < 2; ++side) {
    auto m = fidcpp::Moments::create(dim);
    ASSERT_TRUE(m.ok());
    fidcpp::SplitMix64 r(uint64_t(side + 3));
    std::vector<double> x(size_t(rows) * dim);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = double(r.next() % 2001) / 1000.0 - 1.0 + side * 0.01 * double(i % dim);
    ASSERT_TRUE(m->add(x.data(), rows).ok());
    st[side] = m->gaussian_stats().value();
  }
  const auto want = fidcpp::frechet_distance(st[0], st[1], fidcpp::SqrtTraceMethod::kEigen);
  const auto got = fidcpp::cuda_frechet_distance(**la, stream, st[0].mu.data(), st[0].sigma.data(),
                                                 st[1].mu.data(), st[1].sigma.data(), dim);
  ASSERT_TRUE(want.ok() && got.ok()) << got.status().to_string();
  EXPECT_NEAR(*got, *want, 1e-7 * std::fabs(*want));  // as the emulated test
  la.value().reset();
  cudaStreamDestroy(stream);
}

// The whole network (synthetic weights) on the GPU against the CPU backend, with device preprocessing and
// graph replay (three passes: direct, recorded, replayed; all bitwise equal). The tolerance is a guess for
// cuBLAS's float32 summation order (the emulated backend measured 3.7e-7; not yet run on a GPU).
TEST(GpuNetwork, FullInceptionMatchesCpuBackend) {
  REQUIRE_GPU();
  auto params = fidcpp::fold_inception_params(fidcpp::synthetic_inception_weights(false), false);
  ASSERT_TRUE(params.ok());
  auto gpu = fidcpp::create_cuda_backend();
  auto cpu = fidcpp::create_cpu_backend();
  ASSERT_TRUE(gpu.ok() && cpu.ok());
  const int n = 2;
  const fidcpp::testing::TestImages im(n, 211, 257, 3, 77);
  std::vector<float> want(size_t(n) * 2048), in = im.cpu(fidcpp::PreprocessMode::kTorchmetrics, 299);
  fidcpp::InceptionNetworkOptions options;
  options.max_batch = n;
  {
    auto net = fidcpp::InceptionNetwork::load(**cpu, *params, options);
    ASSERT_TRUE(net.ok());
    ASSERT_TRUE(net->forward().run(in.data(), n, {want.data()}).ok());
  }
  auto net = fidcpp::InceptionNetwork::load(**gpu, *params, options);
  ASSERT_TRUE(net.ok());
  fidcpp::InceptionForward* f = &net->forward();
  Dev<uint8_t> dev(im.bytes);
  std::vector<std::vector<float>> got;
  for (int pass = 0; pass < 3; ++pass) {
    ASSERT_TRUE(
        (*gpu)->preprocess(fidcpp::InputTransform::kAaBilinear, im.batch(dev.p), f->input_view(n)).ok());
    ASSERT_TRUE(f->forward(n).ok());
    got.emplace_back(size_t(n) * 2048);
    ASSERT_TRUE(f->download_taps(n, {got.back().data()}).ok());
  }
  EXPECT_TRUE(got[1] == got[0]);
  EXPECT_TRUE(got[2] == got[0]);
  double scale = 0, diff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, double(std::fabs(want[i])));
    diff = std::max(diff, double(std::fabs(got[0][i] - want[i])));
  }
  EXPECT_LE(diff, 1e-4 * scale);
}

TEST(GpuKernels, ConvPoolMeanMatchReferences) {
  REQUIRE_GPU();
  const int n = 2, c = 5, h = 17, w = 13;
  fidcpp::SplitMix64 r(2);
  std::vector<float> x(size_t(n) * c * h * w);
  for (auto& v : x) v = float(int(r.next() % 17) - 8);
  Dev<float> src(x);
  {
    // The implicit-GEMM convolution, 1x7 over 5 channels into 70 outputs: bitwise the sequential-FMA
    // reference (nvcc must not reorder or contract differently from the emulated build).
    const int cout = 70, k = c * 7;
    std::vector<float> wt(static_cast<size_t>(cout) * k), wt_t(wt.size()), bias(static_cast<size_t>(cout));
    for (auto& v : wt) v = float(int(r.next() % 2001) - 1000) * 1e-3f;
    for (auto& v : bias) v = float(int(r.next() % 2001) - 1000) * 1e-3f;
    for (int o = 0; o < cout; ++o)
      for (int i = 0; i < k; ++i) wt_t[size_t(i) * cout + o] = wt[size_t(o) * k + i];
    std::vector<float> xf(x.size());
    for (auto& v : xf) v = float(int(r.next() % 2001) - 1000) * 1e-3f;
    std::vector<float> want(size_t(n) * cout * h * w);
    fidcpp::ref::conv2d_fma_ref(xf.data(), size_t(c) * h * w, n, c, h, w, wt.data(), bias.data(), true, cout,
                                1, 7, 1, 0, 3, want.data(), size_t(cout) * h * w);
    Dev<float> xs(xf), dw(wt_t), db(bias), out(std::vector<float>(want.size(), NAN));
    ASSERT_TRUE(fidcpp::launch_conv2d_igemm(xs.p, size_t(c) * h * w, dw.p, db.p, true, out.p,
                                            size_t(cout) * h * w, n, c, h, w, cout, 1, 7, 1, 0, 3, false, 0));
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_EQ(out.get(), want);
  }
  for (int kind = 0; kind < 3; ++kind) {
    const int k = 3, s = kind == 0 ? 2 : 1, pad = kind == 0 ? 0 : 1;
    const int ho = (h + 2 * pad - k) / s + 1, wo = (w + 2 * pad - k) / s + 1;
    std::vector<float> want(size_t(n) * c * ho * wo);
    fidcpp::ref::pool2d_ref(x.data(), size_t(c) * h * w, n, c, h, w, kind, k, s, pad, want.data(),
                            size_t(c) * ho * wo);
    Dev<float> out(std::vector<float>(want.size(), NAN));
    fidcpp::launch_pool2d(src.p, size_t(c) * h * w, n, c, h, w, static_cast<fidcpp::PoolKind>(kind), k, s,
                          pad, out.p, size_t(c) * ho * wo, 0);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    const auto got = out.get();
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6 * (1 + std::fabs(want[i])));
  }
  {
    std::vector<float> want(size_t(n) * c);
    fidcpp::ref::global_mean_ref(x.data(), size_t(c) * h * w, n, c, h * w, want.data(), size_t(c));
    Dev<float> out(std::vector<float>(want.size(), NAN));
    fidcpp::launch_global_mean(src.p, size_t(c) * h * w, n, c, h * w, out.p, size_t(c), 0);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_EQ(out.get(), want);
  }
}

// TF32 (cvt.rna) on the host, for the references: round to nearest on a 10-bit mantissa, ties away.
float tf32_round(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

// The TF32 convolution on tensor cores: each output within float32 accumulation error (2K ulps of the sum of
// |products|) of the exact convolution of the TF32-rounded inputs, plus the bias; 3x3 over 32 channels into
// 100 outputs (64-row tiles, a partial one) and 1x1 over 40 into 128 (one 128-row tile), 3 images.
TEST(GpuKernels, ConvTf32IsTheConvolutionOfTf32RoundedInputs) {
  REQUIRE_GPU();
  struct Case {
    int c, h, w, k, pad, cout;
  };
  for (const Case& cs : {Case{32, 19, 17, 3, 1, 100}, Case{40, 9, 11, 1, 0, 128}}) {
    const int n = 3, K = cs.c * cs.k * cs.k, ho = cs.h + 2 * cs.pad - cs.k + 1,
              wo = cs.w + 2 * cs.pad - cs.k + 1;
    fidcpp::SplitMix64 r(uint64_t(K + cs.cout));
    auto uniform = [&] { return float(double(r.next() >> 11) * 0x1.0p-53 * 2.0 - 1.0); };
    std::vector<float> x(size_t(n) * cs.c * cs.h * cs.w), wt(size_t(cs.cout) * K), wt_t(wt.size()),
        bias(size_t(cs.cout));
    for (auto& v : x) v = uniform();
    for (auto& v : wt) v = uniform();
    for (auto& v : bias) v = uniform();
    for (int o = 0; o < cs.cout; ++o)
      for (int i = 0; i < K; ++i) wt_t[size_t(i) * cs.cout + o] = wt[size_t(o) * K + i];
    const size_t out_stride = size_t(cs.cout) * ho * wo;
    Dev<float> src(x), dw(wt_t), db(bias), out(std::vector<float>(out_stride * n, NAN));
    ASSERT_TRUE(fidcpp::launch_conv2d_igemm(src.p, size_t(cs.c) * cs.h * cs.w, dw.p, db.p, false, out.p,
                                            out_stride, n, cs.c, cs.h, cs.w, cs.cout, cs.k, cs.k, 1, cs.pad,
                                            cs.pad, true, 0));
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    const std::vector<float> got = out.get();
    size_t bad = 0;
    for (int i = 0; i < n; ++i)
      for (int o = 0; o < cs.cout; ++o)
        for (int y = 0; y < ho; ++y)
          for (int xx = 0; xx < wo; ++xx) {
            double sum = 0, mag = 0;
            for (int ci = 0; ci < cs.c; ++ci)
              for (int ky = 0; ky < cs.k; ++ky)
                for (int kx = 0; kx < cs.k; ++kx) {
                  const int iy = y + ky - cs.pad, ix = xx + kx - cs.pad;
                  if (iy < 0 || ix < 0 || iy >= cs.h || ix >= cs.w) continue;
                  const double p = double(tf32_round(x[((size_t(i) * cs.c + ci) * cs.h + iy) * cs.w + ix])) *
                                   tf32_round(wt[size_t(o) * K + (size_t(ci) * cs.k + ky) * cs.k + kx]);
                  sum += p;
                  mag += std::fabs(p);
                }
            const double want = sum + bias[size_t(o)];
            const double tol = 2.0 * K * 0x1.0p-24 * mag + 0x1.0p-24 * (std::fabs(want) + 1.0);
            const float g = got[size_t(i) * out_stride + (size_t(o) * ho + y) * wo + xx];
            if (!(std::fabs(double(g) - want) <= tol) && bad++ < 5)
              ADD_FAILURE() << "image " << i << " out " << o << " (" << y << "," << xx << "): " << g << " vs "
                            << want << " (tolerance " << tol << ")";
          }
    EXPECT_EQ(bad, 0u);
  }
}

// --tf32 through the evaluator: the features stay within the bound docs/cuda.md gives for TF32 (1e-2 of the
// largest on these synthetic weights; FID within 1e-2 relative), two device runs bitwise equal.
TEST(GpuEvaluator, Tf32StaysWithinItsDocumentedBound) {
  REQUIRE_GPU();
  std::string err;
  const std::string weights =
      fidcpp::write_synthetic_weights_file(::testing::TempDir() + "fidcpp_gpu_tf32.safetensors", false, &err);
  ASSERT_FALSE(weights.empty()) << err;
  fidcpp::testing::expect_evaluator_parity(
      [] {
        fidcpp::CudaBackendOptions o;
        o.allow_tf32 = true;
        return fidcpp::create_cuda_backend(o);
      },
      weights, fidcpp::InceptionTap::k2048, 2048, 200, 150, 128, 1e-2, 1e-2);
}

// The evaluator end to end on the device against the CPU: 300 real images (batches of 128, 128 and a partial
// 44) and 150 generated ones, host images through staging, asynchronous batches and graph replay; features
// within 1e-5 of the largest, FID within 1e-6 relative, and two device runs bitwise equal.
TEST(GpuEvaluator, ThreeHundredImagesMatchTheCpu) {
  REQUIRE_GPU();
  std::string err;
  const std::string weights = fidcpp::write_synthetic_weights_file(
      ::testing::TempDir() + "fidcpp_gpu_parity.safetensors", false, &err);
  ASSERT_FALSE(weights.empty()) << err;
  fidcpp::testing::expect_evaluator_parity([] { return fidcpp::create_cuda_backend(); }, weights,
                                           fidcpp::InceptionTap::k2048, 2048, 300, 150, 128, 1e-5, 1e-6);
}

}  // namespace
