// PRC: counts against a naive double-precision reference, and exact equality with torch-fidelity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "metrics/prc.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

using metrics_test::scalar;

PrcResult prc_ref(const std::vector<float>& g, int64_t ng, const std::vector<float>& r, int64_t nr, int64_t d,
                  int k) {
  auto dist = [&](const float* a, const float* b) {
    double s = 0;
    for (int64_t i = 0; i < d; ++i)
      s += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    return std::sqrt(s);
  };
  auto radii = [&](const std::vector<float>& x, int64_t n) {
    std::vector<double> out(n), row(n);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) row[j] = dist(&x[i * d], &x[j * d]);
      std::sort(row.begin(), row.end());
      out[i] = row[k];
    }
    return out;
  };
  auto rg = radii(g, ng), rr = radii(r, nr);
  int64_t p = 0, rc = 0;
  for (int64_t i = 0; i < ng; ++i) {
    bool hit = false;
    for (int64_t j = 0; j < nr && !hit; ++j) hit = dist(&g[i * d], &r[j * d]) <= rr[j];
    p += hit;
  }
  for (int64_t j = 0; j < nr; ++j) {
    bool hit = false;
    for (int64_t i = 0; i < ng && !hit; ++i) hit = dist(&r[j * d], &g[i * d]) <= rg[i];
    rc += hit;
  }
  PrcResult out;
  out.precision = static_cast<double>(p) / ng;
  out.recall = static_cast<double>(rc) / nr;
  return out;
}

TEST(Prc, MatchesNaiveReference) {
  // Sizes below and above torch.cdist's 25-row switch, with batch splits.
  for (auto [ng, nr, bs, k] : {std::tuple<int64_t, int64_t, int64_t, int>{20, 24, 10000, 3},
                               {150, 130, 10000, 3},
                               {90, 100, 40, 2},
                               {300, 280, 10000, 7}}) {
    const int64_t d = 16;
    auto g = metrics_test::random_features(10 + ng, ng, d, 1.3f),
         r = metrics_test::random_features(20 + nr, nr, d);
    PrcOptions o;
    o.neighborhood = k;
    o.batch_size = bs;
    auto got = precision_recall(g.data(), ng, r.data(), nr, d, o);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    const PrcResult want = prc_ref(g, ng, r, nr, d, k);
    EXPECT_NEAR(got->precision, want.precision, 1e-7) << ng;
    EXPECT_NEAR(got->recall, want.recall, 1e-7) << ng;
    EXPECT_GT(got->precision, 0.0);
    const double f = 2 * got->precision * got->recall / std::max(1e-5, got->precision + got->recall);
    EXPECT_EQ(got->f_score, f);
  }
}

TEST(Prc, Errors) {
  auto g = metrics_test::random_features(1, 3, 4);
  EXPECT_EQ(precision_recall(g.data(), 3, g.data(), 3, 4).status().code(),
            StatusCode::kInvalidArgument);  // k+1 > 3
  PrcOptions o;
  o.neighborhood = 0;
  EXPECT_FALSE(precision_recall(g.data(), 3, g.data(), 3, 4, o).ok());
  o.neighborhood = 1;
  g[2] = NAN;
  EXPECT_EQ(precision_recall(g.data(), 3, g.data(), 3, 4, o).status().code(), StatusCode::kBadInput);
}

class PrcReference : public ::testing::TestWithParam<const char*> {};

TEST_P(PrcReference, EqualsTorchFidelityExactly) {
  const std::string name = GetParam();
  METRICS_LOAD_REF_NPZ(z, name);
  METRICS_LOAD_REF_FEATURES(gen, name + "_gen");
  METRICS_LOAD_REF_FEATURES(real, name + "_real");
  PrcOptions o;
  o.neighborhood = static_cast<int>(scalar(z, "neighborhood"));
  o.batch_size = static_cast<int64_t>(scalar(z, "batch_size"));
  auto got = precision_recall(gen.data.data(), gen.n, real.data.data(), real.n, gen.dim, o);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->precision, scalar(z, "precision"));
  EXPECT_EQ(got->recall, scalar(z, "recall"));
  EXPECT_EQ(got->f_score, scalar(z, "f_score"));
}

INSTANTIATE_TEST_SUITE_P(Cases, PrcReference,
                         ::testing::Values("prc_d64_n20_n22", "prc_d192_n500_n450",
                                           "prc_d64_n700_n650_b300_k5", "prc_d2048_n4000_n5000"));

}  // namespace
}  // namespace fidcpp
