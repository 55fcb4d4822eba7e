// The emulated Linalg against row-major references written independently of BLAS conventions: catches
// column-major, leading-dimension, transpose and fill-mode mistakes on the CPU (the GPU one has the same
// contract).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "backend/cuda/cuda_fid.h"
#include "backend/cuda/cuda_moments.h"
#include "backend/cuda/linalg.h"
#include "core/splitmix64.h"
#include "emu/emu_device_array.h"
#include "metrics/fid.h"
#include "metrics/moments.h"

namespace {

using fidcpp::BlasFill;
using fidcpp::BlasOp;

std::vector<double> random_matrix(size_t n, uint64_t seed) {
  fidcpp::SplitMix64 r(seed);
  std::vector<double> v(n);
  for (auto& x : v) x = static_cast<double>(static_cast<int>(r.next() % 11) - 5);
  return v;
}

TEST(EmuLinalg, SgemmTransposesAndLeadingDimensions) {
  auto la = fidcpp::create_emulated_linalg();
  const int m = 5, n = 3, k = 7;
  // Logical row-major A (m x k), B (k x n).
  const auto a = random_matrix(size_t(m) * k, 1), b = random_matrix(size_t(k) * n, 2);
  for (BlasOp ta : {BlasOp::kN, BlasOp::kT})
    for (BlasOp tb : {BlasOp::kN, BlasOp::kT}) {
      // Store op(A) = A: for kN, A column-major m x k with lda = m + 2; for kT, the k x m matrix A^T with lda
      // k+1.
      const int lda = ta == BlasOp::kN ? m + 2 : k + 1, ldb = tb == BlasOp::kN ? k + 3 : n + 1, ldc = m + 1;
      std::vector<float> sa(size_t(lda) * (ta == BlasOp::kN ? k : m), NAN),
          sb(size_t(ldb) * (tb == BlasOp::kN ? n : k), NAN);
      for (int i = 0; i < m; ++i)
        for (int p = 0; p < k; ++p)
          (ta == BlasOp::kN ? sa[size_t(i) + size_t(p) * lda] : sa[size_t(p) + size_t(i) * lda]) =
              float(a[size_t(i) * k + p]);
      for (int p = 0; p < k; ++p)
        for (int j = 0; j < n; ++j)
          (tb == BlasOp::kN ? sb[size_t(p) + size_t(j) * ldb] : sb[size_t(j) + size_t(p) * ldb]) =
              float(b[size_t(p) * n + j]);
      std::vector<float> c(size_t(ldc) * n, 1.0f);
      ASSERT_TRUE(la->sgemm(ta, tb, m, n, k, 2.0f, sa.data(), lda, sb.data(), ldb, 0.5f, c.data(), ldc).ok());
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
          double s = 0;
          for (int p = 0; p < k; ++p) s += a[size_t(i) * k + p] * b[size_t(p) * n + j];
          EXPECT_EQ(c[size_t(i) + size_t(j) * ldc], float(2 * s + 0.5)) << i << "," << j;
        }
      EXPECT_EQ(c[size_t(m)], 1.0f) << "padding row of C was written";
    }
}

TEST(EmuLinalg, LeadingDimensionTooSmallIsAnError) {
  auto la = fidcpp::create_emulated_linalg();
  std::vector<float> a(16), b(16), c(16);
  EXPECT_FALSE(
      la->sgemm(BlasOp::kN, BlasOp::kN, 4, 2, 2, 1.f, a.data(), 3, b.data(), 2, 0.f, c.data(), 4).ok());
}

TEST(EmuLinalg, DsyrkTouchesOnlyItsTriangle) {
  auto la = fidcpp::create_emulated_linalg();
  const int n = 4, k = 6, lda = n + 1, ldc = n;
  const auto a = random_matrix(size_t(lda) * k, 3);  // column-major n x k (trans kN)
  for (BlasFill fill : {BlasFill::kUpper, BlasFill::kLower}) {
    std::vector<double> c(size_t(ldc) * n, -7.0);
    ASSERT_TRUE(la->dsyrk(fill, BlasOp::kN, n, k, 1.0, a.data(), lda, 1.0, c.data(), ldc).ok());
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        double s = 0;
        for (int p = 0; p < k; ++p) s += a[size_t(i) + size_t(p) * lda] * a[size_t(j) + size_t(p) * lda];
        const bool in = fill == BlasFill::kUpper ? i <= j : i >= j;
        EXPECT_EQ(c[size_t(i) + size_t(j) * ldc], in ? s - 7.0 : -7.0) << i << "," << j;
      }
  }
}

TEST(EmuLinalg, DsyevdReadsOnlyItsTriangleAndDecomposes) {
  auto la = fidcpp::create_emulated_linalg();
  for (int n : {1, 2, 5, 17}) {
    const int lda = n + 2;
    const auto r = random_matrix(size_t(n) * n, uint64_t(n));
    std::vector<double> sym(size_t(n) * n);  // symmetric, row-major == column-major
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) sym[size_t(i) * n + j] = r[size_t(i) * n + j] + r[size_t(j) * n + i];
    for (BlasFill fill : {BlasFill::kUpper, BlasFill::kLower}) {
      std::vector<double> a(size_t(lda) * n, NAN);
      std::vector<double> w(static_cast<size_t>(n));
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
          if (fill == BlasFill::kUpper ? i <= j : i >= j)
            a[size_t(i) + size_t(j) * lda] = sym[size_t(i) * n + j];
      ASSERT_TRUE(la->dsyevd(true, fill, n, a.data(), lda, w.data()).ok());
      for (int j = 0; j + 1 < n; ++j) EXPECT_LE(w[size_t(j)], w[size_t(j) + 1]);
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {  // (S v_j)_i == w_j v_ij
          double s = 0;
          for (int p = 0; p < n; ++p) s += sym[size_t(i) * n + p] * a[size_t(p) + size_t(j) * lda];
          EXPECT_NEAR(s, w[size_t(j)] * a[size_t(i) + size_t(j) * lda], 1e-9) << "n=" << n;
        }
    }
  }
}

}  // namespace

// FID through the device path (cuda_fid.cpp: dsyevd + column-scaling kernel + dgemm on the emulated Linalg)
// equals the CPU path (LAPACK, metrics/fid.cpp) on covariances of random features: rank-deficient (fewer
// samples than dimensions) and full rank. Tolerance 1e-7 relative (the references agree to 1e-6): both are
// double precision, but the eigensolvers differ (Jacobi vs LAPACK divide and conquer), and in the
// rank-deficient case the zero eigenvalues come out as +-1e-13 round-off, whose clamped square roots move the
// trace by ~1e-6 absolute (measured 4.8e-9 relative with single-threaded OpenBLAS).
TEST(EmuLinalg, DeviceFidEqualsCpuFid) {
  auto la = fidcpp::create_emulated_linalg();
  for (const auto& shape : {std::pair<int, int>{48, 40}, std::pair<int, int>{32, 200}}) {
    const int dim = shape.first, rows = shape.second;
    fidcpp::GaussianStats st[2];
    for (int side = 0; side < 2; ++side) {
      auto m = fidcpp::Moments::create(dim);
      ASSERT_TRUE(m.ok());
      const auto x = random_matrix(size_t(rows) * dim, uint64_t(17 + side + dim));
      std::vector<double> shifted(x);
      for (size_t i = 0; i < shifted.size(); ++i) shifted[i] += side * 0.25 * double(i % size_t(dim)) / dim;
      ASSERT_TRUE(m->add(shifted.data(), rows).ok());
      auto g = m->gaussian_stats();
      ASSERT_TRUE(g.ok()) << g.status().to_string();
      st[side] = std::move(g).value();
    }
    const auto want = fidcpp::frechet_distance(st[0], st[1], fidcpp::SqrtTraceMethod::kEigen);
    ASSERT_TRUE(want.ok()) << want.status().to_string();
    const auto got = fidcpp::cuda_frechet_distance(*la, nullptr, st[0].mu.data(), st[0].sigma.data(),
                                                   st[1].mu.data(), st[1].sigma.data(), dim);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    EXPECT_NEAR(*got, *want, 1e-7 * std::fabs(*want)) << dim << " x " << rows;
    EXPECT_GT(*want, 0.0);
  }
}

// The device moments against the CPU's Moments on the same rows, added in uneven chunks that cross the
// 256-row block boundary, from a strided buffer: Σf bitwise, Σffᵀ to round-off (the two dsyrks sum a block in
// their own orders), the count; take() starts again from zero.
TEST(EmuMoments, DeviceSumsEqualTheCpuMoments) {
  const int dim = 37, stride = 40, rows = 600;
  fidcpp::SplitMix64 r(11);
  std::vector<float> x(size_t(rows) * stride, NAN);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < dim; ++j) x[size_t(i) * stride + j] = r.uniform_f32() * 6 - 3;
  std::vector<float> packed(size_t(rows) * dim);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < dim; ++j) packed[size_t(i) * dim + j] = x[size_t(i) * stride + j];
  auto cpu = fidcpp::Moments::create(dim);
  ASSERT_TRUE(cpu.ok());
  ASSERT_TRUE(cpu->add(packed.data(), rows).ok());
  auto la = fidcpp::create_emulated_linalg();
  auto dev = fidcpp::create_cuda_moments(*la, nullptr, dim);
  ASSERT_TRUE(dev.ok()) << dev.status().to_string();
  fidcpp::testing::DeviceArray<float> dx(x);
  int done = 0;
  for (int chunk : {100, 200, 7, 293}) {
    ASSERT_TRUE((*dev)->add(dx.get() + size_t(done) * stride, chunk, stride).ok());
    done += chunk;
  }
  ASSERT_EQ(done, rows);
  int64_t count = 0;
  std::vector<double> sum, outer;
  ASSERT_TRUE((*dev)->take(&count, &sum, &outer).ok());
  EXPECT_EQ(count, rows);
  EXPECT_EQ(sum, cpu->sum());
  const auto want = cpu->sum_outer();
  ASSERT_EQ(outer.size(), want.size());
  double scale = 0, diff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::fabs(want[i]));
    diff = std::max(diff, std::fabs(outer[i] - want[i]));
  }
  EXPECT_LE(diff, 1e-13 * scale);
  EXPECT_GT(scale, 0.0);
  ASSERT_TRUE((*dev)->take(&count, &sum, &outer).ok());
  EXPECT_EQ(count, 0);
  EXPECT_EQ(sum, std::vector<double>(size_t(dim), 0.0));
  EXPECT_EQ(outer, std::vector<double>(size_t(dim) * dim, 0.0));
  EXPECT_FALSE((*dev)->add(dx.get(), 1, dim - 1).ok()) << "a row stride below the dimension is refused";
}
