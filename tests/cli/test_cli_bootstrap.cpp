// Bootstrap confidence intervals end to end (docs/metrics-extra.md): `fidcpp metrics A B --fid --kid --ci L
// --bootstrap N --seed S --json` equals the C/C++ API and the library functions on the same features, does
// not change the point estimates, is the same with 1 and 4 threads; bad options and inputs without per-image
// features are clear errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "core/splitmix64.h"
#include "fidcpp/fidcpp.hpp"
#include "io/npy.h"
#include "metrics/bootstrap.h"
#include "synthetic_weights_file.h"

namespace fidcpp {
namespace {

using cli_test::CliRun;

const cli_test::TempFiles tmp("cliboot");

const std::string& weights() {
  static const std::string w = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(tmp("w.safetensors"), false, &err);
    EXPECT_FALSE(p.empty()) << err;
    return p;
  }();
  return w;
}

CliRun run(const std::string& args, int threads = 1) {
  return cli_test::run_cli(
      args + " --quiet --threads " + std::to_string(threads) + " --weights '" + weights() + "'",
      tmp("stderr.txt"));
}

std::string q(const std::string& s) {
  return " '" + s + "'";
}

// The number after `"key": ` at or after `from` in --json output; NaN when absent.
double json_value(const std::string& out, const std::string& key, size_t from = 0) {
  const size_t p = out.find("\"" + key + "\": ", from);
  return p == std::string::npos ? std::nan("") : std::strtod(out.c_str() + p + key.size() + 4, nullptr);
}

// The "confidence_intervals" entry of a metric: {low, high}.
std::pair<double, double> json_interval(const std::string& out, const std::string& metric) {
  const size_t block = out.find("\"confidence_intervals\": {");
  if (block == std::string::npos) return {std::nan(""), std::nan("")};
  const size_t entry = out.find("\"" + metric + "\": {\"level\": ", block);
  if (entry == std::string::npos) return {std::nan(""), std::nan("")};
  return {json_value(out, "low", entry), json_value(out, "high", entry)};
}

// n×64 float32 features, uniform [0, scale) + offset, written as .npy; also returned.
std::vector<float> write_features(const std::string& path, uint64_t seed, int64_t n, float scale,
                                  float offset) {
  SplitMix64 g(seed);
  std::vector<float> f(size_t(n * 64));
  std::vector<double> d(f.size());
  for (size_t i = 0; i < f.size(); ++i) d[i] = f[i] = g.uniform_f32() * scale + offset;
  NpyWriteArray a;
  a.shape = {n, 64};
  a.dtype = NpyDtype::kF4;
  a.data = d.data();
  EXPECT_TRUE(write_npy(path, a, Overwrite::kAllow).ok()) << path;
  return f;
}

TEST(CliBootstrap, JsonEqualsApiAndLibrary) {
  const std::string ra = tmp("real.npy"), gb = tmp("gen.npy");
  const std::vector<float> real = write_features(ra, 1, 300, 1.0f, 0.0f);
  const std::vector<float> gen = write_features(gb, 2, 250, 1.2f, 0.05f);
  const std::string args =
      "metrics" + q(ra) + q(gb) +
      " --tap 64 --fid --kid --kid-subsets 4 --kid-subset-size 60 --ci 0.9 --bootstrap 12 "
      "--seed 9 --json";
  const CliRun r = run(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"frechet_inception_distance\": {\"level\": 0.90000000000000002, \"low\": "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"replicates\": 12, \"seed\": 9}"), std::string::npos) << r.out;
  const auto fid_ci = json_interval(r.out, "frechet_inception_distance");
  const auto kid_ci = json_interval(r.out, "kernel_inception_distance_mean");
  ASSERT_TRUE(std::isfinite(fid_ci.first) && std::isfinite(kid_ci.first)) << r.out;
  EXPECT_LT(fid_ci.first, fid_ci.second);
  EXPECT_LT(kid_ci.first, kid_ci.second);

  // The same with 4 threads, byte for byte; the point estimates are those of a run without --ci.
  const CliRun r4 = run(args, 4);
  ASSERT_EQ(r4.code, 0) << r4.err;
  EXPECT_EQ(r4.out, r.out);
  const CliRun plain =
      run("metrics" + q(ra) + q(gb) + " --tap 64 --fid --kid --kid-subsets 4 --kid-subset-size 60 --json");
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(json_value(plain.out, "frechet_inception_distance"),
            json_value(r.out, "frechet_inception_distance"));
  EXPECT_EQ(json_value(plain.out, "kernel_inception_distance_mean"),
            json_value(r.out, "kernel_inception_distance_mean"));
  EXPECT_EQ(plain.out.find("confidence_intervals"), std::string::npos) << plain.out;

  // C++ API (over the C API) on the same files; %.17g in the JSON round-trips the doubles exactly.
  Options o;
  o.weights_path = weights();
  o.feature_dim = 64;
  o.keep_features = true;
  o.threads = 2;
  Evaluator ev(o);
  ev.add_path(FIDCPP_SIDE_REAL, ra);
  ev.add_path(FIDCPP_SIDE_GENERATED, gb);
  const BootstrapResult api = ev.fid_bootstrap(0.9, 12, 9);
  EXPECT_EQ(api.low, fid_ci.first);
  EXPECT_EQ(api.high, fid_ci.second);
  ASSERT_EQ(api.values.size(), 12u);
  EXPECT_EQ(api.replicates, 12);
  EXPECT_EQ(api.seed, 9u);
  const BootstrapResult kapi = ev.kid_bootstrap(4, 60, 0.9, 12, 9);
  EXPECT_EQ(kapi.low, kid_ci.first);
  EXPECT_EQ(kapi.high, kid_ci.second);

  // The library functions on the rows themselves.
  BootstrapOptions bo;
  bo.level = 0.9;
  bo.replicates = 12;
  bo.seed = 9;
  auto lib = fid_bootstrap(real.data(), 300, gen.data(), 250, 64, bo);
  ASSERT_TRUE(lib.ok()) << lib.status().to_string();
  EXPECT_EQ(lib->values, api.values);
  KidOptions ko;
  ko.subsets = 4;
  ko.subset_size = 60;
  auto klib = kid_bootstrap(gen.data(), 250, real.data(), 300, 64, ko, bo);
  ASSERT_TRUE(klib.ok()) << klib.status().to_string();
  EXPECT_EQ(klib->values, kapi.values);

  // Another seed, other replicates; text output names the interval.
  EXPECT_NE(ev.fid_bootstrap(0.9, 12, 10).values[0], api.values[0]);
  const CliRun t = run("fid" + q(ra) + q(gb) + " --tap 64 --ci 0.9 --bootstrap 12 --seed 9");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("frechet_inception_distance: 90% interval ["), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("(12 bootstrap replicates, seed 9)"), std::string::npos) << t.out;
}

TEST(CliBootstrap, CApiOptionsAndErrors) {
  const std::string ra = tmp("r2.npy"), gb = tmp("g2.npy");
  write_features(ra, 3, 80, 1.0f, 0.0f);
  write_features(gb, 4, 70, 1.0f, 0.1f);
  fidcpp_bootstrap_options bo;
  fidcpp_bootstrap_options_default(&bo);
  EXPECT_EQ(bo.struct_size, sizeof(fidcpp_bootstrap_options));
  EXPECT_EQ(bo.level, 0.95);
  EXPECT_EQ(bo.replicates, 200);
  EXPECT_EQ(bo.seed, 2020u);

  fidcpp_options o;
  fidcpp_options_default(&o);
  o.weights_path = weights().c_str();
  o.feature_dim = 64;
  o.threads = 1;
  fidcpp_evaluator* e = nullptr;
  ASSERT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK) << fidcpp_last_error();
  ASSERT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_REAL, ra.c_str()), FIDCPP_STATUS_OK);
  ASSERT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_GENERATED, gb.c_str()), FIDCPP_STATUS_OK);
  double low = 0, high = 0;
  // Features were not kept.
  EXPECT_EQ(fidcpp_fid_bootstrap_compute(e, nullptr, &low, &high, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("keep_features"), std::string::npos)
      << fidcpp_evaluator_last_error(e);
  fidcpp_evaluator_destroy(e);

  o.keep_features = 1;
  ASSERT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK) << fidcpp_last_error();
  ASSERT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_REAL, ra.c_str()), FIDCPP_STATUS_OK);
  ASSERT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_GENERATED, gb.c_str()), FIDCPP_STATUS_OK);
  bo.replicates = 5;
  double values[5] = {0, 0, 0, 0, 0};
  ASSERT_EQ(fidcpp_fid_bootstrap_compute(e, &bo, &low, &high, values), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  EXPECT_LT(low, high);
  // The quantiles lie within the replicates' range.
  EXPECT_LE(*std::min_element(values, values + 5), low);
  EXPECT_GE(*std::max_element(values, values + 5), high);
  ASSERT_EQ(fidcpp_kid_bootstrap_compute(e, 3, 30, &bo, &low, &high, nullptr), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  EXPECT_EQ(fidcpp_fid_bootstrap_compute(e, &bo, nullptr, &high, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(fidcpp_kid_bootstrap_compute(e, 0, 30, &bo, &low, &high, nullptr),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(fidcpp_kid_bootstrap_compute(e, 3, 1000, &bo, &low, &high, nullptr),
            FIDCPP_STATUS_INVALID_ARGUMENT);  // subset larger than either side
  bo.level = 1.0;
  EXPECT_EQ(fidcpp_fid_bootstrap_compute(e, &bo, &low, &high, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("(0, 1)"), std::string::npos)
      << fidcpp_evaluator_last_error(e);
  bo.level = 0.95;
  bo.replicates = 1;
  EXPECT_EQ(fidcpp_fid_bootstrap_compute(e, &bo, &low, &high, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  bo.replicates = 5;
  bo.struct_size = 4;
  EXPECT_EQ(fidcpp_fid_bootstrap_compute(e, &bo, &low, &high, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(fidcpp_fid_bootstrap_compute(nullptr, nullptr, &low, &high, nullptr),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  fidcpp_evaluator_destroy(e);
}

TEST(CliBootstrap, BadOptionsAndInputs) {
  const std::string ra = tmp("r3.npy"), gb = tmp("g3.npy");
  write_features(ra, 5, 40, 1.0f, 0.0f);
  write_features(gb, 6, 30, 1.0f, 0.0f);
  const std::string ab = q(ra) + q(gb) + " --tap 64";
  for (const char* level : {"0", "1", "1.5", "-0.2", "95", "nan", "x", "0.9x"}) {
    const CliRun r = run("metrics" + ab + " --fid --ci " + level);
    EXPECT_EQ(r.code, 2) << level << ": " << r.err;
    EXPECT_NE(r.err.find("--ci expects a confidence level in (0, 1)"), std::string::npos) << r.err;
  }
  CliRun r = run("metrics" + ab + " --fid --ci 0.95 --bootstrap 1");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--bootstrap expects an integer in [2, 100000]"), std::string::npos) << r.err;
  r = run("metrics" + ab + " --fid --ci 0.95 --bootstrap 100001");
  EXPECT_EQ(r.code, 2) << r.err;
  r = run("metrics" + ab + " --fid --bootstrap 50");  // --bootstrap without --ci
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("give --ci too"), std::string::npos) << r.err;
  r = run("metrics" + ab + " --prc --ci 0.95");  // no FID or KID to qualify
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--ci gives intervals for FID and KID"), std::string::npos) << r.err;
  r = run("metrics" + ab + q(gb) + " --fid --ci 0.95");  // several generated sets
  EXPECT_EQ(r.code, 2) << r.err;

  // Statistics (.npz) have no per-image features to resample.
  const std::string stats = tmp("a.npz");
  r = run("stats" + q(ra) + " --tap 64 -o" + q(stats));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("fid" + q(stats) + q(gb) + " --tap 64 --ci 0.95 --bootstrap 5");
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_NE(r.err.find("FID bootstrap: the real side has no per-image features"), std::string::npos) << r.err;

  // A percentile interval that misses the estimate is reported (64-d features, 40 and 30 rows: the
  // resamples' small-sample bias is far larger than their spread).
  r = run("metrics" + ab + " --fid --ci 0.9 --bootstrap 20 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("lies outside its bootstrap interval"), std::string::npos) << r.out;

  r = run("metrics --help");
  EXPECT_NE(r.out.find("--ci LEVEL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--bootstrap N"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fidcpp
