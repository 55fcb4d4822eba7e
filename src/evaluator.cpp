// EvaluatorCore implementation: batching, decode/preprocess workers, the forward pass, per-side statistics.
#include "evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/aligned_buffer.h"
#include "cache.h"
#include "core/file.h"
#include "io/image_decode.h"
#include "io/image_source.h"
#include "metrics/stats_file.h"
#include "model/weights_file.h"
#ifdef FIDCPP_HAVE_CUDA
#include "backend/cuda/cuda_backend.h"
#endif

#ifndef FIDCPP_SOURCE_WEIGHTS_DIR
#define FIDCPP_SOURCE_WEIGHTS_DIR ""
#endif
#ifndef FIDCPP_INSTALL_WEIGHTS_DIR
#define FIDCPP_INSTALL_WEIGHTS_DIR ""
#endif

namespace fidcpp {

namespace {
constexpr int kDefaultBatch = 16;
constexpr int kMaxBatch = 1024;
// Automatic batch size on a device (EvaluatorConfig::batch_size == 0): per image about 14 MB of activations
// plus up to 25 MB of im2col scratch (Conv2d_2b: 288 x 147^2 floats); 1 GiB kept for cuBLAS/cuSOLVER
// workspaces and the statistics. Capped so the two sides' host input batches stay small.
constexpr size_t kDeviceBytesPerImage = size_t(40) << 20;
constexpr size_t kDeviceReserveBytes = size_t(1) << 30;
constexpr size_t kMaxAutoBatch = 128;
constexpr int64_t kInputFloats = int64_t(3) * kInceptionInputSize * kInceptionInputSize;

int side_index(Side s) {
  return s == Side::kReal ? 0 : 1;
}
const char* side_name(Side s) {
  return s == Side::kReal ? "real" : "generated";
}

bool ends_with_ci(const std::string& s, const char* suffix) {
  const size_t n = std::char_traits<char>::length(suffix);
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - n + i])) != suffix[i]) return false;
  return true;
}
}  // namespace

struct EvaluatorCore::SideState {
  std::optional<Moments> moments;            // from images / features / mergeable statistics
  std::optional<GaussianStats> fixed_stats;  // from a pytorch-fid .npz (mu, sigma only)
  std::vector<float> features;               // n x D when keep_features
  std::vector<float> logits;                 // n x 1008 when keep_logits
  AlignedBuffer<float> pending;              // batch_ x 3 x 299 x 299 preprocessed inputs
  int n_pending = 0;
  uint64_t count = 0;
  uint64_t skipped = 0;
  uint64_t expected = 0;  // for progress reports
  bool sharded = false;   // filled by add_path_shard: may be saved with < 2 images (mergeable sums only)
  uint64_t cache_hits = 0, cache_misses = 0;
};

std::string default_weights_path() {
  if (const char* env = std::getenv("FIDCPP_WEIGHTS"); env && *env) return env;
  const std::string name = kWeightsDefaultFileName;
  for (const char* dir : {FIDCPP_SOURCE_WEIGHTS_DIR, FIDCPP_INSTALL_WEIGHTS_DIR}) {
    if (*dir && file_exists(std::string(dir) + "/" + name)) return std::string(dir) + "/" + name;
  }
  return std::string(*FIDCPP_SOURCE_WEIGHTS_DIR ? FIDCPP_SOURCE_WEIGHTS_DIR : "weights") + "/" + name;
}

EvaluatorCore::~EvaluatorCore() = default;

Result<std::unique_ptr<EvaluatorCore>> EvaluatorCore::create(const EvaluatorConfig& config) {
  std::unique_ptr<EvaluatorCore> e(new EvaluatorCore());
  e->config_ = config;
  if (config.threads < 0)
    return invalid_argument("threads must be >= 0, got " + std::to_string(config.threads));
  if (config.batch_size < 0 || config.batch_size > kMaxBatch)
    return invalid_argument("batch size must be in [1, " + std::to_string(kMaxBatch) + "], got " +
                            std::to_string(config.batch_size));
  if (config.tap == InceptionTap::kLogits || config.tap == InceptionTap::kLogitsUnbiased)
    return invalid_argument(
        "the feature tap must be 64, 192, 768 or 2048 (logits are kept with keep_logits)");
  e->batch_ = config.batch_size > 0 ? config.batch_size : kDefaultBatch;
  e->feature_dim_ = inception_tap_dim(config.tap);

  e->pool_ = std::make_unique<ThreadPool>(config.threads);
  for (int i = 0; i < e->pool_->size(); ++i) e->preprocessors_.emplace_back(config.mode);
  for (auto& s : e->sides_) {
    s = std::make_unique<SideState>();
    if (!s->pending.resize(size_t(e->batch_) * kInputFloats))
      return out_of_memory("cannot allocate the input batch (" + std::to_string(e->batch_) + " images)");
  }
  return e;
}

// The network is loaded on first use, so statistics-only work (merge, FID of two .npz) needs no weights.
Status EvaluatorCore::ensure_network() {
  if (forward_) return Status();
  const std::string path = config_.weights_path.empty() ? default_weights_path() : config_.weights_path;
  if (!file_exists(path))
    return weights_error("weights file '" + path +
                         "' not found: run tools/fetch_weights.sh (or `fidcpp weights convert SRC -o " +
                         path + "`), or pass --weights / set FIDCPP_WEIGHTS");
  InceptionParams params;
  {  // the loaded file is released once folded: peak memory is one copy of the weights plus the prepared one
    FIDCPP_ASSIGN_OR_RETURN(TensorMap weights, load_inception_weights(path));
    if (config_.keep_logits && !weights_have_fc(weights))
      return weights_error(
          "weights '" + path +
          "' have no fc layer (fc.weight, fc.bias), which the Inception Score needs; convert "
          "pytorch-fid's pt_inception-2015-12-05-6726825d.pth to get it");
    FIDCPP_ASSIGN_OR_RETURN(params, fold_inception_params(weights, config_.keep_logits));
  }

  // Never a silent fallback (ARCHITECTURE.md §3): cuda either works or is an error; only auto may choose.
  if (!config_.make_backend && (config_.device == DeviceKind::kCuda || config_.device == DeviceKind::kAuto)) {
#ifdef FIDCPP_HAVE_CUDA
    auto cuda = create_cuda_backend(CudaBackendOptions{});
    if (cuda.ok()) {
      backend_ = std::move(cuda).value();
    } else if (config_.device == DeviceKind::kCuda) {
      return cuda.status();
    }
#else
    if (config_.device == DeviceKind::kCuda)
      return unsupported(
          "--device cuda: not built with CUDA (configure with nvcc available, FIDCPP_CUDA=ON)");
#endif
  }
  if (config_.make_backend) {
    FIDCPP_ASSIGN_OR_RETURN(backend_, config_.make_backend());
  }
  if (!backend_) {
    CpuBackendOptions o;
    o.threads = config_.threads;
    FIDCPP_ASSIGN_OR_RETURN(backend_, create_cpu_backend(o));
  }
  FIDCPP_ASSIGN_OR_RETURN(PreparedInception prepared, prepare_inception(*backend_, std::move(params)));
  prepared_ = std::make_unique<PreparedInception>(std::move(prepared));
  if (config_.batch_size == 0) {
    // No batch size given: on a device, as many images as its free memory holds (after the weights).
    auto free_bytes = backend_->free_memory();
    if (free_bytes.ok()) {
      const size_t usable = *free_bytes > kDeviceReserveBytes ? *free_bytes - kDeviceReserveBytes : 0;
      const int fit = static_cast<int>(std::min<size_t>(usable / kDeviceBytesPerImage, kMaxAutoBatch));
      if (fit < 1) return out_of_memory("not enough free device memory for one image");
      if (fit != batch_) {
        for (auto& side : sides_) {  // nothing is pending yet: images wait for the network
          if (!side->pending.resize(size_t(fit) * kInputFloats))
            return out_of_memory("cannot allocate the input batch (" + std::to_string(fit) + " images)");
        }
        batch_ = fit;
      }
    }
  }
  std::vector<InceptionTap> taps{config_.tap};
  if (config_.keep_logits) taps.push_back(InceptionTap::kLogitsUnbiased);
  FIDCPP_ASSIGN_OR_RETURN(forward_, InceptionForward::create(*backend_, *prepared_, taps, batch_));

  return Status();
}

const char* EvaluatorCore::backend_name() const {
  return backend_ ? backend_->name() : "none";
}

uint64_t EvaluatorCore::count(Side side) const {
  return sides_[side_index(side)]->count;
}
uint64_t EvaluatorCore::skipped(Side side) const {
  return sides_[side_index(side)]->skipped;
}
uint64_t EvaluatorCore::cache_hits(Side side) const {
  return sides_[side_index(side)]->cache_hits;
}
uint64_t EvaluatorCore::cache_misses(Side side) const {
  return sides_[side_index(side)]->cache_misses;
}
const std::vector<float>& EvaluatorCore::features(Side side) const {
  return sides_[side_index(side)]->features;
}
const std::vector<float>& EvaluatorCore::logits(Side side) const {
  return sides_[side_index(side)]->logits;
}

Status EvaluatorCore::reset(Side side) {
  if (in_flight_n_ && in_flight_side_ == side) {
    in_flight_n_ = 0;  // dropped with the rest of the side; the device's next use is stream-ordered after it
  } else {
    FIDCPP_RETURN_IF_ERROR(finish_in_flight());
  }
  SideState& s = *sides_[side_index(side)];
  s.moments.reset();
  s.fixed_stats.reset();
  s.features.clear();
  s.logits.clear();
  s.n_pending = 0;
  s.count = s.skipped = s.expected = 0;
  s.sharded = false;
  s.cache_hits = s.cache_misses = 0;
  return Status();
}

Status EvaluatorCore::add_features(Side side, const float* rows, int64_t n, const float* logits) {
  SideState& s = *sides_[side_index(side)];
  if (s.fixed_stats)
    return invalid_argument(std::string("the ") + side_name(side) +
                            " side holds pytorch-fid statistics (mu, sigma only); they cannot be extended");
  if (!s.moments) {
    FIDCPP_ASSIGN_OR_RETURN(Moments m, Moments::create(feature_dim_));
    s.moments = std::move(m);
  }
  FIDCPP_RETURN_IF_ERROR(s.moments->add(rows, n));
  if (config_.keep_features) s.features.insert(s.features.end(), rows, rows + n * feature_dim_);
  if (config_.keep_logits && logits) s.logits.insert(s.logits.end(), logits, logits + n * kFcOut);
  s.count += static_cast<uint64_t>(n);
  return Status();
}

// The batch is uploaded (on CUDA through pinned staging, so `pending` is free again at once) and its forward
// pass issued; finish_in_flight() downloads and adds its features. A synchronous backend (the CPU) finishes
// it here. An asynchronous one (CUDA) returns while the device runs it, so the caller decodes the next batch
// meanwhile (ARCHITECTURE §5: decode overlaps inference); the next batch, flush() and every reader of the
// side finish it first, so the order of the features and every number are the same either way.
Status EvaluatorCore::process_pending(Side side) {
  SideState& s = *sides_[side_index(side)];
  if (s.n_pending == 0) return Status();
  const int n = s.n_pending;
  s.n_pending = 0;
  if (n > forward_->max_batch())
    return internal_error("evaluator: " + std::to_string(n) +
                          " pending images exceed the network's batch of " +
                          std::to_string(forward_->max_batch()));
  FIDCPP_RETURN_IF_ERROR(finish_in_flight());
  FIDCPP_RETURN_IF_ERROR(
      backend_->upload(s.pending.data(), size_t(n) * kInputFloats, forward_->input_view(n).data));
  FIDCPP_RETURN_IF_ERROR(forward_->forward(n));
  in_flight_n_ = n;
  in_flight_side_ = side;
  return backend_->asynchronous() ? Status() : finish_in_flight();
}

Status EvaluatorCore::finish_in_flight() {
  if (in_flight_n_ == 0) return Status();
  const int n = in_flight_n_;
  const Side side = in_flight_side_;
  in_flight_n_ = 0;
  std::vector<float> feats(size_t(n) * feature_dim_);
  std::vector<float> logits(config_.keep_logits ? size_t(n) * kFcOut : 0);
  std::vector<float*> outs{feats.data()};
  if (config_.keep_logits) outs.push_back(logits.data());
  FIDCPP_RETURN_IF_ERROR(forward_->download_taps(n, outs));
  FIDCPP_RETURN_IF_ERROR(backend_->synchronize());
  FIDCPP_RETURN_IF_ERROR(add_features(side, feats.data(), n, config_.keep_logits ? logits.data() : nullptr));
  const SideState& s = *sides_[side_index(side)];
  if (config_.progress) config_.progress(s.count, s.expected);
  return Status();
}

Status EvaluatorCore::add_image(Side side, const RgbImageView& image) {
  SideState& s = *sides_[side_index(side)];
  if (s.fixed_stats)
    return invalid_argument(std::string("the ") + side_name(side) +
                            " side holds pytorch-fid statistics (mu, sigma only); images cannot be added");
  FIDCPP_RETURN_IF_ERROR(ensure_network());
  FIDCPP_RETURN_IF_ERROR(
      preprocessors_[0].run(image, s.pending.data() + int64_t(s.n_pending) * kInputFloats));
  if (++s.n_pending == batch_) return process_pending(side);
  return Status();
}

Status EvaluatorCore::add_image_f32(Side side, const float* pixels, int width, int height,
                                    size_t row_stride_floats) {
  if (!pixels) return invalid_argument("pixels is null");
  if (width <= 0 || height <= 0)
    return invalid_argument("image size must be positive, got " + std::to_string(width) + "x" +
                            std::to_string(height));
  if (row_stride_floats < size_t(width) * 3)
    return invalid_argument("row stride " + std::to_string(row_stride_floats) +
                            " floats is less than width*3 = " + std::to_string(size_t(width) * 3));
  std::vector<uint8_t> rgb(size_t(width) * height * 3);
  for (int y = 0; y < height; ++y)
    FIDCPP_RETURN_IF_ERROR(float_to_uint8_torchmetrics(pixels + y * row_stride_floats, size_t(width) * 3,
                                                       rgb.data() + size_t(y) * width * 3,
                                                       "float image row " + std::to_string(y)));
  RgbImageView v;
  v.data = rgb.data();
  v.width = width;
  v.height = height;
  v.row_stride = width * 3;
  v.pixel_stride = 3;
  return add_image(side, v);
}

namespace {
InputTransform input_transform(PreprocessMode mode) {
  switch (mode) {
    case PreprocessMode::kTorchmetrics:
      return InputTransform::kAaBilinear;
    case PreprocessMode::kPytorchFid:
      return InputTransform::kHalfPixelBilinear;
    case PreprocessMode::kCleanFid:
      return InputTransform::kPilBicubic;
    case PreprocessMode::kCleanFidLegacyTf:
      return InputTransform::kGridSample;
    case PreprocessMode::kTorchFidelity:
      break;
  }
  return InputTransform::kTf1;
}
}  // namespace

Status EvaluatorCore::add_images_device(Side side, const ImageBatch& images) {
  SideState& s = *sides_[side_index(side)];
  if (s.fixed_stats)
    return invalid_argument(std::string("the ") + side_name(side) +
                            " side holds pytorch-fid statistics (mu, sigma only); images cannot be added");
  // Checked before loading the network, so the answer does not depend on the weights being present.
  if (!config_.make_backend && config_.device == DeviceKind::kCpu)
    return unsupported("device-pointer input needs the CUDA backend (this evaluator runs on the CPU)");
#ifndef FIDCPP_HAVE_CUDA
  if (!config_.make_backend)
    return unsupported(
        "device-pointer input: not built with CUDA (configure with nvcc available, FIDCPP_CUDA=ON)");
#endif
  if (!images.data) return invalid_argument("device pointer is null");
  if (images.n <= 0 || images.width <= 0 || images.height <= 0)
    return invalid_argument("bad image batch: " + std::to_string(images.n) + " images of " +
                            std::to_string(images.width) + "x" + std::to_string(images.height));
  FIDCPP_RETURN_IF_ERROR(ensure_network());
  FIDCPP_RETURN_IF_ERROR(process_pending(side));  // host images added earlier keep their place in the order
  FIDCPP_RETURN_IF_ERROR(finish_in_flight());
  std::vector<float> feats, logits;
  for (int first = 0; first < images.n; first += batch_) {
    const int m = std::min(batch_, images.n - first);
    ImageBatch b = images;
    b.data = images.data + size_t(first) * images.image_stride;
    b.n = m;
    FIDCPP_RETURN_IF_ERROR(backend_->preprocess(input_transform(config_.mode), b, forward_->input_view(m)));
    FIDCPP_RETURN_IF_ERROR(forward_->forward(m));
    feats.assign(size_t(m) * feature_dim_, 0.0f);
    logits.assign(config_.keep_logits ? size_t(m) * kFcOut : 0, 0.0f);
    std::vector<float*> outs{feats.data()};
    if (config_.keep_logits) outs.push_back(logits.data());
    FIDCPP_RETURN_IF_ERROR(forward_->download_taps(m, outs));
    FIDCPP_RETURN_IF_ERROR(
        add_features(side, feats.data(), m, config_.keep_logits ? logits.data() : nullptr));
    if (config_.progress) config_.progress(s.count, s.expected);
  }
  return Status();
}

Status EvaluatorCore::add_files(Side side, const std::vector<std::string>& files) {
  SideState& s = *sides_[side_index(side)];
  if (s.fixed_stats)
    return invalid_argument(std::string("the ") + side_name(side) +
                            " side holds pytorch-fid statistics (mu, sigma only); images cannot be added");
  FIDCPP_RETURN_IF_ERROR(ensure_network());
  FIDCPP_ASSIGN_OR_RETURN(const DecodeLimits limits, decode_limits_from_env());
  s.expected += files.size();
  // Fill the batch in parallel: worker w decodes and preprocesses its share of the slots. Errors are kept per
  // slot and reported in file order, so the first bad file is named deterministically.
  size_t next = 0;
  while (next < files.size()) {
    const int free_slots = batch_ - s.n_pending;
    const size_t take = std::min<size_t>(size_t(free_slots), files.size() - next);
    std::vector<Status> errors(take);
    pool_->parallel_for(take, [&](size_t b, size_t e, int w) {
      for (size_t i = b; i < e; ++i) {
        auto img = decode_image_file(files[next + i], limits);
        if (!img.ok()) {
          errors[i] = img.status();
          continue;
        }
        RgbImageView v = img->view();
        float* dst = s.pending.data() + int64_t(s.n_pending + int(i)) * kInputFloats;
        errors[i] = preprocessors_[size_t(w)].run(v, dst);
        if (!errors[i].ok()) errors[i] = errors[i].with_context("image '" + files[next + i] + "'");
      }
    });
    // Compact away failed slots (skip mode) or stop at the first failure.
    int filled = s.n_pending;
    for (size_t i = 0; i < take; ++i) {
      if (!errors[i].ok()) {
        if (!config_.skip_bad_images) {
          s.n_pending = filled;
          return errors[i];
        }
        ++s.skipped;
        continue;
      }
      const int slot = s.n_pending + int(i);
      if (slot != filled)
        std::copy(s.pending.data() + int64_t(slot) * kInputFloats,
                  s.pending.data() + int64_t(slot + 1) * kInputFloats,
                  s.pending.data() + int64_t(filled) * kInputFloats);
      ++filled;
    }
    s.n_pending = filled;
    next += take;
    if (s.n_pending == batch_) FIDCPP_RETURN_IF_ERROR(process_pending(side));
  }
  return Status();
}

Status EvaluatorCore::add_npz(Side side, const std::string& path) {
  FIDCPP_RETURN_IF_ERROR(flush());
  SideState& s = *sides_[side_index(side)];
  auto moments = read_moments_npz(path);
  if (moments.ok()) {
    if (moments->dim() != feature_dim_)
      return invalid_argument("statistics '" + path + "' have dimension " + std::to_string(moments->dim()) +
                              ", but this run uses the " + std::to_string(feature_dim_) + "-d tap (--tap)");
    if (s.fixed_stats)
      return invalid_argument("cannot merge '" + path + "' into pytorch-fid statistics (mu, sigma only)");
    if (!s.moments) {
      s.moments = std::move(moments).value();
    } else {
      FIDCPP_RETURN_IF_ERROR(s.moments->merge(*moments));
    }
    s.count = static_cast<uint64_t>(s.moments->count());
    return Status();
  }
  // Not mergeable: a plain pytorch-fid / clean-fid file with mu and sigma only.
  FIDCPP_ASSIGN_OR_RETURN(GaussianStats g, read_fid_stats_npz(path));
  if (g.dim != feature_dim_)
    return invalid_argument("statistics '" + path + "' have dimension " + std::to_string(g.dim) +
                            ", but this run uses the " + std::to_string(feature_dim_) + "-d tap (--tap)");
  if (s.moments || s.fixed_stats)
    return invalid_argument(
        "'" + path +
        "' holds only mu and sigma (pytorch-fid format), which cannot be merged with other data "
        "on the same side");
  s.fixed_stats = std::move(g);
  return Status();
}

Status EvaluatorCore::add_npy(Side side, const std::string& path) {
  FIDCPP_RETURN_IF_ERROR(flush());
  FIDCPP_ASSIGN_OR_RETURN(FeatureMatrix f, read_features_npy(path));
  if (f.dim != feature_dim_)
    return invalid_argument("features '" + path + "' have dimension " + std::to_string(f.dim) +
                            ", but this run uses the " + std::to_string(feature_dim_) + "-d tap (--tap)");
  return add_features(side, f.data.data(), f.n, nullptr);
}

Status EvaluatorCore::add_path(Side side, const std::string& path) {
  if (ends_with_ci(path, ".npz")) return add_npz(side, path);
  if (ends_with_ci(path, ".npy")) return add_npy(side, path);
  FIDCPP_ASSIGN_OR_RETURN(std::vector<std::string> files, list_image_files(path, config_.recursive));
  if (!config_.cache_dir.empty()) return add_files_cached(side, files);
  return add_files(side, files);
}

// The cache holds whole sources: it serves or records a source only when it is all that the side holds.
Status EvaluatorCore::add_files_cached(Side side, const std::vector<std::string>& files) {
  SideState& s = *sides_[side_index(side)];
  const bool empty = !s.moments && !s.fixed_stats && s.n_pending == 0 && s.count == 0 && s.skipped == 0;
  const std::string weights = config_.weights_path.empty() ? default_weights_path() : config_.weights_path;
  auto weights_id = file_identity(weights);
  // Missing weights: no key, and add_files reports the weights error.
  if (!empty || config_.make_backend || !weights_id.ok()) return add_files(side, files);
  const std::string settings =
      "mode " + std::to_string(int(config_.mode)) + "\ntap " + std::to_string(feature_dim_) + "\ndevice " +
      std::to_string(int(config_.device)) + "\nbatch " + std::to_string(config_.batch_size) + "\nfeatures " +
      std::to_string(int(config_.keep_features)) + "\nlogits " + std::to_string(int(config_.keep_logits)) +
      "\nskip_bad " + std::to_string(int(config_.skip_bad_images)) + "\nweights " + *weights_id;
  FIDCPP_ASSIGN_OR_RETURN(std::string key, feature_cache_key(settings, files));
  std::string why;
  if (auto e = feature_cache_load(config_.cache_dir, key, feature_dim_, config_.keep_features,
                                  config_.keep_logits, &why)) {
    s.moments = std::move(e->moments);
    s.features = std::move(e->features);
    s.logits = std::move(e->logits);
    s.count = e->count;
    s.skipped = e->skipped;
    ++s.cache_hits;
    if (config_.progress) config_.progress(s.count, s.count);
    return Status();
  }
  FIDCPP_RETURN_IF_ERROR(add_files(side, files));
  FIDCPP_RETURN_IF_ERROR(process_pending(side));
  FIDCPP_RETURN_IF_ERROR(finish_in_flight());
  ++s.cache_misses;
  if (!s.moments) return Status();
  return feature_cache_store(config_.cache_dir, key, *s.moments,
                             config_.keep_features ? &s.features : nullptr,
                             config_.keep_logits ? &s.logits : nullptr, kFcOut, s.count, s.skipped);
}

namespace {

// Shard `index` of `count` of n items: [floor(index*n/count), floor((index+1)*n/count)).
std::pair<size_t, size_t> shard_range(size_t n, int index, int count) {
  const auto at = [&](int k) { return size_t(uint64_t(n) * uint64_t(k) / uint64_t(count)); };
  return {at(index), at(index + 1)};
}

}  // namespace

Status EvaluatorCore::add_path_shard(Side side, const std::string& path, int index, int count) {
  if (count < 1 || count > kMaxShards)
    return invalid_argument("shard count " + std::to_string(count) + " is outside [1, " +
                            std::to_string(kMaxShards) + "]");
  if (index < 0 || index >= count)
    return invalid_argument("shard index " + std::to_string(index) + " is outside [0, " +
                            std::to_string(count - 1) + "] (0-based, for " + std::to_string(count) +
                            " shards)");
  sides_[side_index(side)]->sharded = true;
  if (ends_with_ci(path, ".npz")) return index == 0 ? add_npz(side, path) : Status();
  if (ends_with_ci(path, ".npy")) {
    FIDCPP_RETURN_IF_ERROR(flush());
    FIDCPP_ASSIGN_OR_RETURN(FeatureMatrix f, read_features_npy(path));
    if (f.dim != feature_dim_)
      return invalid_argument("features '" + path + "' have dimension " + std::to_string(f.dim) +
                              ", but this run uses the " + std::to_string(feature_dim_) + "-d tap (--tap)");
    const auto [b, e] = shard_range(size_t(f.n), index, count);
    if (b == e) return Status();
    return add_features(side, f.data.data() + b * size_t(f.dim), int64_t(e - b), nullptr);
  }
  FIDCPP_ASSIGN_OR_RETURN(std::vector<std::string> files, list_image_files(path, config_.recursive));
  const auto [b, e] = shard_range(files.size(), index, count);
  std::vector<std::string> mine(files.begin() + ptrdiff_t(b), files.begin() + ptrdiff_t(e));
  // The cache key covers the exact file list, so a shard is cached as its own source.
  if (!config_.cache_dir.empty() && !mine.empty()) return add_files_cached(side, mine);
  return add_files(side, mine);
}

Result<Moments> EvaluatorCore::moments(Side side) const {
  const SideState& s = *sides_[side_index(side)];
  if (s.n_pending || in_flight_n_) return internal_error("moments() called with unflushed images");
  if (s.fixed_stats)
    return invalid_argument(
        std::string("the ") + side_name(side) +
        " side holds pytorch-fid statistics (mu, sigma only), which have no mergeable sums");
  if (s.moments) return *s.moments;
  return Moments::create(feature_dim_);
}

Status EvaluatorCore::merge_partial(Side side, const Moments& moments, const float* features,
                                    const float* logits) {
  FIDCPP_RETURN_IF_ERROR(flush());
  SideState& s = *sides_[side_index(side)];
  if (moments.dim() != feature_dim_)
    return invalid_argument("partial statistics have dimension " + std::to_string(moments.dim()) +
                            ", but this run uses the " + std::to_string(feature_dim_) + "-d tap");
  if (moments.count() == 0) return Status();
  if (s.fixed_stats)
    return invalid_argument(
        std::string("the ") + side_name(side) +
        " side holds pytorch-fid statistics (mu, sigma only); they cannot be merged into");
  if (config_.keep_features && !features)
    return invalid_argument("features are null, but the evaluator keeps per-image features");
  if (config_.keep_logits && !logits)
    return invalid_argument("logits are null, but the evaluator keeps per-image logits");
  const size_t rows = size_t(moments.count());
  if (config_.keep_features)
    FIDCPP_RETURN_IF_ERROR(check_finite_features(features, int64_t(rows), feature_dim_, "features"));
  if (!s.moments) {
    s.moments = moments;
  } else {
    FIDCPP_RETURN_IF_ERROR(s.moments->merge(moments));
  }
  if (config_.keep_features)
    s.features.insert(s.features.end(), features, features + rows * size_t(feature_dim_));
  if (config_.keep_logits) s.logits.insert(s.logits.end(), logits, logits + rows * size_t(kFcOut));
  s.count += uint64_t(rows);
  return Status();
}

Status EvaluatorCore::flush() {
  FIDCPP_RETURN_IF_ERROR(process_pending(Side::kReal));
  FIDCPP_RETURN_IF_ERROR(process_pending(Side::kGenerated));
  return finish_in_flight();
}

Result<GaussianStats> EvaluatorCore::stats(Side side) const {
  const SideState& s = *sides_[side_index(side)];
  if (s.n_pending || in_flight_n_) return internal_error("stats() called with unflushed images");
  if (s.fixed_stats) return *s.fixed_stats;
  if (!s.moments || s.moments->count() < 2)
    return invalid_argument(std::string("the ") + side_name(side) + " side has " +
                            std::to_string(s.moments ? s.moments->count() : 0) +
                            " sample(s); at least 2 are needed for statistics");
  return s.moments->gaussian_stats();
}

Status EvaluatorCore::save_stats(Side side, const std::string& path, bool overwrite) const {
  const SideState& s = *sides_[side_index(side)];
  const Overwrite ow = overwrite ? Overwrite::kAllow : Overwrite::kRefuse;
  if (s.fixed_stats) return write_fid_stats_npz(path, *s.fixed_stats, ow);
  if (s.sharded && (!s.moments || s.moments->count() < 2)) {
    // One shard of a larger run may be tiny: write the sums (n, sum, sum_outer) for `fidcpp merge`.
    FIDCPP_ASSIGN_OR_RETURN(Moments m, moments(side));
    return write_moments_npz(path, m, ow);
  }
  if (!s.moments || s.moments->count() < 2)
    return invalid_argument(std::string("the ") + side_name(side) + " side has " +
                            std::to_string(s.moments ? s.moments->count() : 0) +
                            " sample(s); at least 2 are needed to save statistics");
  return write_moments_npz(path, *s.moments, ow);
}

Status EvaluatorCore::load_stats(Side side, const std::string& path) {
  return add_npz(side, path);
}

Result<double> EvaluatorCore::fid() const {
  FIDCPP_ASSIGN_OR_RETURN(GaussianStats a, stats(Side::kReal));
  FIDCPP_ASSIGN_OR_RETURN(GaussianStats b, stats(Side::kGenerated));
  return frechet_distance(a, b);
}

Result<const EvaluatorCore::SideState*> EvaluatorCore::side_with_features(Side side,
                                                                          const char* metric) const {
  const SideState* s = sides_[side_index(side)].get();
  if (!config_.keep_features)
    return invalid_argument(std::string(metric) +
                            " needs per-image features: create the evaluator with keep_features");
  if (s->features.empty())
    return invalid_argument(
        std::string(metric) + ": the " + side_name(side) +
        " side has no per-image features (images or a .npy of features are needed, not .npz "
        "statistics)");
  return s;
}

Result<KidResult> EvaluatorCore::kid(const KidOptions& options) const {
  FIDCPP_ASSIGN_OR_RETURN(const SideState* real, side_with_features(Side::kReal, "KID"));
  FIDCPP_ASSIGN_OR_RETURN(const SideState* gen, side_with_features(Side::kGenerated, "KID"));
  // torch-fidelity: input1 = generated, input2 = real (REFERENCE.md §5.2).
  return kernel_inception_distance(gen->features.data(), int64_t(gen->features.size() / feature_dim_),
                                   real->features.data(), int64_t(real->features.size() / feature_dim_),
                                   feature_dim_, options);
}

Result<InceptionScoreResult> EvaluatorCore::inception_score(Side side,
                                                            const InceptionScoreOptions& options) const {
  const SideState& s = *sides_[side_index(side)];
  if (!config_.keep_logits)
    return invalid_argument("the Inception Score needs logits: create the evaluator with keep_logits");
  if (s.logits.empty())
    return invalid_argument(std::string("Inception Score: the ") + side_name(side) + " side has no images");
  return fidcpp::inception_score(s.logits.data(), int64_t(s.logits.size() / kFcOut), kFcOut, options);
}

Result<MifidResult> EvaluatorCore::mifid(const MifidOptions& options) const {
  FIDCPP_ASSIGN_OR_RETURN(const SideState* real, side_with_features(Side::kReal, "MiFID"));
  FIDCPP_ASSIGN_OR_RETURN(const SideState* gen, side_with_features(Side::kGenerated, "MiFID"));
  return fidcpp::mifid(real->features.data(), int64_t(real->features.size() / feature_dim_),
                       gen->features.data(), int64_t(gen->features.size() / feature_dim_), feature_dim_,
                       options);
}

Result<PrcResult> EvaluatorCore::prc(const PrcOptions& options) const {
  FIDCPP_ASSIGN_OR_RETURN(const SideState* real, side_with_features(Side::kReal, "precision/recall"));
  FIDCPP_ASSIGN_OR_RETURN(const SideState* gen, side_with_features(Side::kGenerated, "precision/recall"));
  return precision_recall(gen->features.data(), int64_t(gen->features.size() / feature_dim_),
                          real->features.data(), int64_t(real->features.size() / feature_dim_), feature_dim_,
                          options);
}

}  // namespace fidcpp
