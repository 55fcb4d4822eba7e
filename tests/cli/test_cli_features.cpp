// `fidcpp features A -o f.npy [--tap D] [--logits]` (issue #20): the .npy holds the per-image features
// (N x D float32, in the order the evaluator keeps them), reads back through fidcpp's .npy input (FID from
// the files equals FID from the images) and numpy; existing outputs are kept; bad arguments are clear errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "fidcpp/fidcpp.hpp"
#include "io/npy.h"
#include "renderer_frames.h"
#include "synthetic_weights_file.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace fidcpp {
namespace {

using cli_test::CliRun;

const cli_test::TempFiles tmp("clifeat");

CliRun run(const std::string& args) {
  return cli_test::run_cli(args, tmp("stderr.txt"));
}

void sh(const std::string& cmd) {
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

std::string q(const std::string& s) {
  return " '" + s + "'";
}

const std::string& weights(bool with_fc = true) {
  static std::string w[2];
  std::string& p = w[with_fc ? 1 : 0];
  if (p.empty()) {
    std::string err;
    p = write_synthetic_weights_file(tmp(with_fc ? "fc.safetensors" : "nofc.safetensors"), with_fc, &err);
    EXPECT_FALSE(p.empty()) << err;
  }
  return p;
}

std::string W(bool with_fc = true) {
  return " --weights '" + weights(with_fc) + "' --quiet";
}

// A folder with n PNG frames of a scene.
std::string folder(const std::string& name, int scene, int n) {
  std::string d = tmp(name);
  sh("rm -rf '" + d + "' && mkdir -p '" + d + "'");
  for (int i = 0; i < n; ++i) {
    Frame f = render_frame(scene, i);
    std::string p = d + "/img_" + std::to_string(i) + ".png";
    EXPECT_TRUE(stbi_write_png(p.c_str(), f.width, f.height, 4, f.rgba.data(), int(f.row_stride)));
  }
  return d;
}

double json_fid(const CliRun& r) {
  const std::string key = "\"frechet_inception_distance\": ";
  const size_t at = r.out.find(key);
  EXPECT_NE(at, std::string::npos) << r.out;
  return at == std::string::npos ? -1 : std::strtod(r.out.c_str() + at + key.size(), nullptr);
}

// The features file of a folder: N x D float32, equal to what the evaluator keeps; FID from two such files
// equals FID from the folders; --tap 64 gives D = 64.
TEST(CliFeatures, NpyHoldsTheKeptFeaturesAndGivesTheSameFid) {
  const std::string a = folder("a", 0, 5), b = folder("b", 1, 4);
  const std::string fa = tmp("fa.npy"), fb = tmp("fb.npy");
  CliRun r = run("features" + q(a) + " -o" + q(fa) + W());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("wrote " + fa + " (5 x 2048 float32)"), std::string::npos) << r.err;
  ASSERT_EQ(run("features" + q(b) + " -o" + q(fb) + W()).code, 0);

  auto arr = read_npy(fa);
  ASSERT_TRUE(arr.ok()) << arr.status().to_string();
  EXPECT_EQ(arr->descr, "<f4");
  ASSERT_EQ(arr->shape, (std::vector<int64_t>{5, 2048}));
  // The rows are the evaluator's kept features, in input order, bit for bit.
  Options o;
  o.weights_path = weights();
  o.keep_features = true;
  Evaluator ev(o);
  ev.add_path(FIDCPP_SIDE_REAL, a);
  const std::vector<float> kept = ev.features(FIDCPP_SIDE_REAL);
  ASSERT_EQ(kept.size(), arr->data.size());
  for (size_t i = 0; i < kept.size(); ++i) ASSERT_EQ(float(arr->data[i]), kept[i]) << "value " << i;

  CliRun from_images = run("fid" + q(a) + q(b) + " --json" + W());
  CliRun from_files = run("fid" + q(fa) + q(fb) + " --json --quiet --weights /no/such/weights");
  ASSERT_EQ(from_images.code, 0) << from_images.err;
  ASSERT_EQ(from_files.code, 0) << from_files.err;
  const double fi = json_fid(from_images), ff = json_fid(from_files);
  EXPECT_GT(fi, 0);
  EXPECT_NEAR(ff, fi, 1e-9 * fi);
  CliRun human_images = run("fid" + q(a) + q(b) + W());
  CliRun human_files = run("fid" + q(fa) + q(fb) + " --quiet --weights /no/such/weights");
  EXPECT_EQ(human_files.out, human_images.out);

  const std::string f64 = tmp("f64.npy");
  r = run("features" + q(a) + " -o" + q(f64) + " --tap 64 --json" + W());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"tap\": 64"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"metrics\": {}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"written\": [\"" + f64 + "\"]"), std::string::npos) << r.out;
  auto arr64 = read_npy(f64);
  ASSERT_TRUE(arr64.ok()) << arr64.status().to_string();
  EXPECT_EQ(arr64->shape, (std::vector<int64_t>{5, 64}));
}

// --logits writes f.logits.npy (N x 1008) next to f.npy; weights without fc are a clear weights error.
TEST(CliFeatures, LogitsGoToTheLogitsFile) {
  const std::string a = folder("la", 2, 3);
  const std::string f = tmp("lf.npy"), lf = tmp("lf.logits.npy");
  CliRun r = run("features" + q(a) + " -o" + q(f) + " --logits --tap 192" + W());
  ASSERT_EQ(r.code, 0) << r.err;
  auto feats = read_npy(f), logits = read_npy(lf);
  ASSERT_TRUE(feats.ok()) << feats.status().to_string();
  ASSERT_TRUE(logits.ok()) << logits.status().to_string();
  EXPECT_EQ(feats->shape, (std::vector<int64_t>{3, 192}));
  EXPECT_EQ(logits->shape, (std::vector<int64_t>{3, 1008}));
  EXPECT_EQ(logits->descr, "<f4");

  const std::string g = tmp("nofc.npy");
  r = run("features" + q(a) + " -o" + q(g) + " --logits" + W(false));
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("no fc layer"), std::string::npos) << r.err;
  EXPECT_NE(std::system(("test -e '" + g + "'").c_str()), 0) << "no output after a failed run";

  // A features file has no logits to give.
  r = run("features" + q(f) + " -o" + q(tmp("again.npy")) + " --tap 192 --logits" + W());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("--logits"), std::string::npos) << r.err;
}

// Existing outputs are kept unless --force; bad arguments exit 2 (usage) naming the argument.
TEST(CliFeatures, ExistingOutputAndBadArguments) {
  const std::string a = folder("ea", 3, 2);
  const std::string f = tmp("exists.npy");
  sh("echo keep > '" + f + "'");
  CliRun r = run("features" + q(a) + " -o" + q(f) + W());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(cli_test::slurp(f), "keep\n");
  // The logits file counts as an output too, refused before any work.
  const std::string g = tmp("g.npy");
  sh("echo keep > '" + tmp("g.logits.npy") + "'");
  r = run("features" + q(a) + " -o" + q(g) + " --logits" + W());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("g.logits.npy' already exists"), std::string::npos) << r.err;
  EXPECT_NE(std::system(("test -e '" + g + "'").c_str()), 0);
  r = run("features" + q(a) + " -o" + q(f) + " --force" + W());
  ASSERT_EQ(r.code, 0) << r.err;
  auto arr = read_npy(f);
  ASSERT_TRUE(arr.ok()) << arr.status().to_string();
  EXPECT_EQ(arr->shape, (std::vector<int64_t>{2, 2048}));

  struct Bad {
    std::string args, needle;
  } bad[] = {
      {"features" + q(a) + " -o" + q(tmp("t.npy")) + " --tap 100", "--tap"},
      {"features" + q(a), "needs -o FILE.npy"},
      {"features" + q(a) + " -o" + q(tmp("t.npz")), "writes a .npy"},
      {"features" + q(a) + q(a) + " -o" + q(tmp("t.npy")), "expects 1 input"},
      {"features" + q(a) + " -o" + q(tmp("t.npy")) + " --shard 1/2", "--shard"},
      {"fid" + q(a) + q(a) + " --logits", "--logits applies to `fidcpp features` only"},
  };
  for (const Bad& c : bad) {
    r = run(c.args + W());
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
  }
  // Statistics have no per-image rows.
  const std::string stats = tmp("s.npz");
  ASSERT_EQ(run("stats" + q(a) + " -o" + q(stats) + W()).code, 0);
  r = run("features" + q(stats) + " -o" + q(tmp("t.npy")) + W());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("holds statistics"), std::string::npos) << r.err;
  r = run("features /no/such/folder -o" + q(tmp("t.npy")) + W());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("/no/such/folder"), std::string::npos) << r.err;
  r = run("features --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--logits"), std::string::npos) << r.out;
}

// numpy reads the file as N x D float32 with the same values (needs FIDCPP_PYTHON with numpy).
TEST(CliFeatures, NumpyReadsTheFile) {
  const char* py = std::getenv("FIDCPP_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "set FIDCPP_PYTHON to a Python with numpy to check the .npy with np.load";
  const std::string a = folder("na", 4, 3), f = tmp("np.npy");
  CliRun r = run("features" + q(a) + " -o" + q(f) + " --tap 768" + W());
  ASSERT_EQ(r.code, 0) << r.err;
  auto arr = read_npy(f);
  ASSERT_TRUE(arr.ok()) << arr.status().to_string();
  const std::string out = tmp("np_out.txt");
  sh(std::string(py) +
     " -c \"import sys, numpy as np; a = np.load(sys.argv[1]); "
     "assert a.shape == (3, 768) and a.dtype == np.float32, (a.shape, a.dtype); "
     "print(repr(float(a[2, 700])), repr(float(a.astype(np.float64).sum())))\"" +
     q(f) + " > '" + out + "'");
  const std::string text = cli_test::slurp(out);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  const double sum = std::strtod(end, nullptr);
  EXPECT_EQ(v, arr->data[2 * 768 + 700]) << text;
  double ours = 0;
  for (double x : arr->data) ours += x;
  EXPECT_NEAR(sum, ours, 1e-9 * std::max(1.0, std::abs(ours))) << text;
}

}  // namespace
}  // namespace fidcpp
