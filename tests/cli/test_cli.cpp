// The `fidcpp` binary on small real folders: outputs, --json schema, exit codes and error messages for each
// bad input (missing folder, empty folder, one image, unreadable file, wrong weights file, existing output).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "renderer_frames.h"
#include "synthetic_weights_file.h"
#include "cli/cli_runner.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace fidcpp {
namespace {

using cli_test::CliRun;

const cli_test::TempFiles tmp("cli");

CliRun run(const std::string& args) {
  return cli_test::run_cli(args, tmp("stderr.txt"));
}

void sh(const std::string& cmd) {
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

const std::string& weights() {
  static std::string w = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(tmp("synthetic.safetensors"), true, &err);
    EXPECT_FALSE(p.empty()) << err;
    return p;
  }();
  return w;
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

std::string W() {
  return " --weights '" + weights() + "' --quiet";
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run("").code, 2);
  CliRun r = run("frobnicate");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
  r = run("fid onlyone");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("expects 2 input"), std::string::npos) << r.err;
  r = run("fid a b --tap 100");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--tap"), std::string::npos) << r.err;
  r = run("fid a b --mode bogus");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("torch-fidelity"), std::string::npos) << r.err;
  r = run("fid a b --no-such-flag");
  EXPECT_EQ(r.code, 2);
  for (const char* c : {"fid", "kid", "is", "mifid", "prc", "metrics", "stats", "merge"}) {
    CliRun h = run(std::string(c) + " --help");
    EXPECT_EQ(h.code, 0) << c;
    EXPECT_NE(h.out.find("example:"), std::string::npos) << c;
  }
  EXPECT_EQ(run("--help").code, 0);
}

TEST(Cli, FidOnFoldersAndJsonSchema) {
  std::string a = folder("a", 0, 4), b = folder("b", 1, 4);
  CliRun r = run("fid '" + a + "' '" + b + "'" + W());
  ASSERT_EQ(r.code, 0) << r.err;
  const double human = std::strtod(r.out.c_str(), nullptr);
  EXPECT_GT(human, 0);
  EXPECT_NE(r.err.find("A: 4 images"), std::string::npos) << r.err;
  r = run("fid '" + a + "' '" + b + "' --json" + W());
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* key :
       {"\"fidcpp_version\"", "\"mode\": \"torch-fidelity\"", "\"tap\": 2048", "\"inputs\"", "\"count\": 4",
        "\"skipped\": 0", "\"metrics\"", "\"frechet_inception_distance\"", "\"written\""})
    EXPECT_NE(r.out.find(key), std::string::npos) << key << "\n" << r.out;
  const double json =
      std::strtod(r.out.c_str() + r.out.find("\"frechet_inception_distance\": ") + 30, nullptr);
  EXPECT_NEAR(json, human, 1e-6 * std::max(1.0, human));
  // A different mode changes the result (the option does something).
  CliRun m = run("fid '" + a + "' '" + b + "' --mode clean-fid" + W());
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_NE(std::strtod(m.out.c_str(), nullptr), human);
}

TEST(Cli, BadInputsGiveClearErrors) {
  std::string a = folder("ok", 0, 3);
  CliRun r = run("fid /no/such/folder '" + a + "'" + W());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("/no/such/folder"), std::string::npos) << r.err;

  std::string empty = tmp("empty");
  sh("rm -rf '" + empty + "' && mkdir -p '" + empty + "'");
  r = run("fid '" + empty + "' '" + a + "'" + W());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find(empty), std::string::npos) << r.err;

  std::string one = folder("one", 1, 1);
  r = run("fid '" + one + "' '" + a + "'" + W());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("at least 2"), std::string::npos) << r.err;

  std::string bad = folder("bad", 1, 3);
  sh("head -c 100 '" + bad + "/img_0.png' > '" + bad + "/img_9.png'");  // truncated PNG
  r = run("fid '" + bad + "' '" + a + "'" + W());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("img_9.png"), std::string::npos) << r.err;
  r = run("fid '" + bad + "' '" + a + "' --skip-bad --json" + W());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"skipped\": 1"), std::string::npos) << r.out;

  std::string wrong = tmp("wrong.safetensors");
  sh("echo 'not a weights file' > '" + wrong + "'");
  r = run("fid '" + a + "' '" + a + "' --quiet --weights '" + wrong + "'");
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.err.find(wrong), std::string::npos) << r.err;
  r = run("fid '" + a + "' '" + a + "' --quiet --weights /no/such/weights.safetensors");
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.err.find("fetch_weights"), std::string::npos) << r.err;
}

TEST(Cli, StatsMergeAndFidFromStatistics) {
  std::string a = folder("sa", 0, 4), b = folder("sb", 1, 4);
  std::string sa = tmp("sa.npz"), sb = tmp("sb.npz"), merged = tmp("merged.npz");
  sh("rm -f '" + sa + "' '" + sb + "' '" + merged + "'");
  CliRun r = run("stats '" + a + "' -o '" + sa + "'" + W());
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("stats '" + a + "' -o '" + sa + "'" + W());
  EXPECT_EQ(r.code, 3) << "existing output must not be overwritten without --force";
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  ASSERT_EQ(run("stats '" + b + "' -o '" + sb + "'" + W()).code, 0);
  CliRun from_images = run("fid '" + a + "' '" + b + "'" + W());
  // Statistics need no weights at all.
  CliRun from_stats = run("fid '" + sa + "' '" + sb + "' --quiet --weights /no/such/file");
  ASSERT_EQ(from_stats.code, 0) << from_stats.err;
  EXPECT_NEAR(std::strtod(from_stats.out.c_str(), nullptr), std::strtod(from_images.out.c_str(), nullptr),
              1e-6);
  // Merging the statistics of two halves equals the statistics of the whole set.
  std::string h1 = folder("h1", 2, 4), h2 = tmp("h2"), whole = tmp("whole");
  sh("rm -rf '" + h2 + "' '" + whole + "' && mkdir -p '" + h2 + "' '" + whole + "' && cp '" + h1 + "'/* '" +
     whole + "'/ && mv '" + h1 + "/img_2.png' '" + h1 + "/img_3.png' '" + h2 + "/'");
  std::string p1 = tmp("p1.npz"), p2 = tmp("p2.npz");
  sh("rm -f '" + p1 + "' '" + p2 + "'");
  ASSERT_EQ(run("stats '" + h1 + "' -o '" + p1 + "'" + W()).code, 0);
  ASSERT_EQ(run("stats '" + h2 + "' -o '" + p2 + "'" + W()).code, 0);
  r = run("merge '" + p1 + "' '" + p2 + "' -o '" + merged + "' --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  CliRun via_merge = run("fid '" + merged + "' '" + sb + "' --quiet");
  CliRun via_whole = run("fid '" + whole + "' '" + sb + "'" + W());
  ASSERT_EQ(via_merge.code, 0) << via_merge.err;
  ASSERT_EQ(via_whole.code, 0) << via_whole.err;
  const double fm = std::strtod(via_merge.out.c_str(), nullptr),
               fw = std::strtod(via_whole.out.c_str(), nullptr);
  EXPECT_NEAR(fm, fw, 1e-6 * std::max(1.0, fw));
}

}  // namespace
}  // namespace fidcpp
