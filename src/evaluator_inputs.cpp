// EvaluatorCore's input resolution: a path is statistics (.npz with mu/sigma or our sums), an image batch
// (.npz with arr_0 N x H x W x 3 uint8, as ADM's sample scripts write), features (.npy) or an image source
// (folder, zip, list), taken whole or as one shard of a split run.
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>

#include "evaluator.h"
#include "evaluator_side.h"
#include "io/image_decode.h"
#include "io/image_source.h"
#include "io/npz_images.h"
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

Status EvaluatorCore::add_npz(Side side, const std::string& path, int shard_index, int shard_count) {
  // Decided by the members, never by guessing: statistics (mu + sigma, or n + sum + sum_outer) win over an
  // image batch in the same file (ADM's reference batches hold both; their mu/sigma are what ADM's evaluator
  // compares with), then arr_0 as uint8 N x H x W x 3 is an image batch.
  FIDCPP_ASSIGN_OR_RETURN(const NpzContents c, inspect_npz(path));
  if (!c.has_fid_stats && !c.has_moments) {
    if (c.image_batch) return add_npz_images(side, path, shard_index, shard_count);
    std::string keys;
    for (const std::string& k : c.keys) keys += (keys.empty() ? "" : ", ") + k;
    return bad_input("'" + path +
                     "' is neither statistics (mu and sigma) nor an image batch (arr_0, uint8 N x H x " +
                     "W x 3): it holds " + (keys.empty() ? "nothing" : keys) +
                     (c.arr_0_problem.empty() ? "" : "; arr_0: " + c.arr_0_problem));
  }
  if (shard_index != 0) return Status();  // statistics go in once, with the first shard
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

Status EvaluatorCore::add_npz_images(Side side, const std::string& path, int shard_index, int shard_count) {
  SideState& s = *sides_[side_index(side)];
  if (s.fixed_stats)
    return invalid_argument(std::string("the ") + side_name(side) +
                            " side holds pytorch-fid statistics (mu, sigma only); images cannot be added");
  FIDCPP_ASSIGN_OR_RETURN(const DecodeLimits limits, decode_limits_from_env());
  FIDCPP_ASSIGN_OR_RETURN(NpzImageBatch batch, NpzImageBatch::open(path, limits.max_side));
  const auto [first, end] = shard_range(size_t(batch.count()), shard_index, shard_count);
  if (int64_t(batch.height()) * batch.width() > limits.max_pixels)
    return invalid_argument("image batch '" + path + "': images of " + std::to_string(batch.width()) + "x" +
                            std::to_string(batch.height()) + " exceed the limit of " +
                            std::to_string(limits.max_pixels) + " pixels (FIDCPP_MAX_IMAGE_PIXELS)");
  if (first == end) return Status();
  FIDCPP_RETURN_IF_ERROR(ensure_network());
  FIDCPP_RETURN_IF_ERROR(batch.skip(int64_t(first)));
  s.expected += end - first;
  // One forward batch of raw images at a time: memory stays at batch_ images however many the file holds.
  std::vector<uint8_t> pixels;
  size_t next = first;
  while (next < end) {
    const int free_slots = batch_ - s.n_pending;
    const size_t take = std::min<size_t>(size_t(free_slots), end - next);
    pixels.resize(take * batch.image_bytes());
    FIDCPP_RETURN_IF_ERROR(batch.read(int64_t(take), pixels.data()));
    std::vector<Status> errors(take);
    pool_->parallel_for(take, [&](size_t b, size_t e, int w) {
      for (size_t i = b; i < e; ++i) {
        RgbImageView v;
        v.data = pixels.data() + i * batch.image_bytes();
        v.width = batch.width();
        v.height = batch.height();
        v.row_stride = ptrdiff_t(batch.width()) * 3;
        v.pixel_stride = 3;
        errors[i] =
            preprocessors_[size_t(w)].run(v, s.pending() + int64_t(s.n_pending + int(i)) * kInputFloats);
      }
    });
    for (size_t i = 0; i < take; ++i)
      if (!errors[i].ok())
        return errors[i].with_context("image batch '" + path + "' image " + std::to_string(next + i));
    s.n_pending += int(take);
    next += take;
    if (s.n_pending == batch_) FIDCPP_RETURN_IF_ERROR(process_pending(side));
  }
  if (end == size_t(batch.count())) FIDCPP_RETURN_IF_ERROR(batch.finish());
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
  if (ends_with_ci(path, ".npz")) return add_npz(side, path, index, count);
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
