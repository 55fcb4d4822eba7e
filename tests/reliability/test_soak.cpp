// Long runs (docs/reliability.md): thousands of images through the public C API with unreadable files mixed
// in. Counts must add up exactly (processed + skipped = total), the default mode must stop naming the first
// bad file, and resident memory must stay flat between an early and the final checkpoint.
// FIDCPP_SOAK_IMAGES sets the number of images (default 2000; tools/soak.sh runs the full 20000).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/splitmix64.h"
#include "fidcpp/fidcpp.h"
#include "synthetic_weights_file.h"
#include "cli/cli_runner.h"

#if defined(__SANITIZE_ADDRESS__)
#define FIDCPP_SOAK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIDCPP_SOAK_SANITIZED 1
#endif
#endif
#ifndef FIDCPP_SOAK_SANITIZED
#define FIDCPP_SOAK_SANITIZED 0
#endif

namespace fidcpp {
namespace {

constexpr int kChunk = 100;  // images per list file (one add_path call each)

std::string tmp(const std::string& name) {
  // Per process: ctest may run this binary from several build trees at once.
  // Removed when the process ends (cli_runner.h TempFiles), so runs leave nothing in the temporary folder.
  static const cli_test::TempFiles files("soak");
  return files(name);
}

// Resident set size of this process in KiB (VmRSS in /proc/self/status), 0 if unknown.
long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string key;
  while (f >> key) {
    if (key == "VmRSS:") {
      long v = 0;
      f >> v;
      return v;
    }
    f.ignore(1 << 12, '\n');
  }
  return 0;
}

int soak_images() {
  if (const char* e = std::getenv("FIDCPP_SOAK_IMAGES"); e && *e) return std::max(kChunk, std::atoi(e));
  // Sanitizer builds run the same code 3-10x slower; the count checks matter there, not the length.
  return FIDCPP_SOAK_SANITIZED ? 400 : 2000;
}

// Image i is unreadable when i % 97 == 50: a truncated PPM, text, or an empty file, in turn.
bool is_bad(int i) {
  return i % 97 == 50;
}

std::string image_name(const std::string& dir, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/img_%05d.ppm", i);
  return dir + buf;
}

void write_image(const std::string& path, int i) {
  const int w = 24 + i % 17, h = 20 + i % 11;
  std::string bytes = "P6\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n";
  SplitMix64 rng(uint64_t(i) + 1);
  for (int k = 0; k < w * h * 3; ++k) bytes.push_back(char(rng.next() & 0xFF));
  if (is_bad(i)) {
    switch ((i / 97) % 3) {
      case 0:
        bytes.resize(bytes.size() / 2);
        break;
      case 1:
        bytes = "this is not an image\n";
        break;
      default:
        bytes.clear();
        break;
    }
  }
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// n images in `dir`, listed in chunks of kChunk: returns the list files.
std::vector<std::string> make_images(const std::string& dir, int n) {
  EXPECT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()), 0);
  std::vector<std::string> lists;
  for (int c = 0; c * kChunk < n; ++c) {
    const std::string list = dir + "/chunk_" + std::to_string(c) + ".txt";
    std::ofstream l(list);
    for (int i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
      write_image(image_name(dir, i), i);
      l << image_name(dir, i) << "\n";
    }
    lists.push_back(list);
  }
  return lists;
}

const std::string& weights() {
  static std::string w = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(tmp("weights.safetensors"), false, &err);
    EXPECT_FALSE(p.empty()) << err;
    return p;
  }();
  return w;
}

fidcpp_evaluator* make_evaluator(bool skip_bad) {
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.weights_path = weights().c_str();
  o.feature_dim = 64;  // the cheapest tap: the soak is about the pipeline around the network
  o.batch_size = 16;
  o.skip_bad_images = skip_bad ? 1 : 0;
  fidcpp_evaluator* e = nullptr;
  EXPECT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK) << fidcpp_last_error();
  return e;
}

TEST(Soak, SkipBadCountsEveryImageAndMemoryStaysFlat) {
  const int n = soak_images();
  const std::string dir = tmp("images");
  const std::vector<std::string> lists = make_images(dir, n);
  int bad = 0;
  for (int i = 0; i < n; ++i) bad += is_bad(i);
  ASSERT_GT(bad, 0);

  fidcpp_evaluator* e = make_evaluator(true);
  ASSERT_NE(e, nullptr);
  const int early_at = std::max(kChunk, n / 20);  // 1000 of 20000
  long rss_early = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t c = 0; c < lists.size(); ++c) {
    ASSERT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_REAL, lists[c].c_str()), FIDCPP_STATUS_OK)
        << fidcpp_evaluator_last_error(e);
    const int added = std::min(n, int(c + 1) * kChunk);
    ASSERT_EQ(fidcpp_evaluator_flush(e), FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(e);
    uint64_t count = 0, skipped = 0;
    ASSERT_EQ(fidcpp_evaluator_count(e, FIDCPP_SIDE_REAL, &count), FIDCPP_STATUS_OK);
    ASSERT_EQ(fidcpp_evaluator_skipped(e, FIDCPP_SIDE_REAL, &skipped), FIDCPP_STATUS_OK);
    ASSERT_EQ(count + skipped, uint64_t(added)) << "after " << added << " images";
    if (added == early_at) rss_early = rss_kib();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const long rss_final = rss_kib();
  uint64_t count = 0, skipped = 0;
  ASSERT_EQ(fidcpp_evaluator_count(e, FIDCPP_SIDE_REAL, &count), FIDCPP_STATUS_OK);
  ASSERT_EQ(fidcpp_evaluator_skipped(e, FIDCPP_SIDE_REAL, &skipped), FIDCPP_STATUS_OK);
  EXPECT_EQ(count, uint64_t(n - bad));
  EXPECT_EQ(skipped, uint64_t(bad));
  fidcpp_evaluator_destroy(e);

  EXPECT_EQ(std::system(("rm -rf '" + dir + "'").c_str()), 0);
  const double growth = rss_early > 0 ? 100.0 * double(rss_final - rss_early) / double(rss_early) : 0.0;
  std::printf(
      "soak: images=%d bad=%d processed=%llu skipped=%llu rss_at_%d=%ld KiB rss_at_%d=%ld KiB "
      "growth=%.2f%% time=%.1f s (%.2f ms/image)\n",
      n, bad, (unsigned long long)count, (unsigned long long)skipped, early_at, rss_early, n, rss_final,
      growth, seconds, 1e3 * seconds / n);
  ASSERT_GT(rss_early, 0) << "VmRSS not readable from /proc/self/status";
  // ASan's quarantine keeps freed memory resident by design, so only plain builds measure the growth.
  if (!FIDCPP_SOAK_SANITIZED) {
    EXPECT_LE(double(rss_final), 1.10 * double(rss_early))
        << "resident memory grew from " << rss_early << " KiB at image " << early_at << " to " << rss_final
        << " KiB at image " << n;
  }
}

TEST(Soak, DefaultModeStopsNamingTheFirstBadFile) {
  const std::string dir = tmp("stop");
  const std::vector<std::string> lists = make_images(dir, 2 * kChunk);
  fidcpp_evaluator* e = make_evaluator(false);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_REAL, lists[0].c_str()), FIDCPP_STATUS_BAD_INPUT);
  const std::string msg = fidcpp_evaluator_last_error(e);
  EXPECT_NE(msg.find(image_name(dir, 50)), std::string::npos) << msg;  // the first bad image (i % 97 == 50)
  uint64_t count = 0, skipped = 0;
  ASSERT_EQ(fidcpp_evaluator_count(e, FIDCPP_SIDE_REAL, &count), FIDCPP_STATUS_OK);
  ASSERT_EQ(fidcpp_evaluator_skipped(e, FIDCPP_SIDE_REAL, &skipped), FIDCPP_STATUS_OK);
  EXPECT_EQ(skipped, 0u);  // nothing was dropped silently
  EXPECT_LE(count, 50u);   // and nothing after the bad file was taken
  fidcpp_evaluator_destroy(e);
  EXPECT_EQ(std::system(("rm -rf '" + dir + "'").c_str()), 0);
}

}  // namespace
}  // namespace fidcpp
