// Small-sample warnings (issue #20; docs/metrics-extra.md "Small samples"): a set of n <= D samples, whose
// covariance is rank-deficient, is reported on stderr and in --json "warnings" when FID or MiFID is computed
// or statistics are written, and not otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "cli/sample_warnings.h"
#include "io/npy.h"
#include "synthetic_weights_file.h"

namespace fidcpp {
namespace {

using fidcpp_cli::small_sample_warning;

TEST(SmallSamples, WarningOnlyAtOrBelowTheDimension) {
  EXPECT_EQ(small_sample_warning("A", 65, 64), "");
  EXPECT_EQ(small_sample_warning("A", 0, 64), "");  // unknown count
  const std::string w = small_sample_warning("B2", 64, 64);
  EXPECT_NE(w.find("B2: 64 samples <= 64 feature dimensions"), std::string::npos) << w;
  EXPECT_NE(w.find("rank-deficient (rank <= 63 < 64)"), std::string::npos) << w;
  EXPECT_NE(small_sample_warning("A", 1, 2048).find("rank <= 0 < 2048"), std::string::npos);
  EXPECT_EQ(fidcpp_cli::json_warnings({}), "[]");
  EXPECT_EQ(fidcpp_cli::json_warnings({"a \"b\"", "c"}), "[\"a \\\"b\\\"\", \"c\"]");
}

std::string tmp(const std::string& name) {
  // Removed when the process ends (cli_runner.h TempFiles), so runs leave nothing in the temporary folder.
  static const cli_test::TempFiles files("small");
  return files(name);
}

struct SmallSampleCli : ::testing::Test {
  static void SetUpTestSuite() {
    std::string err;
    weights_ = new std::string(write_synthetic_weights_file(tmp("synthetic.safetensors"), false, &err));
    ASSERT_FALSE(weights_->empty()) << err;
    small_ = new std::string(tmp("small.npy"));
    large_ = new std::string(tmp("large.npy"));
    write(*small_, 40, 1);
    write(*large_, 90, 2);
  }
  static void TearDownTestSuite() {
    for (std::string* p : {weights_, small_, large_}) {
      std::remove(p->c_str());
      delete p;
    }
  }
  static void write(const std::string& path, int n, uint64_t seed) {
    std::vector<double> f(size_t(n) * 64);
    uint64_t x = seed * 0x9E3779B97F4A7C15ull;
    for (double& v : f) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      v = double(x >> 40) / double(1 << 24);
    }
    ASSERT_TRUE(
        write_npy(path, NpyWriteArray{"f", {int64_t(n), 64}, NpyDtype::kF4, f.data()}, Overwrite::kAllow)
            .ok());
  }
  static cli_test::CliRun run(const std::string& args) {
    return cli_test::run_cli(args + " --tap 64 --quiet --threads 1 --weights '" + *weights_ + "'",
                             tmp("stderr.txt"));
  }
  static std::string* weights_;
  static std::string* small_;
  static std::string* large_;
};
std::string* SmallSampleCli::weights_ = nullptr;
std::string* SmallSampleCli::small_ = nullptr;
std::string* SmallSampleCli::large_ = nullptr;

TEST_F(SmallSampleCli, FidWarnsForTheSmallSetOnStderrAndInJson) {
  const std::string want = "B: 40 samples <= 64 feature dimensions";
  cli_test::CliRun r = run("fid '" + *large_ + "' '" + *small_ + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: " + want), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("A: 90 samples"), std::string::npos) << r.err;
  r = run("metrics '" + *small_ + "' '" + *small_ + "' --fid --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"warnings\": [\"A: 40 samples <= 64"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\", \"B: 40 samples <= 64"), std::string::npos) << r.out;
  // Several generated sets: the reference and each set by its label.
  r = run("metrics '" + *large_ + "' '" + *large_ + "' '" + *small_ + "' --fid --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"warnings\": [\"B2: 40 samples <= 64"), std::string::npos) << r.out;
}

TEST_F(SmallSampleCli, NoWarningWithoutACovarianceOrWithEnoughSamples) {
  cli_test::CliRun r = run("metrics '" + *large_ + "' '" + *large_ + "' --fid --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"warnings\": [],"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  r = run("metrics '" + *small_ + "' '" + *small_ + "' --kid --kid-subset-size 10 --prc --dc --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"warnings\": [],"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
}

TEST_F(SmallSampleCli, StatsOfASmallSetWarn) {
  const std::string out = tmp("small_stats.npz");
  const cli_test::CliRun r = run("stats '" + *small_ + "' -o '" + out + "' --force");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: A: 40 samples <= 64 feature dimensions"), std::string::npos) << r.err;
  std::remove(out.c_str());
}

}  // namespace
}  // namespace fidcpp
