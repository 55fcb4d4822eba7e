// fidcpp C++ API: a header-only RAII layer over the C API in fidcpp.h (one core, two spellings).
// Errors are reported by throwing fidcpp::Error (status code + message); nothing else throws.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "fidcpp/fidcpp.h"

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
};

struct KidResult {
  double mean = 0, std = 0;
};
struct IsResult {
  double mean = 0, std = 0;
};
struct PrcResult {
  double precision = 0, recall = 0, f_score = 0;
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
    fidcpp_evaluator* e = nullptr;
    fidcpp_status s = fidcpp_evaluator_create(&c, &e);
    if (s != FIDCPP_STATUS_OK) throw Error(s, fidcpp_last_error());
    e_.reset(e);
  }

  void add_image(fidcpp_side side, const uint8_t* pixels, int width, int height, size_t row_stride,
                 fidcpp_pixel_format format = FIDCPP_PIXEL_RGB8) {
    check(fidcpp_evaluator_add_image(e_.get(), side, pixels, width, height, row_stride, format));
  }
  void add_image_f32(fidcpp_side side, const float* pixels, int width, int height, size_t row_stride) {
    check(fidcpp_evaluator_add_image_f32(e_.get(), side, pixels, width, height, row_stride));
  }
  void add_path(fidcpp_side side, const std::string& path) {
    check(fidcpp_evaluator_add_path(e_.get(), side, path.c_str()));
  }
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

  fidcpp_evaluator* handle() { return e_.get(); }

 private:
  struct Deleter {
    void operator()(fidcpp_evaluator* e) const { fidcpp_evaluator_destroy(e); }
  };
  void check(fidcpp_status s) {
    if (s != FIDCPP_STATUS_OK) throw Error(s, fidcpp_evaluator_last_error(e_.get()));
  }
  std::unique_ptr<fidcpp_evaluator, Deleter> e_;
};

}  // namespace fidcpp
