// FID∞ / IS∞ (Chong & Forsyth 2020): numpy's linspace subset sizes, the bias removed on Gaussians whose FID
// is known in closed form, agreement with the independent numpy/scipy reference tools/oracle_fid_infinity.py
// (FIDCPP_PYTHON), seeds (different points, bitwise reproducible), thread count not mattering, bad inputs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/splitmix64.h"
#include "evaluator.h"
#include "io/npy.h"
#include "metrics/fid.h"
#include "metrics/fid_infinity.h"
#include "metrics/moments.h"
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

GaussianStats standard_normal_stats(int64_t d) {
  GaussianStats s;
  s.dim = d;
  s.mu.assign(static_cast<size_t>(d), 0.0);
  s.sigma.assign(static_cast<size_t>(d * d), 0.0);
  for (int64_t i = 0; i < d; ++i) s.sigma[static_cast<size_t>(i * d + i)] = 1.0;
  return s;
}

TEST(FidInfinity, SubsetSizesAsNumpyLinspace) {
  // np.linspace(5000, 50000, 15).astype('int32')
  const std::vector<int64_t> want = {5000,  8214,  11428, 14642, 17857, 21071, 24285, 27500,
                                     30714, 33928, 37142, 40357, 43571, 46785, 50000};
  EXPECT_EQ(infinity_subset_sizes(5000, 50000, 15), want);
  // np.linspace(100, 107, 4).astype('int32'): truncation, repeated sizes allowed
  EXPECT_EQ(infinity_subset_sizes(100, 107, 4), (std::vector<int64_t>{100, 102, 104, 107}));
}

// Real N(0, I_d), generated N(m·1, s²·I_d): FID = d·m² + d·(1 − s)². Averaged over independent generated
// sets, FID of the whole set carries the finite-N bias; FID∞ removes it.
TEST(FidInfinity, RemovesTheBiasOnKnownGaussians) {
  const int64_t d = 16, n = 2000;
  const double m = 0.2, s = 0.8;
  const double truth = d * m * m + d * (1 - s) * (1 - s);
  const GaussianStats real = standard_normal_stats(d);
  InfinityOptions o;
  o.num_points = 10;
  o.min_n = 200;
  const int reps = 30;
  double sum_inf = 0, sum_full = 0;
  for (int r = 0; r < reps; ++r) {
    const std::vector<float> gen = gaussian(100 + uint64_t(r), n, d, m, s);
    o.seed = uint32_t(r);
    auto res = fid_infinity(gen.data(), n, d, real, o);
    ASSERT_TRUE(res.ok()) << res.status().to_string();
    ASSERT_EQ(res->sizes.back(), n);
    sum_inf += res->value;
    sum_full += res->values.back();
  }
  const double err_inf = std::fabs(sum_inf / reps - truth), err_full = std::fabs(sum_full / reps - truth);
  std::printf("true FID %.6f: mean FID(N=%lld) %.6f (error %.4g), mean FID-infinity %.6f (error %.4g)\n",
              truth, (long long)n, sum_full / reps, err_full, sum_inf / reps, err_inf);
  EXPECT_LT(err_inf, err_full);
  EXPECT_LT(err_inf, 0.02 * truth);  // measured 0.41% (FID(N) 2.3%; docs/metrics-extra.md)
}

// Writes float data as .npy of the given dtype.
void save(const std::string& path, const std::vector<double>& data, std::vector<int64_t> shape, NpyDtype t) {
  NpyWriteArray a;
  a.shape = std::move(shape);
  a.dtype = t;
  a.data = data.data();
  ASSERT_TRUE(write_npy(path, a, Overwrite::kAllow).ok()) << path;
}

struct RefOutput {
  double value = 0;
  std::vector<int64_t> sizes;
  std::vector<double> values;
};

// Runs tools/oracle_fid_infinity.py and parses its "value"/"point" lines.
RefOutput run_reference(const std::string& py, const std::string& args, const std::string& out) {
  const std::string cmd =
      "'" + py + "' '" FIDCPP_SOURCE_DIR "/tools/oracle_fid_infinity.py' " + args + " > '" + out + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  RefOutput r;
  std::ifstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key == "value") {
      ls >> r.value;
    } else if (key == "point") {
      int64_t size = 0;
      std::string v;
      ls >> size >> v;
      r.sizes.push_back(size);
      r.values.push_back(std::strtod(v.c_str(), nullptr));
    }
  }
  return r;
}

std::string temp_prefix() {
  return ::testing::TempDir() + "fidinf_" + std::to_string(getpid()) + "_";
}

std::vector<double> to_double(const std::vector<float>& f) {
  return std::vector<double>(f.begin(), f.end());
}

TEST(FidInfinity, AgreesWithNumpyReference) {
  const char* py = std::getenv("FIDCPP_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "set FIDCPP_PYTHON to a Python with numpy and scipy to run the reference";
  const int64_t d = 32, n_real = 1000, n = 800;
  const std::vector<float> real_rows = gaussian(1, n_real, d, 0.0, 1.0);
  auto real = gaussian_stats_two_pass(real_rows.data(), n_real, d);
  ASSERT_TRUE(real.ok());
  std::vector<float> gen = gaussian(2, n, d, 0.1, 1.3);
  for (int64_t i = 0; i < n; ++i) gen[size_t(i * d)] += 0.5f * gen[size_t(i * d + 1)];  // correlated
  InfinityOptions o;
  o.num_points = 7;
  o.min_n = 150;
  o.seed = 7;
  auto ours = fid_infinity(gen.data(), n, d, *real, o);
  ASSERT_TRUE(ours.ok()) << ours.status().to_string();

  const std::string p = temp_prefix();
  save(p + "gen.npy", to_double(gen), {n, d}, NpyDtype::kF4);
  save(p + "mu.npy", real->mu, {d}, NpyDtype::kF8);
  save(p + "sigma.npy", real->sigma, {d, d}, NpyDtype::kF8);
  const RefOutput ref = run_reference(
      py, "fid '" + p + "gen.npy' '" + p + "mu.npy' '" + p + "sigma.npy' --points 7 --min 150 --seed 7",
      p + "fid.txt");
  ASSERT_EQ(ref.sizes, ours->sizes);
  double worst = 0;
  for (size_t i = 0; i < ref.values.size(); ++i)
    worst = std::max(worst, rel_err(ours->values[i], ref.values[i]));
  std::printf("FID-infinity %.12g (numpy %.12g): relative %.3g, worst point %.3g\n", ours->value, ref.value,
              rel_err(ours->value, ref.value), worst);
  EXPECT_LT(worst, 1e-9);
  EXPECT_LT(rel_err(ours->value, ref.value), 1e-9);

  // IS∞ over logits of 20 classes.
  const int64_t classes = 20, nl = 600;
  const std::vector<float> logits = gaussian(3, nl, classes, 0.0, 2.5);
  InfinityOptions io;
  io.num_points = 6;
  io.min_n = 100;
  io.seed = 11;
  auto is = is_infinity(logits.data(), nl, classes, io);
  ASSERT_TRUE(is.ok()) << is.status().to_string();
  save(p + "logits.npy", to_double(logits), {nl, classes}, NpyDtype::kF4);
  const RefOutput iref =
      run_reference(py, "is '" + p + "logits.npy' --points 6 --min 100 --seed 11", p + "is.txt");
  ASSERT_EQ(iref.sizes, is->sizes);
  worst = 0;
  for (size_t i = 0; i < iref.values.size(); ++i)
    worst = std::max(worst, rel_err(is->values[i], iref.values[i]));
  std::printf("IS-infinity %.12g (numpy %.12g): relative %.3g, worst point %.3g\n", is->value, iref.value,
              rel_err(is->value, iref.value), worst);
  EXPECT_LT(worst, 1e-9);
  EXPECT_LT(rel_err(is->value, iref.value), 1e-9);
  for (const char* f : {"gen.npy", "mu.npy", "sigma.npy", "logits.npy", "fid.txt", "is.txt"})
    std::remove((p + f).c_str());
}

TEST(FidInfinity, SeedReproducibleAndThreadIndependent) {
  const int64_t d = 64, n = 400;
  const std::vector<float> real_rows = gaussian(4, 300, d, 0.0, 1.0);
  const std::vector<float> gen = gaussian(5, n, d, 0.2, 0.9);
  InfinityOptions o;
  o.num_points = 5;
  o.min_n = 100;
  std::vector<InfinityResult> by_threads;
  for (int threads : {1, 4}) {
    EvaluatorConfig c;
    c.tap = InceptionTap::k64;
    c.keep_features = true;
    c.threads = threads;
    auto ev = EvaluatorCore::create(c);
    ASSERT_TRUE(ev.ok()) << ev.status().to_string();
    ASSERT_TRUE((*ev)->add_feature_rows(Side::kReal, real_rows.data(), 300, d).ok());
    ASSERT_TRUE((*ev)->add_feature_rows(Side::kGenerated, gen.data(), n, d).ok());
    ASSERT_TRUE((*ev)->flush().ok());
    auto r = (*ev)->fid_infinity(o);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    by_threads.push_back(*r);
    // The evaluator's answer is the pure function's on the real side's statistics.
    auto real = (*ev)->stats(Side::kReal);
    ASSERT_TRUE(real.ok());
    auto direct = fid_infinity(gen.data(), n, d, *real, o);
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ(std::memcmp(&direct->value, &r->value, sizeof(double)), 0);
  }
  EXPECT_EQ(std::memcmp(&by_threads[0].value, &by_threads[1].value, sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(by_threads[0].values.data(), by_threads[1].values.data(), 5 * sizeof(double)), 0);

  auto real = gaussian_stats_two_pass(real_rows.data(), 300, d);
  ASSERT_TRUE(real.ok());
  auto a = fid_infinity(gen.data(), n, d, *real, o);
  auto b = fid_infinity(gen.data(), n, d, *real, o);
  o.seed = 2021;
  auto c = fid_infinity(gen.data(), n, d, *real, o);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(std::memcmp(&a->value, &b->value, sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(a->values.data(), b->values.data(), 5 * sizeof(double)), 0);
  EXPECT_NE(a->values[0], c->values[0]);
  EXPECT_NE(a->value, c->value);

  const std::vector<float> logits = gaussian(6, n, 10, 0.0, 2.0);
  o.seed = 2020;
  auto ia = is_infinity(logits.data(), n, 10, o);
  auto ib = is_infinity(logits.data(), n, 10, o);
  o.seed = 1;
  auto ic = is_infinity(logits.data(), n, 10, o);
  ASSERT_TRUE(ia.ok() && ib.ok() && ic.ok());
  EXPECT_EQ(std::memcmp(&ia->value, &ib->value, sizeof(double)), 0);
  EXPECT_NE(ia->values[0], ic->values[0]);
}

TEST(FidInfinity, RejectsBadInputs) {
  const int64_t d = 8, n = 300;
  std::vector<float> gen = gaussian(7, n, d, 0.0, 1.0);
  const GaussianStats real = standard_normal_stats(d);
  InfinityOptions o;  // min_n 5000 > 300
  auto r = fid_infinity(gen.data(), n, d, real, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("too few"), std::string::npos) << r.status().to_string();
  EXPECT_NE(r.status().message().find("--inf-min"), std::string::npos) << r.status().to_string();
  o.min_n = n;  // all subsets the whole set: nothing to extrapolate
  EXPECT_FALSE(fid_infinity(gen.data(), n, d, real, o).ok());
  o.min_n = 100;
  o.num_points = 1;
  r = fid_infinity(gen.data(), n, d, real, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("at least 2 points"), std::string::npos) << r.status().to_string();
  EXPECT_FALSE(is_infinity(gen.data(), n, d, o).ok());
  o.num_points = 3;
  o.min_n = 1;
  EXPECT_FALSE(fid_infinity(gen.data(), n, d, real, o).ok());  // a 1-row subset has no covariance
  o.min_n = 100;
  EXPECT_FALSE(fid_infinity(gen.data(), n, d + 1, real, o).ok());  // dimension mismatch
  gen[size_t(17 * d + 3)] = std::nanf("");
  r = fid_infinity(gen.data(), n, d, real, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("17"), std::string::npos) << r.status().to_string();
  auto i = is_infinity(gen.data(), n, d, o);
  ASSERT_FALSE(i.ok());
  EXPECT_NE(i.status().message().find("17"), std::string::npos) << i.status().to_string();
}

}  // namespace
}  // namespace fidcpp
