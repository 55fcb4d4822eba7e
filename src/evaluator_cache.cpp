// EvaluatorCore's use of the feature cache (cache.h): a whole image source is served from or stored in it.
#include <string>

#include "cache.h"
#include "evaluator.h"
#include "evaluator_side.h"

namespace fidcpp {

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
      "\nskip_bad " + std::to_string(int(config_.skip_bad_images)) + "\nlow_memory " +
      std::to_string(int(config_.low_memory)) + "\ntf32 " + std::to_string(int(config_.tf32)) + "\nweights " +
      *weights_id;
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
  FIDCPP_RETURN_IF_ERROR(fold_device_moments(side));
  ++s.cache_misses;
  if (!s.moments) return Status();
  return feature_cache_store(config_.cache_dir, key, *s.moments,
                             config_.keep_features ? &s.features : nullptr,
                             config_.keep_logits ? &s.logits : nullptr, kFcOut, s.count, s.skipped);
}

}  // namespace fidcpp
