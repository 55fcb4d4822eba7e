// EvaluatorCore: the one place that wires a run together (image sources -> decode -> preprocess -> backend
// forward -> Moments / kept features -> metrics). The C API (c_api.cpp) and through it the C++ API and the
// CLI are thin layers over it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/parallel.h"
#include "core/status.h"
#include "device_kind.h"
#include "metrics/bootstrap.h"
#include "metrics/fid.h"
#include "metrics/fid_infinity.h"
#include "metrics/inception_score.h"
#include "metrics/kid.h"
#include "metrics/mifid.h"
#include "metrics/moments.h"
#include "metrics/dc.h"
#include "metrics/prc.h"
#include "model/inception_forward.h"
#include "model/inception_network.h"
#include "model/inception_weights.h"
#include "preprocess/preprocess.h"

namespace fidcpp {

struct EvaluatorConfig {
  std::string weights_path;  // empty: default_weights_path()
  PreprocessMode mode = kDefaultPreprocessMode;
  DeviceKind device = DeviceKind::kCpu;
  int threads = 0;
  int batch_size = 0;  // 0: 16 on the CPU, from free memory on a device
  InceptionTap tap = InceptionTap::k2048;
  bool keep_features = false;
  bool keep_logits = false;
  bool skip_bad_images = false;  // count and skip undecodable files instead of stopping
  bool recursive = false;        // add_path on a folder also takes the images of its sub-folders
  bool low_memory = false;       // CPU backend without Winograd: one packed copy of each weight
  bool tf32 = false;             // CUDA: convolutions and fc on TF32 tensor cores (an opt-in; docs/cuda.md)
  // Non-empty: folders/zips/lists added to an empty side are served from / stored in this feature cache
  // (src/cache.h; key: image paths + sizes + mtimes, weights identity, mode, tap and the kept outputs).
  std::string cache_dir;
  // Called after each processed batch with (images done on this side, images expected or 0 if unknown).
  std::function<void(uint64_t, uint64_t)> progress;
  // Tests only: builds the backend instead of `device` (e.g. the emulated CUDA backend).
  std::function<Result<std::unique_ptr<Backend>>()> make_backend;
};

// $FIDCPP_WEIGHTS, else the build tree's weights/ file, else the installed data directory's.
std::string default_weights_path();

enum class Side { kReal = 0, kGenerated = 1 };

// Most shards one run may be split into (EvaluatorCore::add_path_shard).
constexpr int kMaxShards = 1 << 20;

class EvaluatorCore {
 public:
  static Result<std::unique_ptr<EvaluatorCore>> create(const EvaluatorConfig& config);
  ~EvaluatorCore();

  Status add_image(Side side, const RgbImageView& image);
  Status add_image_f32(Side side, const float* pixels, int width, int height, size_t row_stride_floats);
  // n images already in the backend's memory (CUDA device memory), preprocessed there without a host copy;
  // images.stream orders the reads after the caller's writes. kUnsupported unless the backend is CUDA.
  Status add_images_device(Side side, const ImageBatch& images);
  // A folder, zip, list file, .npz statistics or .npy features (N x D).
  Status add_path(Side side, const std::string& path);
  // Shard `index` of `count` (0-based) of a path, for splitting one run over processes or machines: the
  // contiguous slice [floor(index*n/count), floor((index+1)*n/count)) of the sorted image list or of a .npy's
  // rows, so concatenating shards 0..count-1 gives the unsharded order. A .npz (indivisible statistics) goes
  // wholly to shard 0.
  Status add_path_shard(Side side, const std::string& path, int index, int count);
  // n x dim features (row-major) from the caller's own extractor; dim must be feature_dim(). Images still
  // pending are processed first, so the order of the side is kept; the rows are kept when keep_features is
  // set (no logits: a side so filled has none for these rows). NaN/Inf are rejected naming row and column.
  Status add_feature_rows(Side side, const float* rows, int64_t n, int64_t dim);
  // The running sums of a side (count 0 and zero sums when it has no data). Fails if the side holds
  // pytorch-fid statistics (mu, sigma only).
  Result<Moments> moments(Side side) const;
  // Merges a partial state computed elsewhere (another shard or MPI rank): the sums add (Moments::merge) and
  // rows x D features / rows x 1008 logits are appended. features (logits) must be given when the evaluator
  // keeps them and moments.count() > 0; they are ignored otherwise.
  Status merge_partial(Side side, const Moments& moments, const float* features, const float* logits);
  Status flush();
  uint64_t count(Side side) const;
  uint64_t skipped(Side side) const;
  // Image sources of a side served from the cache (hits) and extracted then stored in it (misses).
  uint64_t cache_hits(Side side) const;
  uint64_t cache_misses(Side side) const;
  Status reset(Side side);

  // Statistics of a side (from images, merged shards, or a loaded pytorch-fid file).
  Result<GaussianStats> stats(Side side) const;
  Status save_stats(Side side, const std::string& path, bool overwrite) const;
  Status load_stats(Side side, const std::string& path);
  const std::vector<float>& features(Side side) const;
  const std::vector<float>& logits(Side side) const;

  Result<double> fid() const;
  // KID, precision/recall and density/coverage (and the KID bootstrap) run their matrix products on the
  // backend when it has its own (CUDA: cuBLAS) and the options name none.
  Result<KidResult> kid(const KidOptions& options) const;
  Result<InceptionScoreResult> inception_score(Side side, const InceptionScoreOptions& options) const;
  Result<MifidResult> mifid(const MifidOptions& options) const;
  Result<PrcResult> prc(const PrcOptions& options) const;
  Result<DcResult> dc(const DcOptions& options) const;
  // FID∞ of the generated side's kept features against the real side's statistics (images, merged shards
  // or a .npz), and IS∞ of the generated side's kept logits (metrics/fid_infinity.h).
  Result<InfinityResult> fid_infinity(const InfinityOptions& options) const;
  Result<InfinityResult> is_infinity(const InfinityOptions& options) const;
  // Bootstrap percentile intervals of FID and KID from both sides' kept features (metrics/bootstrap.h); the
  // replicates run on the evaluator's threads (options.threads is ignored) with the same result for any
  // count.
  Result<BootstrapResult> fid_bootstrap(const BootstrapOptions& options) const;
  Result<BootstrapResult> kid_bootstrap(const KidOptions& kid, const BootstrapOptions& options) const;

  int feature_dim() const { return feature_dim_; }
  // Images per forward pass: batch_size, or chosen from free device memory when it was 0 (known once the
  // network is loaded).
  int batch_size() const { return batch_; }
  const char* backend_name() const;
  // True when the forward's feature sums (Σf, Σffᵀ) are accumulated on the backend (CUDA) rather than the
  // host.
  bool moments_on_backend() const;

 private:
  struct SideState;
  EvaluatorCore() = default;
  Status ensure_network();
  MatrixProducts* backend_products() const;
  Status process_pending(Side side);
  // Asynchronous backends: downloads and adds the batch process_pending() left running on the device.
  Status finish_in_flight();
  Status add_features(Side side, const float* rows, int64_t n, const float* logits);
  // The kept features/logits and the count of n rows whose moments are accounted for elsewhere.
  void keep_rows(Side side, const float* rows, int64_t n, const float* logits);
  // Adds the in-flight batch's features (host copy `rows`, already downloaded) to the side's sums on the
  // backend; false when the backend keeps none (the caller adds them on the host).
  Result<bool> add_device_moments(Side side, const float* rows, int n);
  Status fold_device_moments(Side side);
  Status add_files(Side side, const std::vector<std::string>& files);
  Status add_files_cached(Side side, const std::vector<std::string>& files);
  Status add_npz(Side side, const std::string& path, int shard_index = 0, int shard_count = 1);
  // The images of an ADM-style batch (.npz arr_0), or shard `shard_index` of `shard_count` of them.
  Status add_npz_images(Side side, const std::string& path, int shard_index, int shard_count);
  Status add_npy(Side side, const std::string& path);
  Result<const SideState*> side_with_features(Side side, const char* metric) const;

  EvaluatorConfig config_;
  int feature_dim_ = 0;
  int batch_ = 16;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<InceptionNetwork> network_;
  InceptionForward* forward_ = nullptr;  // network_'s, once loaded
  std::unique_ptr<ThreadPool> pool_;     // decode + preprocess workers
  std::vector<Preprocessor> preprocessors_;
  std::unique_ptr<SideState> sides_[2];
  // The batch running on an asynchronous backend while the host decodes the next one (0: none).
  int in_flight_n_ = 0;
  bool device_moments_ = true;  // false once the backend said it keeps no moments
  Side in_flight_side_ = Side::kReal;
};

}  // namespace fidcpp
