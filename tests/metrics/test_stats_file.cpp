// Statistics files: round trips, shard merging through files, pytorch-fid's own .npz, and key/shape errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>

#include "io/npy.h"
#include "metrics/fid.h"
#include "metrics/stats_file.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/fidcpp_metrics_" + std::to_string(::getpid()) + "_" + name;
}

TEST(StatsFile, PytorchFidRoundTrip) {
  auto f = metrics_test::random_features(1, 50, 7);
  auto s = gaussian_stats_two_pass(f.data(), 50, 7);
  const std::string p = temp_path("pf.npz");
  ASSERT_TRUE(write_fid_stats_npz(p, *s, Overwrite::kAllow).ok());
  auto back = read_fid_stats_npz(p);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->mu, s->mu);
  EXPECT_EQ(back->sigma, s->sigma);
  EXPECT_EQ(write_fid_stats_npz(p, *s, Overwrite::kRefuse).code() == StatusCode::kOk, false);
  std::remove(p.c_str());
}

TEST(StatsFile, MergeableShardsThroughFiles) {
  const int64_t d = 5;
  SplitMix64 g(3);
  std::vector<float> f(static_cast<size_t>(40 * d));
  for (float& v : f) v = static_cast<float>(g.next() % 8);
  auto a = Moments::create(d), b = Moments::create(d), all = Moments::create(d);
  ASSERT_TRUE(a->add(f.data(), 15).ok() && b->add(f.data() + 15 * d, 25).ok() && all->add(f.data(), 40).ok());
  const std::string pa = temp_path("a.npz"), pb = temp_path("b.npz");
  ASSERT_TRUE(write_moments_npz(pa, *a, Overwrite::kAllow).ok());
  ASSERT_TRUE(write_moments_npz(pb, *b, Overwrite::kAllow).ok());
  auto ra = read_moments_npz(pa), rb = read_moments_npz(pb);
  ASSERT_TRUE(ra.ok() && rb.ok()) << ra.status().to_string();
  ASSERT_TRUE(ra->merge(*rb).ok());
  EXPECT_EQ(ra->count(), 40);
  EXPECT_EQ(ra->sum(), all->sum());
  EXPECT_EQ(ra->sum_outer(), all->sum_outer());
  // The mergeable file is also a pytorch-fid file.
  auto st = read_fid_stats_npz(pa);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->mu, a->gaussian_stats()->mu);
  std::remove(pa.c_str());
  std::remove(pb.c_str());
}

TEST(StatsFile, MissingKeysAndWrongShapes) {
  const std::string p = temp_path("bad.npz");
  std::vector<double> mu = {1, 2, 3}, sigma(6, 0.0);
  ASSERT_TRUE(write_npz(p, {{"mu", {3}, NpyDtype::kF8, mu.data()}}, false, Overwrite::kAllow).ok());
  auto r = read_fid_stats_npz(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("'sigma'"), std::string::npos) << r.status().message();
  auto m = read_moments_npz(p);
  EXPECT_NE(m.status().message().find("'n'"), std::string::npos) << m.status().message();
  ASSERT_TRUE(
      write_npz(p, {{"mu", {3}, NpyDtype::kF8, mu.data()}, {"sigma", {2, 3}, NpyDtype::kF8, sigma.data()}},
                false, Overwrite::kAllow)
          .ok());
  r = read_fid_stats_npz(p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("expected [3,3]"), std::string::npos) << r.status().message();
  std::remove(p.c_str());
  EXPECT_EQ(read_fid_stats_npz(temp_path("absent.npz")).status().code(), StatusCode::kNotFound);
}

TEST(StatsFile, ReadsPytorchFidFilesAndFloat32Mu) {
  const std::string p = metrics_test::ref_path("stats_pytorch_fid_d64.npz");
  const std::string p32 = metrics_test::ref_path("stats_f32mu_d64.npz");
  if (!file_exists(p)) GTEST_SKIP() << "reference data missing: " << p << " (run tools/make_references.sh)";
  auto s = read_fid_stats_npz(p), s32 = read_fid_stats_npz(p32);
  ASSERT_TRUE(s.ok() && s32.ok()) << s.status().to_string();
  EXPECT_EQ(s->dim, 64);
  EXPECT_EQ(s->sigma, s32->sigma);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(s32->mu[i], static_cast<double>(static_cast<float>(s->mu[i])));
  // Same statistics as computing them from the features that produced the file.
  METRICS_LOAD_REF_FEATURES(fa, "fid_d64_n500_n400_a");
  auto mine = gaussian_stats_two_pass(fa.data.data(), fa.n, fa.dim);
  ASSERT_TRUE(mine.ok());
  for (size_t i = 0; i < mine->sigma.size(); ++i) EXPECT_NEAR(mine->sigma[i], s->sigma[i], 1e-14);
}

TEST(StatsFile, FeaturesMustBeTwoDimensional) {
  const std::string p = temp_path("f.npy");
  std::vector<double> v = {1, 2, 3};
  ASSERT_TRUE(write_npy(p, {"x", {3}, NpyDtype::kF4, v.data()}, Overwrite::kAllow).ok());
  auto r = read_features_npy(p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("expected (N, D)"), std::string::npos);
  std::remove(p.c_str());
}

}  // namespace
}  // namespace fidcpp
