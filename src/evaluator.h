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
#include "metrics/fid.h"
#include "metrics/inception_score.h"
#include "metrics/kid.h"
#include "metrics/mifid.h"
#include "metrics/moments.h"
#include "metrics/prc.h"
#include "model/inception_forward.h"
#include "model/inception_weights.h"
#include "model/preprocess.h"

namespace fidcpp {

enum class DeviceKind { kCpu, kCuda, kAuto };

struct EvaluatorConfig {
  std::string weights_path;  // empty: default_weights_path()
  PreprocessMode mode = kDefaultPreprocessMode;
  DeviceKind device = DeviceKind::kCpu;
  int threads = 0;
  int batch_size = 0;  // 0: 16
  InceptionTap tap = InceptionTap::k2048;
  bool keep_features = false;
  bool keep_logits = false;
  bool skip_bad_images = false;  // count and skip undecodable files instead of stopping
  // Called after each processed batch with (images done on this side, images expected or 0 if unknown).
  std::function<void(uint64_t, uint64_t)> progress;
};

// $FIDCPP_WEIGHTS, else the build tree's weights/ file, else the installed data directory's.
std::string default_weights_path();

enum class Side { kReal = 0, kGenerated = 1 };

class EvaluatorCore {
 public:
  static Result<std::unique_ptr<EvaluatorCore>> create(const EvaluatorConfig& config);
  ~EvaluatorCore();

  Status add_image(Side side, const RgbImageView& image);
  Status add_image_f32(Side side, const float* pixels, int width, int height, size_t row_stride_floats);
  // A folder, zip, list file, .npz statistics or .npy features (N x D).
  Status add_path(Side side, const std::string& path);
  Status flush();
  uint64_t count(Side side) const;
  uint64_t skipped(Side side) const;
  Status reset(Side side);

  // Statistics of a side (from images, merged shards, or a loaded pytorch-fid file).
  Result<GaussianStats> stats(Side side) const;
  Status save_stats(Side side, const std::string& path, bool overwrite) const;
  Status load_stats(Side side, const std::string& path);
  const std::vector<float>& features(Side side) const;
  const std::vector<float>& logits(Side side) const;

  Result<double> fid() const;
  Result<KidResult> kid(const KidOptions& options) const;
  Result<InceptionScoreResult> inception_score(Side side, const InceptionScoreOptions& options) const;
  Result<MifidResult> mifid(const MifidOptions& options) const;
  Result<PrcResult> prc(const PrcOptions& options) const;

  int feature_dim() const { return feature_dim_; }
  const char* backend_name() const;

 private:
  struct SideState;
  EvaluatorCore() = default;
  Status ensure_network();
  Status process_pending(Side side);
  Status add_features(Side side, const float* rows, int64_t n, const float* logits);
  Status add_files(Side side, const std::vector<std::string>& files);
  Status add_npz(Side side, const std::string& path);
  Status add_npy(Side side, const std::string& path);
  Result<const SideState*> side_with_features(Side side, const char* metric) const;

  EvaluatorConfig config_;
  int feature_dim_ = 0;
  int batch_ = 16;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<PreparedInception> prepared_;
  std::unique_ptr<InceptionForward> forward_;
  std::unique_ptr<ThreadPool> pool_;  // decode + preprocess workers
  std::vector<Preprocessor> preprocessors_;
  std::unique_ptr<SideState> sides_[2];
};

}  // namespace fidcpp
