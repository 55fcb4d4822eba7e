// The `fidcpp` binary's run-level options: --recursive, --cache (hits, invalidation, corrupt entries),
// several generated sets with --plot (table, JSON "sets", SVG contents), and `fidcpp bench`.
#include <gtest/gtest.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "renderer_frames.h"
#include "synthetic_weights_file.h"
#include "cli/cli_runner.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace fidcpp {
namespace {

using cli_test::CliRun;

std::string tmp(const std::string& name) {
  // Per process: test binaries of other build trees running at the same time must not share inputs.
  // Removed when the process ends (cli_runner.h TempFiles), so runs leave nothing in the temporary folder.
  static const cli_test::TempFiles files("clis");
  return files(name);
}

CliRun run(const std::string& args) {
  return cli_test::run_cli(args, tmp("stderr.txt"));
}

void sh(const std::string& cmd) {
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

using cli_test::slurp;

const std::string& weights() {
  static std::string w = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(tmp("synthetic.safetensors"), true, &err);
    EXPECT_FALSE(p.empty()) << err;
    return p;
  }();
  return w;
}

void write_frames(const std::string& dir, int scene, int first, int n) {
  for (int i = first; i < first + n; ++i) {
    Frame f = render_frame(scene, i);
    std::string p = dir + "/img_" + std::to_string(i) + ".png";
    EXPECT_TRUE(stbi_write_png(p.c_str(), f.width, f.height, 4, f.rgba.data(), int(f.row_stride)));
  }
}

std::string folder(const std::string& name, int scene, int n) {
  std::string d = tmp(name);
  sh("rm -rf '" + d + "' && mkdir -p '" + d + "'");
  write_frames(d, scene, 0, n);
  return d;
}

std::string W() {
  return " --weights '" + weights() + "' --quiet";
}

// The number after `"key": ` at or after position `from` (NaN if absent).
double json_value(const std::string& s, const std::string& key, size_t from = 0) {
  const std::string k = "\"" + key + "\": ";
  size_t p = s.find(k, from);
  return p == std::string::npos ? NAN : std::strtod(s.c_str() + p + k.size(), nullptr);
}

size_t count_of(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(CliSurface, RecursiveTakesSubfolders) {
  std::string a = folder("ra", 0, 2), b = folder("rb", 1, 3);
  sh("mkdir -p '" + a + "/sub/deeper'");
  write_frames(a + "/sub", 0, 2, 2);
  write_frames(a + "/sub/deeper", 0, 4, 1);
  CliRun flat = run("fid '" + a + "' '" + b + "' --json" + W());
  ASSERT_EQ(flat.code, 0) << flat.err;
  EXPECT_EQ(json_value(flat.out, "count"), 2) << flat.out;
  CliRun rec = run("fid '" + a + "' '" + b + "' --json --recursive" + W());
  ASSERT_EQ(rec.code, 0) << rec.err;
  EXPECT_EQ(json_value(rec.out, "count"), 5) << rec.out;
  EXPECT_NE(json_value(rec.out, "frechet_inception_distance"),
            json_value(flat.out, "frechet_inception_distance"));
}

TEST(CliSurface, CacheServesUnchangedInputsAndRecomputesDamagedEntries) {
  std::string a = folder("ca", 0, 4), b = folder("cb", 1, 4), cache = tmp("cache");
  sh("rm -rf '" + cache + "'");
  const std::string args = "metrics '" + a + "' '" + b +
                           "' --fid --kid --kid-subsets 3 --kid-subset-size 3 "
                           "--json --cache '" +
                           cache + "'" + W();
  CliRun first = run(args);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(count_of(first.out, "\"cache\": \"miss\""), 2u) << first.out;
  // One entry per source: statistics, features (KID needs them) and the manifest.
  std::string names;
  if (DIR* d = opendir(cache.c_str())) {
    while (dirent* e = readdir(d)) names += std::string(e->d_name) + "\n";
    closedir(d);
  }
  EXPECT_EQ(count_of(names, ".manifest\n"), 2u) << names;
  EXPECT_EQ(count_of(names, ".stats.npz\n"), 2u) << names;
  EXPECT_EQ(count_of(names, ".features.npy\n"), 2u) << names;

  CliRun second = run(args);
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(count_of(second.out, "\"cache\": \"hit\""), 2u) << second.out;
  EXPECT_EQ(json_value(second.out, "frechet_inception_distance"),
            json_value(first.out, "frechet_inception_distance"));
  EXPECT_EQ(json_value(second.out, "kernel_inception_distance_mean"),
            json_value(first.out, "kernel_inception_distance_mean"));
  // The same inputs without the cache give the same numbers (the cache does not change results).
  CliRun plain =
      run("metrics '" + a + "' '" + b + "' --fid --kid --kid-subsets 3 --kid-subset-size 3 --json" + W());
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(json_value(plain.out, "frechet_inception_distance"),
            json_value(first.out, "frechet_inception_distance"));
  EXPECT_EQ(count_of(plain.out, "\"cache\": \"none\""), 2u) << plain.out;

  // Damaged entries: one byte flipped in every statistics file, every features file truncated. They must be
  // detected and recomputed, giving the first run's numbers, and rewritten (the next run hits again).
  sh("for f in '" + cache +
     "'/*.stats.npz; do printf '\\377' | dd of=\"$f\" bs=1 seek=200 conv=notrunc "
     "status=none; done");
  CliRun damaged = run(args);
  ASSERT_EQ(damaged.code, 0) << damaged.err;
  EXPECT_EQ(count_of(damaged.out, "\"cache\": \"miss\""), 2u) << damaged.out;
  EXPECT_EQ(json_value(damaged.out, "frechet_inception_distance"),
            json_value(first.out, "frechet_inception_distance"));
  sh("for f in '" + cache + "'/*.features.npy; do truncate -s 100 \"$f\"; done");
  CliRun truncated = run(args);
  ASSERT_EQ(truncated.code, 0) << truncated.err;
  EXPECT_EQ(count_of(truncated.out, "\"cache\": \"miss\""), 2u) << truncated.out;
  EXPECT_EQ(json_value(truncated.out, "kernel_inception_distance_mean"),
            json_value(first.out, "kernel_inception_distance_mean"));
  EXPECT_EQ(count_of(run(args).out, "\"cache\": \"hit\""), 2u);

  // Invalidation: a changed image misses (only on its side); another tap or mode is another key.
  write_frames(b, 2, 0, 1);  // img_0.png replaced by another frame
  CliRun changed = run(args);
  ASSERT_EQ(changed.code, 0) << changed.err;
  EXPECT_EQ(count_of(changed.out, "\"cache\": \"hit\""), 1u) << changed.out;
  EXPECT_EQ(count_of(changed.out, "\"cache\": \"miss\""), 1u) << changed.out;
  EXPECT_NE(json_value(changed.out, "frechet_inception_distance"),
            json_value(first.out, "frechet_inception_distance"));
  CliRun tap = run(args + " --tap 64");
  ASSERT_EQ(tap.code, 0) << tap.err;
  EXPECT_EQ(count_of(tap.out, "\"cache\": \"miss\""), 2u) << tap.out;
  CliRun fid_only = run("fid '" + a + "' '" + b + "' --json --cache '" + cache + "'" + W());
  ASSERT_EQ(fid_only.code, 0) << fid_only.err;
  EXPECT_EQ(count_of(fid_only.out, "\"cache\": \"miss\""), 2u) << "kept features are part of the key";
  // --tf32 is part of the key (TF32 features differ on a GPU), even where it changes nothing (the CPU).
  CliRun tf32 = run(args + " --tf32");
  ASSERT_EQ(tf32.code, 0) << tf32.err;
  EXPECT_EQ(count_of(tf32.out, "\"cache\": \"miss\""), 2u) << tf32.out;
  EXPECT_EQ(json_value(tf32.out, "frechet_inception_distance"),
            json_value(changed.out, "frechet_inception_distance"))
      << "--tf32 must not change the CPU's numbers";

  // A cache directory that cannot be created is a clear error.
  sh("touch '" + tmp("notadir") + "'");
  CliRun bad = run("fid '" + a + "' '" + b + "' --cache '" + tmp("notadir") + "/sub'" + W());
  EXPECT_EQ(bad.code, 3) << bad.err;
  EXPECT_NE(bad.err.find("notadir"), std::string::npos) << bad.err;
}

TEST(CliSurface, SeveralGeneratedSetsTableJsonAndPlot) {
  std::string a = folder("ma", 0, 4), b1 = folder("mb1", 1, 4), b2 = folder("mb2", 2, 4),
              b3 = folder("mb3", 3, 4), svg = tmp("plot.svg");
  sh("rm -f '" + svg + "'");
  const std::string sets = "'" + a + "' '" + b1 + "' '" + b2 + "' '" + b3 + "'";
  const std::string kid = " --kid-subsets 3 --kid-subset-size 3";
  CliRun r = run("metrics " + sets + " --fid --kid" + kid + " --json --plot '" + svg + "'" + W());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"reference\": {\"path\": "), std::string::npos) << r.out;
  ASSERT_EQ(count_of(r.out, "\"frechet_inception_distance\""), 3u) << r.out;
  // Each set's numbers equal a separate two-input run on that set.
  std::vector<double> fids, kids;
  size_t pos = 0;
  for (const std::string& b : {b1, b2, b3}) {
    pos = r.out.find("{\"path\": \"" + b + "\"", pos);
    ASSERT_NE(pos, std::string::npos) << b << "\n" << r.out;
    fids.push_back(json_value(r.out, "frechet_inception_distance", pos));
    kids.push_back(json_value(r.out, "kernel_inception_distance_mean", pos));
    CliRun pair = run("metrics '" + a + "' '" + b + "' --fid --kid" + kid + " --json" + W());
    ASSERT_EQ(pair.code, 0) << pair.err;
    EXPECT_NEAR(fids.back(), json_value(pair.out, "frechet_inception_distance"), 1e-9 * fids.back());
    EXPECT_NEAR(kids.back(), json_value(pair.out, "kernel_inception_distance_mean"), 1e-12);
  }
  EXPECT_NE(fids[0], fids[1]);

  // The SVG: one point per set per metric, carrying the JSON's values.
  const std::string s = slurp(svg);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.rfind("<?xml", 0), 0u);
  EXPECT_NE(s.find("</svg>"), std::string::npos);
  for (const char* metric :
       {"frechet_inception_distance", "kernel_inception_distance_mean", "kernel_inception_distance_std"})
    EXPECT_EQ(count_of(s, std::string("class=\"point\" data-metric=\"") + metric + "\""), 3u) << metric;
  // Each FID point: data-set="<i>" data-value="<v>" right after its data-metric (plain scanning: GCC 12's
  // std::regex trips -Wmaybe-uninitialized in the sanitizer build).
  const std::string tag = "class=\"point\" data-metric=\"frechet_inception_distance\" data-set=\"";
  int seen = 0;
  for (size_t p = s.find(tag); p != std::string::npos; p = s.find(tag, p + 1), ++seen) {
    const size_t set_at = p + tag.size();
    const int i = std::atoi(s.c_str() + set_at);
    ASSERT_TRUE(i >= 0 && i < 3) << s.substr(p, 120);
    const std::string value_key = "data-value=\"";
    const size_t v = s.find(value_key, set_at);
    ASSERT_NE(v, std::string::npos);
    ASSERT_LT(v, s.find('>', set_at)) << "data-value outside the point element";
    EXPECT_DOUBLE_EQ(std::strtod(s.c_str() + v + value_key.size(), nullptr), fids[size_t(i)]);
  }
  EXPECT_EQ(seen, 3);
  for (const std::string& b : {b1, b2, b3}) EXPECT_NE(s.find(b + ": "), std::string::npos) << b;
  // Well-formed XML, checked by a real parser when Python is available.
  const char* py = std::getenv("FIDCPP_PYTHON");
  const std::string python = py && *py ? py : "python3";
  if (std::system((python + " -c 'import xml.etree.ElementTree' 2>/dev/null").c_str()) == 0) {
    sh(python +
       " -c \"import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); "
       "ns = '{http://www.w3.org/2000/svg}'; assert r.tag == ns + 'svg', r.tag; "
       "pts = [c for c in r.iter(ns + 'circle') if c.get('class') == 'point']; "
       "assert len(pts) == 9, len(pts)\" '" +
       svg + "'");
  }

  // An existing plot is kept unless --force.
  CliRun again = run("metrics " + sets + " --fid --plot '" + svg + "'" + W());
  EXPECT_EQ(again.code, 3) << again.err;
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(slurp(svg), s);
  CliRun forced = run("fid " + sets + " --plot '" + svg + "' --force" + W());
  ASSERT_EQ(forced.code, 0) << forced.err;
  EXPECT_EQ(count_of(slurp(svg), "class=\"point\""), 3u);
  // Human output: a table with a header and one row per set.
  EXPECT_NE(forced.out.find("set"), std::string::npos) << forced.out;
  EXPECT_NE(forced.out.find("fid"), std::string::npos) << forced.out;
  for (const std::string& b : {b1, b2, b3}) EXPECT_NE(forced.out.find(b), std::string::npos) << forced.out;
  // --plot belongs to the comparing commands.
  EXPECT_EQ(run("kid '" + a + "' '" + b1 + "' --plot '" + svg + "' --force" + W()).code, 2);
}

TEST(CliSurface, BenchRunsAndNeedsWeights) {
  CliRun r =
      run("bench --images 2 --batch-size 2 --threads 2 --json --metric-dim 64 --kid-subsets 2 --weights '" +
          weights() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"results\""), std::string::npos) << r.out;
  const double ips = json_value(r.out, "images_per_second", r.out.find("network (2 images)"));
  EXPECT_GT(ips, 0) << r.out;
  EXPECT_GE(json_value(r.out, "seconds", r.out.find("FID (64-d statistics)")), 0) << r.out;
  EXPECT_GE(json_value(r.out, "seconds", r.out.find("KID (2 subsets of 1000, 64-d)")), 0) << r.out;
  r = run("bench --images 2 --no-metrics --weights /no/such/weights.safetensors");
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("/no/such/weights.safetensors"), std::string::npos) << r.err;
  r = run("bench --images 0");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--images"), std::string::npos) << r.err;
  EXPECT_EQ(run("bench --help").code, 0);
  EXPECT_NE(run("--help").out.find("bench"), std::string::npos);
}

TEST(CliSurface, BenchOnRealWeights) {
  struct stat st;
  if (::stat(FIDCPP_WEIGHTS_FILE, &st) != 0)
    GTEST_SKIP() << "real weights not found at " << FIDCPP_WEIGHTS_FILE << " (run tools/fetch_weights.sh)";
  CliRun r = run(std::string("bench --images 2 --batch-size 2 --no-metrics --weights '") +
                 FIDCPP_WEIGHTS_FILE + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("images/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("network (2 images)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fidcpp
