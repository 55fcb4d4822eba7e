// Moments and two-pass statistics against a naive double-precision reference; exact merges on integer data.
#include <gtest/gtest.h>

#include <cmath>

#include "metrics/moments.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

using metrics_test::random_features;

// Naive two-pass mean and covariance (N−1), double accumulation.
GaussianStats gaussian_stats_ref(const std::vector<float>& f, int64_t n, int64_t d) {
  GaussianStats s;
  s.dim = d;
  s.mu.assign(static_cast<size_t>(d), 0.0);
  s.sigma.assign(static_cast<size_t>(d * d), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) s.mu[j] += f[i * d + j];
  for (auto& m : s.mu) m /= static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t a = 0; a < d; ++a)
      for (int64_t b = 0; b < d; ++b)
        s.sigma[a * d + b] += (f[i * d + a] - s.mu[a]) * (f[i * d + b] - s.mu[b]);
  for (auto& v : s.sigma) v /= static_cast<double>(n - 1);
  return s;
}

void expect_stats_near(const GaussianStats& got, const GaussianStats& want, double tol) {
  ASSERT_EQ(got.dim, want.dim);
  double scale = 0;
  for (double v : want.sigma) scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < want.mu.size(); ++i) EXPECT_NEAR(got.mu[i], want.mu[i], tol) << "mu " << i;
  for (size_t i = 0; i < want.sigma.size(); ++i)
    EXPECT_NEAR(got.sigma[i], want.sigma[i], tol * scale) << "sigma " << i;
}

TEST(Moments, OnePassAndTwoPassMatchNaiveReference) {
  for (auto [n, d] : {std::pair<int64_t, int64_t>{2, 1}, {7, 5}, {300, 17}, {513, 64}}) {
    const auto f = random_features(100 + static_cast<uint64_t>(n), n, d, 3.0f);
    const GaussianStats want = gaussian_stats_ref(f, n, d);
    auto m = Moments::create(d);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE(m->add(f.data(), n).ok());
    auto one = m->gaussian_stats();
    ASSERT_TRUE(one.ok()) << one.status().to_string();
    expect_stats_near(*one, want, 1e-12);
    auto two = gaussian_stats_two_pass(f.data(), n, d);
    ASSERT_TRUE(two.ok());
    expect_stats_near(*two, want, 1e-13);
  }
}

TEST(Moments, MergeOfShardsEqualsOneStreamExactlyOnIntegerData) {
  const int64_t n = 700, d = 33;
  SplitMix64 g(5);
  std::vector<float> f(static_cast<size_t>(n * d));
  for (float& v : f) v = static_cast<float>(g.next() % 16);  // integer sums are exact in any order
  auto all = Moments::create(d), a = Moments::create(d), b = Moments::create(d), c = Moments::create(d);
  ASSERT_TRUE(all->add(f.data(), n).ok());
  ASSERT_TRUE(a->add(f.data(), 100).ok());
  ASSERT_TRUE(b->add(f.data() + 100 * d, 1).ok());
  std::vector<double> rest(f.begin() + 101 * d, f.end());  // double rows take the same path
  ASSERT_TRUE(c->add(rest.data(), n - 101).ok());
  ASSERT_TRUE(a->merge(*b).ok());
  ASSERT_TRUE(a->merge(*c).ok());
  EXPECT_EQ(a->count(), n);
  EXPECT_EQ(a->sum(), all->sum());
  EXPECT_EQ(a->sum_outer(), all->sum_outer());
}

TEST(Moments, Float32NumpyMeanIsSequentialFloatSum) {
  const int64_t n = 1001, d = 9;
  const auto f = random_features(9, n, d, 100.0f);
  auto s = gaussian_stats_two_pass(f.data(), n, d, MeanPrecision::kFloat32Numpy);
  ASSERT_TRUE(s.ok());
  for (int64_t j = 0; j < d; ++j) {
    float acc = 0.0f;
    for (int64_t i = 0; i < n; ++i) acc += f[i * d + j];
    EXPECT_EQ(s->mu[j], static_cast<double>(acc / static_cast<float>(n)));
  }
}

TEST(Moments, Errors) {
  EXPECT_EQ(Moments::create(0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Moments::create(kMaxFeatureDim + 1).status().code(), StatusCode::kInvalidArgument);
  auto m = Moments::create(3);
  std::vector<float> f = {1, 2, 3, 4, NAN, 6};
  Status s = m->add(f.data(), 2);
  EXPECT_EQ(s.code(), StatusCode::kBadInput);
  EXPECT_NE(s.message().find("row 1 column 1"), std::string::npos) << s.message();
  EXPECT_EQ(m->count(), 0);  // a rejected batch leaves the sums untouched
  ASSERT_TRUE(m->add(f.data(), 1).ok());
  EXPECT_EQ(m->gaussian_stats().status().code(), StatusCode::kInvalidArgument);  // one sample
  auto other = Moments::create(4);
  EXPECT_EQ(m->merge(*other).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Moments::from_sums(3, 2, {1, 2}, std::vector<double>(9)).ok());
  EXPECT_FALSE(gaussian_stats_two_pass(f.data(), 1, 3).ok());
}

}  // namespace
}  // namespace fidcpp
