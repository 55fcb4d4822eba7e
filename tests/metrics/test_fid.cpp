// FID: the trace of the matrix square root against a naive Jacobi-eigenvalue reference, closed forms, and the
// values pytorch-fid, torch-fidelity and torchmetrics give on the same features (≤1e-6 relative).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "metrics/fid.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

using metrics_test::rel_err;
using metrics_test::scalar;

// Cyclic Jacobi eigendecomposition of a symmetric matrix (row-major), eigenvectors in the columns of v.
void jacobi_eigen_ref(std::vector<double> a, int n, std::vector<double>& w, std::vector<double>& v) {
  v.assign(static_cast<size_t>(n * n), 0.0);
  for (int i = 0; i < n; ++i) v[i * n + i] = 1.0;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) off += a[p * n + q] * a[p * n + q];
    if (off < 1e-30) break;
    for (int p = 0; p < n; ++p) {
      for (int q = p + 1; q < n; ++q) {
        if (a[p * n + q] == 0.0) continue;
        const double theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q]);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; ++k) {  // A ← A·J
          const double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {  // A ← Jᵀ·A
          const double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; ++k) {
          const double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  w.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) w[i] = a[i * n + i];
}

// tr sqrt(Σ₁^{1/2} Σ₂ Σ₁^{1/2}) with Jacobi eigendecompositions.
double trace_sqrt_product_ref(const std::vector<double>& s1, const std::vector<double>& s2, int n) {
  std::vector<double> w, v;
  jacobi_eigen_ref(s1, n, w, v);
  std::vector<double> root(static_cast<size_t>(n * n), 0.0);  // V diag(√w) Vᵀ
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k)
        root[i * n + j] += v[i * n + k] * std::sqrt(std::max(w[k], 0.0)) * v[j * n + k];
  std::vector<double> t(static_cast<size_t>(n * n), 0.0), m(static_cast<size_t>(n * n), 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) t[i * n + j] += root[i * n + k] * s2[k * n + j];
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) m[i * n + j] += t[i * n + k] * root[k * n + j];
  jacobi_eigen_ref(m, n, w, v);
  double s = 0;
  for (double x : w) s += std::sqrt(std::max(x, 0.0));
  return s;
}

GaussianStats stats_of(uint64_t seed, int64_t n, int64_t d) {
  auto f = metrics_test::random_features(seed, n, d, 2.0f);
  return gaussian_stats_two_pass(f.data(), n, d).value();
}

TEST(Fid, TraceSqrtMatchesNaiveReferenceFullAndRankDeficient) {
  // (n1, n2, d): full rank, one side singular, both singular with different ranks.
  for (auto [n1, n2, d] :
       {std::tuple<int, int, int>{200, 150, 12}, {5, 300, 20}, {300, 6, 20}, {9, 14, 31}, {2, 2, 8}}) {
    const GaussianStats a = stats_of(1000 + n1, n1, d), b = stats_of(2000 + n2, n2, d);
    const double want = trace_sqrt_product_ref(a.sigma, b.sigma, d);
    for (auto method : {SqrtTraceMethod::kCholesky, SqrtTraceMethod::kEigen}) {
      auto got = trace_sqrt_product(a.sigma.data(), b.sigma.data(), d, method);
      ASSERT_TRUE(got.ok()) << got.status().to_string();
      // With N ≤ D the zero eigenvalues come out as ±1e-16-scale noise whose square roots (1e-8) differ
      // between methods, in the reference as in the libraries (docs/conventions.md §3.3).
      const bool full_rank = n1 > d && n2 > d;
      EXPECT_LT(rel_err(*got, want), full_rank ? 1e-10 : 1e-6)
          << n1 << "," << n2 << "," << d << " method " << int(method);
    }
  }
}

TEST(Fid, ClosedFormForDiagonalCovariances) {
  const int d = 6;
  GaussianStats a, b;
  a.dim = b.dim = d;
  a.mu = {1, 2, 3, 4, 5, 6};
  b.mu = {0, 2, 3, 5, 5, 4};
  a.sigma.assign(d * d, 0.0);
  b.sigma.assign(d * d, 0.0);
  double want = 1 + 1 + 4;
  for (int i = 0; i < d; ++i) {
    a.sigma[i * d + i] = 0.5 + i;
    b.sigma[i * d + i] = i == 3 ? 0.0 : 2.0 * i + 0.25;  // one singular direction
    const double r = std::sqrt(a.sigma[i * d + i]) - std::sqrt(b.sigma[i * d + i]);
    want += r * r;
  }
  for (auto method : {SqrtTraceMethod::kCholesky, SqrtTraceMethod::kEigen}) {
    auto got = frechet_distance(a, b, method);
    ASSERT_TRUE(got.ok());
    EXPECT_NEAR(*got, want, 1e-12 * want);
  }
  auto self = frechet_distance(a, a);
  ASSERT_TRUE(self.ok());
  EXPECT_NEAR(*self, 0.0, 1e-12);
}

TEST(Fid, Errors) {
  GaussianStats a = stats_of(1, 10, 4), b = stats_of(2, 10, 5);
  EXPECT_EQ(frechet_distance(a, b).status().code(), StatusCode::kInvalidArgument);
  GaussianStats c = stats_of(3, 10, 4);
  c.sigma[5] = NAN;
  Status s = frechet_distance(a, c).status();
  EXPECT_EQ(s.code(), StatusCode::kBadInput);
  EXPECT_NE(s.message().find("sigma"), std::string::npos) << s.message();
  c = stats_of(3, 10, 4);
  c.mu.pop_back();
  EXPECT_EQ(frechet_distance(a, c).status().code(), StatusCode::kInvalidArgument);
  c = stats_of(3, 10, 4);
  c.sigma[0] = -1;
  EXPECT_EQ(frechet_distance(a, c).status().code(), StatusCode::kBadInput);
}

class FidReference : public ::testing::TestWithParam<const char*> {};

TEST_P(FidReference, MatchesPytorchFidTorchFidelityTorchmetrics) {
  const std::string name = GetParam();
  METRICS_LOAD_REF_NPZ(z, name);
  METRICS_LOAD_REF_FEATURES(fa, name + "_a");
  METRICS_LOAD_REF_FEATURES(fb, name + "_b");
  const int64_t d = fa.dim;
  // pytorch-fid: float64 np.mean/np.cov (two-pass).
  auto pa = gaussian_stats_two_pass(fa.data.data(), fa.n, d),
       pb = gaussian_stats_two_pass(fb.data.data(), fb.n, d);
  ASSERT_TRUE(pa.ok() && pb.ok());
  // torch-fidelity: float32 np.mean, float64 np.cov.
  auto ta = gaussian_stats_two_pass(fa.data.data(), fa.n, d, MeanPrecision::kFloat32Numpy);
  auto tb = gaussian_stats_two_pass(fb.data.data(), fb.n, d, MeanPrecision::kFloat32Numpy);
  ASSERT_TRUE(ta.ok() && tb.ok());
  // torchmetrics: one-pass sums, real (= b) first.
  auto ma = Moments::create(d), mb = Moments::create(d);
  ASSERT_TRUE(ma->add(fa.data.data(), fa.n).ok() && mb->add(fb.data.data(), fb.n).ok());
  auto sa = ma->gaussian_stats(), sb = mb->gaussian_stats();
  ASSERT_TRUE(sa.ok() && sb.ok());

  const double want_tf = scalar(z, "fid_torch_fidelity"), want_tm = scalar(z, "fid_torchmetrics");
  const double want_pf = scalar(z, "fid_pytorch_fid");
  const bool pf_eps = scalar(z, "pf_eps_fallback") != 0;
  for (auto method : {SqrtTraceMethod::kCholesky, SqrtTraceMethod::kEigen}) {
    if (method == SqrtTraceMethod::kEigen && d > 768) continue;  // slow path; checked on the smaller cases
    auto fid_pf = frechet_distance(*pa, *pb, method);
    auto fid_tf = frechet_distance(*ta, *tb, method);
    auto fid_tm = frechet_distance(*sb, *sa, method);
    ASSERT_TRUE(fid_pf.ok() && fid_tf.ok() && fid_tm.ok()) << fid_pf.status().to_string();
    std::cout << name << " method " << int(method) << ": rel err vs pytorch-fid " << rel_err(*fid_pf, want_pf)
              << (pf_eps ? " (pytorch-fid used its 1e-6 fallback)" : "") << ", torch-fidelity "
              << rel_err(*fid_tf, want_tf) << ", torchmetrics " << rel_err(*fid_tm, want_tm) << "\n";
    if (!pf_eps) {
      EXPECT_LT(rel_err(*fid_pf, want_pf), 1e-6) << "pytorch-fid " << *fid_pf << " vs " << want_pf;
    }
    EXPECT_LT(rel_err(*fid_tf, want_tf), 1e-6) << "torch-fidelity " << *fid_tf << " vs " << want_tf;
    EXPECT_LT(rel_err(*fid_tm, want_tm), 1e-6) << "torchmetrics " << *fid_tm << " vs " << want_tm;
  }
  // On the references' own statistics (stored for D ≤ 768) the inputs are identical.
  if (z.count("pf_sigma1")) {
    GaussianStats s1{d, z["pf_mu1"].data, z["pf_sigma1"].data}, s2{d, z["pf_mu2"].data, z["pf_sigma2"].data};
    auto fid = frechet_distance(s1, s2);
    ASSERT_TRUE(fid.ok());
    if (!pf_eps) {
      EXPECT_LT(rel_err(*fid, want_pf), 1e-6);
    }
    GaussianStats t1{d, z["tf_mu1"].data, z["pf_sigma1"].data}, t2{d, z["tf_mu2"].data, z["pf_sigma2"].data};
    auto fid_t = frechet_distance(t1, t2);
    ASSERT_TRUE(fid_t.ok());
    EXPECT_LT(rel_err(*fid_t, want_tf), 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, FidReference,
                         ::testing::Values("fid_d64_n2_n3", "fid_d64_n500_n400", "fid_d192_n80_n150",
                                           "fid_d768_n1000_n1200", "fid_d768_n300_n2000",
                                           "fid_d2048_n1000_n1500", "fid_d2048_n10000_n3000"));

}  // namespace
}  // namespace fidcpp
