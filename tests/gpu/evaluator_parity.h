// CUDA against the CPU through the whole evaluator (host images, batching with a partial last batch,
// asynchronous uploads, graph replay, statistics, FID): shared by the gpu-labelled test on a real device
// (tests/gpu/test_gpu_kernels.cpp, 300 + 150 images at batch 128) and its emulated twin (tests/emu/
// test_network.cpp, a few images), so the logic a GPU run relies on is exercised in every CI run.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "evaluator.h"

namespace fidcpp {
namespace testing {

struct EvaluatorRun {
  std::vector<float> real, generated;
  double fid = NAN;
};

// Image i: a w x h RGB pattern that differs per image and per side (sizes vary, so every image is resized).
inline std::vector<uint8_t> parity_image(int i, bool generated, int* w, int* h) {
  *w = 40 + i % 13;
  *h = 31 + i % 7;
  std::vector<uint8_t> px(size_t(*w) * *h * 3);
  const unsigned salt = generated ? 977u : 131u;
  for (size_t j = 0; j < px.size(); ++j)
    px[j] = static_cast<uint8_t>((j * (3 + unsigned(i) % 11) + unsigned(i) * salt + (j / 97) * 29) % 256);
  return px;
}

// make_backend empty: the CPU backend.
inline EvaluatorRun run_evaluator(const std::function<Result<std::unique_ptr<Backend>>()>& make_backend,
                                  const std::string& weights, InceptionTap tap, int n_real, int n_generated,
                                  int batch) {
  EvaluatorRun r;
  EvaluatorConfig config;
  config.weights_path = weights;
  config.tap = tap;
  config.batch_size = batch;
  config.keep_features = true;
  config.make_backend = make_backend;
  auto ev = EvaluatorCore::create(config);
  EXPECT_TRUE(ev.ok()) << ev.status().to_string();
  if (!ev.ok()) return r;
  for (int side = 0; side < 2; ++side) {
    const int n = side ? n_generated : n_real;
    for (int i = 0; i < n; ++i) {
      int w = 0, h = 0;
      const auto px = parity_image(i, side == 1, &w, &h);
      RgbImageView v;
      v.data = px.data(), v.width = w, v.height = h, v.row_stride = size_t(w) * 3, v.pixel_stride = 3;
      const Status st = (*ev)->add_image(side ? Side::kGenerated : Side::kReal, v);
      EXPECT_TRUE(st.ok()) << st.to_string();
      if (!st.ok()) return r;
    }
  }
  const Status st = (*ev)->flush();
  EXPECT_TRUE(st.ok()) << st.to_string();
  r.real = (*ev)->features(Side::kReal);
  r.generated = (*ev)->features(Side::kGenerated);
  auto fid = (*ev)->fid();
  EXPECT_TRUE(fid.ok()) << fid.status().to_string();
  if (fid.ok()) r.fid = *fid;
  return r;
}

// max |a - b| / max |b|
inline double max_relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double scale = 0, diff = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) return INFINITY;
    scale = std::max(scale, std::fabs(double(b[i])));
    diff = std::max(diff, std::fabs(double(a[i]) - double(b[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

// Features of `tap` (dim values an image) within feature_tol (relative to the largest), FID within fid_tol
// relative, and two device runs bitwise equal.
inline void expect_evaluator_parity(const std::function<Result<std::unique_ptr<Backend>>()>& make_backend,
                                    const std::string& weights, InceptionTap tap, int dim, int n_real,
                                    int n_generated, int batch, double feature_tol, double fid_tol) {
  const EvaluatorRun cpu = run_evaluator({}, weights, tap, n_real, n_generated, batch);
  const EvaluatorRun dev = run_evaluator(make_backend, weights, tap, n_real, n_generated, batch);
  const EvaluatorRun again = run_evaluator(make_backend, weights, tap, n_real, n_generated, batch);
  ASSERT_EQ(cpu.real.size(), size_t(n_real) * dim);
  ASSERT_EQ(cpu.generated.size(), size_t(n_generated) * dim);
  const double d_real = max_relative_difference(dev.real, cpu.real);
  const double d_gen = max_relative_difference(dev.generated, cpu.generated);
  const double d_fid = std::fabs(dev.fid - cpu.fid) / std::fabs(cpu.fid);
  std::printf(
      "device vs CPU: features %.3g (real) %.3g (generated) of the largest; FID %.17g vs %.17g (%.3g)\n",
      d_real, d_gen, dev.fid, cpu.fid, d_fid);
  EXPECT_LE(d_real, feature_tol);
  EXPECT_LE(d_gen, feature_tol);
  EXPECT_LE(d_fid, fid_tol);
  EXPECT_GT(d_real + d_gen, 0.0) << "bitwise the CPU features: the device path may not have run";
  EXPECT_TRUE(dev.real == again.real && dev.generated == again.generated) << "two device runs differ";
  EXPECT_EQ(std::memcmp(&dev.fid, &again.fid, sizeof(double)), 0) << "two device runs give different FIDs";
}

}  // namespace testing
}  // namespace fidcpp
