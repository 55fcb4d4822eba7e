// MiFID: the memorization distance against a naive double loop, and torchmetrics' values (≤1e-6 relative).
#include <gtest/gtest.h>

#include <cmath>

#include "metrics/mifid.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

using metrics_test::rel_err;
using metrics_test::scalar;

double memorization_distance_ref(const std::vector<float>& r, int64_t nr, const std::vector<float>& f,
                                 int64_t nf, int64_t d) {
  auto nonzero = [&](const std::vector<float>& x, int64_t i) {
    double s = 0;
    for (int64_t k = 0; k < d; ++k) s += x[i * d + k];
    return s != 0;
  };
  double total = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < nr; ++i) {
    if (!nonzero(r, i)) continue;
    double best = 1e300;
    for (int64_t j = 0; j < nf; ++j) {
      if (!nonzero(f, j)) continue;
      double dot = 0, na = 0, nb = 0;
      for (int64_t k = 0; k < d; ++k) {
        dot += static_cast<double>(r[i * d + k]) * f[j * d + k];
        na += static_cast<double>(r[i * d + k]) * r[i * d + k];
        nb += static_cast<double>(f[j * d + k]) * f[j * d + k];
      }
      best = std::min(best, 1 - std::fabs(dot / std::sqrt(na * nb)));
    }
    total += best;
    ++count;
  }
  return total / static_cast<double>(count);
}

TEST(Mifid, MemorizationDistanceMatchesNaiveReference) {
  const int64_t d = 10, nr = 700, nf = 530;  // more than one 512-row block
  auto r = metrics_test::random_features(1, nr, d), f = metrics_test::random_features(2, nf, d);
  for (int64_t k = 0; k < d; ++k) r[5 * d + k] = 0.0f;  // dropped row
  auto got = memorization_distance(r.data(), nr, f.data(), nf, d);
  ASSERT_TRUE(got.ok());
  EXPECT_NEAR(*got, memorization_distance_ref(r, nr, f, nf, d), 1e-13);
}

TEST(Mifid, ThresholdAndErrors) {
  const int64_t d = 6;
  auto r = metrics_test::random_features(3, 50, d), f = metrics_test::random_features(4, 40, d, 2.0f);
  MifidOptions o;
  o.cosine_distance_eps = 1e-9;  // distance above eps counts as 1: MiFID = FID
  auto m = mifid(r.data(), 50, f.data(), 40, d, o);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->distance, 1.0);
  EXPECT_NEAR(m->mifid, m->fid, 1e-12 * m->fid);
  o.cosine_distance_eps = 1.0;
  auto m2 = mifid(r.data(), 50, f.data(), 40, d, o);
  ASSERT_TRUE(m2.ok());
  EXPECT_LT(m2->distance, 1.0);
  EXPECT_GT(m2->mifid, m2->fid);
  o.cosine_distance_eps = 0.0;
  EXPECT_EQ(mifid(r.data(), 50, f.data(), 40, d, o).status().code(), StatusCode::kInvalidArgument);
  std::vector<float> zeros(static_cast<size_t>(10 * d), 0.0f);
  EXPECT_EQ(memorization_distance(zeros.data(), 10, f.data(), 40, d).status().code(), StatusCode::kBadInput);
}

class MifidReference : public ::testing::TestWithParam<const char*> {};

TEST_P(MifidReference, MatchesTorchmetrics) {
  const std::string name = GetParam();
  METRICS_LOAD_REF_NPZ(z, name);
  METRICS_LOAD_REF_FEATURES(real, name + "_real");
  METRICS_LOAD_REF_FEATURES(fake, name + "_fake");
  auto got = mifid(real.data.data(), real.n, fake.data.data(), fake.n, real.dim);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  const double want = scalar(z, "mifid");
  std::cout << name << ": MiFID " << want << " (distance " << got->distance << "), rel err "
            << rel_err(got->mifid, want) << "\n";
  EXPECT_LT(rel_err(got->mifid, want), 1e-6) << got->mifid << " vs " << want;
}

INSTANTIATE_TEST_SUITE_P(Cases, MifidReference,
                         ::testing::Values("mifid_d64_far", "mifid_d192_memorized", "mifid_d192_zero_rows"));

}  // namespace
}  // namespace fidcpp
