// The per-side state of an EvaluatorCore and the helpers its files share (evaluator.cpp: set-up, statistics
// and metrics; evaluator_batching.cpp; evaluator_inputs.cpp; evaluator_cache.cpp). Internal to them.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "backend/backend.h"
#include "core/aligned_buffer.h"
#include "evaluator.h"

namespace fidcpp {

constexpr int64_t kInputFloats = int64_t(3) * kInceptionInputSize * kInceptionInputSize;

inline int side_index(Side s) {
  return s == Side::kReal ? 0 : 1;
}
inline const char* side_name(Side s) {
  return s == Side::kReal ? "real" : "generated";
}

struct EvaluatorCore::SideState {
  std::optional<Moments> moments;            // from images / features / mergeable statistics
  std::optional<GaussianStats> fixed_stats;  // from a pytorch-fid .npz (mu, sigma only)
  std::vector<float> features;               // n x D when keep_features
  std::vector<float> logits;                 // n x 1008 when keep_logits
  // batch_ x 3 x 299 x 299 preprocessed inputs. On an asynchronous backend two pinned buffers used in turn:
  // the device copies one while the host fills the other.
  std::unique_ptr<HostBuffer> pending_buffers[2];
  int pending_index = 0;
  float* pending() { return pending_buffers[pending_index]->data(); }
  int n_pending = 0;
  uint64_t count = 0;
  uint64_t skipped = 0;
  uint64_t expected = 0;  // for progress reports
  bool sharded = false;   // filled by add_path_shard: may be saved with < 2 images (mergeable sums only)
  uint64_t cache_hits = 0, cache_misses = 0;
  // Sums of the forward's features kept on the backend (CUDA) since the last fold into `moments`; flush()
  // folds them, and readers of `moments` refuse to run while device_rows > 0.
  std::unique_ptr<BackendMoments> device_moments;
  int64_t device_rows = 0;
};

}  // namespace fidcpp
