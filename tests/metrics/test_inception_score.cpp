// Inception Score against a naive reference (plain log of softmax) and torch-fidelity / torchmetrics values.
#include <gtest/gtest.h>

#include <cmath>

#include "metrics/inception_score.h"
#include "metrics/numpy_random.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

using metrics_test::rel_err;
using metrics_test::scalar;

// Naive IS over given group boundaries; std with ddof 0 or 1.
std::pair<double, double> is_ref(const std::vector<float>& z, const std::vector<int64_t>& order, int64_t c,
                                 const std::vector<int64_t>& bounds, int ddof) {
  std::vector<double> scores;
  for (size_t g = 0; g + 1 < bounds.size(); ++g) {
    const int64_t b0 = bounds[g], b1 = bounds[g + 1];
    std::vector<std::vector<double>> p;
    for (int64_t r = b0; r < b1; ++r) {
      const float* row = &z[order[r] * c];
      double s = 0;
      for (int64_t k = 0; k < c; ++k) s += std::exp(static_cast<double>(row[k]));
      std::vector<double> pr(c);
      for (int64_t k = 0; k < c; ++k) pr[k] = std::exp(static_cast<double>(row[k])) / s;
      p.push_back(pr);
    }
    double kl = 0;
    for (int64_t k = 0; k < c; ++k) {
      double q = 0;
      for (auto& pr : p) q += pr[k];
      q /= static_cast<double>(p.size());
      for (auto& pr : p) kl += pr[k] * (std::log(pr[k]) - std::log(q));
    }
    scores.push_back(std::exp(kl / static_cast<double>(p.size())));
  }
  double mean = 0, var = 0;
  for (double s : scores) mean += s;
  mean /= static_cast<double>(scores.size());
  for (double s : scores) var += (s - mean) * (s - mean);
  return {mean, std::sqrt(var / static_cast<double>(scores.size() - ddof))};
}

TEST(InceptionScore, MatchesNaiveReferenceBothConventions) {
  const int64_t n = 23, c = 11;
  auto z = metrics_test::random_features(3, n, c, 8.0f);
  std::vector<int64_t> order = NumpyRandomState(2020).permutation(n), ident(n);
  for (int64_t i = 0; i < n; ++i) ident[i] = i;
  InceptionScoreOptions o;
  o.splits = 10;
  auto tf = inception_score(z.data(), n, c, o);
  ASSERT_TRUE(tf.ok());
  std::vector<int64_t> fb;
  for (int i = 0; i <= 10; ++i) fb.push_back(i * n / 10);
  auto want = is_ref(z, order, c, fb, 0);
  EXPECT_NEAR(tf->mean, want.first, 1e-12 * want.first);
  EXPECT_NEAR(tf->std, want.second, 1e-9 * want.first);
  EXPECT_EQ(tf->groups, 10);

  o.convention = IsConvention::kTorchmetrics;
  o.shuffle = IsShuffle::kNone;
  auto tm = inception_score(z.data(), n, c, o);
  ASSERT_TRUE(tm.ok());
  EXPECT_EQ(tm->groups, 8);  // torch.chunk(10) of 23 rows: chunks of 3, 8 of them
  auto want_tm = is_ref(z, ident, c, {0, 3, 6, 9, 12, 15, 18, 21, 23}, 1);
  EXPECT_NEAR(tm->mean, want_tm.first, 1e-12 * want_tm.first);
  EXPECT_NEAR(tm->std, want_tm.second, 1e-9 * want_tm.first);
}

TEST(InceptionScore, Errors) {
  auto z = metrics_test::random_features(4, 5, 7);
  EXPECT_EQ(inception_score(z.data(), 5, 7).status().code(), StatusCode::kInvalidArgument);  // 5 < 10 splits
  InceptionScoreOptions o;
  o.splits = 0;
  EXPECT_FALSE(inception_score(z.data(), 5, 7, o).ok());
  o.splits = 2;
  z[3] = INFINITY;
  EXPECT_EQ(inception_score(z.data(), 5, 7, o).status().code(), StatusCode::kBadInput);
}

class IsReference : public ::testing::TestWithParam<const char*> {};

TEST_P(IsReference, MatchesTorchFidelityAndTorchmetrics) {
  const std::string name = GetParam();
  METRICS_LOAD_REF_NPZ(z, name);
  METRICS_LOAD_REF_FEATURES(f, name + "_logits");
  InceptionScoreOptions o;
  o.splits = static_cast<int>(scalar(z, "splits"));
  auto shuf = inception_score(f.data.data(), f.n, f.dim, o);
  ASSERT_TRUE(shuf.ok()) << shuf.status().to_string();
  EXPECT_LT(rel_err(shuf->mean, scalar(z, "tf_mean")), 1e-6);
  EXPECT_LT(rel_err(shuf->std, scalar(z, "tf_std")), 1e-6);
  o.shuffle = IsShuffle::kNone;
  auto plain = inception_score(f.data.data(), f.n, f.dim, o);
  ASSERT_TRUE(plain.ok());
  EXPECT_LT(rel_err(plain->mean, scalar(z, "tf_noshuf_mean")), 1e-6);
  EXPECT_LT(rel_err(plain->std, scalar(z, "tf_noshuf_std")), 1e-6);
  std::cout << name << ": torch-fidelity rel err mean " << rel_err(shuf->mean, scalar(z, "tf_mean"))
            << " std " << rel_err(shuf->std, scalar(z, "tf_std")) << "\n";

  // torchmetrics: apply the permutation its seeded torch.randperm drew, then compute unshuffled.
  const auto& perm = z.at("tm_perm").data;
  std::vector<float> permuted(f.data.size());
  for (int64_t i = 0; i < f.n; ++i) {
    const int64_t src = static_cast<int64_t>(perm[static_cast<size_t>(i)]);
    std::copy_n(&f.data[src * f.dim], f.dim, &permuted[i * f.dim]);
  }
  o.convention = IsConvention::kTorchmetrics;
  auto tm = inception_score(permuted.data(), f.n, f.dim, o);
  ASSERT_TRUE(tm.ok());
  EXPECT_LT(rel_err(tm->mean, scalar(z, "tm_mean")), 1e-6);
  EXPECT_LT(rel_err(tm->std, scalar(z, "tm_std")), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Cases, IsReference, ::testing::Values("is_n1000_s10", "is_n23_s10", "is_n5000_s7"));

}  // namespace
}  // namespace fidcpp
