// Density and coverage: exact equality with a naive reference on small-integer features (every distance, and
// so every tie, exact), exact equality with PyPI prdc 0.2 (tools/ref_dc.py) on synthetic, tied and real-photo
// features, nearest_k changing the result, and the bad inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "metrics/dc.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

using metrics_test::scalar;

// prdc's compute_prdc written out with direct float64 distances and full sorts.
DcResult dc_ref(const std::vector<float>& real, int64_t nr, const std::vector<float>& fake, int64_t nf,
                int64_t d, int k) {
  auto dist = [&](const float* a, const float* b) {
    double s = 0;
    for (int64_t i = 0; i < d; ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return std::sqrt(s);
  };
  std::vector<double> radius(nr), row(nr);
  for (int64_t i = 0; i < nr; ++i) {
    for (int64_t j = 0; j < nr; ++j) row[j] = dist(&real[i * d], &real[j * d]);
    std::sort(row.begin(), row.end());
    radius[i] = row[k];
  }
  int64_t inside = 0, covered = 0;
  for (int64_t i = 0; i < nr; ++i) {
    double nearest = std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < nf; ++j) {
      const double v = dist(&real[i * d], &fake[j * d]);
      inside += v < radius[i];
      nearest = std::min(nearest, v);
    }
    covered += nearest < radius[i];
  }
  DcResult out;
  out.density = (1.0 / k) * (double(inside) / double(nf));
  out.coverage = double(covered) / double(nr);
  return out;
}

// n x d integers in [0, levels): many duplicate rows and equal distances.
std::vector<float> small_integers(uint64_t seed, int64_t n, int64_t d, int levels) {
  std::vector<float> f(size_t(n * d));
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float& v : f) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    v = float((x >> 33) % uint64_t(levels));
  }
  return f;
}

TEST(Dc, EqualsNaiveReferenceExactlyWithTies) {
  struct Case {
    int64_t nr, nf, d;
    int levels, k;
  };
  for (const Case& c : {Case{6, 1, 1, 4, 5}, Case{30, 20, 3, 3, 2}, Case{70, 90, 17, 4, 5},
                        Case{257, 131, 8, 3, 7}, Case{40, 40, 2, 2, 1}}) {
    const auto real = small_integers(c.nr * 7 + c.d, c.nr, c.d, c.levels);
    const auto fake = small_integers(c.nf * 11 + c.d, c.nf, c.d, c.levels);
    DcOptions o;
    o.nearest_k = c.k;
    auto got = density_coverage(real.data(), c.nr, fake.data(), c.nf, c.d, o);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    const DcResult want = dc_ref(real, c.nr, fake, c.nf, c.d, c.k);
    const std::string where = "nr " + std::to_string(c.nr) + " nf " + std::to_string(c.nf) + " d " +
                              std::to_string(c.d) + " k " + std::to_string(c.k);
    EXPECT_EQ(got->density, want.density) << where;
    EXPECT_EQ(got->coverage, want.coverage) << where;
  }
}

TEST(Dc, NearestKChangesTheResult) {
  const auto real = metrics_test::random_features(5, 200, 16),
             fake = metrics_test::random_features(6, 180, 16);
  DcOptions o3, o5;
  o3.nearest_k = 3;
  auto a = density_coverage(real.data(), 200, fake.data(), 180, 16, o3);
  auto b = density_coverage(real.data(), 200, fake.data(), 180, 16, o5);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(o5.nearest_k, 5);  // the default
  EXPECT_NE(a->density, b->density);
  EXPECT_LT(a->coverage, b->coverage);  // larger balls cover more
  const DcResult want = dc_ref(real, 200, fake, 180, 16, 3);
  EXPECT_EQ(a->density, want.density);
  EXPECT_EQ(a->coverage, want.coverage);
}

TEST(Dc, BadInputsAreClearErrors) {
  const auto f = metrics_test::random_features(7, 6, 4);
  auto message = [](const Result<DcResult>& r) {
    return r.ok() ? std::string("ok") : r.status().to_string();
  };
  DcOptions o;                                                // k = 5
  auto r = density_coverage(f.data(), 5, f.data(), 6, 4, o);  // k >= n_real
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(message(r).find("nearest_k 5 needs more than 5 real samples, got 5"), std::string::npos)
      << message(r);
  r = density_coverage(f.data(), 6, f.data(), 0, 4, o);
  EXPECT_NE(message(r).find("no generated samples"), std::string::npos) << message(r);
  o.nearest_k = 0;
  r = density_coverage(f.data(), 6, f.data(), 6, 4, o);
  EXPECT_NE(message(r).find("nearest_k must be at least 1, got 0"), std::string::npos) << message(r);
  o.nearest_k = 2;
  r = density_coverage(f.data(), 6, f.data(), 6, 0, o);
  EXPECT_NE(message(r).find("feature dimension 0"), std::string::npos) << message(r);
  auto nan_rows = f;
  nan_rows[9] = std::nanf("");
  r = density_coverage(f.data(), 6, nan_rows.data(), 6, 4, o);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(message(r).find("generated features"), std::string::npos) << message(r);
  EXPECT_TRUE(density_coverage(f.data(), 6, f.data(), 1, 4, o).ok());  // one generated sample is enough
}

class DcReference : public ::testing::TestWithParam<const char*> {};

// Every count is compared, so equality is exact: a difference would be a ball test decided differently.
TEST_P(DcReference, EqualsPrdcExactly) {
  const std::string name = GetParam();
  METRICS_LOAD_REF_NPZ(z, name);
  METRICS_LOAD_REF_FEATURES(real, name + "_real");
  METRICS_LOAD_REF_FEATURES(fake, name + "_fake");
  DcOptions o;
  o.nearest_k = static_cast<int>(scalar(z, "nearest_k"));
  auto got = density_coverage(real.data.data(), real.n, fake.data.data(), fake.n, real.dim, o);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->density, scalar(z, "density"));
  EXPECT_EQ(got->coverage, scalar(z, "coverage"));
}

INSTANTIATE_TEST_SUITE_P(Cases, DcReference,
                         ::testing::Values("dc_d64_n20_n22_k5", "dc_d192_n500_n450_k5", "dc_d64_n700_n650_k3",
                                           "dc_d64_n700_n650_k10", "dc_d2048_n2000_n2500_k5",
                                           "dc_memorized_d256_n600_n500_k5", "dc_ties_d6_n400_n300_k5",
                                           "dc_ties_d16_n300_n350_k4", "dc_real_tf64_k5",
                                           "dc_real_tf2048_k5"));

}  // namespace
}  // namespace fidcpp
