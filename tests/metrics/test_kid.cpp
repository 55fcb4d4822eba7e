// KID: float64 path against a naive double reference with the same subsets, and against torch-fidelity at
// ≤1e-6 relative or within torch-fidelity's own float32 noise (its float64 run on the same subsets measures
// it).
#include <gtest/gtest.h>

#include <cmath>

#include "metrics/kid.h"
#include "metrics/numpy_random.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

using metrics_test::rel_err;
using metrics_test::scalar;

double kid_mean_ref(const std::vector<float>& a, int64_t n1, const std::vector<float>& b, int64_t n2,
                    int64_t d, const KidOptions& o) {
  NumpyRandomState rng(o.seed);
  const int64_t m = o.subset_size;
  auto k = [&](const float* x, const float* y) {
    double dot = 0, dist = 0;
    for (int64_t i = 0; i < d; ++i) {
      dot += static_cast<double>(x[i]) * y[i];
      dist += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    }
    if (o.kernel == KidKernel::kRbf) return std::exp(-dist / (2 * o.rbf_sigma * o.rbf_sigma));
    const double g = o.gamma > 0 ? o.gamma : 1.0 / static_cast<double>(d);
    return std::pow(g * dot + o.coef0, o.degree);
  };
  double total = 0;
  for (int64_t s = 0; s < o.subsets; ++s) {
    auto i1 = rng.choice_without_replacement(n1, m).value();
    auto i2 = rng.choice_without_replacement(n2, m).value();
    double xx = 0, yy = 0, xy = 0;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < m; ++j) {
        if (i != j) xx += k(&a[i1[i] * d], &a[i1[j] * d]);
        if (i != j) yy += k(&b[i2[i] * d], &b[i2[j] * d]);
        xy += k(&a[i1[i] * d], &b[i2[j] * d]);
      }
    }
    total += (xx + yy) / static_cast<double>(m * (m - 1)) - 2 * xy / static_cast<double>(m * m);
  }
  return total / static_cast<double>(o.subsets);
}

TEST(Kid, Float64MatchesNaiveReference) {
  const int64_t d = 13;
  auto a = metrics_test::random_features(1, 60, d), b = metrics_test::random_features(2, 50, d, 1.2f);
  for (auto kernel : {KidKernel::kPolynomial, KidKernel::kRbf}) {
    KidOptions o;
    o.subsets = 4;
    o.subset_size = 17;
    o.kernel = kernel;
    o.rbf_sigma = 0.7;
    o.precision = KidPrecision::kFloat64;
    auto got = kernel_inception_distance(a.data(), 60, b.data(), 50, d, o);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    const double want = kid_mean_ref(a, 60, b, 50, d, o);
    EXPECT_NEAR(got->mean, want, 1e-12 * std::fabs(want) + 1e-15) << int(kernel);
    o.precision = KidPrecision::kFloat32Numpy;
    auto f32 = kernel_inception_distance(a.data(), 60, b.data(), 50, d, o);
    ASSERT_TRUE(f32.ok());
    EXPECT_NEAR(f32->mean, want, 1e-4 * std::fabs(want) + 1e-6);
  }
}

TEST(Kid, OptionsChangeTheResult) {
  const int64_t d = 8;
  auto a = metrics_test::random_features(3, 40, d), b = metrics_test::random_features(4, 40, d, 1.5f);
  KidOptions o;
  o.subsets = 3;
  o.subset_size = 20;
  const double base = kernel_inception_distance(a.data(), 40, b.data(), 40, d, o)->mean;
  KidOptions o2 = o;
  o2.seed = 7;
  EXPECT_NE(kernel_inception_distance(a.data(), 40, b.data(), 40, d, o2)->mean, base);
  o2 = o;
  o2.degree = 2;
  EXPECT_NE(kernel_inception_distance(a.data(), 40, b.data(), 40, d, o2)->mean, base);
  o2 = o;
  o2.kernel = KidKernel::kRbf;
  EXPECT_NE(kernel_inception_distance(a.data(), 40, b.data(), 40, d, o2)->mean, base);
}

TEST(Kid, Errors) {
  auto a = metrics_test::random_features(5, 30, 4);
  KidOptions o;  // subset size 1000 > 30 samples
  auto r = kernel_inception_distance(a.data(), 30, a.data(), 30, 4, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("larger than the number of samples"), std::string::npos);
  o.subset_size = 1;
  EXPECT_FALSE(kernel_inception_distance(a.data(), 30, a.data(), 30, 4, o).ok());
  o.subset_size = 10;
  o.subsets = 0;
  EXPECT_FALSE(kernel_inception_distance(a.data(), 30, a.data(), 30, 4, o).ok());
  o.subsets = 2;
  a[7] = NAN;
  EXPECT_EQ(kernel_inception_distance(a.data(), 30, a.data(), 30, 4, o).status().code(),
            StatusCode::kBadInput);
}

class KidReference : public ::testing::TestWithParam<const char*> {};

TEST_P(KidReference, MatchesTorchFidelity) {
  const std::string name = GetParam();
  METRICS_LOAD_REF_NPZ(z, name);
  METRICS_LOAD_REF_FEATURES(fa, name + "_a");
  METRICS_LOAD_REF_FEATURES(fb, name + "_b");
  KidOptions o;
  o.subsets = static_cast<int64_t>(scalar(z, "subsets"));
  o.subset_size = static_cast<int64_t>(scalar(z, "subset_size"));
  o.kernel = scalar(z, "rbf") != 0 ? KidKernel::kRbf : KidKernel::kPolynomial;
  o.degree = static_cast<int>(scalar(z, "degree"));
  o.gamma = scalar(z, "gamma");
  o.coef0 = scalar(z, "coef0");
  o.rbf_sigma = scalar(z, "sigma");
  auto got = kernel_inception_distance(fa.data.data(), fa.n, fb.data.data(), fb.n, fa.dim, o);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  o.precision = KidPrecision::kFloat32Numpy;
  auto f32 = kernel_inception_distance(fa.data.data(), fa.n, fb.data.data(), fb.n, fa.dim, o);
  ASSERT_TRUE(f32.ok());
  const double want_mean = scalar(z, "mean");
  const double want_mean64 = scalar(z, "mean64"), want_std64 = scalar(z, "std64");
  std::cout << name << ": KID " << want_mean
            << " (torch-fidelity float32 vs its float64: " << rel_err(want_mean64, want_mean)
            << "); ours float64 rel err " << rel_err(got->mean, want_mean) << " (vs its float64 "
            << rel_err(got->mean, want_mean64) << "), float32 mirror " << rel_err(f32->mean, want_mean)
            << "\n";
  // Against torch-fidelity's float64 run the only difference is summation order.
  EXPECT_LT(rel_err(got->mean, want_mean64), 1e-9);
  EXPECT_LT(rel_err(got->std, want_std64), 1e-7);
  const double noise = std::fabs(want_mean64 - want_mean);
  EXPECT_LE(std::fabs(got->mean - want_mean), std::max(1e-6 * std::fabs(want_mean), 2 * noise))
      << got->mean << " vs " << want_mean;
  // The float32 mirror reproduces torch-fidelity bit for bit when its kernel values do (degree ≤ 2: no
  // float32 power); with degree 3 it is only reported above (measured 4e-6 to 6e-6 relative).
  if (o.kernel == KidKernel::kPolynomial && o.degree <= 2) {
    EXPECT_EQ(f32->mean, want_mean);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, KidReference,
                         ::testing::Values("kid_d2048_default", "kid_d64_close", "kid_d192_custom",
                                           "kid_d768_rbf"));

}  // namespace
}  // namespace fidcpp
