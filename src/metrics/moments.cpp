// Moments and GaussianStats: float64 streaming sums (BLAS dsyrk per block of rows) and the two-pass np.cov
// path.
#include "metrics/moments.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "metrics/blas_lapack.h"

namespace fidcpp {

namespace {

constexpr int64_t kBlockRows = 256;

Status check_dim(int64_t dim, const char* what) {
  if (dim < 1 || dim > kMaxFeatureDim) {
    return invalid_argument(std::string(what) + ": feature dimension " + std::to_string(dim) +
                            " is outside [1, " + std::to_string(kMaxFeatureDim) + "]");
  }
  return Status();
}

// C(lower, row-major) += Aᵀ A for a row-major block A (rows×dim).
void syrk_accumulate(const double* block, int64_t rows, int64_t dim, double* c) {
  const int n = static_cast<int>(dim), k = static_cast<int>(rows);
  const double one = 1.0;
  dsyrk_("U", "N", &n, &k, &one, block, &n, &one, c, &n, 1, 1);
}

void mirror_lower(std::vector<double>& m, int64_t dim) {
  for (int64_t i = 0; i < dim; ++i) {
    for (int64_t j = i + 1; j < dim; ++j) m[i * dim + j] = m[j * dim + i];
  }
}

template <class T>
Status check_finite_impl(const T* rows, int64_t n, int64_t dim, const char* what) {
  for (int64_t i = 0; i < n; ++i) {
    const T* r = rows + i * dim;
    for (int64_t j = 0; j < dim; ++j) {
      if (!std::isfinite(r[j])) {
        return bad_input(std::string(what) + ": row " + std::to_string(i) + " column " + std::to_string(j) +
                         " is " + (std::isnan(r[j]) ? "NaN" : "infinite") + "; features must be finite");
      }
    }
  }
  return Status();
}

template <class T>
Result<GaussianStats> two_pass_impl(const T* rows, int64_t n, int64_t dim, MeanPrecision mean_precision) {
  FIDCPP_RETURN_IF_ERROR(check_dim(dim, "statistics"));
  if (n < 2) {
    return invalid_argument("statistics: need at least 2 feature vectors for a covariance, got " +
                            std::to_string(n));
  }
  FIDCPP_RETURN_IF_ERROR(check_finite_features(rows, n, dim, "features"));
  const size_t d = static_cast<size_t>(dim);
  // np.mean(axis=0) on a C-ordered array sums row after row (not pairwise).
  std::vector<double> mean(d, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const T* r = rows + i * dim;
    for (size_t j = 0; j < d; ++j) mean[j] += static_cast<double>(r[j]);
  }
  for (size_t j = 0; j < d; ++j) mean[j] /= static_cast<double>(n);

  GaussianStats out;
  out.dim = dim;
  if (mean_precision == MeanPrecision::kFloat32Numpy) {
    std::vector<float> mean32(d, 0.0f);
    for (int64_t i = 0; i < n; ++i) {
      const T* r = rows + i * dim;
      for (size_t j = 0; j < d; ++j) mean32[j] += static_cast<float>(r[j]);
    }
    out.mu.resize(d);
    for (size_t j = 0; j < d; ++j) out.mu[j] = static_cast<double>(mean32[j] / static_cast<float>(n));
  } else {
    out.mu = mean;
  }

  out.sigma.assign(d * d, 0.0);
  std::vector<double> block(static_cast<size_t>(std::min(n, kBlockRows)) * d);
  for (int64_t i0 = 0; i0 < n; i0 += kBlockRows) {
    const int64_t rows_here = std::min(kBlockRows, n - i0);
    for (int64_t i = 0; i < rows_here; ++i) {
      const T* r = rows + (i0 + i) * dim;
      double* b = block.data() + static_cast<size_t>(i) * d;
      for (size_t j = 0; j < d; ++j) b[j] = static_cast<double>(r[j]) - mean[j];
    }
    syrk_accumulate(block.data(), rows_here, dim, out.sigma.data());
  }
  // np.cov multiplies by the reciprocal of N−1 rather than dividing.
  const double scale = 1.0 / static_cast<double>(n - 1);
  for (int64_t i = 0; i < dim; ++i) {
    for (int64_t j = 0; j <= i; ++j) out.sigma[static_cast<size_t>(i * dim + j)] *= scale;
  }
  mirror_lower(out.sigma, dim);
  return out;
}

}  // namespace

Status check_finite_features(const float* rows, int64_t n, int64_t dim, const char* what) {
  return check_finite_impl(rows, n, dim, what);
}
Status check_finite_features(const double* rows, int64_t n, int64_t dim, const char* what) {
  return check_finite_impl(rows, n, dim, what);
}

Status check_gaussian_stats(const GaussianStats& s, const char* what) {
  FIDCPP_RETURN_IF_ERROR(check_dim(s.dim, what));
  const size_t d = static_cast<size_t>(s.dim);
  if (s.mu.size() != d || s.sigma.size() != d * d) {
    return invalid_argument(std::string(what) + ": mu has " + std::to_string(s.mu.size()) +
                            " values and sigma " + std::to_string(s.sigma.size()) + ", expected " +
                            std::to_string(d) + " and " + std::to_string(d) + "x" + std::to_string(d));
  }
  for (size_t i = 0; i < d; ++i) {
    if (!std::isfinite(s.mu[i])) {
      return bad_input(std::string(what) + ": mu[" + std::to_string(i) + "] is not finite");
    }
  }
  for (size_t i = 0; i < d * d; ++i) {
    if (!std::isfinite(s.sigma[i])) {
      return bad_input(std::string(what) + ": sigma[" + std::to_string(i / d) + "," + std::to_string(i % d) +
                       "] is not finite");
    }
  }
  return Status();
}

Result<Moments> Moments::create(int64_t dim) {
  FIDCPP_RETURN_IF_ERROR(check_dim(dim, "moments"));
  Moments m;
  m.dim_ = dim;
  m.sum_.assign(static_cast<size_t>(dim), 0.0);
  m.outer_.assign(static_cast<size_t>(dim * dim), 0.0);
  return m;
}

Result<Moments> Moments::from_sums(int64_t dim, int64_t count, const std::vector<double>& sum,
                                   const std::vector<double>& sum_outer) {
  FIDCPP_ASSIGN_OR_RETURN(Moments m, create(dim));
  if (count < 0) return invalid_argument("moments: negative sample count " + std::to_string(count));
  const size_t d = static_cast<size_t>(dim);
  if (sum.size() != d || sum_outer.size() != d * d) {
    return invalid_argument("moments: sum has " + std::to_string(sum.size()) + " values and sum_outer " +
                            std::to_string(sum_outer.size()) + ", expected " + std::to_string(d) + " and " +
                            std::to_string(d * d));
  }
  for (size_t i = 0; i < d; ++i) {
    if (!std::isfinite(sum[i])) return bad_input("moments: sum[" + std::to_string(i) + "] is not finite");
  }
  for (size_t i = 0; i < d; ++i) {
    for (size_t j = 0; j <= i; ++j) {
      const double v = sum_outer[i * d + j];
      if (!std::isfinite(v)) {
        return bad_input("moments: sum_outer[" + std::to_string(i) + "," + std::to_string(j) +
                         "] is not finite");
      }
      m.outer_[i * d + j] = v;
    }
  }
  m.count_ = count;
  m.sum_ = sum;
  return m;
}

std::vector<double> Moments::folded_outer() const {
  std::vector<double> folded = outer_;
  if (n_pending_ > 0) syrk_accumulate(pending_.data(), n_pending_, dim_, folded.data());
  return folded;
}

std::vector<double> Moments::sum_outer() const {
  std::vector<double> full = folded_outer();
  mirror_lower(full, dim_);
  return full;
}

template <class T>
Status Moments::add_rows(const T* rows, int64_t n_rows) {
  if (n_rows < 0) return invalid_argument("moments: negative row count " + std::to_string(n_rows));
  if (n_rows == 0) return Status();
  if (rows == nullptr) return invalid_argument("moments: null feature pointer");
  // Validate the whole batch first so a rejected batch leaves the sums untouched.
  FIDCPP_RETURN_IF_ERROR(check_finite_features(rows, n_rows, dim_, "features"));
  const size_t d = static_cast<size_t>(dim_);
  if (pending_.empty()) pending_.resize(static_cast<size_t>(kBlockRows) * d);
  for (int64_t i = 0; i < n_rows; ++i) {
    const T* r = rows + i * dim_;
    double* b = pending_.data() + static_cast<size_t>(n_pending_) * d;
    for (size_t j = 0; j < d; ++j) {
      b[j] = static_cast<double>(r[j]);
      sum_[j] += b[j];
    }
    if (++n_pending_ == kBlockRows) {
      syrk_accumulate(pending_.data(), kBlockRows, dim_, outer_.data());
      n_pending_ = 0;
    }
  }
  count_ += n_rows;
  return Status();
}

Status Moments::add(const float* rows, int64_t n_rows) {
  return add_rows(rows, n_rows);
}
Status Moments::add(const double* rows, int64_t n_rows) {
  return add_rows(rows, n_rows);
}

Status Moments::merge(const Moments& other) {
  if (other.dim_ != dim_) {
    return invalid_argument("moments: cannot merge dimension " + std::to_string(other.dim_) + " into " +
                            std::to_string(dim_));
  }
  for (size_t i = 0; i < sum_.size(); ++i) sum_[i] += other.sum_[i];
  const std::vector<double> other_outer = other.folded_outer();
  for (size_t i = 0; i < outer_.size(); ++i) outer_[i] += other_outer[i];
  count_ += other.count_;
  return Status();
}

Result<GaussianStats> Moments::gaussian_stats() const {
  if (count_ < 2) {
    return invalid_argument("statistics: need at least 2 feature vectors for a covariance, got " +
                            std::to_string(count_));
  }
  const size_t d = static_cast<size_t>(dim_);
  const double n = static_cast<double>(count_);
  const double n1 = static_cast<double>(count_ - 1);
  GaussianStats out;
  out.dim = dim_;
  out.mu.resize(d);
  for (size_t i = 0; i < d; ++i) out.mu[i] = sum_[i] / n;
  out.sigma.assign(d * d, 0.0);
  const std::vector<double> outer = folded_outer();
  for (size_t i = 0; i < d; ++i) {
    for (size_t j = 0; j <= i; ++j) {
      out.sigma[i * d + j] = (outer[i * d + j] - n * (out.mu[i] * out.mu[j])) / n1;
    }
  }
  mirror_lower(out.sigma, dim_);
  return out;
}

Result<GaussianStats> gaussian_stats_two_pass(const float* rows, int64_t n, int64_t dim,
                                              MeanPrecision mean_precision) {
  return two_pass_impl(rows, n, dim, mean_precision);
}

Result<GaussianStats> gaussian_stats_two_pass(const double* rows, int64_t n, int64_t dim) {
  return two_pass_impl(rows, n, dim, MeanPrecision::kFloat64);
}

Result<GaussianStats> gaussian_stats_weighted(const float* rows, const uint32_t* counts, int64_t n_rows,
                                              int64_t dim) {
  FIDCPP_RETURN_IF_ERROR(check_dim(dim, "weighted statistics"));
  if (n_rows < 0 || (n_rows > 0 && (rows == nullptr || counts == nullptr)))
    return invalid_argument("weighted statistics: null rows or counts");
  int64_t n = 0;
  for (int64_t i = 0; i < n_rows; ++i) n += counts[i];
  if (n < 2) {
    return invalid_argument("weighted statistics: need a total count of at least 2 for a covariance, got " +
                            std::to_string(n));
  }
  const size_t d = static_cast<size_t>(dim);
  GaussianStats out;
  out.dim = dim;
  out.mu.assign(d, 0.0);
  for (int64_t i = 0; i < n_rows; ++i) {
    if (counts[i] == 0) continue;
    const double c = static_cast<double>(counts[i]);
    const float* r = rows + i * dim;
    for (size_t j = 0; j < d; ++j) out.mu[j] += c * static_cast<double>(r[j]);
  }
  for (size_t j = 0; j < d; ++j) out.mu[j] /= static_cast<double>(n);

  // Σ c·(x−μ)(x−μ)ᵀ as a sum of outer products of √c·(x−μ): rows drawn k times enter once, rows not drawn
  // not at all (about 37% of them in a bootstrap resample).
  out.sigma.assign(d * d, 0.0);
  std::vector<double> block(static_cast<size_t>(kBlockRows) * d);
  int64_t filled = 0;
  for (int64_t i = 0; i < n_rows; ++i) {
    if (counts[i] == 0) continue;
    const double w = std::sqrt(static_cast<double>(counts[i]));
    const float* r = rows + i * dim;
    double* b = block.data() + static_cast<size_t>(filled) * d;
    for (size_t j = 0; j < d; ++j) b[j] = w * (static_cast<double>(r[j]) - out.mu[j]);
    if (++filled == kBlockRows) {
      syrk_accumulate(block.data(), filled, dim, out.sigma.data());
      filled = 0;
    }
  }
  if (filled > 0) syrk_accumulate(block.data(), filled, dim, out.sigma.data());
  const double scale = 1.0 / static_cast<double>(n - 1);
  for (int64_t i = 0; i < dim; ++i) {
    for (int64_t j = 0; j <= i; ++j) out.sigma[static_cast<size_t>(i * dim + j)] *= scale;
  }
  mirror_lower(out.sigma, dim);
  return out;
}

}  // namespace fidcpp
