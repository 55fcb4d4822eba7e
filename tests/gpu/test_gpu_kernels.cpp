// The kernels on a real GPU (nvcc-built fidcpp_cuda, real cudart) against the same naive references as the
// emulated tests, plus the backend's "no device" error. Every test skips when no device is usable; none
// passes for nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "backend/cuda/cuda_backend.h"
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

TEST(GpuKernels, ResizeTf1BitExact) {
  REQUIRE_GPU();
  const int n = 2, h = 37, w = 53, ho = 299, wo = 299;
  fidcpp::SplitMix64 r(1);
  std::vector<uint8_t> img(size_t(n) * h * w * 3);
  for (auto& b : img) b = r.byte();
  Dev<uint8_t> src(img);
  Dev<float> dst(std::vector<float>(size_t(n) * 3 * ho * wo, NAN));
  fidcpp::launch_resize_tf1(src.p, n, h, w, size_t(w) * 3, size_t(h) * w * 3, dst.p, ho, wo, 0);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(dst.get(),
            fidcpp::ref::resize_tf1_ref(img.data(), n, h, w, size_t(w) * 3, size_t(h) * w * 3, ho, wo));
}

TEST(GpuKernels, Im2colPoolMeanMatchReferences) {
  REQUIRE_GPU();
  const int n = 2, c = 5, h = 17, w = 13;
  fidcpp::SplitMix64 r(2);
  std::vector<float> x(size_t(n) * c * h * w);
  for (auto& v : x) v = float(int(r.next() % 17) - 8);
  Dev<float> src(x);
  {
    const auto want = fidcpp::ref::im2col_ref(x.data(), size_t(c) * h * w, n, c, h, w, 1, 7, 1, 1, 0, 3);
    Dev<float> col(std::vector<float>(want.size(), NAN));
    fidcpp::launch_im2col(src.p, size_t(c) * h * w, n, c, h, w, 1, 7, 1, 1, 0, 3, col.p, 0);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_EQ(col.get(), want);
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

}  // namespace
