// Density and coverage end to end (issue #20; docs/metrics-extra.md): `fidcpp metrics A B --dc [--dc-k K]
// --json` and the C API on feature files equal PyPI prdc 0.2 (tools/ref_dc.py) exactly; --dc-k changes the
// result; bad inputs (k >= n, .npz statistics instead of features, wrong D, NaN rows, empty files, bad
// --dc-k) are clear errors with the documented exit codes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "core/file.h"
#include "fidcpp/fidcpp.h"
#include "io/npy.h"
#include "metrics/metrics_ref.h"
#include "synthetic_weights_file.h"

namespace fidcpp {
namespace {

using metrics_test::ref_path;
using metrics_test::scalar;

std::string tmp(const std::string& name) {
  // Removed when the process ends (cli_runner.h TempFiles), so runs leave nothing in the temporary folder.
  static const cli_test::TempFiles files("cli_dc");
  return files(name);
}

const std::string& weights() {
  static const std::string w = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(tmp("synthetic.safetensors"), false, &err);
    EXPECT_FALSE(p.empty()) << err;
    return p;
  }();
  return w;
}

// The value of "key": in --json output, NaN when absent.
double json_value(const std::string& out, const std::string& key) {
  const size_t p = out.find("\"" + key + "\": ");
  return p == std::string::npos ? std::nan("") : std::strtod(out.c_str() + p + key.size() + 4, nullptr);
}

cli_test::CliRun metrics(const std::string& real, const std::string& fake, int tap,
                         const std::string& flags) {
  return cli_test::run_cli("metrics '" + real + "' '" + fake + "' --tap " + std::to_string(tap) +
                               " --quiet --threads 1 --weights '" + weights() + "' " + flags,
                           tmp("stderr.txt"));
}

struct RefCase {
  const char* name;
  int tap;
};

class CliDcReference : public ::testing::TestWithParam<RefCase> {};

TEST_P(CliDcReference, JsonEqualsPrdcExactly) {
  const std::string name = GetParam().name;
  METRICS_LOAD_REF_NPZ(z, name);
  const int k = static_cast<int>(scalar(z, "nearest_k"));
  const std::string flags = "--dc --json" + (k == 5 ? std::string() : " --dc-k " + std::to_string(k));
  const cli_test::CliRun r =
      metrics(ref_path(name + "_real.npy"), ref_path(name + "_fake.npy"), GetParam().tap, flags);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json_value(r.out, "density"), scalar(z, "density")) << r.out;
  EXPECT_EQ(json_value(r.out, "coverage"), scalar(z, "coverage")) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliDcReference,
    ::testing::Values(RefCase{"dc_d64_n20_n22_k5", 64}, RefCase{"dc_d192_n500_n450_k5", 192},
                      RefCase{"dc_d64_n700_n650_k3", 64}, RefCase{"dc_d64_n700_n650_k10", 64},
                      RefCase{"dc_real_tf64_k5", 64}, RefCase{"dc_real_tf2048_k5", 2048}),
    [](const ::testing::TestParamInfo<RefCase>& i) { return std::string(i.param.name); });

TEST(CliDc, DcKChangesTheResult) {
  const std::string name = "dc_d64_n700_n650_k3";
  METRICS_LOAD_REF_NPZ(z, name);
  const std::string real = ref_path(name + "_real.npy"), fake = ref_path(name + "_fake.npy");
  const cli_test::CliRun k5 = metrics(real, fake, 64, "--dc");
  const cli_test::CliRun k3 = metrics(real, fake, 64, "--dc --dc-k 3");
  ASSERT_EQ(k5.code, 0) << k5.err;
  ASSERT_EQ(k3.code, 0) << k3.err;
  EXPECT_NE(k5.out, k3.out);
  EXPECT_NE(k3.out.find("density: "), std::string::npos) << k3.out;
  EXPECT_NE(k3.out.find("coverage: "), std::string::npos) << k3.out;
  // Plain output: %.9g of the same numbers.
  const double printed = std::strtod(k3.out.c_str() + k3.out.find("density: ") + 9, nullptr);
  EXPECT_NEAR(printed, scalar(z, "density"), 1e-8 * scalar(z, "density")) << k3.out;
}

TEST(CliDc, BadInputsAreClearErrors) {
  const std::string name = "dc_d64_n20_n22_k5";
  METRICS_LOAD_REF_NPZ(z, name);
  const std::string real = ref_path(name + "_real.npy"), fake = ref_path(name + "_fake.npy");
  struct Bad {
    std::string what, real, flags;
    int tap, code;
    std::string message;
  };
  // Feature files: NaN row, no rows, wrong D.
  std::vector<double> rows(20 * 64, 0.5);
  rows[3 * 64 + 7] = std::nan("");
  const std::string nan_file = tmp("nan.npy"), empty_file = tmp("empty.npy");
  ASSERT_TRUE(
      write_npy(nan_file, NpyWriteArray{"f", {20, 64}, NpyDtype::kF4, rows.data()}, Overwrite::kAllow).ok());
  ASSERT_TRUE(
      write_npy(empty_file, NpyWriteArray{"f", {0, 64}, NpyDtype::kF4, rows.data()}, Overwrite::kAllow).ok());
  const std::string stats_file = tmp("stats.npz");
  const cli_test::CliRun st = cli_test::run_cli(
      "stats '" + real + "' --tap 64 --quiet --force --weights '" + weights() + "' -o '" + stats_file + "'",
      tmp("stderr.txt"));
  ASSERT_EQ(st.code, 0) << st.err;
  const std::vector<Bad> bad = {
      {"k >= n_real", real, "--dc --dc-k 20", 64, 3, "nearest_k 20 needs more than 20 real samples, got 20"},
      {"k = 0", real, "--dc --dc-k 0", 64, 2, "--dc-k expects an integer in [1, 65536], got '0'"},
      {"wrong D", real, "--dc", 192, 3, "have dimension 64, but this run uses the 192-d tap"},
      {"NaN row", nan_file, "--dc", 64, 3, "row 3 column 7 is NaN; features must be finite"},
      {"empty file", empty_file, "--dc", 64, 3, "shape [0,64], expected (N, D) with N >= 1"},
      {"statistics", stats_file, "--dc", 64, 3,
       "density/coverage: the real side has no per-image features (images or a .npy of features are needed"},
  };
  for (const Bad& b : bad) {
    const cli_test::CliRun r = metrics(b.real, fake, b.tap, b.flags);
    EXPECT_EQ(r.code, b.code) << b.what << "\n" << r.err;
    EXPECT_NE(r.err.find(b.message), std::string::npos) << b.what << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << b.what << "\n" << r.out;
  }
  std::remove(nan_file.c_str());
  std::remove(empty_file.c_str());
  std::remove(stats_file.c_str());
}

// The C API directly: equal to prdc, argument checks, and the keep_features requirement.
TEST(CDc, ComputeEqualsPrdcAndChecksArguments) {
  const std::string name = "dc_d192_n500_n450_k5";
  METRICS_LOAD_REF_NPZ(z, name);
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.weights_path = weights().c_str();
  o.feature_dim = 192;
  o.threads = 1;
  for (int keep : {1, 0}) {
    o.keep_features = keep;
    fidcpp_evaluator* e = nullptr;
    ASSERT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK) << fidcpp_last_error();
    ASSERT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_REAL, ref_path(name + "_real.npy").c_str()),
              FIDCPP_STATUS_OK)
        << fidcpp_evaluator_last_error(e);
    ASSERT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_GENERATED, ref_path(name + "_fake.npy").c_str()),
              FIDCPP_STATUS_OK)
        << fidcpp_evaluator_last_error(e);
    double density = -1, coverage = -1;
    const fidcpp_status s = fidcpp_dc_compute(e, 5, &density, &coverage);
    if (keep) {
      ASSERT_EQ(s, FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(e);
      EXPECT_EQ(density, scalar(z, "density"));
      EXPECT_EQ(coverage, scalar(z, "coverage"));
      EXPECT_EQ(fidcpp_dc_compute(e, 0, &density, &coverage), FIDCPP_STATUS_INVALID_ARGUMENT);
      EXPECT_EQ(fidcpp_dc_compute(e, 5, nullptr, &coverage), FIDCPP_STATUS_INVALID_ARGUMENT);
      EXPECT_EQ(fidcpp_dc_compute(e, 500, &density, &coverage), FIDCPP_STATUS_INVALID_ARGUMENT);
      EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("needs more than 500 real samples"),
                std::string::npos)
          << fidcpp_evaluator_last_error(e);
    } else {
      EXPECT_EQ(s, FIDCPP_STATUS_INVALID_ARGUMENT);
      EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("keep_features"), std::string::npos)
          << fidcpp_evaluator_last_error(e);
    }
    fidcpp_evaluator_destroy(e);
  }
}

}  // namespace
}  // namespace fidcpp
