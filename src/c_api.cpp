// The C API (include/fidcpp/fidcpp.h): argument checks, Status -> fidcpp_status, no exception crosses it.
#include "fidcpp/fidcpp.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "evaluator.h"

struct fidcpp_evaluator {
  std::unique_ptr<fidcpp::EvaluatorCore> core;
  std::string last_error;
};

namespace {

thread_local std::string t_last_error;

// The C enums number the internal ones, whose tables (preprocess/preprocess.cpp, device_kind.cpp) hold the
// names.
static_assert(int(fidcpp::PreprocessMode::kTorchFidelity) == FIDCPP_MODE_TORCH_FIDELITY &&
                  int(fidcpp::PreprocessMode::kTorchmetrics) == FIDCPP_MODE_TORCHMETRICS &&
                  int(fidcpp::PreprocessMode::kPytorchFid) == FIDCPP_MODE_PYTORCH_FID &&
                  int(fidcpp::PreprocessMode::kCleanFid) == FIDCPP_MODE_CLEAN_FID &&
                  int(fidcpp::PreprocessMode::kCleanFidLegacyTf) == FIDCPP_MODE_CLEAN_FID_LEGACY_TF,
              "fidcpp_mode and PreprocessMode must number the modes alike");
static_assert(int(fidcpp::DeviceKind::kCpu) == FIDCPP_DEVICE_CPU &&
                  int(fidcpp::DeviceKind::kCuda) == FIDCPP_DEVICE_CUDA &&
                  int(fidcpp::DeviceKind::kAuto) == FIDCPP_DEVICE_AUTO,
              "fidcpp_device and DeviceKind must number the devices alike");

// The taps options.feature_dim may choose (their dimensions come from the model's table).
constexpr fidcpp::InceptionTap kFeatureTaps[] = {fidcpp::InceptionTap::k64, fidcpp::InceptionTap::k192,
                                                 fidcpp::InceptionTap::k768, fidcpp::InceptionTap::k2048};

fidcpp_status to_c(fidcpp::StatusCode code) {
  return static_cast<fidcpp_status>(static_cast<int>(code));
}

fidcpp_status fail(fidcpp_evaluator* e, fidcpp_status code, const std::string& message) {
  if (e) e->last_error = message;
  t_last_error = message;
  return code;
}

fidcpp_status report(fidcpp_evaluator* e, const fidcpp::Status& s) {
  if (s.ok()) return FIDCPP_STATUS_OK;
  return fail(e, to_c(s.code()), s.message());
}

// Runs fn, turning a thrown exception (allocation failure, a bug) into a status.
template <class F>
fidcpp_status guarded(fidcpp_evaluator* e, F&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return fail(e, FIDCPP_STATUS_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& ex) {
    return fail(e, FIDCPP_STATUS_INTERNAL, std::string("internal error: ") + ex.what());
  } catch (...) {
    return fail(e, FIDCPP_STATUS_INTERNAL, "internal error: unknown exception");
  }
}

fidcpp_status check_side(fidcpp_evaluator* e, fidcpp_side side, fidcpp::Side* out) {
  if (side != FIDCPP_SIDE_REAL && side != FIDCPP_SIDE_GENERATED)
    return fail(e, FIDCPP_STATUS_INVALID_ARGUMENT,
                "side must be FIDCPP_SIDE_REAL or FIDCPP_SIDE_GENERATED, got " + std::to_string(int(side)));
  *out = side == FIDCPP_SIDE_REAL ? fidcpp::Side::kReal : fidcpp::Side::kGenerated;
  return FIDCPP_STATUS_OK;
}

// The preamble of every call on an evaluator: a null evaluator is an error, and nothing thrown escapes.
template <class F>
fidcpp_status on_evaluator(fidcpp_evaluator* e, F&& fn) {
  if (!e) return fail(nullptr, FIDCPP_STATUS_INVALID_ARGUMENT, "evaluator is null");
  return guarded(e, std::forward<F>(fn));
}

// The same for a call on one side: the side is checked and passed to fn as fidcpp::Side.
template <class F>
fidcpp_status on_side(fidcpp_evaluator* e, fidcpp_side side, F&& fn) {
  return on_evaluator(e, [&]() -> fidcpp_status {
    fidcpp::Side s;
    if (fidcpp_status st = check_side(e, side, &s)) return st;
    return fn(s);
  });
}

// Images still buffered are processed before anything is read or computed.
fidcpp_status flushed(fidcpp_evaluator* e) {
  return report(e, e->core->flush());
}

#define FIDCPP_C_REQUIRE(e, cond, msg) \
  if (!(cond)) return fail(e, FIDCPP_STATUS_INVALID_ARGUMENT, msg)

// The interleaved 8-bit layout of fidcpp_evaluator_add_image / _add_images_device; *pixel_stride = 3 or 4.
fidcpp_status check_pixel_layout(fidcpp_evaluator* e, fidcpp_pixel_format format, int width, int height,
                                 size_t row_stride, int* pixel_stride) {
  FIDCPP_C_REQUIRE(
      e, format == FIDCPP_PIXEL_RGB8 || format == FIDCPP_PIXEL_RGBA8,
      "format must be FIDCPP_PIXEL_RGB8 or FIDCPP_PIXEL_RGBA8, got " + std::to_string(int(format)));
  FIDCPP_C_REQUIRE(
      e, width > 0 && height > 0,
      "image size must be positive, got " + std::to_string(width) + "x" + std::to_string(height));
  const int ps = format == FIDCPP_PIXEL_RGB8 ? 3 : 4;
  FIDCPP_C_REQUIRE(e, row_stride >= size_t(width) * ps,
                   "row_stride " + std::to_string(row_stride) + " is less than width * " +
                       std::to_string(ps) + " = " + std::to_string(size_t(width) * ps));
  *pixel_stride = ps;
  return FIDCPP_STATUS_OK;
}

// fidcpp_evaluator_get_features / _get_logits.
fidcpp_status get_rows(fidcpp_evaluator* e, fidcpp_side side, float* out, uint64_t capacity_rows,
                       uint64_t* rows, bool logits) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, rows, "rows is null");
    if (fidcpp_status st = flushed(e)) return st;
    const std::vector<float>& v = logits ? e->core->logits(s) : e->core->features(s);
    const size_t width = logits ? size_t(fidcpp::kFcOut) : size_t(e->core->feature_dim());
    const uint64_t n = uint64_t(v.size() / width);
    *rows = n;
    if (!out) return FIDCPP_STATUS_OK;
    FIDCPP_C_REQUIRE(e, capacity_rows >= n,
                     "capacity_rows is " + std::to_string(capacity_rows) + ", but the side has " +
                         std::to_string(n) + (logits ? " rows of logits" : " rows of features"));
    std::copy(v.begin(), v.end(), out);
    return FIDCPP_STATUS_OK;
  });
}

}  // namespace

extern "C" {

void fidcpp_options_default(fidcpp_options* o) {
  if (!o) return;
  *o = fidcpp_options{};
  o->struct_size = sizeof(fidcpp_options);
  o->weights_path = nullptr;
  const fidcpp::EvaluatorConfig defaults;  // the one place of the defaults
  o->mode = static_cast<fidcpp_mode>(static_cast<int>(defaults.mode));
  o->device = static_cast<fidcpp_device>(static_cast<int>(defaults.device));
  o->threads = 0;
  o->batch_size = 0;
  o->feature_dim = fidcpp::inception_tap_dim(defaults.tap);
  o->keep_features = 0;
  o->keep_logits = 0;
  o->skip_bad_images = 0;
  o->progress = nullptr;
  o->progress_user = nullptr;
  o->recursive = 0;
  o->cache_dir = nullptr;
  o->low_memory = 0;
  o->tf32 = 0;
}

const char* fidcpp_status_name(fidcpp_status s) {
  return fidcpp::status_code_name(static_cast<fidcpp::StatusCode>(static_cast<int>(s)));
}

const char* fidcpp_mode_name(fidcpp_mode mode) {
  return fidcpp::preprocess_mode_name(static_cast<fidcpp::PreprocessMode>(static_cast<int>(mode)));
}

fidcpp_status fidcpp_mode_from_name(const char* name, fidcpp_mode* out) {
  return guarded(nullptr, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(nullptr, name && out, "name and out must not be null");
    auto m = fidcpp::parse_preprocess_mode(name);
    if (!m.ok()) return report(nullptr, m.status());
    *out = static_cast<fidcpp_mode>(static_cast<int>(*m));
    return FIDCPP_STATUS_OK;
  });
}

const char* fidcpp_device_name(fidcpp_device device) {
  return fidcpp::device_kind_name(static_cast<fidcpp::DeviceKind>(static_cast<int>(device)));
}

fidcpp_status fidcpp_device_from_name(const char* name, fidcpp_device* out) {
  return guarded(nullptr, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(nullptr, name && out, "name and out must not be null");
    auto d = fidcpp::parse_device_kind(name);
    if (!d.ok()) return report(nullptr, d.status());
    *out = static_cast<fidcpp_device>(static_cast<int>(*d));
    return FIDCPP_STATUS_OK;
  });
}

const char* fidcpp_last_error(void) {
  return t_last_error.c_str();
}

const char* fidcpp_evaluator_last_error(const fidcpp_evaluator* e) {
  return e ? e->last_error.c_str() : "";
}

fidcpp_status fidcpp_evaluator_create(const fidcpp_options* o, fidcpp_evaluator** out) {
  return guarded(nullptr, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(nullptr, out, "out is null");
    *out = nullptr;
    FIDCPP_C_REQUIRE(nullptr, o, "options is null (use fidcpp_options_default)");
    FIDCPP_C_REQUIRE(nullptr, o->struct_size == sizeof(fidcpp_options),
                     "options.struct_size is " + std::to_string(o->struct_size) + ", expected " +
                         std::to_string(sizeof(fidcpp_options)) +
                         " (initialise with fidcpp_options_default)");
    fidcpp::EvaluatorConfig c;
    if (o->weights_path) c.weights_path = o->weights_path;
    auto mode = fidcpp::preprocess_mode_from_value(int(o->mode));
    if (!mode.ok())
      return fail(nullptr, FIDCPP_STATUS_INVALID_ARGUMENT,
                  "options.mode " + std::to_string(int(o->mode)) + " is not a fidcpp_mode");
    c.mode = *mode;
    auto device = fidcpp::device_kind_from_value(int(o->device));
    if (!device.ok())
      return fail(nullptr, FIDCPP_STATUS_INVALID_ARGUMENT,
                  "options.device " + std::to_string(int(o->device)) + " is not a fidcpp_device");
    c.device = *device;
    c.threads = o->threads;
    c.batch_size = o->batch_size;
    bool tap_found = false;
    for (fidcpp::InceptionTap t : kFeatureTaps) {
      if (fidcpp::inception_tap_dim(t) != o->feature_dim) continue;
      c.tap = t;
      tap_found = true;
    }
    if (!tap_found)
      return fail(nullptr, FIDCPP_STATUS_INVALID_ARGUMENT,
                  "options.feature_dim must be 64, 192, 768 or 2048, got " + std::to_string(o->feature_dim));
    c.keep_features = o->keep_features != 0;
    c.keep_logits = o->keep_logits != 0;
    c.skip_bad_images = o->skip_bad_images != 0;
    c.recursive = o->recursive != 0;
    c.low_memory = o->low_memory != 0;
    c.tf32 = o->tf32 != 0;
    if (o->cache_dir) c.cache_dir = o->cache_dir;
    if (o->progress) {
      auto fn = o->progress;
      void* user = o->progress_user;
      c.progress = [fn, user](uint64_t done, uint64_t expected) { fn(user, done, expected); };
    }
    auto core = fidcpp::EvaluatorCore::create(c);
    if (!core.ok()) return report(nullptr, core.status());
    auto* e = new fidcpp_evaluator();
    e->core = std::move(core).value();
    *out = e;
    return FIDCPP_STATUS_OK;
  });
}

void fidcpp_evaluator_destroy(fidcpp_evaluator* e) {
  delete e;
}

fidcpp_status fidcpp_evaluator_add_image(fidcpp_evaluator* e, fidcpp_side side, const uint8_t* pixels,
                                         int width, int height, size_t row_stride,
                                         fidcpp_pixel_format format) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, pixels, "pixels is null");
    int ps = 0;
    if (fidcpp_status st = check_pixel_layout(e, format, width, height, row_stride, &ps)) return st;
    fidcpp::RgbImageView v;
    v.data = pixels;
    v.width = width;
    v.height = height;
    v.row_stride = static_cast<ptrdiff_t>(row_stride);
    v.pixel_stride = ps;
    return report(e, e->core->add_image(s, v));
  });
}

fidcpp_status fidcpp_evaluator_add_images_device(fidcpp_evaluator* e, fidcpp_side side,
                                                 const void* device_pixels, int n, int width, int height,
                                                 size_t row_stride, fidcpp_pixel_format format,
                                                 void* cuda_stream) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, device_pixels, "device_pixels is null");
    FIDCPP_C_REQUIRE(e, n > 0, "n must be positive, got " + std::to_string(n));
    int ps = 0;
    if (fidcpp_status st = check_pixel_layout(e, format, width, height, row_stride, &ps)) return st;
    fidcpp::ImageBatch b;
    b.data = static_cast<const uint8_t*>(device_pixels);
    b.n = n;
    b.width = width;
    b.height = height;
    b.row_stride = row_stride;
    b.image_stride = size_t(height) * row_stride;
    b.pixel_stride = ps;
    b.stream = cuda_stream;
    return report(e, e->core->add_images_device(s, b));
  });
}

fidcpp_status fidcpp_evaluator_add_image_f32(fidcpp_evaluator* e, fidcpp_side side, const float* pixels,
                                             int width, int height, size_t row_stride) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    return report(e, e->core->add_image_f32(s, pixels, width, height, row_stride));
  });
}

fidcpp_status fidcpp_evaluator_add_path(fidcpp_evaluator* e, fidcpp_side side, const char* path) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, path && *path, "path is null or empty");
    return report(e, e->core->add_path(s, path));
  });
}

fidcpp_status fidcpp_evaluator_add_path_shard(fidcpp_evaluator* e, fidcpp_side side, const char* path,
                                              int shard_index, int shard_count) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, path && *path, "path is null or empty");
    return report(e, e->core->add_path_shard(s, path, shard_index, shard_count));
  });
}

fidcpp_status fidcpp_evaluator_add_features(fidcpp_evaluator* e, fidcpp_side side, const float* features,
                                            int64_t n, int64_t dim) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    return report(e, e->core->add_feature_rows(s, features, n, dim));
  });
}

fidcpp_status fidcpp_evaluator_get_moments(fidcpp_evaluator* e, fidcpp_side side, uint64_t* count,
                                           double* sum, double* sum_outer) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, count, "count is null");
    if (fidcpp_status st = flushed(e)) return st;
    auto m = e->core->moments(s);
    if (!m.ok()) return report(e, m.status());
    *count = uint64_t(m->count());
    if (sum) std::copy(m->sum().begin(), m->sum().end(), sum);
    if (sum_outer) {
      const std::vector<double> outer = m->sum_outer();
      std::copy(outer.begin(), outer.end(), sum_outer);
    }
    return FIDCPP_STATUS_OK;
  });
}

fidcpp_status fidcpp_evaluator_get_features(fidcpp_evaluator* e, fidcpp_side side, float* out,
                                            uint64_t capacity_rows, uint64_t* rows) {
  return get_rows(e, side, out, capacity_rows, rows, false);
}

fidcpp_status fidcpp_evaluator_get_logits(fidcpp_evaluator* e, fidcpp_side side, float* out,
                                          uint64_t capacity_rows, uint64_t* rows) {
  return get_rows(e, side, out, capacity_rows, rows, true);
}

fidcpp_status fidcpp_evaluator_merge_partial(fidcpp_evaluator* e, fidcpp_side side, uint64_t count,
                                             const double* sum, const double* sum_outer,
                                             const float* features, const float* logits) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, count <= uint64_t(INT64_MAX), "count " + std::to_string(count) + " is too large");
    FIDCPP_C_REQUIRE(e, sum && sum_outer, "sum and sum_outer must not be null");
    const size_t d = size_t(e->core->feature_dim());
    auto m = fidcpp::Moments::from_sums(int64_t(d), int64_t(count), std::vector<double>(sum, sum + d),
                                        std::vector<double>(sum_outer, sum_outer + d * d));
    if (!m.ok()) return report(e, m.status());
    return report(e, e->core->merge_partial(s, *m, features, logits));
  });
}

fidcpp_status fidcpp_evaluator_flush(fidcpp_evaluator* e) {
  return on_evaluator(e, [&]() { return report(e, e->core->flush()); });
}

fidcpp_status fidcpp_evaluator_count(fidcpp_evaluator* e, fidcpp_side side, uint64_t* count) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, count, "count is null");
    if (fidcpp_status st = flushed(e)) return st;
    *count = e->core->count(s);
    return FIDCPP_STATUS_OK;
  });
}

fidcpp_status fidcpp_evaluator_skipped(fidcpp_evaluator* e, fidcpp_side side, uint64_t* count) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, count, "count is null");
    *count = e->core->skipped(s);
    return FIDCPP_STATUS_OK;
  });
}

fidcpp_status fidcpp_evaluator_cache_info(fidcpp_evaluator* e, fidcpp_side side, uint64_t* hits,
                                          uint64_t* misses) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    if (hits) *hits = e->core->cache_hits(s);
    if (misses) *misses = e->core->cache_misses(s);
    return FIDCPP_STATUS_OK;
  });
}

fidcpp_status fidcpp_evaluator_reset(fidcpp_evaluator* e, fidcpp_side side) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status { return report(e, e->core->reset(s)); });
}

fidcpp_status fidcpp_evaluator_save_stats(fidcpp_evaluator* e, fidcpp_side side, const char* path,
                                          int overwrite) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, path && *path, "path is null or empty");
    if (fidcpp_status st = flushed(e)) return st;
    return report(e, e->core->save_stats(s, path, overwrite != 0));
  });
}

fidcpp_status fidcpp_evaluator_load_stats(fidcpp_evaluator* e, fidcpp_side side, const char* path) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, path && *path, "path is null or empty");
    return report(e, e->core->load_stats(s, path));
  });
}

fidcpp_status fidcpp_fid_compute(fidcpp_evaluator* e, double* fid) {
  return on_evaluator(e, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, fid, "fid is null");
    if (fidcpp_status st = flushed(e)) return st;
    auto r = e->core->fid();
    if (!r.ok()) return report(e, r.status());
    *fid = *r;
    return FIDCPP_STATUS_OK;
  });
}

fidcpp_status fidcpp_kid_compute(fidcpp_evaluator* e, int subsets, int subset_size, double* mean,
                                 double* std) {
  return on_evaluator(e, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, mean && std, "mean and std must not be null");
    FIDCPP_C_REQUIRE(e, subsets > 0, "subsets must be > 0, got " + std::to_string(subsets));
    FIDCPP_C_REQUIRE(e, subset_size > 1, "subset_size must be > 1, got " + std::to_string(subset_size));
    if (fidcpp_status st = flushed(e)) return st;
    fidcpp::KidOptions o;
    o.subsets = subsets;
    o.subset_size = subset_size;
    auto r = e->core->kid(o);
    if (!r.ok()) return report(e, r.status());
    *mean = r->mean;
    *std = r->std;
    return FIDCPP_STATUS_OK;
  });
}

fidcpp_status fidcpp_is_compute(fidcpp_evaluator* e, fidcpp_side side, int splits, double* mean,
                                double* std) {
  return on_side(e, side, [&](fidcpp::Side s) -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, mean && std, "mean and std must not be null");
    FIDCPP_C_REQUIRE(e, splits > 0, "splits must be > 0, got " + std::to_string(splits));
    if (fidcpp_status st = flushed(e)) return st;
    fidcpp::InceptionScoreOptions o;
    o.splits = splits;
    auto r = e->core->inception_score(s, o);
    if (!r.ok()) return report(e, r.status());
    *mean = r->mean;
    *std = r->std;
    return FIDCPP_STATUS_OK;
  });
}

void fidcpp_infinity_options_default(fidcpp_infinity_options* o) {
  if (!o) return;
  *o = fidcpp_infinity_options{};
  o->struct_size = sizeof(fidcpp_infinity_options);
  const fidcpp::InfinityOptions defaults;
  o->num_points = defaults.num_points;
  o->min_n = defaults.min_n;
  o->seed = defaults.seed;
}

namespace {

fidcpp_status infinity_compute(fidcpp_evaluator* e, const fidcpp_infinity_options* options, double* value,
                               int64_t* sizes, double* values, bool is) {
  return on_evaluator(e, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, value, "value must not be null");
    fidcpp_infinity_options co;
    fidcpp_infinity_options_default(&co);
    if (options) {
      FIDCPP_C_REQUIRE(e, options->struct_size == sizeof(fidcpp_infinity_options),
                       "infinity options struct_size is " + std::to_string(options->struct_size) +
                           ", expected " + std::to_string(sizeof(fidcpp_infinity_options)) +
                           " (call fidcpp_infinity_options_default)");
      co = *options;
    }
    FIDCPP_C_REQUIRE(e, co.num_points >= 2, "num_points must be >= 2, got " + std::to_string(co.num_points));
    if (fidcpp_status st = flushed(e)) return st;
    fidcpp::InfinityOptions o;
    o.num_points = co.num_points;
    o.min_n = co.min_n;
    o.seed = co.seed;
    auto r = is ? e->core->is_infinity(o) : e->core->fid_infinity(o);
    if (!r.ok()) return report(e, r.status());
    *value = r->value;
    for (size_t i = 0; i < r->sizes.size(); ++i) {
      if (sizes) sizes[i] = r->sizes[i];
      if (values) values[i] = r->values[i];
    }
    return FIDCPP_STATUS_OK;
  });
}

}  // namespace

fidcpp_status fidcpp_fid_infinity_compute(fidcpp_evaluator* e, const fidcpp_infinity_options* options,
                                          double* value, int64_t* sizes, double* values) {
  return infinity_compute(e, options, value, sizes, values, false);
}

fidcpp_status fidcpp_is_infinity_compute(fidcpp_evaluator* e, const fidcpp_infinity_options* options,
                                         double* value, int64_t* sizes, double* values) {
  return infinity_compute(e, options, value, sizes, values, true);
}

void fidcpp_bootstrap_options_default(fidcpp_bootstrap_options* o) {
  if (!o) return;
  *o = fidcpp_bootstrap_options{};
  o->struct_size = sizeof(fidcpp_bootstrap_options);
  const fidcpp::BootstrapOptions defaults;
  o->level = defaults.level;
  o->replicates = int(defaults.replicates);
  o->seed = defaults.seed;
}

namespace {

// FID, or with `kid` the KID mean of kid_subsets subsets of kid_subset_size.
fidcpp_status bootstrap_compute(fidcpp_evaluator* e, const fidcpp_bootstrap_options* options, bool kid,
                                int kid_subsets, int kid_subset_size, double* low, double* high,
                                double* values) {
  return on_evaluator(e, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, low && high, "low and high must not be null");
    if (kid) {
      FIDCPP_C_REQUIRE(e, kid_subsets > 0, "subsets must be > 0, got " + std::to_string(kid_subsets));
      FIDCPP_C_REQUIRE(e, kid_subset_size > 1,
                       "subset_size must be > 1, got " + std::to_string(kid_subset_size));
    }
    fidcpp_bootstrap_options co;
    fidcpp_bootstrap_options_default(&co);
    if (options) {
      FIDCPP_C_REQUIRE(e, options->struct_size == sizeof(fidcpp_bootstrap_options),
                       "bootstrap options struct_size is " + std::to_string(options->struct_size) +
                           ", expected " + std::to_string(sizeof(fidcpp_bootstrap_options)) +
                           " (call fidcpp_bootstrap_options_default)");
      co = *options;
    }
    if (fidcpp_status st = flushed(e)) return st;
    fidcpp::BootstrapOptions o;
    o.level = co.level;
    o.replicates = co.replicates;
    o.seed = co.seed;
    fidcpp::KidOptions k;
    k.subsets = kid_subsets;
    k.subset_size = kid_subset_size;
    auto r = kid ? e->core->kid_bootstrap(k, o) : e->core->fid_bootstrap(o);
    if (!r.ok()) return report(e, r.status());
    *low = r->low;
    *high = r->high;
    if (values) std::copy(r->values.begin(), r->values.end(), values);
    return FIDCPP_STATUS_OK;
  });
}

}  // namespace

fidcpp_status fidcpp_fid_bootstrap_compute(fidcpp_evaluator* e, const fidcpp_bootstrap_options* options,
                                           double* low, double* high, double* values) {
  return bootstrap_compute(e, options, false, 0, 0, low, high, values);
}

fidcpp_status fidcpp_kid_bootstrap_compute(fidcpp_evaluator* e, int subsets, int subset_size,
                                           const fidcpp_bootstrap_options* options, double* low, double* high,
                                           double* values) {
  return bootstrap_compute(e, options, true, subsets, subset_size, low, high, values);
}

fidcpp_status fidcpp_mifid_compute(fidcpp_evaluator* e, double cosine_eps, double* mifid) {
  return on_evaluator(e, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, mifid, "mifid is null");
    FIDCPP_C_REQUIRE(e, cosine_eps > 0 && cosine_eps <= 1,
                     "cosine_eps must be in (0, 1], got " + std::to_string(cosine_eps));
    if (fidcpp_status st = flushed(e)) return st;
    fidcpp::MifidOptions o;
    o.cosine_distance_eps = cosine_eps;
    auto r = e->core->mifid(o);
    if (!r.ok()) return report(e, r.status());
    *mifid = r->mifid;
    return FIDCPP_STATUS_OK;
  });
}

fidcpp_status fidcpp_prc_compute(fidcpp_evaluator* e, int neighborhood, double* precision, double* recall,
                                 double* f_score) {
  return on_evaluator(e, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, precision && recall && f_score, "precision, recall and f_score must not be null");
    FIDCPP_C_REQUIRE(e, neighborhood > 0, "neighborhood must be > 0, got " + std::to_string(neighborhood));
    if (fidcpp_status st = flushed(e)) return st;
    fidcpp::PrcOptions o;
    o.neighborhood = neighborhood;
    auto r = e->core->prc(o);
    if (!r.ok()) return report(e, r.status());
    *precision = r->precision;
    *recall = r->recall;
    *f_score = r->f_score;
    return FIDCPP_STATUS_OK;
  });
}

fidcpp_status fidcpp_dc_compute(fidcpp_evaluator* e, int nearest_k, double* density, double* coverage) {
  return on_evaluator(e, [&]() -> fidcpp_status {
    FIDCPP_C_REQUIRE(e, density && coverage, "density and coverage must not be null");
    FIDCPP_C_REQUIRE(e, nearest_k > 0, "nearest_k must be > 0, got " + std::to_string(nearest_k));
    if (fidcpp_status st = flushed(e)) return st;
    fidcpp::DcOptions o;
    o.nearest_k = nearest_k;
    auto r = e->core->dc(o);
    if (!r.ok()) return report(e, r.status());
    *density = r->density;
    *coverage = r->coverage;
    return FIDCPP_STATUS_OK;
  });
}

}  // extern "C"
