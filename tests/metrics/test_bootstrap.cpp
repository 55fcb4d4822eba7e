// Bootstrap confidence intervals of FID and KID (docs/metrics-extra.md): numpy-compatible draws and
// quantiles (values from numpy 2.4.6), weighted statistics equal to those of the repeated rows, agreement
// with the independent numpy/scipy reference tools/oracle_bootstrap.py (FIDCPP_PYTHON), coverage and
// shrinking on Gaussians with a closed-form FID, seeds and thread counts, bad inputs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/splitmix64.h"
#include "evaluator.h"
#include "io/npy.h"
#include "metrics/bootstrap.h"
#include "metrics/fid.h"
#include "metrics/kid.h"
#include "metrics/moments.h"
#include "metrics/numpy_random.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

using metrics_test::rel_err;

// n×d float32 from N(mean, sd²) by Box-Muller over SplitMix64.
std::vector<float> gaussian(uint64_t seed, int64_t n, int64_t d, double mean, double sd) {
  SplitMix64 g(seed);
  std::vector<float> f(static_cast<size_t>(n * d));
  for (float& v : f) {
    const double u1 = 1.0 - g.uniform_f64(), u2 = g.uniform_f64();
    v = static_cast<float>(mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
  return f;
}

bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Bootstrap, DrawsAndQuantilesAsNumpy) {
  // np.random.RandomState(5).randint(0, 2**32, size=3, dtype=np.uint32)
  EXPECT_EQ(bootstrap_replicate_seeds(5, 3), (std::vector<uint32_t>{953453411u, 236996814u, 3739766767u}));
  // rs = np.random.RandomState(5); rs.randint(0, 7, size=7); rs.randint(0, 1000, size=5)
  NumpyRandomState rng(5);
  std::vector<int64_t> rows;
  bootstrap_draw(rng, 7, rows);
  EXPECT_EQ(rows, (std::vector<int64_t>{3, 6, 5, 6, 6, 0, 1}));
  bootstrap_draw(rng, 1000, rows);
  rows.resize(5);
  EXPECT_EQ(rows, (std::vector<int64_t>{8, 740, 743, 958, 411}));
  // np.quantile(np.arange(10.)**2, q): exact doubles, including numpy's interpolation from the upper
  // neighbour when the fraction is >= 0.5.
  std::vector<double> sq;
  for (int i = 0; i < 10; ++i) sq.push_back(double(i * i));
  EXPECT_EQ(numpy_quantile_sorted(sq, 0.025), 0.225);
  EXPECT_EQ(numpy_quantile_sorted(sq, 0.975), 77.17500000000001);
  EXPECT_EQ(numpy_quantile_sorted(sq, 0.5), 20.5);
  EXPECT_EQ(numpy_quantile_sorted(sq, 0.3), 7.499999999999998);
  EXPECT_EQ(numpy_quantile_sorted(sq, 0.0), 0.0);
  EXPECT_EQ(numpy_quantile_sorted(sq, 1.0), 81.0);
  EXPECT_EQ(numpy_quantile_sorted(sq, (1 - 0.9) / 2), 0.4499999999999999);
  EXPECT_EQ(numpy_quantile_sorted(sq, (1 + 0.9) / 2), 73.34999999999998);
  EXPECT_EQ(numpy_quantile_sorted({0.1, 0.2, 0.7}, 0.25), 0.15000000000000002);
  EXPECT_EQ(numpy_quantile_sorted({0.1, 0.2, 0.7}, 0.75), 0.44999999999999996);
}

TEST(Bootstrap, WeightedStatisticsEqualRepeatedRows) {
  const int64_t n = 300, d = 24;
  const std::vector<float> rows = gaussian(1, n, d, 0.5, 2.0);
  NumpyRandomState rng(3);
  std::vector<int64_t> idx;
  bootstrap_draw(rng, n, idx);
  std::vector<uint32_t> counts(static_cast<size_t>(n), 0);
  std::vector<float> repeated;
  for (int64_t i : idx) {
    ++counts[static_cast<size_t>(i)];
    repeated.insert(repeated.end(), rows.begin() + i * d, rows.begin() + (i + 1) * d);
  }
  auto w = gaussian_stats_weighted(rows.data(), counts.data(), n, d);
  auto r = gaussian_stats_two_pass(repeated.data(), n, d);
  ASSERT_TRUE(w.ok() && r.ok());
  double worst = 0;
  for (size_t i = 0; i < r->mu.size(); ++i) worst = std::max(worst, std::fabs(w->mu[i] - r->mu[i]));
  for (size_t i = 0; i < r->sigma.size(); ++i)
    worst = std::max(worst, std::fabs(w->sigma[i] - r->sigma[i]) / 4.0);  // entries are O(4)
  EXPECT_LT(worst, 1e-13);
  std::vector<uint32_t> one(static_cast<size_t>(n), 0);
  one[7] = 1;
  EXPECT_FALSE(gaussian_stats_weighted(rows.data(), one.data(), n, d).ok());  // a total count of 1
  one[9] = 1;
  EXPECT_TRUE(gaussian_stats_weighted(rows.data(), one.data(), n, d).ok());
}

// Writes float data as .npy (float32).
void save(const std::string& path, const std::vector<float>& data, int64_t n, int64_t d) {
  std::vector<double> v(data.begin(), data.end());
  NpyWriteArray a;
  a.shape = {n, d};
  a.dtype = NpyDtype::kF4;
  a.data = v.data();
  ASSERT_TRUE(write_npy(path, a, Overwrite::kAllow).ok()) << path;
}

struct OracleOutput {
  double low = std::nan(""), high = std::nan("");
  std::vector<double> values;
};

OracleOutput run_oracle(const std::string& py, const std::string& args, const std::string& out) {
  const std::string cmd =
      "'" + py + "' '" FIDCPP_SOURCE_DIR "/tools/oracle_bootstrap.py' " + args + " > '" + out + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  OracleOutput r;
  std::ifstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string key, v;
    ls >> key;
    if (key == "low" || key == "high") {
      ls >> v;
      (key == "low" ? r.low : r.high) = std::strtod(v.c_str(), nullptr);
    } else if (key == "replicate") {
      size_t b = 0;
      ls >> b >> v;
      EXPECT_EQ(b, r.values.size());
      r.values.push_back(std::strtod(v.c_str(), nullptr));
    }
  }
  return r;
}

TEST(Bootstrap, AgreesWithNumpyReference) {
  const char* py = std::getenv("FIDCPP_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "set FIDCPP_PYTHON to a Python with numpy and scipy to run the reference";
  const std::string p = ::testing::TempDir() + "fidboot_" + std::to_string(getpid()) + "_";
  const int64_t d = 16, n_real = 300, n_gen = 250;
  const std::vector<float> real = gaussian(1, n_real, d, 0.0, 1.0);
  std::vector<float> gen = gaussian(2, n_gen, d, 0.1, 1.3);
  for (int64_t i = 0; i < n_gen; ++i) gen[size_t(i * d)] += 0.5f * gen[size_t(i * d + 1)];  // correlated
  save(p + "real.npy", real, n_real, d);
  save(p + "gen.npy", gen, n_gen, d);

  BootstrapOptions o;
  o.level = 0.9;
  o.replicates = 40;
  o.seed = 11;
  o.threads = 2;
  auto ours = fid_bootstrap(real.data(), n_real, gen.data(), n_gen, d, o);
  ASSERT_TRUE(ours.ok()) << ours.status().to_string();
  const OracleOutput ref = run_oracle(
      py, "fid '" + p + "real.npy' '" + p + "gen.npy' --replicates 40 --level 0.9 --seed 11", p + "fid.txt");
  ASSERT_EQ(ref.values.size(), 40u);
  double worst = 0;
  for (size_t b = 0; b < ref.values.size(); ++b)
    worst = std::max(worst, rel_err(ours->values[b], ref.values[b]));
  std::printf("FID bootstrap [%.12g, %.12g] (numpy [%.12g, %.12g]): worst replicate relative %.3g\n",
              ours->low, ours->high, ref.low, ref.high, worst);
  EXPECT_LT(worst, 1e-9);
  EXPECT_LT(rel_err(ours->low, ref.low), 1e-9);
  EXPECT_LT(rel_err(ours->high, ref.high), 1e-9);

  KidOptions k;
  k.subsets = 6;
  k.subset_size = 80;
  k.seed = 5;
  o.replicates = 25;
  o.level = 0.8;
  auto kid = kid_bootstrap(gen.data(), n_gen, real.data(), n_real, d, k, o);
  ASSERT_TRUE(kid.ok()) << kid.status().to_string();
  const OracleOutput kref = run_oracle(py,
                                       "kid '" + p + "real.npy' '" + p +
                                           "gen.npy' --replicates 25 --level 0.8 --seed 11 --subsets 6 "
                                           "--subset-size 80 --kid-seed 5",
                                       p + "kid.txt");
  ASSERT_EQ(kref.values.size(), 25u);
  worst = 0;
  for (size_t b = 0; b < kref.values.size(); ++b)
    worst = std::max(worst, rel_err(kid->values[b], kref.values[b]));
  std::printf("KID bootstrap [%.12g, %.12g] (numpy [%.12g, %.12g]): worst replicate relative %.3g\n",
              kid->low, kid->high, kref.low, kref.high, worst);
  EXPECT_LT(worst, 1e-9);
  EXPECT_LT(rel_err(kid->low, kref.low), 1e-9);
  EXPECT_LT(rel_err(kid->high, kref.high), 1e-9);
  for (const char* f : {"real.npy", "gen.npy", "fid.txt", "kid.txt"}) std::remove((p + f).c_str());
}

// Real N(0, I_d), generated N(m·1, s²·I_d): FID = d·m² + d·(1 − s)².
constexpr int64_t kDim = 4;
constexpr double kShift = 0.3, kScale = 0.8;
constexpr double kTrueFid = kDim * kShift * kShift + kDim * (1 - kScale) * (1 - kScale);

// Over independent data sets at two sizes: the interval holds the plain FID every time, covers the true FID
// about as often as its level says (the percentile interval inherits FID's upward small-sample bias, so
// somewhat less), and narrows as 1/√n.
TEST(Bootstrap, FidIntervalCoversAndShrinksOnGaussians) {
  BootstrapOptions o;
  o.level = 0.9;
  o.replicates = 100;
  o.threads = 2;
  const int64_t sizes[2] = {500, 4000};
  const int datasets = 40;
  double width[2] = {0, 0}, shift[2] = {0, 0};
  int covered_true[2] = {0, 0}, covered_plain[2] = {0, 0};
  for (int s = 0; s < 2; ++s) {
    for (int k = 0; k < datasets; ++k) {
      const int64_t n = sizes[s];
      const std::vector<float> real = gaussian(1000 + uint64_t(k), n, kDim, 0.0, 1.0);
      const std::vector<float> gen = gaussian(2000 + uint64_t(k), n, kDim, kShift, kScale);
      o.seed = uint32_t(k);
      auto r = fid_bootstrap(real.data(), n, gen.data(), n, kDim, o);
      ASSERT_TRUE(r.ok()) << r.status().to_string();
      auto a = gaussian_stats_two_pass(real.data(), n, kDim);
      auto b = gaussian_stats_two_pass(gen.data(), n, kDim);
      ASSERT_TRUE(a.ok() && b.ok());
      auto plain = frechet_distance(*a, *b);
      ASSERT_TRUE(plain.ok());
      ASSERT_LT(r->low, r->high);
      width[s] += (r->high - r->low) / datasets;
      double mean = 0;
      for (double v : r->values) mean += v / double(r->values.size());
      shift[s] += (mean - *plain) / datasets;
      covered_true[s] += r->low <= kTrueFid && kTrueFid <= r->high;
      covered_plain[s] += r->low <= *plain && *plain <= r->high;
    }
    std::printf(
        "FID %.4f, n=%lld: 90%% interval width %.4f, replicate mean - plain FID %+.4f; covers the "
        "truth %d/%d, the plain FID %d/%d\n",
        kTrueFid, (long long)sizes[s], width[s], shift[s], covered_true[s], datasets, covered_plain[s],
        datasets);
    EXPECT_EQ(covered_plain[s], datasets);
    EXPECT_GE(covered_true[s], datasets * 7 / 10);  // 90% nominal
  }
  // The width goes as 1/√n: 4000 vs 500 is a factor √8 ≈ 2.8.
  EXPECT_LT(width[1], 0.5 * width[0]);
  EXPECT_GT(width[1], 0.2 * width[0]);
}

TEST(Bootstrap, KidIntervalCoversAndShrinks) {
  BootstrapOptions o;
  o.level = 0.9;
  o.replicates = 40;
  o.threads = 2;
  double width[2] = {0, 0};
  for (int s = 0; s < 2; ++s) {
    const int64_t n = s == 0 ? 200 : 1600;
    const std::vector<float> real = gaussian(30, n, kDim, 0.0, 1.0);
    const std::vector<float> gen = gaussian(31, n, kDim, kShift, kScale);
    KidOptions k;
    k.subsets = 10;
    k.subset_size = n / 2;
    auto plain = kernel_inception_distance(gen.data(), n, real.data(), n, kDim, k);
    auto r = kid_bootstrap(gen.data(), n, real.data(), n, kDim, k, o);
    ASSERT_TRUE(plain.ok() && r.ok()) << r.status().to_string();
    EXPECT_LE(r->low, plain->mean);
    EXPECT_GE(r->high, plain->mean);
    width[s] = r->high - r->low;
    std::printf("KID n=%lld: %.6f, 90%% interval [%.6f, %.6f]\n", (long long)n, plain->mean, r->low, r->high);
  }
  EXPECT_LT(width[1], 0.6 * width[0]);
}

TEST(Bootstrap, SeedReproducibleAndThreadIndependent) {
  const int64_t d = 64, n_real = 300, n_gen = 260;
  const std::vector<float> real = gaussian(4, n_real, d, 0.0, 1.0);
  const std::vector<float> gen = gaussian(5, n_gen, d, 0.2, 0.9);
  BootstrapOptions o;
  o.replicates = 9;  // not a multiple of the thread count: uneven chunks
  o.seed = 77;
  KidOptions k;
  k.subsets = 3;
  k.subset_size = 100;
  std::vector<BootstrapResult> fids, kids;
  for (int threads : {1, 4}) {
    EvaluatorConfig c;
    c.tap = InceptionTap::k64;
    c.keep_features = true;
    c.threads = threads;
    auto ev = EvaluatorCore::create(c);
    ASSERT_TRUE(ev.ok()) << ev.status().to_string();
    ASSERT_TRUE((*ev)->add_feature_rows(Side::kReal, real.data(), n_real, d).ok());
    ASSERT_TRUE((*ev)->add_feature_rows(Side::kGenerated, gen.data(), n_gen, d).ok());
    ASSERT_TRUE((*ev)->flush().ok());
    auto f = (*ev)->fid_bootstrap(o);
    auto kb = (*ev)->kid_bootstrap(k, o);
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    ASSERT_TRUE(kb.ok()) << kb.status().to_string();
    fids.push_back(*f);
    kids.push_back(*kb);
  }
  EXPECT_TRUE(bitwise_equal(fids[0].values, fids[1].values));
  EXPECT_TRUE(bitwise_equal(kids[0].values, kids[1].values));
  EXPECT_EQ(std::memcmp(&fids[0].low, &fids[1].low, sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(&fids[0].high, &fids[1].high, sizeof(double)), 0);
  EXPECT_EQ(fids[0].replicates, 9);
  EXPECT_EQ(fids[0].seed, 77u);
  EXPECT_EQ(fids[0].level, 0.95);
  // The evaluator's answer is the library function's on the same rows, with any thread count.
  o.threads = 3;
  auto direct = fid_bootstrap(real.data(), n_real, gen.data(), n_gen, d, o);
  ASSERT_TRUE(direct.ok());
  EXPECT_TRUE(bitwise_equal(direct->values, fids[0].values));
  auto again = fid_bootstrap(real.data(), n_real, gen.data(), n_gen, d, o);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(bitwise_equal(direct->values, again->values));
  // Replicates are distinct resamples, and another seed gives other ones.
  EXPECT_NE(direct->values[0], direct->values[1]);
  o.seed = 78;
  auto other = fid_bootstrap(real.data(), n_real, gen.data(), n_gen, d, o);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->values[0], direct->values[0]);
  EXPECT_NE(other->low, direct->low);
  o.seed = 77;
  auto kd = kid_bootstrap(gen.data(), n_gen, real.data(), n_real, d, k, o);
  ASSERT_TRUE(kd.ok());
  EXPECT_TRUE(bitwise_equal(kd->values, kids[0].values));
  o.seed = 78;
  auto ko = kid_bootstrap(gen.data(), n_gen, real.data(), n_real, d, k, o);
  ASSERT_TRUE(ko.ok());
  EXPECT_NE(ko->values[0], kd->values[0]);
}

std::string message(const Status& s) {
  return s.to_string();
}

TEST(Bootstrap, RejectsBadInputs) {
  const int64_t d = 8, n = 50;
  std::vector<float> real = gaussian(7, n, d, 0.0, 1.0), gen = gaussian(8, n, d, 0.0, 1.0);
  BootstrapOptions o;
  o.replicates = 5;
  for (double level : {0.0, 1.0, -0.5, 1.5, std::nan("")}) {
    o.level = level;
    auto r = fid_bootstrap(real.data(), n, gen.data(), n, d, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(message(r.status()).find("confidence level must be in (0, 1)"), std::string::npos)
        << message(r.status());
  }
  o.level = 0.95;
  for (int64_t replicates : {int64_t(-1), int64_t(0), int64_t(1), kMaxBootstrapReplicates + 1}) {
    o.replicates = replicates;
    auto r = fid_bootstrap(real.data(), n, gen.data(), n, d, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(message(r.status()).find("replicates must be in [2, 100000]"), std::string::npos)
        << message(r.status());
    EXPECT_FALSE(kid_bootstrap(gen.data(), n, real.data(), n, d, KidOptions{}, o).ok());
  }
  o.replicates = 5;
  auto r = fid_bootstrap(real.data(), 1, gen.data(), n, d, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(message(r.status()).find("real side has 1 feature rows"), std::string::npos)
      << message(r.status());
  KidOptions k;  // subset size 1000 > 50
  auto kr = kid_bootstrap(gen.data(), n, real.data(), n, d, k, o);
  ASSERT_FALSE(kr.ok());
  EXPECT_NE(message(kr.status()).find("larger than the number of samples"), std::string::npos)
      << message(kr.status());
  EXPECT_EQ(message(kr.status()).find("replicate"), std::string::npos) << message(kr.status());
  gen[size_t(17 * d + 3)] = std::nanf("");
  r = fid_bootstrap(real.data(), n, gen.data(), n, d, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(message(r.status()).find("row 17"), std::string::npos) << message(r.status());
  k.subset_size = 10;
  EXPECT_FALSE(kid_bootstrap(gen.data(), n, real.data(), n, d, k, o).ok());

  // The evaluator: features must be kept, and both sides need them (not .npz statistics).
  EvaluatorConfig c;
  c.tap = InceptionTap::k64;
  auto ev = EvaluatorCore::create(c);
  ASSERT_TRUE(ev.ok());
  const std::vector<float> rows = gaussian(9, 20, 64, 0.0, 1.0);
  ASSERT_TRUE((*ev)->add_feature_rows(Side::kReal, rows.data(), 20, 64).ok());
  ASSERT_TRUE((*ev)->add_feature_rows(Side::kGenerated, rows.data(), 20, 64).ok());
  ASSERT_TRUE((*ev)->flush().ok());
  auto e = (*ev)->fid_bootstrap(BootstrapOptions{});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(message(e.status()).find("keep_features"), std::string::npos) << message(e.status());
  c.keep_features = true;
  auto kept = EvaluatorCore::create(c);
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE((*kept)->add_feature_rows(Side::kReal, rows.data(), 20, 64).ok());
  ASSERT_TRUE((*kept)->flush().ok());
  e = (*kept)->kid_bootstrap(KidOptions{}, BootstrapOptions{});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(message(e.status()).find("generated side has no per-image features"), std::string::npos)
      << message(e.status());
}

}  // namespace
}  // namespace fidcpp
