// FID∞ / IS∞: per point a cumulative numpy-compatible shuffle, the subset's metric, then a closed-form
// least-squares line over 1/N in float64.
#include "metrics/fid_infinity.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "metrics/fid.h"
#include "metrics/inception_score.h"
#include "metrics/numpy_random.h"

namespace fidcpp {

namespace {

Status check_options(const char* metric, int64_t n, const InfinityOptions& o, int64_t smallest_min) {
  const std::string m = metric;
  if (o.num_points < 2)
    return invalid_argument(m + ": at least 2 points are needed for the line fit, got " +
                            std::to_string(o.num_points));
  if (o.min_n < smallest_min)
    return invalid_argument(m + ": the smallest subset size must be at least " +
                            std::to_string(smallest_min) + ", got " + std::to_string(o.min_n));
  if (n > INT32_MAX) return invalid_argument(m + ": more than 2^31-1 generated images");
  if (n <= o.min_n)
    return invalid_argument(m + ": " + std::to_string(n) +
                            " generated images are too few for the smallest subset size " +
                            std::to_string(o.min_n) +
                            " (more are needed than it, to extrapolate); set a smaller minimum (--inf-min)");
  return Status();
}

// Draws the subsets, evaluates `metric` on each (row indices, N) and fits the line.
Result<InfinityResult> extrapolate(
    int64_t n, const InfinityOptions& o,
    const std::function<Result<double>(const std::vector<int64_t>&, int64_t)>& metric) {
  InfinityResult r;
  r.sizes = infinity_subset_sizes(o.min_n, n, o.num_points);
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  NumpyRandomState rng(o.seed);
  for (int64_t size : r.sizes) {
    rng.shuffle(order);
    FIDCPP_ASSIGN_OR_RETURN(double v, metric(order, size));
    r.values.push_back(v);
  }
  // value = a·x + b over x = 1/N: closed-form least squares about the means.
  const size_t k = r.sizes.size();
  double xm = 0, ym = 0;
  for (size_t i = 0; i < k; ++i) {
    xm += 1.0 / static_cast<double>(r.sizes[i]);
    ym += r.values[i];
  }
  xm /= static_cast<double>(k);
  ym /= static_cast<double>(k);
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < k; ++i) {
    const double dx = 1.0 / static_cast<double>(r.sizes[i]) - xm;
    sxy += dx * (r.values[i] - ym);
    sxx += dx * dx;
  }
  if (!(sxx > 0)) return invalid_argument("infinity extrapolation: all subset sizes are equal");
  r.value = ym - (sxy / sxx) * xm;
  return r;
}

}  // namespace

std::vector<int64_t> infinity_subset_sizes(int64_t min_n, int64_t n, int num_points) {
  // numpy linspace: start + i·step with step = (stop − start)/(num − 1), the last point exactly stop; then
  // astype(int32) truncates.
  std::vector<int64_t> sizes;
  if (num_points < 1) return sizes;
  const double start = static_cast<double>(min_n),
               step = num_points > 1 ? static_cast<double>(n - min_n) / (num_points - 1) : 0.0;
  for (int i = 0; i < num_points; ++i) {
    const double y = (i == num_points - 1 && num_points > 1) ? static_cast<double>(n) : i * step + start;
    sizes.push_back(static_cast<int64_t>(y));
  }
  return sizes;
}

Result<InfinityResult> fid_infinity(const float* generated, int64_t n, int64_t dim, const GaussianStats& real,
                                    const InfinityOptions& options) {
  FIDCPP_RETURN_IF_ERROR(check_options("FID infinity", n, options, 2));
  if (generated == nullptr) return invalid_argument("FID infinity: no generated features given");
  FIDCPP_RETURN_IF_ERROR(check_gaussian_stats(real, "FID infinity real statistics"));
  if (dim != real.dim)
    return invalid_argument("FID infinity: generated features have dimension " + std::to_string(dim) +
                            ", the real statistics " + std::to_string(real.dim));
  FIDCPP_RETURN_IF_ERROR(check_finite_features(generated, n, dim, "FID infinity generated features"));
  std::vector<float> subset;
  return extrapolate(n, options, [&](const std::vector<int64_t>& order, int64_t size) -> Result<double> {
    subset.resize(static_cast<size_t>(size * dim));
    for (int64_t i = 0; i < size; ++i) {
      const float* src = generated + order[static_cast<size_t>(i)] * dim;
      std::copy(src, src + dim, subset.data() + i * dim);
    }
    FIDCPP_ASSIGN_OR_RETURN(GaussianStats s,
                            gaussian_stats_two_pass(subset.data(), size, dim, options.mean_precision));
    return frechet_distance(real, s);
  });
}

Result<InfinityResult> is_infinity(const float* logits, int64_t n, int64_t classes,
                                   const InfinityOptions& options) {
  FIDCPP_RETURN_IF_ERROR(check_options("IS infinity", n, options, 1));
  if (logits == nullptr) return invalid_argument("IS infinity: no logits given");
  if (classes < 2) return invalid_argument("IS infinity: fewer than 2 classes");
  FIDCPP_RETURN_IF_ERROR(check_finite_features(logits, n, classes, "IS infinity logits"));
  InceptionScoreOptions is;
  is.splits = 1;
  is.convention = IsConvention::kTorchFidelity;
  is.shuffle = IsShuffle::kNone;
  std::vector<float> subset;
  return extrapolate(n, options, [&](const std::vector<int64_t>& order, int64_t size) -> Result<double> {
    subset.resize(static_cast<size_t>(size * classes));
    for (int64_t i = 0; i < size; ++i) {
      const float* src = logits + order[static_cast<size_t>(i)] * classes;
      std::copy(src, src + classes, subset.data() + i * classes);
    }
    FIDCPP_ASSIGN_OR_RETURN(InceptionScoreResult r, inception_score(subset.data(), size, classes, is));
    return r.mean;
  });
}

}  // namespace fidcpp
