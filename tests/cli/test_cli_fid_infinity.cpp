// FID∞ / IS∞ end to end (docs/metrics-extra.md): `fidcpp metrics A B --fid-inf --is-inf [--inf-points N]
// [--inf-min N] [--seed S] --json` equals the C/C++ API and the library function on the same features; the
// JSON carries the fitted points; bad options and too few images are clear errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "core/splitmix64.h"
#include "fidcpp/fidcpp.hpp"
#include "io/npy.h"
#include "metrics/fid_infinity.h"
#include "metrics/moments.h"
#include "renderer_frames.h"
#include "synthetic_weights_file.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace fidcpp {
namespace {

using cli_test::CliRun;

const cli_test::TempFiles tmp("cliinf");

const std::string& weights() {
  static const std::string w = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(tmp("fc.safetensors"), true, &err);
    EXPECT_FALSE(p.empty()) << err;
    return p;
  }();
  return w;
}

CliRun run(const std::string& args) {
  return cli_test::run_cli(args + " --quiet --threads 1 --weights '" + weights() + "'", tmp("stderr.txt"));
}

std::string q(const std::string& s) {
  return " '" + s + "'";
}

// "key": value in --json output, NaN when absent.
double json_value(const std::string& out, const std::string& key) {
  const size_t p = out.find("\"" + key + "\": ");
  return p == std::string::npos ? std::nan("") : std::strtod(out.c_str() + p + key.size() + 4, nullptr);
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

std::string folder(const std::string& name, int scene, int n) {
  const std::string d = tmp(name);
  EXPECT_EQ(std::system(("rm -rf '" + d + "' && mkdir -p '" + d + "'").c_str()), 0);
  for (int i = 0; i < n; ++i) {
    Frame f = render_frame(scene, i);
    const std::string p = d + "/img_" + std::to_string(i) + ".png";
    EXPECT_TRUE(stbi_write_png(p.c_str(), f.width, f.height, 4, f.rgba.data(), int(f.row_stride)));
  }
  return d;
}

TEST(CliFidInfinity, JsonEqualsApiAndLibrary) {
  const std::string ra = tmp("real.npy"), gb = tmp("gen.npy");
  const std::vector<float> real = write_features(ra, 1, 300, 1.0f, 0.0f);
  const std::vector<float> gen = write_features(gb, 2, 250, 1.2f, 0.05f);
  const CliRun r = run("metrics" + q(ra) + q(gb) +
                       " --tap 64 --fid --fid-inf --inf-points 4 --inf-min 50 --seed 9 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const double cli = json_value(r.out, "fid_infinity");
  ASSERT_TRUE(std::isfinite(cli)) << r.out;
  EXPECT_NE(r.out.find("\"infinity_points\": {"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"fid\": {\"n\": [50, 116, 183, 250], \"values\": ["), std::string::npos) << r.out;

  // C++ API (over the C API) on the same files.
  Options o;
  o.weights_path = weights();
  o.feature_dim = 64;
  o.keep_features = true;
  o.threads = 1;
  Evaluator ev(o);
  ev.add_path(FIDCPP_SIDE_REAL, ra);
  ev.add_path(FIDCPP_SIDE_GENERATED, gb);
  const InfinityResult api = ev.fid_infinity(4, 50, 9);
  // %.17g in the JSON round-trips the double exactly.
  EXPECT_EQ(api.value, cli);
  ASSERT_EQ(api.sizes, (std::vector<int64_t>{50, 116, 183, 250}));
  // The last point is the whole generated set: its two-pass statistics vs the one-pass ones of --fid.
  const double fid = json_value(r.out, "frechet_inception_distance");
  EXPECT_NEAR(api.values.back(), fid, 1e-9 * fid);

  // The library function on the real side's one-pass statistics.
  auto m = Moments::create(64);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->add(real.data(), 300).ok());
  auto stats = m->gaussian_stats();
  ASSERT_TRUE(stats.ok());
  InfinityOptions io;
  io.num_points = 4;
  io.min_n = 50;
  io.seed = 9;
  auto lib = fid_infinity(gen.data(), 250, 64, *stats, io);
  ASSERT_TRUE(lib.ok()) << lib.status().to_string();
  EXPECT_EQ(lib->value, api.value);
  EXPECT_EQ(lib->values, api.values);

  // Text output; another seed gives other points.
  const CliRun t =
      run("metrics" + q(ra) + q(gb) + " --tap 64 --fid-inf --inf-points 4 --inf-min 50 --seed 9");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("fid_infinity: "), std::string::npos) << t.out;
  EXPECT_NE(ev.fid_infinity(4, 50, 10).values[0], api.values[0]);
}

TEST(CliFidInfinity, IsInfinityFromImages) {
  const std::string a = folder("a", 1, 5), b = folder("b", 2, 7);
  const CliRun r = run("metrics" + q(a) + q(b) + " --tap 64 --is-inf --inf-points 3 --inf-min 3 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const double v = json_value(r.out, "is_infinity");
  EXPECT_TRUE(std::isfinite(v) && v > 0) << r.out;
  EXPECT_NE(r.out.find("\"is\": {\"n\": [3, 5, 7], \"values\": ["), std::string::npos) << r.out;

  // The C API: defaults (min_n 5000) refuse 7 images; bad options and null pointers are refused.
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.weights_path = weights().c_str();
  o.feature_dim = 64;
  o.keep_logits = 1;
  o.threads = 1;
  fidcpp_evaluator* e = nullptr;
  ASSERT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK) << fidcpp_last_error();
  ASSERT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_GENERATED, b.c_str()), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  double value = 0;
  EXPECT_EQ(fidcpp_is_infinity_compute(e, nullptr, &value, nullptr, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("too few"), std::string::npos)
      << fidcpp_evaluator_last_error(e);
  fidcpp_infinity_options io;
  fidcpp_infinity_options_default(&io);
  EXPECT_EQ(io.num_points, 15);
  EXPECT_EQ(io.min_n, 5000);
  io.num_points = 3;
  io.min_n = 3;
  int64_t sizes[3] = {0, 0, 0};
  double values[3] = {0, 0, 0};
  ASSERT_EQ(fidcpp_is_infinity_compute(e, &io, &value, sizes, values), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  EXPECT_EQ(value, v);
  EXPECT_EQ(sizes[2], 7);
  EXPECT_GT(values[0], 0);
  EXPECT_EQ(fidcpp_is_infinity_compute(e, &io, nullptr, nullptr, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  io.num_points = 1;
  EXPECT_EQ(fidcpp_is_infinity_compute(e, &io, &value, nullptr, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  io.num_points = 3;
  io.struct_size = 4;
  EXPECT_EQ(fidcpp_is_infinity_compute(e, &io, &value, nullptr, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  fidcpp_infinity_options_default(&io);
  io.min_n = 3;
  EXPECT_EQ(fidcpp_fid_infinity_compute(e, &io, &value, nullptr, nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("keep_features"), std::string::npos)
      << fidcpp_evaluator_last_error(e);
  EXPECT_EQ(fidcpp_fid_infinity_compute(nullptr, &io, &value, nullptr, nullptr),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  fidcpp_evaluator_destroy(e);
}

TEST(CliFidInfinity, BadOptionsAndTooFewImages) {
  const std::string ra = tmp("r.npy"), gb = tmp("g.npy");
  write_features(ra, 3, 40, 1.0f, 0.0f);
  write_features(gb, 4, 30, 1.0f, 0.0f);
  const std::string ab = q(ra) + q(gb) + " --tap 64";
  CliRun r = run("metrics" + ab + " --fid-inf");  // default --inf-min 5000
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("too few"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--inf-min"), std::string::npos) << r.err;
  r = run("metrics" + ab + " --fid-inf --inf-min 30");  // min_n must be below the count
  EXPECT_EQ(r.code, 3) << r.err;
  r = run("metrics" + ab + " --fid-inf --inf-points 1");
  EXPECT_EQ(r.code, 2) << r.err;
  r = run("metrics" + ab + " --fid-inf --inf-min 1");
  EXPECT_EQ(r.code, 2) << r.err;
  r = run("metrics" + ab + " --fid-inf --seed -1");
  EXPECT_EQ(r.code, 2) << r.err;
  r = run("metrics" + q(ra) + " --tap 64 --fid-inf --inf-min 5");
  EXPECT_EQ(r.code, 2) << r.err;
  r = run("metrics" + ab + q(gb) + " --fid-inf --inf-min 5");  // several generated sets
  EXPECT_EQ(r.code, 2) << r.err;
  r = run("metrics" + ab + " --is-inf --inf-min 5");  // .npy features have no logits
  EXPECT_NE(r.code, 0) << r.out;
  r = run("metrics --help");
  EXPECT_NE(r.out.find("--fid-inf"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fidcpp
