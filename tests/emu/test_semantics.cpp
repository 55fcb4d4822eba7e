// The emulator's execution model: reductions, shuffles, votes, atomics, barrier checking and launch
// validation, each checked against values worked out from the CUDA programming guide (not from the emulator's
// output).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "cuda_compat.h"
#include "emu/semantics.h"
#include "emu/emu_device_array.h"

namespace {

using fidcpp::testing::DeviceArray;
using fidcpp::testing::OrderScope;

TEST(EmuSemantics, SmemReductionMatchesDoubleSum) {
  for (auto order : fidcpp::testing::kAllOrders) {
    OrderScope scope(order);
    for (int n : {1, 2, 31, 33, 1000, 4099}) {
      for (int threads : {1, 17, 32, 96, 256, 1024}) {
        std::vector<float> x(static_cast<size_t>(n));
        double ref = 0;
        for (int i = 0; i < n; ++i) {
          x[static_cast<size_t>(i)] = static_cast<float>(i % 7) - 3.0f;  // small integers: exact in any order
          ref += x[static_cast<size_t>(i)];
        }
        DeviceArray<float> dx(x), dout(std::vector<float>{0.f});
        semantics::launch_reduce_smem(dx.get(), n, dout.get(), threads, 0);
        ASSERT_EQ(cudaGetLastError(), cudaSuccess);
        EXPECT_EQ(dout.download()[0], static_cast<float>(ref)) << "n=" << n << " threads=" << threads;
      }
    }
  }
}

TEST(EmuSemantics, ShuffleReductionMatchesDoubleSum) {
  for (auto order : fidcpp::testing::kAllOrders) {
    OrderScope scope(order);
    for (int n : {1, 45, 1000, 100000}) {
      for (int threads : {32, 64, 160, 1024}) {
        std::vector<float> x(static_cast<size_t>(n));
        double ref = 0;
        for (int i = 0; i < n; ++i) {
          x[static_cast<size_t>(i)] = static_cast<float>((i * 13) % 5);
          ref += x[static_cast<size_t>(i)];
        }
        DeviceArray<float> dx(x), dout(std::vector<float>{0.f});
        semantics::launch_reduce_shfl(dx.get(), n, dout.get(), threads, 0);
        ASSERT_EQ(cudaGetLastError(), cudaSuccess);
        EXPECT_EQ(dout.download()[0], static_cast<float>(ref)) << "n=" << n << " threads=" << threads;
      }
    }
  }
}

std::vector<float> gemm_ref(const std::vector<float>& a, const std::vector<float>& b, int m, int n, int k) {
  std::vector<float> c(static_cast<size_t>(m) * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int p = 0; p < k; ++p) s += double(a[size_t(i) * k + p]) * b[size_t(p) * n + j];
      c[size_t(i) * n + j] = static_cast<float>(s);
    }
  return c;
}

TEST(EmuSemantics, TiledSgemmMatchesReferenceInEveryOrder) {
  const int shapes[][3] = {{37, 53, 29}, {1, 1, 1}, {16, 16, 100}};
  for (auto order : fidcpp::testing::kAllOrders) {
    OrderScope scope(order);
    for (auto& sh : shapes) {
      const int m = sh[0], n = sh[1], k = sh[2];
      std::vector<float> a(size_t(m) * k), b(size_t(k) * n);
      for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(int(i * 7 % 11) - 5);
      for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(int(i * 5 % 13) - 6);
      DeviceArray<float> da(a), db(b), dc(size_t(m) * n);
      semantics::launch_sgemm_tiled(da.get(), db.get(), dc.get(), m, n, k, true, 0);
      ASSERT_EQ(cudaGetLastError(), cudaSuccess);
      EXPECT_EQ(dc.download(), gemm_ref(a, b, m, n, k)) << m << "x" << n << "x" << k;
    }
  }
}

// The point of the emulator: a forgotten barrier gives wrong results on the CPU, deterministically.
TEST(EmuSemantics, MissingBarrierIsDetectedByWrongResult) {
  const int m = 32, n = 32, k = 64;
  std::vector<float> a(size_t(m) * k), b(size_t(k) * n);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(int(i % 9) - 4);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(int(i % 7) - 3);
  DeviceArray<float> da(a), db(b), dc(size_t(m) * n);
  semantics::launch_sgemm_tiled(da.get(), db.get(), dc.get(), m, n, k, false, 0);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  const auto ref = gemm_ref(a, b, m, n, k);
  const auto got = dc.download();
  double max_err = 0;
  for (size_t i = 0; i < ref.size(); ++i) max_err = std::max(max_err, double(std::fabs(got[i] - ref[i])));
  EXPECT_GT(max_err, 1e-2) << "the race on the shared tiles went unnoticed";
}

// Expectations from the programming guide's definitions of __shfl*_sync with width.
TEST(EmuSemantics, WarpProbeFollowsProgrammingGuide) {
  for (int width : {8, 16, 32}) {
    for (int arg : {1, 3, 5}) {
      DeviceArray<int> out(8 * 32);
      semantics::launch_warp_probe(out.get(), width, arg, 32, 0);
      ASSERT_EQ(cudaGetLastError(), cudaSuccess);
      const auto r = out.download();
      for (int lane = 0; lane < 32; ++lane) {
        const int seg = lane / width * width, pos = lane % width;
        EXPECT_EQ(r[0 * 32 + lane], 100 + seg + arg % width);
        EXPECT_EQ(r[1 * 32 + lane], 100 + (pos >= arg ? lane - arg : lane));
        EXPECT_EQ(r[2 * 32 + lane], 100 + (pos + arg < width ? lane + arg : lane));
        const int x = lane ^ arg;
        EXPECT_EQ(r[3 * 32 + lane], 100 + (x / width == lane / width ? x : lane));
        EXPECT_EQ(static_cast<unsigned>(r[4 * 32 + lane]), 0xAAAAAAAAu);
        EXPECT_EQ(r[5 * 32 + lane], 1);
        EXPECT_EQ(r[6 * 32 + lane], 1);
        EXPECT_EQ(r[7 * 32 + lane], 16);
      }
    }
  }
}

TEST(EmuSemantics, DivergentBarrierThrowsWithCoordinatesAndSite) {
  DeviceArray<int> out(32);
  try {
    semantics::launch_divergent_barrier(out.get(), 0, 0);
    FAIL() << "no KernelError";
  } catch (const cudaemu::KernelError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("divergent __syncthreads"), std::string::npos) << msg;
    EXPECT_NE(msg.find("semantics.cu"), std::string::npos) << msg;
    EXPECT_NE(msg.find("thread (16,0,0) has exited"), std::string::npos) << msg;
  }
  EXPECT_EQ(cudaGetLastError(), cudaErrorLaunchFailure);
  try {
    semantics::launch_divergent_barrier(out.get(), 1, 0);
    FAIL() << "no KernelError";
  } catch (const cudaemu::KernelError& e) {
    EXPECT_NE(std::string(e.what()).find("different places"), std::string::npos) << e.what();
  }
  (void)cudaGetLastError();
}

TEST(EmuSemantics, PermissiveModeLetsDivergentBarrierRun) {
  cudaemu::options().strict = false;
  DeviceArray<int> out(32);
  semantics::launch_divergent_barrier(out.get(), 0, 0);
  cudaemu::options().strict = true;
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  const auto r = out.download();
  for (int i = 0; i < 32; ++i) EXPECT_EQ(r[size_t(i)], i);
}

TEST(EmuSemantics, CrossBlockAtomicsAreExact) {
  const unsigned saved = cudaemu::options().workers;
  cudaemu::options().workers = 4;  // blocks really run concurrently
  const int n = 20000;
  std::vector<int> v(n);
  std::vector<unsigned> ref(16, 0);
  for (int i = 0; i < n; ++i) {
    v[size_t(i)] = (i * 31) % 23;
    ref[size_t(v[size_t(i)] & 15)]++;
  }
  DeviceArray<int> dv(v);
  DeviceArray<unsigned> bins(std::vector<unsigned>(16, 0));
  semantics::launch_histogram(dv.get(), n, bins.get(), 0);
  cudaemu::options().workers = saved;
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  EXPECT_EQ(bins.download(), ref);
}

TEST(EmuSemantics, BadLaunchConfigurationIsAnError) {
  DeviceArray<int> out(4096);
  semantics::launch_fill(out.get(), 1, dim3(1), dim3(2048), 0, 0);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidConfiguration);
  semantics::launch_fill(out.get(), 1, dim3(1), dim3(1, 1, 65), 0, 0);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidConfiguration);
  semantics::launch_fill(out.get(), 1, dim3(1, 70000), dim3(1), 0, 0);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidConfiguration);
  semantics::launch_fill(out.get(), 1, dim3(0), dim3(1), 0, 0);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidConfiguration);
  semantics::launch_fill(out.get(), 1, dim3(1), dim3(32), 64 << 10, 0);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidConfiguration);
  // Nothing ran.
  for (int x : out.download()) EXPECT_NE(x, 1);
  semantics::launch_fill(out.get(), 7, dim3(4), dim3(1024), 0, 0);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  for (int x : out.download()) EXPECT_EQ(x, 7);
}

TEST(EmuSemantics, GraphCaptureRecordsAndReplays) {
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreate(&s), cudaSuccess);
  DeviceArray<int> out(64);
  ASSERT_EQ(cudaMemset(out.get(), 0, 64 * sizeof(int)), cudaSuccess);
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal), cudaSuccess);
  semantics::launch_fill(out.get(), 5, dim3(2), dim3(32), 0, s);
  EXPECT_EQ(cudaMemset(out.get(), 0, 4),
            cudaErrorStreamCaptureUnsupported);  // synchronous call during capture
  (void)cudaGetLastError();
  cudaGraph_t g;
  ASSERT_EQ(cudaStreamEndCapture(s, &g), cudaSuccess);
  for (int x : out.download()) EXPECT_EQ(x, 0) << "captured work ran at capture time";
  cudaGraphExec_t e;
  ASSERT_EQ(cudaGraphInstantiate(&e, g, 0), cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(e, s), cudaSuccess);
  for (int x : out.download()) EXPECT_EQ(x, 5);
  cudaGraphExecDestroy(e);
  cudaGraphDestroy(g);
  cudaStreamDestroy(s);
}

TEST(EmuSemantics, FreeOfUnknownPointerIsAnError) {
  int x = 0;
  EXPECT_EQ(cudaFree(&x), cudaErrorInvalidValue);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidValue);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

}  // namespace
