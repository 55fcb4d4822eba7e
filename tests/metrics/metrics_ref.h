// Shared helpers for the metrics tests: reference-data paths under FIDCPP_REF_DIR/metrics (skip when absent),
// scalar lookup in reference .npz files, relative error and seeded synthetic features.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/file.h"
#include "core/splitmix64.h"
#include "io/npy.h"
#include "metrics/stats_file.h"

namespace fidcpp {
namespace metrics_test {

inline std::string ref_path(const std::string& name) {
  return std::string(FIDCPP_REF_DIR) + "/metrics/" + name;
}

inline double scalar(const std::map<std::string, NpyArray>& z, const std::string& key) {
  auto it = z.find(key);
  if (it == z.end() || it->second.data.empty()) {
    ADD_FAILURE() << "reference key '" << key << "' missing";
    return std::nan("");
  }
  return it->second.data[0];
}

inline double rel_err(double got, double want) {
  return std::fabs(got - want) / std::max(std::fabs(want), 1e-300);
}

// Uniform [0, scale) float32 features from SplitMix64.
inline std::vector<float> random_features(uint64_t seed, int64_t n, int64_t d, float scale = 1.0f) {
  SplitMix64 g(seed);
  std::vector<float> f(static_cast<size_t>(n * d));
  for (float& v : f) v = g.uniform_f32() * scale;
  return f;
}

}  // namespace metrics_test
}  // namespace fidcpp

// Loads <ref>/metrics/<name>.npz into `var`, or skips the test when the reference data was not generated.
#define METRICS_LOAD_REF_NPZ(var, name)                                                                \
  std::map<std::string, ::fidcpp::NpyArray> var;                                                       \
  do {                                                                                                 \
    const std::string p_ = ::fidcpp::metrics_test::ref_path(std::string(name) + ".npz");               \
    if (!::fidcpp::file_exists(p_))                                                                    \
      GTEST_SKIP() << "reference data missing: " << p_ << " (run tools/make_references.sh BUILD_DIR)"; \
    auto r_ = ::fidcpp::read_npz(p_);                                                                  \
    ASSERT_TRUE(r_.ok()) << r_.status().to_string();                                                   \
    var = std::move(r_).value();                                                                       \
  } while (0)

// Loads a reference feature matrix (.npy) into `var` (a FeatureMatrix), or skips.
#define METRICS_LOAD_REF_FEATURES(var, name)                                                           \
  ::fidcpp::FeatureMatrix var;                                                                         \
  do {                                                                                                 \
    const std::string p_ = ::fidcpp::metrics_test::ref_path(std::string(name) + ".npy");               \
    if (!::fidcpp::file_exists(p_))                                                                    \
      GTEST_SKIP() << "reference data missing: " << p_ << " (run tools/make_references.sh BUILD_DIR)"; \
    auto r_ = ::fidcpp::read_features_npy(p_);                                                         \
    ASSERT_TRUE(r_.ok()) << r_.status().to_string();                                                   \
    var = std::move(r_).value();                                                                       \
  } while (0)
