// Sharded statistics (issue #9): `fidcpp stats A --shard K/N` on each of N shards, merged with `fidcpp
// merge`, equals the single run (n exactly, sums within the README bound), for N = 1..8; the shards' features
// are the single run's features, bitwise and in order; usage errors for bad K/N; the C/C++ API of partial
// states.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fidcpp/fidcpp.hpp"
#include "io/npy.h"
#include "mpi/scale_harness.h"

namespace fidcpp {
namespace {

using scale_test::CliRun;
using scale_test::common_flags;
using scale_test::expect_sums_within_bound;
using scale_test::image_folder;
using scale_test::read_moments;
using scale_test::run_cli;
using scale_test::tmp;

std::string q(const std::string& s) {
  return " '" + s + "'";
}

TEST(Shards, MergedShardsEqualSingleRunForOneToEightShards) {
  const std::string imgs = image_folder("shard_imgs", 0, 12);
  const std::string all = tmp("shard_all.npz");
  CliRun r = run_cli("stats" + q(imgs) + " -o" + q(all) + " --force" + common_flags());
  ASSERT_EQ(r.code, 0) << r.err;
  const Moments single = read_moments(all);
  ASSERT_EQ(single.count(), 12);
  bool some_entry_differs = false;  // sanity: the comparison below is not vacuous
  for (int n = 1; n <= 8; ++n) {
    std::string parts;
    int64_t total = 0;
    for (int k = 1; k <= n; ++k) {
      const std::string part = tmp("shard_part_" + std::to_string(k) + ".npz");
      r = run_cli("stats" + q(imgs) + " --shard " + std::to_string(k) + "/" + std::to_string(n) + " -o" +
                  q(part) + " --force" + common_flags());
      ASSERT_EQ(r.code, 0) << "shard " << k << "/" << n << ": " << r.err;
      const Moments pm = read_moments(part);
      // Contiguous slice [floor((k-1)*12/n), floor(k*12/n)).
      EXPECT_EQ(pm.count(), int64_t(k * 12 / n - (k - 1) * 12 / n)) << k << "/" << n;
      total += pm.count();
      parts += q(part);
    }
    EXPECT_EQ(total, 12);
    const std::string merged = tmp("shard_merged.npz");
    r = run_cli("merge" + parts + " -o" + q(merged) + " --force --tap 64");
    ASSERT_EQ(r.code, 0) << r.err;
    const Moments m = read_moments(merged);
    expect_sums_within_bound(m, single, std::to_string(n) + " shards");
    if (n == 1) {
      EXPECT_EQ(m.sum(), single.sum()) << "one shard is the single run";
      EXPECT_EQ(m.sum_outer(), single.sum_outer());
    }
    for (size_t i = 0; i < m.sum().size(); ++i) some_entry_differs |= m.sum()[i] != 0;
  }
  EXPECT_TRUE(some_entry_differs);
}

TEST(Shards, EmptyAndTinyShardsMerge) {
  // 3 images over 5 shards: sizes 0, 1, 0, 1, 1 -> shards with < 2 images are saved as sums only.
  const std::string imgs = image_folder("tiny_imgs", 1, 3);
  const std::string all = tmp("tiny_all.npz");
  ASSERT_EQ(run_cli("stats" + q(imgs) + " -o" + q(all) + " --force" + common_flags()).code, 0);
  std::string parts;
  for (int k = 1; k <= 5; ++k) {
    const std::string part = tmp("tiny_part_" + std::to_string(k) + ".npz");
    CliRun r = run_cli("stats" + q(imgs) + " --shard " + std::to_string(k) + "/5 -o" + q(part) + " --force" +
                       common_flags());
    ASSERT_EQ(r.code, 0) << r.err;
    parts += q(part);
  }
  CliRun r = run_cli("merge" + parts + " -o" + q(tmp("tiny_merged.npz")) + " --force --tap 64");
  ASSERT_EQ(r.code, 0) << r.err;
  expect_sums_within_bound(read_moments(tmp("tiny_merged.npz")), read_moments(all), "3 images, 5 shards");
  // Without --shard, fewer than 2 images is still an error.
  r = run_cli("stats" + q(imgs + "/img_00.png") + " -o" + q(tmp("one.npz")) + " --force" + common_flags());
  EXPECT_NE(r.code, 0);
}

TEST(Shards, BadShardArgumentsAreUsageErrors) {
  struct Case {
    const char* arg;
    const char* message;
  };
  for (const Case& c :
       {Case{"0/4", "K expects an integer in [1, 4]"}, Case{"5/4", "K expects an integer in [1, 4]"},
        Case{"1/0", "N expects an integer in [1, 1048576]"}, Case{"x", "expects K/N"},
        Case{"1/", "N expects an integer"}, Case{"/3", "K expects an integer"}}) {
    CliRun r = run_cli(std::string("stats a -o b.npz --shard ") + c.arg);
    EXPECT_EQ(r.code, 2) << c.arg;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.arg << ": " << r.err;
  }
  CliRun r = run_cli("fid a b --shard 1/2");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--shard applies to `fidcpp stats` only"), std::string::npos) << r.err;
}

// Features: the shards' per-image features concatenated are the single run's, bitwise; merge_partial of the
// shards' states reproduces count, features and (within the bound) the sums, through the public C++ API.
TEST(Shards, ApiShardFeaturesConcatenateToSingleRun) {
  const std::string imgs = image_folder("api_imgs", 2, 7);
  Options o;
  o.weights_path = scale_test::synthetic_weights();
  o.feature_dim = 64;
  o.threads = 1;
  o.keep_features = true;
  Evaluator single(o);
  single.add_path(FIDCPP_SIDE_REAL, imgs);
  const std::vector<float> want = single.features(FIDCPP_SIDE_REAL);
  ASSERT_EQ(want.size(), 7u * 64);
  const PartialMoments want_m = single.moments(FIDCPP_SIDE_REAL);

  Evaluator combined(o);
  std::vector<float> got;
  for (int k = 0; k < 3; ++k) {
    Evaluator shard(o);
    shard.add_path_shard(FIDCPP_SIDE_REAL, imgs, k, 3);
    const std::vector<float> f = shard.features(FIDCPP_SIDE_REAL);
    EXPECT_EQ(f.size() / 64, size_t((k + 1) * 7 / 3 - k * 7 / 3)) << k;
    got.insert(got.end(), f.begin(), f.end());
    combined.merge_partial(FIDCPP_SIDE_REAL, shard.moments(FIDCPP_SIDE_REAL), f.data());
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(combined.features(FIDCPP_SIDE_REAL), want);
  const PartialMoments m = combined.moments(FIDCPP_SIDE_REAL);
  EXPECT_EQ(m.count, 7u);
  auto a = Moments::from_sums(64, int64_t(m.count), m.sum, m.sum_outer);
  auto b = Moments::from_sums(64, int64_t(want_m.count), want_m.sum, want_m.sum_outer);
  ASSERT_TRUE(a.ok() && b.ok());
  expect_sums_within_bound(*a, *b, "merge_partial of 3 shards");

  // Argument errors name what is wrong.
  EXPECT_THROW(single.add_path_shard(FIDCPP_SIDE_REAL, imgs, 3, 3), Error);
  fidcpp_status s = fidcpp_evaluator_add_path_shard(single.handle(), FIDCPP_SIDE_REAL, imgs.c_str(), -1, 3);
  EXPECT_EQ(s, FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(single.handle())).find("shard index -1"),
            std::string::npos);
  s = fidcpp_evaluator_merge_partial(single.handle(), FIDCPP_SIDE_REAL, 2, m.sum.data(), m.sum_outer.data(),
                                     nullptr, nullptr);
  EXPECT_EQ(s, FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(single.handle())).find("features are null"),
            std::string::npos);
  float one_row[64];
  uint64_t rows = 0;
  s = fidcpp_evaluator_get_features(single.handle(), FIDCPP_SIDE_REAL, one_row, 1, &rows);
  EXPECT_EQ(s, FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(single.handle())).find("capacity_rows is 1"),
            std::string::npos);
}

// 2048-d: sharding the rows of a feature file (.npy) 1..8 ways and merging the partial states in shard order
// stays within the bound.
TEST(Shards, FeatureFileShards2048) {
  const int n = 40, d = 2048;
  std::vector<double> f(size_t(n) * d);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (double& v : f) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    v = double(float(double(x >> 40) / double(1 << 24) * 2.0));  // non-negative, like pooled features
  }
  const std::string npy = tmp("feats2048.npy");
  ASSERT_TRUE(write_npy(npy, NpyWriteArray{"f", {n, d}, NpyDtype::kF4, f.data()}, Overwrite::kAllow).ok());
  Options o;
  o.weights_path = scale_test::synthetic_weights();
  o.threads = 1;
  Evaluator single(o);
  single.add_path(FIDCPP_SIDE_REAL, npy);
  const PartialMoments want = single.moments(FIDCPP_SIDE_REAL);
  auto want_m = Moments::from_sums(d, int64_t(want.count), want.sum, want.sum_outer);
  ASSERT_TRUE(want_m.ok());
  Evaluator merged(o), part(o);
  for (int shards = 1; shards <= 8; ++shards) {
    merged.reset(FIDCPP_SIDE_REAL);
    for (int k = 0; k < shards; ++k) {
      part.reset(FIDCPP_SIDE_REAL);
      part.add_path_shard(FIDCPP_SIDE_REAL, npy, k, shards);
      merged.merge_partial(FIDCPP_SIDE_REAL, part.moments(FIDCPP_SIDE_REAL));
    }
    const PartialMoments got = merged.moments(FIDCPP_SIDE_REAL);
    auto got_m = Moments::from_sums(d, int64_t(got.count), got.sum, got.sum_outer);
    ASSERT_TRUE(got_m.ok());
    expect_sums_within_bound(*got_m, *want_m, std::to_string(shards) + " shards of a .npy");
  }
}

}  // namespace
}  // namespace fidcpp
