// EvaluatorCore's input resolution: a path is statistics (.npz), features (.npy) or an image source (folder,
// zip, list), taken whole or as one shard of a split run.
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>

#include "evaluator.h"
#include "evaluator_side.h"
#include "io/image_source.h"
#include "metrics/stats_file.h"

namespace fidcpp {

namespace {

bool ends_with_ci(const std::string& s, const char* suffix) {
  const size_t n = std::char_traits<char>::length(suffix);
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - n + i])) != suffix[i]) return false;
  return true;
}

// Shard `index` of `count` of n items: [floor(index*n/count), floor((index+1)*n/count)).
std::pair<size_t, size_t> shard_range(size_t n, int index, int count) {
  const auto at = [&](int k) { return size_t(uint64_t(n) * uint64_t(k) / uint64_t(count)); };
  return {at(index), at(index + 1)};
}

}  // namespace

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

Status EvaluatorCore::add_feature_rows(Side side, const float* rows, int64_t n, int64_t dim) {
  if (dim != feature_dim_)
    return invalid_argument("features have dimension " + std::to_string(dim) +
                            ", but this evaluator uses the " + std::to_string(feature_dim_) +
                            "-d tap (feature_dim " + std::to_string(feature_dim_) + ")");
  if (n < 0) return invalid_argument("n must be >= 0, got " + std::to_string(n));
  if (n == 0) return Status();
  if (!rows) return invalid_argument("features is null (with n = " + std::to_string(n) + ")");
  if (n > INT64_MAX / dim / int64_t(sizeof(float)))
    return invalid_argument("n = " + std::to_string(n) + " rows of " + std::to_string(dim) + " is too large");
  FIDCPP_RETURN_IF_ERROR(flush());  // images added earlier keep their place in the order
  return add_features(side, rows, n, nullptr);
}

Status EvaluatorCore::add_path(Side side, const std::string& path) {
  if (ends_with_ci(path, ".npz")) return add_npz(side, path);
  if (ends_with_ci(path, ".npy")) return add_npy(side, path);
  FIDCPP_ASSIGN_OR_RETURN(std::vector<std::string> files, list_image_files(path, config_.recursive));
  if (!config_.cache_dir.empty()) return add_files_cached(side, files);
  return add_files(side, files);
}

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

}  // namespace fidcpp
