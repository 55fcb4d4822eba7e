// fidcpp C++ API: a header-only RAII layer over the C API in fidcpp.h (one core, two spellings).
// Errors are reported by throwing fidcpp::Error (status code + message); nothing else throws.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fidcpp/fidcpp.h"
#include "fidcpp/metric_results.hpp"

namespace fidcpp {

class Error : public std::runtime_error {
 public:
  Error(fidcpp_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  fidcpp_status status() const { return status_; }

 private:
  fidcpp_status status_;
};

struct Options {
  std::string weights_path;  // empty = $FIDCPP_WEIGHTS or the default location
  fidcpp_mode mode = FIDCPP_MODE_TORCH_FIDELITY;
  fidcpp_device device = FIDCPP_DEVICE_CPU;
  int threads = 0;
  int batch_size = 0;
  int feature_dim = 2048;
  bool keep_features = false;
  bool keep_logits = false;
  bool skip_bad_images = false;
  void (*progress)(void* user, uint64_t done, uint64_t expected) = nullptr;
  void* progress_user = nullptr;
  bool recursive = false;   // folders: also their sub-folders
  std::string cache_dir;    // empty = no feature cache (see fidcpp_options::cache_dir)
  bool low_memory = false;  // CPU: one packed copy of each weight, no Winograd (fidcpp_options::low_memory)
  bool tf32 = false;        // CUDA: TF32 tensor cores, an opt-in (fidcpp_options::tf32)
};

// Mergeable sums of one side (fidcpp_evaluator_get_moments).
struct PartialMoments {
  uint64_t count = 0;
  std::vector<double> sum;        // D
  std::vector<double> sum_outer;  // D x D, row-major, symmetric
};

struct IsResult {
  double mean = 0, std = 0;
};

// Owns one fidcpp_evaluator. Movable, not copyable. Not for concurrent use from two threads.
class Evaluator {
 public:
  explicit Evaluator(const Options& o = Options()) {
    fidcpp_options c;
    fidcpp_options_default(&c);
    c.weights_path = o.weights_path.empty() ? nullptr : o.weights_path.c_str();
    c.mode = o.mode;
    c.device = o.device;
    c.threads = o.threads;
    c.batch_size = o.batch_size;
    c.feature_dim = o.feature_dim;
    c.keep_features = o.keep_features ? 1 : 0;
    c.keep_logits = o.keep_logits ? 1 : 0;
    c.skip_bad_images = o.skip_bad_images ? 1 : 0;
    c.progress = o.progress;
    c.progress_user = o.progress_user;
    c.recursive = o.recursive ? 1 : 0;
    c.cache_dir = o.cache_dir.empty() ? nullptr : o.cache_dir.c_str();
    c.low_memory = o.low_memory ? 1 : 0;
    c.tf32 = o.tf32 ? 1 : 0;
    fidcpp_evaluator* e = nullptr;
    fidcpp_status s = fidcpp_evaluator_create(&c, &e);
    if (s != FIDCPP_STATUS_OK) throw Error(s, fidcpp_last_error());
    e_.reset(e);
    dim_ = o.feature_dim;
  }

  void add_image(fidcpp_side side, const uint8_t* pixels, int width, int height, size_t row_stride,
                 fidcpp_pixel_format format = FIDCPP_PIXEL_RGB8) {
    check(fidcpp_evaluator_add_image(e_.get(), side, pixels, width, height, row_stride, format));
  }
  // n images in CUDA device memory (see fidcpp_evaluator_add_images_device); cuda_stream is a cudaStream_t.
  void add_images_device(fidcpp_side side, const void* device_pixels, int n, int width, int height,
                         size_t row_stride, fidcpp_pixel_format format = FIDCPP_PIXEL_RGB8,
                         void* cuda_stream = nullptr) {
    check(fidcpp_evaluator_add_images_device(e_.get(), side, device_pixels, n, width, height, row_stride,
                                             format, cuda_stream));
  }
  void add_image_f32(fidcpp_side side, const float* pixels, int width, int height, size_t row_stride) {
    check(fidcpp_evaluator_add_image_f32(e_.get(), side, pixels, width, height, row_stride));
  }
  void add_path(fidcpp_side side, const std::string& path) {
    check(fidcpp_evaluator_add_path(e_.get(), side, path.c_str()));
  }
  // Shard shard_index (0-based) of shard_count of a path (see fidcpp_evaluator_add_path_shard).
  void add_path_shard(fidcpp_side side, const std::string& path, int shard_index, int shard_count) {
    check(fidcpp_evaluator_add_path_shard(e_.get(), side, path.c_str(), shard_index, shard_count));
  }
  // n x dim features (row-major) from the caller's own extractor (see fidcpp_evaluator_add_features); dim
  // must be feature_dim().
  void add_features(fidcpp_side side, const float* features, int64_t n, int64_t dim) {
    check(fidcpp_evaluator_add_features(e_.get(), side, features, n, dim));
  }
  // The same for a vector of whole feature_dim() rows.
  void add_features(fidcpp_side side, const std::vector<float>& features) {
    if (features.size() % size_t(dim_) != 0)
      throw Error(FIDCPP_STATUS_INVALID_ARGUMENT, "add_features: " + std::to_string(features.size()) +
                                                      " values are not whole rows of " +
                                                      std::to_string(dim_));
    add_features(side, features.data(), int64_t(features.size() / size_t(dim_)), dim_);
  }
  // The mergeable sums of a side (fidcpp_evaluator_get_moments); sum_outer is D x D row-major.
  PartialMoments moments(fidcpp_side side) {
    PartialMoments m;
    m.sum.resize(size_t(dim_));
    m.sum_outer.resize(size_t(dim_) * size_t(dim_));
    check(fidcpp_evaluator_get_moments(e_.get(), side, &m.count, m.sum.data(), m.sum_outer.data()));
    return m;
  }
  // Per-image features (rows x D) / logits (rows x 1008) of a side, in input order.
  std::vector<float> features(fidcpp_side side) { return rows(side, false); }
  std::vector<float> logits(fidcpp_side side) { return rows(side, true); }
  // Merges another shard's partial state (fidcpp_evaluator_merge_partial); features / logits may be null
  // when this evaluator does not keep them.
  void merge_partial(fidcpp_side side, const PartialMoments& m, const float* features = nullptr,
                     const float* logits = nullptr) {
    if (m.sum.size() != size_t(dim_) || m.sum_outer.size() != size_t(dim_) * size_t(dim_))
      throw Error(FIDCPP_STATUS_INVALID_ARGUMENT,
                  "merge_partial: sum / sum_outer do not have D / D x D values");
    check(fidcpp_evaluator_merge_partial(e_.get(), side, m.count, m.sum.data(), m.sum_outer.data(), features,
                                         logits));
  }
  int feature_dim() const { return dim_; }
  void flush() { check(fidcpp_evaluator_flush(e_.get())); }
  uint64_t count(fidcpp_side side) {
    uint64_t n = 0;
    check(fidcpp_evaluator_count(e_.get(), side, &n));
    return n;
  }
  uint64_t skipped(fidcpp_side side) {
    uint64_t n = 0;
    check(fidcpp_evaluator_skipped(e_.get(), side, &n));
    return n;
  }
  // Sources of a side served from the cache (first) and stored in it (second).
  std::pair<uint64_t, uint64_t> cache_info(fidcpp_side side) {
    uint64_t hits = 0, misses = 0;
    check(fidcpp_evaluator_cache_info(e_.get(), side, &hits, &misses));
    return {hits, misses};
  }
  void reset(fidcpp_side side) { check(fidcpp_evaluator_reset(e_.get(), side)); }
  void save_stats(fidcpp_side side, const std::string& path, bool overwrite = false) {
    check(fidcpp_evaluator_save_stats(e_.get(), side, path.c_str(), overwrite ? 1 : 0));
  }
  void load_stats(fidcpp_side side, const std::string& path) {
    check(fidcpp_evaluator_load_stats(e_.get(), side, path.c_str()));
  }

  double fid() {
    double v = 0;
    check(fidcpp_fid_compute(e_.get(), &v));
    return v;
  }
  KidResult kid(int subsets = 100, int subset_size = 1000) {
    KidResult r;
    check(fidcpp_kid_compute(e_.get(), subsets, subset_size, &r.mean, &r.std));
    return r;
  }
  IsResult inception_score(fidcpp_side side = FIDCPP_SIDE_GENERATED, int splits = 10) {
    IsResult r;
    check(fidcpp_is_compute(e_.get(), side, splits, &r.mean, &r.std));
    return r;
  }
  // FID∞ / IS∞ of the generated side (fidcpp_fid_infinity_compute, fidcpp_is_infinity_compute).
  InfinityResult fid_infinity(int num_points = 15, int64_t min_n = 5000, uint32_t seed = 2020) {
    return infinity(&fidcpp_fid_infinity_compute, num_points, min_n, seed);
  }
  InfinityResult is_infinity(int num_points = 15, int64_t min_n = 5000, uint32_t seed = 2020) {
    return infinity(&fidcpp_is_infinity_compute, num_points, min_n, seed);
  }
  // Bootstrap percentile intervals of FID and of the KID mean (fidcpp_fid_bootstrap_compute,
  // fidcpp_kid_bootstrap_compute); the point estimates stay fid() and kid().
  BootstrapResult fid_bootstrap(double level = 0.95, int replicates = 200, uint32_t seed = 2020) {
    fidcpp_bootstrap_options o = bootstrap_options(level, replicates, seed);
    BootstrapResult r = bootstrap_result(o);
    check(fidcpp_fid_bootstrap_compute(e_.get(), &o, &r.low, &r.high, r.values.data()));
    return r;
  }
  BootstrapResult kid_bootstrap(int subsets = 100, int subset_size = 1000, double level = 0.95,
                                int replicates = 200, uint32_t seed = 2020) {
    fidcpp_bootstrap_options o = bootstrap_options(level, replicates, seed);
    BootstrapResult r = bootstrap_result(o);
    check(fidcpp_kid_bootstrap_compute(e_.get(), subsets, subset_size, &o, &r.low, &r.high, r.values.data()));
    return r;
  }
  double mifid(double cosine_eps = 0.1) {
    double v = 0;
    check(fidcpp_mifid_compute(e_.get(), cosine_eps, &v));
    return v;
  }
  PrcResult prc(int neighborhood = 3) {
    PrcResult r;
    check(fidcpp_prc_compute(e_.get(), neighborhood, &r.precision, &r.recall, &r.f_score));
    return r;
  }
  DcResult dc(int nearest_k = 5) {
    DcResult r;
    check(fidcpp_dc_compute(e_.get(), nearest_k, &r.density, &r.coverage));
    return r;
  }

  fidcpp_evaluator* handle() { return e_.get(); }

 private:
  struct Deleter {
    void operator()(fidcpp_evaluator* e) const { fidcpp_evaluator_destroy(e); }
  };
  void check(fidcpp_status s) {
    if (s != FIDCPP_STATUS_OK) throw Error(s, fidcpp_evaluator_last_error(e_.get()));
  }
  template <class F>
  InfinityResult infinity(F compute, int num_points, int64_t min_n, uint32_t seed) {
    fidcpp_infinity_options o;
    fidcpp_infinity_options_default(&o);
    o.num_points = num_points;
    o.min_n = min_n;
    o.seed = seed;
    InfinityResult r;
    r.sizes.resize(num_points > 0 ? size_t(num_points) : 0);
    r.values.resize(r.sizes.size());
    check(compute(e_.get(), &o, &r.value, r.sizes.data(), r.values.data()));
    return r;
  }
  static fidcpp_bootstrap_options bootstrap_options(double level, int replicates, uint32_t seed) {
    fidcpp_bootstrap_options o;
    fidcpp_bootstrap_options_default(&o);
    o.level = level;
    o.replicates = replicates;
    o.seed = seed;
    return o;
  }
  static BootstrapResult bootstrap_result(const fidcpp_bootstrap_options& o) {
    BootstrapResult r;
    r.level = o.level;
    r.replicates = o.replicates;
    r.seed = o.seed;
    // Sized only for a count the library accepts; it refuses the others before writing.
    if (o.replicates >= 2 && o.replicates <= 100000) r.values.resize(size_t(o.replicates));
    return r;
  }
  std::vector<float> rows(fidcpp_side side, bool logits) {
    const auto get = logits ? &fidcpp_evaluator_get_logits : &fidcpp_evaluator_get_features;
    uint64_t n = 0;
    check(get(e_.get(), side, nullptr, 0, &n));
    std::vector<float> v(size_t(n) * (logits ? 1008u : size_t(dim_)));
    check(get(e_.get(), side, v.data(), n, &n));
    return v;
  }
  std::unique_ptr<fidcpp_evaluator, Deleter> e_;
  int dim_ = 2048;
};

}  // namespace fidcpp
