// The C API end to end with synthetic weights: argument errors, the "renderer" example (frames fed as RGBA
// buffers equal `fidcpp fid` on the same frames saved as PNG), statistics round trips, reset, and several
// evaluators running concurrently giving the same results as serial runs.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "fidcpp/fidcpp.h"
#include "fidcpp/fidcpp.hpp"
#include "io/npy.h"
#include "renderer_frames.h"
#include "synthetic_weights_file.h"
#include "cli/cli_runner.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace fidcpp {
namespace {

constexpr int kFramesPerSide = 5;

// Per process: test binaries of other build trees running at the same time must not share folders. Everything
// is removed when the process ends (cli_runner.h TempFiles).
std::string temp_file(const std::string& name) {
  static const cli_test::TempFiles files("api");
  return files(name);
}

std::string temp_dir(const std::string& name) {
  std::string d = temp_file(name);
  std::string cmd = "rm -rf '" + d + "' && mkdir -p '" + d + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return d;
}

// Per process, and removed when it ends: ctest runs each CApi test as its own process, and one rewriting a
// shared file would change its modification time, part of the cache key, under another's feet.
struct SyntheticWeightsFile {
  std::string path;
  ~SyntheticWeightsFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

const std::string& weights_path() {
  static SyntheticWeightsFile file = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(temp_file("synthetic.safetensors"), true, &err);
    EXPECT_FALSE(p.empty()) << err;
    return SyntheticWeightsFile{p};
  }();
  return file.path;
}

fidcpp_evaluator* make_evaluator(bool keep = false, int threads = 0) {
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.weights_path = weights_path().c_str();
  o.threads = threads;
  o.keep_features = keep;
  o.keep_logits = keep;
  fidcpp_evaluator* e = nullptr;
  EXPECT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK) << fidcpp_last_error();
  return e;
}

void add_frames(fidcpp_evaluator* e) {
  for (int side = 0; side < 2; ++side) {
    for (int i = 0; i < kFramesPerSide; ++i) {
      Frame f = render_frame(side, i);
      ASSERT_EQ(
          fidcpp_evaluator_add_image(e, side == 0 ? FIDCPP_SIDE_REAL : FIDCPP_SIDE_GENERATED, f.rgba.data(),
                                     f.width, f.height, f.row_stride, FIDCPP_PIXEL_RGBA8),
          FIDCPP_STATUS_OK)
          << fidcpp_evaluator_last_error(e);
    }
  }
}

double fid_of_frames(int threads) {
  fidcpp_evaluator* e = make_evaluator(false, threads);
  if (!e) return -1;
  add_frames(e);
  double fid = -1;
  EXPECT_EQ(fidcpp_fid_compute(e, &fid), FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(e);
  fidcpp_evaluator_destroy(e);
  return fid;
}

TEST(CApi, ArgumentErrorsNameTheArgument) {
  fidcpp_evaluator* e = nullptr;
  EXPECT_EQ(fidcpp_evaluator_create(nullptr, &e), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_last_error()).find("options"), std::string::npos);
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.feature_dim = 100;
  EXPECT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_last_error()).find("feature_dim"), std::string::npos);
  EXPECT_EQ(e, nullptr);
  fidcpp_options_default(&o);
  o.struct_size = 12;
  EXPECT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_last_error()).find("struct_size"), std::string::npos);
  fidcpp_evaluator_destroy(nullptr);  // no-op

  e = make_evaluator();
  ASSERT_NE(e, nullptr);
  uint8_t px[12] = {0};
  EXPECT_EQ(fidcpp_evaluator_add_image(e, FIDCPP_SIDE_REAL, px, 2, 2, 5, FIDCPP_PIXEL_RGB8),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("row_stride"), std::string::npos);
  EXPECT_EQ(fidcpp_evaluator_add_image(e, static_cast<fidcpp_side>(7), px, 2, 2, 6, FIDCPP_PIXEL_RGB8),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(fidcpp_evaluator_add_image(e, FIDCPP_SIDE_REAL, nullptr, 2, 2, 6, FIDCPP_PIXEL_RGB8),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  double fid = 0;
  EXPECT_EQ(fidcpp_fid_compute(e, &fid), FIDCPP_STATUS_INVALID_ARGUMENT);  // no samples yet
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("at least 2"), std::string::npos);
  double m, s;
  EXPECT_EQ(fidcpp_kid_compute(e, 10, 5, &m, &s), FIDCPP_STATUS_INVALID_ARGUMENT);  // keep_features off
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("keep_features"), std::string::npos);
  const float bad[6] = {0.5f, 0.5f, 0.5f, 0.5f, 1.5f, 0.5f};
  EXPECT_EQ(fidcpp_evaluator_add_image_f32(e, FIDCPP_SIDE_REAL, bad, 2, 1, 6),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  fidcpp_evaluator_destroy(e);
}

// The names come from one table each; every enum value has one, and each name parses back to its value.
TEST(CApi, ModeAndDeviceNamesRoundTrip) {
  const char* modes[] = {"torch-fidelity", "torchmetrics", "pytorch-fid", "clean-fid", "clean-fid-legacy-tf"};
  for (int i = 0; i < 5; ++i) {
    ASSERT_NE(fidcpp_mode_name(fidcpp_mode(i)), nullptr) << i;
    EXPECT_STREQ(fidcpp_mode_name(fidcpp_mode(i)), modes[i]);
    fidcpp_mode m = FIDCPP_MODE_MAX_ENUM;
    ASSERT_EQ(fidcpp_mode_from_name(modes[i], &m), FIDCPP_STATUS_OK);
    EXPECT_EQ(m, fidcpp_mode(i));
  }
  EXPECT_EQ(fidcpp_mode_name(fidcpp_mode(5)), nullptr);
  fidcpp_mode m;
  EXPECT_EQ(fidcpp_mode_from_name("clean_fid", &m), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_last_error()).find("clean-fid-legacy-tf"), std::string::npos);
  EXPECT_EQ(fidcpp_mode_from_name(nullptr, &m), FIDCPP_STATUS_INVALID_ARGUMENT);

  const char* devices[] = {"cpu", "cuda", "auto"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_STREQ(fidcpp_device_name(fidcpp_device(i)), devices[i]);
    fidcpp_device d = FIDCPP_DEVICE_AUTO;
    ASSERT_EQ(fidcpp_device_from_name(devices[i], &d), FIDCPP_STATUS_OK);
    EXPECT_EQ(d, fidcpp_device(i));
  }
  EXPECT_EQ(fidcpp_device_name(fidcpp_device(3)), nullptr);
  fidcpp_device d;
  EXPECT_EQ(fidcpp_device_from_name("gpu", &d), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(fidcpp_device_from_name("cpu", nullptr), FIDCPP_STATUS_INVALID_ARGUMENT);
}

TEST(CApi, MissingWeightsIsAWeightsError) {
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.weights_path = "/nonexistent/inception.safetensors";
  fidcpp_evaluator* e = nullptr;
  ASSERT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK);  // the network is loaded on first use
  uint8_t px[3 * 4 * 4] = {0};
  EXPECT_EQ(fidcpp_evaluator_add_image(e, FIDCPP_SIDE_REAL, px, 4, 4, 12, FIDCPP_PIXEL_RGB8),
            FIDCPP_STATUS_WEIGHTS);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("/nonexistent/inception.safetensors"),
            std::string::npos);
  fidcpp_evaluator_destroy(e);
}

TEST(CApi, CudaDeviceIsAnErrorNotAFallback) {
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.weights_path = weights_path().c_str();
  o.device = FIDCPP_DEVICE_CUDA;
  fidcpp_evaluator* e = nullptr;
  ASSERT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK);
  Frame f = render_frame(0, 0);
  fidcpp_status s = fidcpp_evaluator_add_image(e, FIDCPP_SIDE_REAL, f.rgba.data(), f.width, f.height,
                                               f.row_stride, FIDCPP_PIXEL_RGBA8);
  if (s == FIDCPP_STATUS_OK) {
    fidcpp_evaluator_destroy(e);
    GTEST_SKIP() << "a CUDA device is present; the no-device error path cannot be checked here";
  }
  EXPECT_EQ(s, FIDCPP_STATUS_UNSUPPORTED) << fidcpp_evaluator_last_error(e);
  std::string msg = fidcpp_evaluator_last_error(e);
  EXPECT_TRUE(msg.find("CUDA") != std::string::npos) << msg;
  fidcpp_evaluator_destroy(e);
}

// The renderer example of the README: frames handed over as RGBA8 buffers with padded rows give exactly the
// FID that `fidcpp fid` computes on the same frames saved as PNG files.
TEST(CApi, RendererFramesEqualCliOnPngFiles) {
  const double api_fid = fid_of_frames(0);
  ASSERT_GE(api_fid, 0);
  std::string dirs[2] = {temp_dir("frames_real"), temp_dir("frames_gen")};
  for (int side = 0; side < 2; ++side) {
    for (int i = 0; i < kFramesPerSide; ++i) {
      Frame f = render_frame(side, i);
      char name[64];
      std::snprintf(name, sizeof name, "/frame_%02d.png", i);
      ASSERT_TRUE(stbi_write_png((dirs[side] + name).c_str(), f.width, f.height, 4, f.rgba.data(),
                                 static_cast<int>(f.row_stride)));
    }
  }
  std::string cmd = std::string(FIDCPP_CLI_PATH) + " fid '" + dirs[0] + "' '" + dirs[1] + "' --weights '" +
                    weights_path() + "' --json --quiet 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ASSERT_EQ(pclose(p), 0) << out;
  const std::string key = "\"frechet_inception_distance\": ";
  size_t at = out.find(key);
  ASSERT_NE(at, std::string::npos) << out;
  const double cli_fid = std::strtod(out.c_str() + at + key.size(), nullptr);
  EXPECT_EQ(cli_fid, api_fid) << out;  // bitwise: same pixels, same pipeline
  EXPECT_GT(api_fid, 0);
}

TEST(CApi, StatsRoundTripAndResetKeepsRealSide) {
  fidcpp_evaluator* e = make_evaluator();
  ASSERT_NE(e, nullptr);
  add_frames(e);
  double fid = 0;
  ASSERT_EQ(fidcpp_fid_compute(e, &fid), FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(e);
  const std::string dir = temp_dir("stats");
  const std::string real_npz = dir + "/real.npz";
  ASSERT_EQ(fidcpp_evaluator_save_stats(e, FIDCPP_SIDE_REAL, real_npz.c_str(), 0), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  // Never overwrite without being asked to.
  EXPECT_EQ(fidcpp_evaluator_save_stats(e, FIDCPP_SIDE_REAL, real_npz.c_str(), 0),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(fidcpp_evaluator_save_stats(e, FIDCPP_SIDE_REAL, real_npz.c_str(), 1), FIDCPP_STATUS_OK);

  // reset(GENERATED) keeps the real side (torchmetrics reset_real_features=False).
  ASSERT_EQ(fidcpp_evaluator_reset(e, FIDCPP_SIDE_GENERATED), FIDCPP_STATUS_OK);
  uint64_t n_real = 0, n_gen = 1;
  ASSERT_EQ(fidcpp_evaluator_count(e, FIDCPP_SIDE_REAL, &n_real), FIDCPP_STATUS_OK);
  ASSERT_EQ(fidcpp_evaluator_count(e, FIDCPP_SIDE_GENERATED, &n_gen), FIDCPP_STATUS_OK);
  EXPECT_EQ(n_real, uint64_t(kFramesPerSide));
  EXPECT_EQ(n_gen, 0u);
  for (int i = 0; i < kFramesPerSide; ++i) {
    Frame f = render_frame(1, i);
    ASSERT_EQ(fidcpp_evaluator_add_image(e, FIDCPP_SIDE_GENERATED, f.rgba.data(), f.width, f.height,
                                         f.row_stride, FIDCPP_PIXEL_RGBA8),
              FIDCPP_STATUS_OK);
  }
  double fid2 = 0;
  ASSERT_EQ(fidcpp_fid_compute(e, &fid2), FIDCPP_STATUS_OK);
  EXPECT_EQ(fid2, fid);
  fidcpp_evaluator_destroy(e);

  // A fresh evaluator starting from the saved real statistics gives the same FID.
  e = make_evaluator();
  ASSERT_EQ(fidcpp_evaluator_load_stats(e, FIDCPP_SIDE_REAL, real_npz.c_str()), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  for (int i = 0; i < kFramesPerSide; ++i) {
    Frame f = render_frame(1, i);
    ASSERT_EQ(fidcpp_evaluator_add_image(e, FIDCPP_SIDE_GENERATED, f.rgba.data(), f.width, f.height,
                                         f.row_stride, FIDCPP_PIXEL_RGBA8),
              FIDCPP_STATUS_OK);
  }
  double fid3 = 0;
  ASSERT_EQ(fidcpp_fid_compute(e, &fid3), FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(e);
  EXPECT_NEAR(fid3, fid, 1e-9 * std::abs(fid));
  fidcpp_evaluator_destroy(e);
}

TEST(CApi, MetricsNeedingFeaturesRun) {
  fidcpp_evaluator* e = make_evaluator(true);
  ASSERT_NE(e, nullptr);
  add_frames(e);
  double m = 0, s = 0, p = 0, r = 0, f = 0, mi = 0;
  EXPECT_EQ(fidcpp_kid_compute(e, 3, kFramesPerSide, &m, &s), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  EXPECT_EQ(fidcpp_kid_compute(e, 3, kFramesPerSide + 1, &m, &s), FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(fidcpp_prc_compute(e, 2, &p, &r, &f), FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(e);
  EXPECT_GE(p, 0);
  EXPECT_LE(p, 1);
  EXPECT_EQ(fidcpp_mifid_compute(e, 0.1, &mi), FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(e);
  EXPECT_EQ(fidcpp_is_compute(e, FIDCPP_SIDE_GENERATED, 2, &m, &s), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  EXPECT_GE(m, 1.0);  // IS is at least 1 for any distribution
  fidcpp_evaluator_destroy(e);
}

// Independent evaluators on different threads give bitwise the same results as serial runs.
TEST(CApi, ConcurrentEvaluatorsEqualSerial) {
  const double serial = fid_of_frames(1);
  double results[2] = {-1, -1};
  std::thread t0([&] { results[0] = fid_of_frames(1); });
  std::thread t1([&] { results[1] = fid_of_frames(1); });
  t0.join();
  t1.join();
  EXPECT_EQ(results[0], serial);
  EXPECT_EQ(results[1], serial);
  // Thread count of the backend does not change the bits either.
  EXPECT_EQ(fid_of_frames(2), serial);
}

constexpr int kCacheFrames = 3;  // per side; small, as the test also runs under TSan (tools/ci_tsan.sh)

// FID of two PNG folders (images in a sub-folder too, taken with recursive) through an evaluator using
// cache_dir ("" = none); *hits gets the number of sides served from the cache.
double fid_of_folders(const std::string& a, const std::string& b, const std::string& cache, uint64_t* hits) {
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.weights_path = weights_path().c_str();
  o.threads = 1;
  o.recursive = 1;
  o.cache_dir = cache.empty() ? nullptr : cache.c_str();
  fidcpp_evaluator* e = nullptr;
  EXPECT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK) << fidcpp_last_error();
  if (!e) return -1;
  double fid = -1;
  EXPECT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_REAL, a.c_str()), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  EXPECT_EQ(fidcpp_evaluator_add_path(e, FIDCPP_SIDE_GENERATED, b.c_str()), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(e);
  EXPECT_EQ(fidcpp_fid_compute(e, &fid), FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(e);
  uint64_t h[2] = {0, 0}, m[2] = {0, 0};
  EXPECT_EQ(fidcpp_evaluator_cache_info(e, FIDCPP_SIDE_REAL, &h[0], &m[0]), FIDCPP_STATUS_OK);
  EXPECT_EQ(fidcpp_evaluator_cache_info(e, FIDCPP_SIDE_GENERATED, &h[1], &m[1]), FIDCPP_STATUS_OK);
  EXPECT_EQ(h[0] + m[0], cache.empty() ? 0u : 1u);
  EXPECT_EQ(h[1] + m[1], cache.empty() ? 0u : 1u);
  if (hits) *hits = h[0] + h[1];
  uint64_t n = 0;
  EXPECT_EQ(fidcpp_evaluator_count(e, FIDCPP_SIDE_REAL, &n), FIDCPP_STATUS_OK);
  EXPECT_EQ(n, uint64_t(kCacheFrames));  // the sub-folder's image is counted
  fidcpp_evaluator_destroy(e);
  return fid;
}

// Two evaluators filling the same cache directory at once (atomic entry writes), then a run served from it:
// all give the uncached result.
TEST(CApi, ConcurrentEvaluatorsShareACache) {
  const std::string a = temp_dir("cache_a"), b = temp_dir("cache_b"), cache = temp_dir("cache_dir");
  for (int side = 0; side < 2; ++side) {
    const std::string d = side == 0 ? a : b;
    ASSERT_EQ(std::system(("mkdir -p '" + d + "/sub'").c_str()), 0);
    for (int i = 0; i < kCacheFrames; ++i) {
      Frame f = render_frame(side, i);
      const std::string p = d + (i < 1 ? "/sub" : "") + "/f" + std::to_string(i) + ".png";
      ASSERT_TRUE(stbi_write_png(p.c_str(), f.width, f.height, 4, f.rgba.data(), int(f.row_stride)));
    }
  }
  const double plain = fid_of_folders(a, b, "", nullptr);
  double results[2] = {-1, -1};
  std::thread t0([&] { results[0] = fid_of_folders(a, b, cache, nullptr); });
  std::thread t1([&] { results[1] = fid_of_folders(a, b, cache, nullptr); });
  t0.join();
  t1.join();
  EXPECT_EQ(results[0], plain);
  EXPECT_EQ(results[1], plain);
  uint64_t hits = 0;
  EXPECT_EQ(fid_of_folders(a, b, cache, &hits), plain);
  EXPECT_EQ(hits, 2u);
}

// Seeded rows x dim features, distinct per seed.
std::vector<float> seeded_rows(int64_t rows, int64_t dim, uint32_t seed) {
  std::vector<float> v(size_t(rows * dim));
  uint32_t x = seed * 2654435761u + 1;
  for (float& f : v) {
    x = x * 1664525u + 1013904223u;
    f = float(x >> 8) / float(1 << 24) * 2.0f - 1.0f;
  }
  return v;
}

fidcpp_evaluator* make_dim_evaluator(int dim, bool keep) {
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.weights_path = weights_path().c_str();
  o.feature_dim = dim;
  o.keep_features = keep;
  fidcpp_evaluator* e = nullptr;
  EXPECT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK) << fidcpp_last_error();
  return e;
}

// Rows added with fidcpp_evaluator_add_features give bitwise the FID of the same rows read from .npy files,
// are kept as given, and keep their place after images still buffered.
TEST(CApi, AddFeaturesEqualsNpyInput) {
  constexpr int64_t kDim = 64, kRows = 23;
  const std::vector<float> real = seeded_rows(kRows, kDim, 1), gen = seeded_rows(kRows - 3, kDim, 2);
  const std::string d = temp_dir("add_features");
  const std::string real_npy = d + "/real.npy", gen_npy = d + "/gen.npy";
  for (const auto& [path, rows] : {std::make_pair(real_npy, &real), std::make_pair(gen_npy, &gen)}) {
    const std::vector<double> wide(rows->begin(), rows->end());
    NpyWriteArray a;
    a.shape = {int64_t(rows->size()) / kDim, kDim};
    a.dtype = NpyDtype::kF4;
    a.data = wide.data();
    ASSERT_TRUE(write_npy(path, a, Overwrite::kAllow).ok());
  }
  fidcpp_evaluator* direct = make_dim_evaluator(int(kDim), true);
  fidcpp_evaluator* files = make_dim_evaluator(int(kDim), false);
  ASSERT_NE(direct, nullptr);
  ASSERT_NE(files, nullptr);
  ASSERT_EQ(fidcpp_evaluator_add_features(direct, FIDCPP_SIDE_REAL, real.data(), kRows, kDim),
            FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(direct);
  ASSERT_EQ(fidcpp_evaluator_add_features(direct, FIDCPP_SIDE_GENERATED, gen.data(), kRows - 3, kDim),
            FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(direct);
  ASSERT_EQ(fidcpp_evaluator_add_path(files, FIDCPP_SIDE_REAL, real_npy.c_str()), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(files);
  ASSERT_EQ(fidcpp_evaluator_add_path(files, FIDCPP_SIDE_GENERATED, gen_npy.c_str()), FIDCPP_STATUS_OK)
      << fidcpp_evaluator_last_error(files);
  double fid_direct = -1, fid_files = -2;
  ASSERT_EQ(fidcpp_fid_compute(direct, &fid_direct), FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(direct);
  ASSERT_EQ(fidcpp_fid_compute(files, &fid_files), FIDCPP_STATUS_OK) << fidcpp_evaluator_last_error(files);
  EXPECT_GT(fid_direct, 0);
  EXPECT_EQ(std::memcmp(&fid_direct, &fid_files, sizeof(double)), 0) << fid_direct << " vs " << fid_files;
  uint64_t n = 0;
  ASSERT_EQ(fidcpp_evaluator_get_features(direct, FIDCPP_SIDE_REAL, nullptr, 0, &n), FIDCPP_STATUS_OK);
  ASSERT_EQ(n, uint64_t(kRows));
  std::vector<float> kept(size_t(n * kDim));
  ASSERT_EQ(fidcpp_evaluator_get_features(direct, FIDCPP_SIDE_REAL, kept.data(), n, &n), FIDCPP_STATUS_OK);
  EXPECT_EQ(kept, real);
  fidcpp_evaluator_destroy(direct);
  fidcpp_evaluator_destroy(files);

  // An image buffered before the rows comes first; the C++ wrapper adds the same way.
  Options o;
  o.weights_path = weights_path();
  o.feature_dim = int(kDim);
  o.keep_features = true;
  Evaluator ev(o);
  const Frame f = render_frame(0, 0);
  ev.add_image(FIDCPP_SIDE_REAL, f.rgba.data(), f.width, f.height, f.row_stride, FIDCPP_PIXEL_RGBA8);
  ev.add_features(FIDCPP_SIDE_REAL, real.data(), 2, kDim);
  ev.add_features(FIDCPP_SIDE_REAL, std::vector<float>(real.begin() + 2 * kDim, real.begin() + 3 * kDim));
  EXPECT_EQ(ev.count(FIDCPP_SIDE_REAL), 4u);
  const std::vector<float> got = ev.features(FIDCPP_SIDE_REAL);
  ASSERT_EQ(got.size(), size_t(4 * kDim));
  EXPECT_EQ(std::vector<float>(got.begin() + kDim, got.end()),
            std::vector<float>(real.begin(), real.begin() + 3 * kDim));
  try {
    ev.add_features(FIDCPP_SIDE_REAL, real.data(), 1, 2048);
    ADD_FAILURE() << "wrong dim must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), FIDCPP_STATUS_INVALID_ARGUMENT);
  }
}

// Bad calls fail with the argument named and leave the side unchanged; n = 0 is a no-op.
TEST(CApi, AddFeaturesRejectsBadRows) {
  constexpr int64_t kDim = 64;
  fidcpp_evaluator* e = make_dim_evaluator(int(kDim), true);
  ASSERT_NE(e, nullptr);
  std::vector<float> rows = seeded_rows(3, kDim, 3);
  EXPECT_EQ(fidcpp_evaluator_add_features(e, FIDCPP_SIDE_REAL, rows.data(), 1, 192),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  std::string msg = fidcpp_evaluator_last_error(e);
  EXPECT_NE(msg.find("dimension 192"), std::string::npos) << msg;
  EXPECT_NE(msg.find("64-d"), std::string::npos) << msg;

  rows[size_t(1 * kDim + 5)] = std::nanf("");
  EXPECT_NE(fidcpp_evaluator_add_features(e, FIDCPP_SIDE_REAL, rows.data(), 3, kDim), FIDCPP_STATUS_OK);
  msg = fidcpp_evaluator_last_error(e);
  EXPECT_NE(msg.find("row 1 column 5 is NaN"), std::string::npos) << msg;
  rows[size_t(1 * kDim + 5)] = INFINITY;
  EXPECT_NE(fidcpp_evaluator_add_features(e, FIDCPP_SIDE_REAL, rows.data(), 3, kDim), FIDCPP_STATUS_OK);
  msg = fidcpp_evaluator_last_error(e);
  EXPECT_NE(msg.find("row 1 column 5 is infinite"), std::string::npos) << msg;

  EXPECT_EQ(fidcpp_evaluator_add_features(e, FIDCPP_SIDE_REAL, nullptr, 2, kDim),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("features is null"), std::string::npos);
  EXPECT_EQ(fidcpp_evaluator_add_features(e, FIDCPP_SIDE_REAL, rows.data(), -1, kDim),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(fidcpp_evaluator_add_features(e, static_cast<fidcpp_side>(7), rows.data(), 1, kDim),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("side"), std::string::npos);
  EXPECT_EQ(fidcpp_evaluator_add_features(nullptr, FIDCPP_SIDE_REAL, rows.data(), 1, kDim),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(fidcpp_last_error()).find("evaluator is null"), std::string::npos);
  EXPECT_EQ(fidcpp_evaluator_add_features(e, FIDCPP_SIDE_REAL, nullptr, 0, kDim), FIDCPP_STATUS_OK);
  EXPECT_EQ(fidcpp_evaluator_add_features(e, FIDCPP_SIDE_REAL, rows.data(), 0, kDim), FIDCPP_STATUS_OK);
  uint64_t n = 99;
  ASSERT_EQ(fidcpp_evaluator_count(e, FIDCPP_SIDE_REAL, &n), FIDCPP_STATUS_OK);
  EXPECT_EQ(n, 0u) << "failed calls add nothing";
  fidcpp_evaluator_destroy(e);
}

}  // namespace
}  // namespace fidcpp
