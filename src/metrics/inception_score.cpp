// Inception Score: softmax / log_softmax per row in float64, per-group KL to the group's mean distribution.
#include "metrics/inception_score.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "metrics/moments.h"
#include "metrics/numpy_random.h"
#include "metrics/numpy_sum.h"

namespace fidcpp {

Result<InceptionScoreResult> inception_score(const float* logits, int64_t n, int64_t classes,
                                             const InceptionScoreOptions& options) {
  if (options.splits < 1) {
    return invalid_argument("inception score: splits must be at least 1, got " +
                            std::to_string(options.splits));
  }
  if (classes < 2 || classes > (int64_t(1) << 20)) {
    return invalid_argument("inception score: number of classes " + std::to_string(classes) +
                            " is outside [2, 2^20]");
  }
  if (n < 1 || logits == nullptr) return invalid_argument("inception score: no logits given");
  if (options.convention == IsConvention::kTorchFidelity && n < options.splits) {
    return invalid_argument("inception score: " + std::to_string(n) + " samples cannot fill " +
                            std::to_string(options.splits) + " splits (torch-fidelity would produce NaN)");
  }
  FIDCPP_RETURN_IF_ERROR(check_finite_features(logits, n, classes, "logits"));

  std::vector<int64_t> order;
  if (options.shuffle == IsShuffle::kNumpySeeded) {
    NumpyRandomState rng(options.seed);
    order = rng.permutation(n);
  } else {
    order.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  }

  // Group boundaries over the (shuffled) row order.
  std::vector<int64_t> bounds;
  if (options.convention == IsConvention::kTorchFidelity) {
    for (int i = 0; i <= options.splits; ++i) bounds.push_back(i * n / options.splits);
  } else {
    const int64_t chunk = (n + options.splits - 1) / options.splits;  // torch.chunk
    for (int64_t b = 0; b < n; b += chunk) bounds.push_back(b);
    bounds.push_back(n);
  }
  const int groups = static_cast<int>(bounds.size()) - 1;

  const size_t c = static_cast<size_t>(classes);
  std::vector<double> p, logp;
  std::vector<double> q(c), row(c);
  std::vector<double> scores;
  for (int g = 0; g < groups; ++g) {
    const int64_t b0 = bounds[static_cast<size_t>(g)], b1 = bounds[static_cast<size_t>(g) + 1];
    const size_t rows = static_cast<size_t>(b1 - b0);
    p.resize(rows * c);
    logp.resize(rows * c);
    std::fill(q.begin(), q.end(), 0.0);
    for (size_t r = 0; r < rows; ++r) {
      const float* z = logits + order[static_cast<size_t>(b0) + r] * classes;
      double mx = -std::numeric_limits<double>::infinity();
      for (size_t k = 0; k < c; ++k) mx = std::max(mx, static_cast<double>(z[k]));
      double s = 0.0;
      for (size_t k = 0; k < c; ++k) {
        row[k] = static_cast<double>(z[k]) - mx;
        s += std::exp(row[k]);
      }
      const double log_s = std::log(s);
      for (size_t k = 0; k < c; ++k) {
        p[r * c + k] = std::exp(row[k]) / s;
        logp[r * c + k] = row[k] - log_s;
        q[k] += p[r * c + k];
      }
    }
    for (size_t k = 0; k < c; ++k) q[k] = std::log(q[k] / static_cast<double>(rows));
    double kl_sum = 0.0;
    for (size_t r = 0; r < rows; ++r) {
      double kl = 0.0;
      for (size_t k = 0; k < c; ++k) kl += p[r * c + k] * (logp[r * c + k] - q[k]);
      kl_sum += kl;
    }
    scores.push_back(std::exp(kl_sum / static_cast<double>(rows)));
  }

  InceptionScoreResult out;
  out.groups = groups;
  out.mean = numpy_pairwise_sum(scores.data(), groups) / groups;
  std::vector<double> dev2(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) dev2[i] = (scores[i] - out.mean) * (scores[i] - out.mean);
  const double ss = numpy_pairwise_sum(dev2.data(), groups);
  if (options.convention == IsConvention::kTorchFidelity) {
    out.std = std::sqrt(ss / groups);
  } else {
    out.std = groups > 1 ? std::sqrt(ss / (groups - 1)) : std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

}  // namespace fidcpp
