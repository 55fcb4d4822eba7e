// EvaluatorCore: set-up (options, the network loaded on first use), per-side statistics and the metrics.
// Batching, input resolution and the cache are in evaluator_batching.cpp, evaluator_inputs.cpp and
// evaluator_cache.cpp.
#include "evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "backend_registry.h"
#include "core/file.h"
#include "evaluator_side.h"
#include "metrics/stats_file.h"
#include "model/weights_file.h"

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
// Automatic batch size on a device (EvaluatorConfig::batch_size == 0): per image 8.3 MB of activations and
// 2.1 MB of double-buffered input (the implicit-GEMM convolution needs no scratch), with room to spare; 1 GiB
// kept for cuBLAS/cuSOLVER workspaces and the statistics. Capped so the two sides' host input batches stay
// small.
constexpr size_t kDeviceBytesPerImage = size_t(16) << 20;
constexpr size_t kDeviceReserveBytes = size_t(1) << 30;
constexpr size_t kMaxAutoBatch = 128;
}  // namespace

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
    s->pending_buffers[0] = make_heap_host_buffer(size_t(e->batch_) * kInputFloats);
    if (!s->pending_buffers[0])
      return out_of_memory("cannot allocate the input batch (" + std::to_string(e->batch_) + " images)");
  }
  return e;
}

// The network is loaded on first use, so statistics-only work (merge, FID of two .npz) needs no weights.
Status EvaluatorCore::ensure_network() {
  if (forward_) return Status();
  // The device first: `--device cuda` without a GPU (or without the CUDA module) fails before 90 MB are read.
  if (!backend_) {
    if (config_.make_backend) {
      FIDCPP_ASSIGN_OR_RETURN(backend_, config_.make_backend());
    } else {
      FIDCPP_ASSIGN_OR_RETURN(
          backend_, create_backend(config_.device, config_.threads, config_.low_memory, config_.tf32));
    }
  }
  const std::string path = config_.weights_path.empty() ? default_weights_path() : config_.weights_path;
  if (!file_exists(path))
    return weights_error("weights file '" + path +
                         "' not found: run tools/fetch_weights.sh (or `fidcpp weights convert SRC -o " +
                         path + "`), or pass --weights / set FIDCPP_WEIGHTS");
  // The file is mapped and consumed unit by unit (folded, prepared, its pages dropped): loading holds the
  // prepared weights plus one unit, never a second copy of the network.
  FIDCPP_ASSIGN_OR_RETURN(TensorMap weights, load_inception_weights(path));
  if (config_.keep_logits && !weights_have_fc(weights))
    return weights_error("weights '" + path +
                         "' have no fc layer (fc.weight, fc.bias), which the Inception Score needs; convert "
                         "pytorch-fid's pt_inception-2015-12-05-6726825d.pth to get it");

  InceptionNetworkOptions options;
  options.taps = {config_.tap};
  if (config_.keep_logits) options.taps.push_back(InceptionTap::kLogitsUnbiased);
  options.max_batch = batch_;
  if (config_.batch_size == 0) {
    // No batch size given: on a device, as many images as its free memory holds (after the weights).
    options.choose_batch = [this](Backend& backend) -> Result<int> {
      auto free_bytes = backend.free_memory();
      if (!free_bytes.ok()) return batch_;
      const size_t usable = *free_bytes > kDeviceReserveBytes ? *free_bytes - kDeviceReserveBytes : 0;
      const int fit = static_cast<int>(std::min<size_t>(usable / kDeviceBytesPerImage, kMaxAutoBatch));
      if (fit < 1) return out_of_memory("not enough free device memory for one image");
      if (fit != batch_) {
        for (auto& side : sides_) {  // nothing is pending yet: images wait for the network
          side->pending_buffers[0] = make_heap_host_buffer(size_t(fit) * kInputFloats);
          if (!side->pending_buffers[0])
            return out_of_memory("cannot allocate the input batch (" + std::to_string(fit) + " images)");
        }
        batch_ = fit;
      }
      return batch_;
    };
  }
  FIDCPP_ASSIGN_OR_RETURN(InceptionNetwork network, InceptionNetwork::load(*backend_, weights, options));
  network_ = std::make_unique<InceptionNetwork>(std::move(network));
  forward_ = &network_->forward();
  if (backend_->asynchronous()) {
    // Nothing is pending yet: the batches are prepared in the backend's (pinned) host memory from now on.
    for (auto& side : sides_) {
      for (auto& b : side->pending_buffers) {
        FIDCPP_ASSIGN_OR_RETURN(b, backend_->allocate_host(size_t(batch_) * kInputFloats));
      }
      side->pending_index = 0;
    }
  }
  return Status();
}

const char* EvaluatorCore::backend_name() const {
  return backend_ ? backend_->name() : "none";
}

bool EvaluatorCore::moments_on_backend() const {
  return sides_[0]->device_moments || sides_[1]->device_moments;
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
  s.device_moments.reset();
  s.device_rows = 0;
  s.fixed_stats.reset();
  s.features.clear();
  s.logits.clear();
  s.n_pending = 0;
  s.count = s.skipped = s.expected = 0;
  s.sharded = false;
  s.cache_hits = s.cache_misses = 0;
  return Status();
}

Result<Moments> EvaluatorCore::moments(Side side) const {
  const SideState& s = *sides_[side_index(side)];
  if (s.n_pending || in_flight_n_ || s.device_rows)
    return internal_error("moments() called with unflushed images");
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
  FIDCPP_RETURN_IF_ERROR(finish_in_flight());
  FIDCPP_RETURN_IF_ERROR(fold_device_moments(Side::kReal));
  return fold_device_moments(Side::kGenerated);
}

Result<GaussianStats> EvaluatorCore::stats(Side side) const {
  const SideState& s = *sides_[side_index(side)];
  if (s.n_pending || in_flight_n_ || s.device_rows)
    return internal_error("stats() called with unflushed images");
  if (s.fixed_stats) return *s.fixed_stats;
  if (!s.moments || s.moments->count() < 2)
    return invalid_argument(std::string("the ") + side_name(side) + " side has " +
                            std::to_string(s.moments ? s.moments->count() : 0) +
                            " sample(s); at least 2 are needed for statistics");
  return s.moments->gaussian_stats();
}

Status EvaluatorCore::save_stats(Side side, const std::string& path, bool overwrite) const {
  const SideState& s = *sides_[side_index(side)];
  if (s.n_pending || in_flight_n_ || s.device_rows)
    return internal_error("save_stats() called with unflushed images");
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
  // On a backend with its own linear algebra (CUDA: cuSOLVER), the trace of the square root runs there;
  // otherwise, and for statistics compared without a network (two .npz files), on the CPU with LAPACK.
  if (backend_) {
    FIDCPP_RETURN_IF_ERROR(check_gaussian_stats(a, "FID statistics 1"));
    FIDCPP_RETURN_IF_ERROR(check_gaussian_stats(b, "FID statistics 2"));
    if (a.dim != b.dim)
      return invalid_argument("FID: statistics have different dimensions (" + std::to_string(a.dim) +
                              " and " + std::to_string(b.dim) + ")");
    auto device = backend_->frechet_distance(a.mu.data(), a.sigma.data(), b.mu.data(), b.sigma.data(), a.dim);
    if (device.ok() || device.status().code() != StatusCode::kUnsupported) return device;
  }
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
  // torch-fidelity: input1 = generated, input2 = real (docs/conventions.md §5.2).
  KidOptions o = options;
  if (!o.products) o.products = backend_products();
  return kernel_inception_distance(gen->features.data(), int64_t(gen->features.size() / feature_dim_),
                                   real->features.data(), int64_t(real->features.size() / feature_dim_),
                                   feature_dim_, o);
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

Result<InfinityResult> EvaluatorCore::fid_infinity(const InfinityOptions& options) const {
  FIDCPP_ASSIGN_OR_RETURN(const SideState* gen, side_with_features(Side::kGenerated, "FID infinity"));
  FIDCPP_ASSIGN_OR_RETURN(GaussianStats real, stats(Side::kReal));
  return fidcpp::fid_infinity(gen->features.data(), int64_t(gen->features.size() / feature_dim_),
                              feature_dim_, real, options);
}

Result<InfinityResult> EvaluatorCore::is_infinity(const InfinityOptions& options) const {
  const SideState& s = *sides_[side_index(Side::kGenerated)];
  if (!config_.keep_logits)
    return invalid_argument("IS infinity needs logits: create the evaluator with keep_logits");
  if (s.logits.empty()) return invalid_argument("IS infinity: the generated side has no images");
  return fidcpp::is_infinity(s.logits.data(), int64_t(s.logits.size() / kFcOut), kFcOut, options);
}

Result<BootstrapResult> EvaluatorCore::fid_bootstrap(const BootstrapOptions& options) const {
  FIDCPP_RETURN_IF_ERROR(check_bootstrap_options(options, "FID"));
  FIDCPP_ASSIGN_OR_RETURN(const SideState* real, side_with_features(Side::kReal, "FID bootstrap"));
  FIDCPP_ASSIGN_OR_RETURN(const SideState* gen, side_with_features(Side::kGenerated, "FID bootstrap"));
  BootstrapOptions o = options;
  o.threads = config_.threads;
  return fidcpp::fid_bootstrap(real->features.data(), int64_t(real->features.size() / feature_dim_),
                               gen->features.data(), int64_t(gen->features.size() / feature_dim_),
                               feature_dim_, o);
}

Result<BootstrapResult> EvaluatorCore::kid_bootstrap(const KidOptions& kid,
                                                     const BootstrapOptions& options) const {
  FIDCPP_RETURN_IF_ERROR(check_bootstrap_options(options, "KID"));
  FIDCPP_ASSIGN_OR_RETURN(const SideState* real, side_with_features(Side::kReal, "KID bootstrap"));
  FIDCPP_ASSIGN_OR_RETURN(const SideState* gen, side_with_features(Side::kGenerated, "KID bootstrap"));
  BootstrapOptions o = options;
  o.threads = config_.threads;
  KidOptions k = kid;
  if (!k.products) k.products = backend_products();
  return fidcpp::kid_bootstrap(gen->features.data(), int64_t(gen->features.size() / feature_dim_),
                               real->features.data(), int64_t(real->features.size() / feature_dim_),
                               feature_dim_, k, o);
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
  PrcOptions o = options;
  if (!o.products) o.products = backend_products();
  return precision_recall(gen->features.data(), int64_t(gen->features.size() / feature_dim_),
                          real->features.data(), int64_t(real->features.size() / feature_dim_), feature_dim_,
                          o);
}

Result<DcResult> EvaluatorCore::dc(const DcOptions& options) const {
  FIDCPP_ASSIGN_OR_RETURN(const SideState* real, side_with_features(Side::kReal, "density/coverage"));
  FIDCPP_ASSIGN_OR_RETURN(const SideState* gen, side_with_features(Side::kGenerated, "density/coverage"));
  DcOptions o = options;
  if (!o.products) o.products = backend_products();
  return density_coverage(real->features.data(), int64_t(real->features.size() / feature_dim_),
                          gen->features.data(), int64_t(gen->features.size() / feature_dim_), feature_dim_,
                          o);
}

// The feature-space metrics' matrix products run where the features were computed: on a backend with its own
// (CUDA: cuBLAS), else (the CPU backend, or features loaded without a network) the CPU BLAS.
MatrixProducts* EvaluatorCore::backend_products() const {
  return backend_ ? backend_->matrix_products() : nullptr;
}

}  // namespace fidcpp
