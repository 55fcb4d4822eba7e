// `mpirun -np P fidcpp ...` on one machine: with 1, 2 and 4 ranks the counts and the feature-based metrics
// (KID, MiFID, precision/recall) equal the single-process run exactly, the statistics and FID within the
// README bound (with the same BLAS thread count); an error on one rank ends the whole job with the right exit
// code instead of hanging.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>

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

// As root in CI Open MPI needs --allow-run-as-root; --oversubscribe allows more ranks than cores. `timeout`
// turns a hang into a failure.
std::string mpirun(int ranks) {
  return "timeout 300 " + std::string(FIDCPP_MPIEXEC) +
         " --allow-run-as-root --oversubscribe -x OPENBLAS_NUM_THREADS -np " + std::to_string(ranks) + " ";
}

// "name": value pairs of the --json metrics object, values as printed (%.17g), for exact comparison.
std::map<std::string, std::string> json_metrics(const std::string& out) {
  std::map<std::string, std::string> m;
  size_t p = out.find("\"metrics\": {");
  if (p == std::string::npos) return m;
  const size_t end = out.find('}', p);
  while ((p = out.find('"', out.find('\n', p))) < end) {
    const size_t k_end = out.find('"', p + 1);
    const size_t v_begin = out.find(": ", k_end) + 2;
    const size_t v_end = out.find_first_of(",\n", v_begin);
    m[out.substr(p + 1, k_end - p - 1)] = out.substr(v_begin, v_end - v_begin);
    p = v_end;
  }
  return m;
}

struct MpiFixture : ::testing::Test {
  static void SetUpTestSuite() {
    // OpenBLAS's summation order depends on its thread count, which differs between a process alone and one
    // bound to a core by mpirun: fix it, so the metrics computed from equal features are equal bitwise.
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    a_ = new std::string(image_folder("mpi_a", 0, 9));
    b_ = new std::string(image_folder("mpi_b", 1, 7));
  }
  static void TearDownTestSuite() {
    delete a_;
    delete b_;
  }
  static std::string metrics_args(const std::string& prefix) {
    return "metrics" + q(*a_) + q(*b_) +
           " --fid --kid --mifid --prc --kid-subsets 10 --kid-subset-size 5 --json --force --save-stats" +
           q(prefix) + common_flags();
  }
  static std::string* a_;
  static std::string* b_;
};
std::string* MpiFixture::a_ = nullptr;
std::string* MpiFixture::b_ = nullptr;

TEST_F(MpiFixture, OneTwoFourRanksMatchSingleProcess) {
  // The MPI-enabled binary without mpirun: one process.
  const std::string single_prefix = tmp("single");
  CliRun single = run_cli(metrics_args(single_prefix));
  ASSERT_EQ(single.code, 0) << single.err;
  const auto want = json_metrics(single.out);
  ASSERT_EQ(want.size(), 7u) << single.out;
  const double fid_want = std::strtod(want.at("frechet_inception_distance").c_str(), nullptr);
  ASSERT_GT(fid_want, 0);
  for (int ranks : {1, 2, 4}) {
    const std::string prefix = tmp("mpi" + std::to_string(ranks));
    CliRun r = run_cli(metrics_args(prefix), mpirun(ranks));
    ASSERT_EQ(r.code, 0) << ranks << " ranks: " << r.err;
    // Rank 0 alone reports: exactly one JSON document.
    EXPECT_EQ(r.out.find("fidcpp_version"), r.out.rfind("fidcpp_version")) << r.out;
    EXPECT_NE(r.out.find("\"count\": 9"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"count\": 7"), std::string::npos) << r.out;
    const auto got = json_metrics(r.out);
    ASSERT_EQ(got.size(), want.size()) << r.out;
    // Features arrive in the single run's order, so the feature-based metrics are bitwise equal.
    for (const char* k :
         {"kernel_inception_distance_mean", "kernel_inception_distance_std",
          "memorization_informed_frechet_inception_distance", "precision", "recall", "f_score"})
      EXPECT_EQ(got.at(k), want.at(k)) << ranks << " ranks: " << k;
    const double fid = std::strtod(got.at("frechet_inception_distance").c_str(), nullptr);
    EXPECT_LE(std::fabs(fid - fid_want), 1e-6 * fid_want) << ranks << " ranks";
    std::printf("%d ranks: FID %.17g vs single %.17g (relative difference %.3g)\n", ranks, fid, fid_want,
                std::fabs(fid - fid_want) / fid_want);
    for (const char* side : {"-a.npz", "-b.npz"})
      expect_sums_within_bound(read_moments(prefix + side), read_moments(single_prefix + side),
                               std::to_string(ranks) + " ranks, " + side);
  }
}

TEST_F(MpiFixture, StatsUnderMpiEqualsSingleRunAndMergesWithShards) {
  const std::string single = tmp("stats_single.npz"), two = tmp("stats_mpi2.npz");
  CliRun r = run_cli("stats" + q(*a_) + " -o" + q(single) + " --force" + common_flags());
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli("stats" + q(*a_) + " -o" + q(two) + " --force" + common_flags(), mpirun(2));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("A: 9 images"), std::string::npos) << r.err;
  expect_sums_within_bound(read_moments(two), read_moments(single), "stats, 2 ranks");
  // --shard is for runs without MPI.
  r = run_cli("stats" + q(*a_) + " --shard 1/2 -o" + q(tmp("x.npz")) + common_flags(), mpirun(2));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot be combined with an MPI launch"), std::string::npos) << r.err;
}

TEST_F(MpiFixture, ErrorOnOneRankEndsTheJob) {
  // The last file of the folder is corrupt: only the last rank's shard holds it, while rank 0 waits for it.
  const std::string bad = image_folder("mpi_bad", 2, 4);
  ASSERT_EQ(std::system(("printf 'not a png' > '" + bad + "/img_99.png'").c_str()), 0);
  const std::string out = tmp("mpi_bad.npz");
  std::remove(out.c_str());
  const CliRun one = run_cli("stats" + q(bad) + " -o" + q(out) + common_flags());
  ASSERT_NE(one.code, 0) << one.err;
  CliRun r = run_cli("stats" + q(bad) + " -o" + q(out) + common_flags(), mpirun(2));
  EXPECT_EQ(r.code, one.code) << r.err;  // the single run's exit code, not the timeout's 124
  EXPECT_NE(r.err.find("rank 1: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("img_99.png"), std::string::npos) << r.err;
  EXPECT_NE(std::system(("test -e '" + out + "'").c_str()), 0) << "no output after a failed run";
  // A missing input fails on every rank alike.
  r = run_cli("stats" + q(tmp("no_such_dir")) + " -o" + q(out) + common_flags(), mpirun(2));
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fidcpp
