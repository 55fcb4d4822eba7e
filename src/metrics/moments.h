// Moments: streaming n, Σf and Σffᵀ of feature vectors in float64 (memory independent of N), mergeable by
// addition; GaussianStats (μ, Σ with N−1) from them or from features kept in memory (two-pass, like np.cov).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"

namespace fidcpp {

// Largest feature dimension accepted anywhere in metrics (Σ is D×D doubles: 65536² would be 32 GiB).
constexpr int64_t kMaxFeatureDim = 16384;

struct GaussianStats {
  int64_t dim = 0;
  std::vector<double> mu;     // D
  std::vector<double> sigma;  // D×D, row-major, symmetric
};

// Validates that mu/sigma have consistent sizes and are finite; `what` names the statistics in the message.
Status check_gaussian_stats(const GaussianStats& s, const char* what);

class Moments {
 public:
  static Result<Moments> create(int64_t dim);
  // From stored sums (e.g. a mergeable .npz). sum_outer is D×D row-major; only its lower triangle is read.
  static Result<Moments> from_sums(int64_t dim, int64_t count, const std::vector<double>& sum,
                                   const std::vector<double>& sum_outer);

  int64_t dim() const { return dim_; }
  int64_t count() const { return count_; }
  const std::vector<double>& sum() const { return sum_; }
  // Σffᵀ as a full symmetric D×D row-major matrix.
  std::vector<double> sum_outer() const;

  // Adds n_rows feature vectors (row-major n_rows×dim). Rejects NaN/Inf, naming the row and column.
  Status add(const float* rows, int64_t n_rows);
  Status add(const double* rows, int64_t n_rows);
  // Exact merge: the sums of two shards add.
  Status merge(const Moments& other);

  // μ = Σf/n and torchmetrics' one-pass Σ = (Σffᵀ − n·μμᵀ)/(n−1) (docs/conventions.md §3.2). Needs n ≥ 2.
  Result<GaussianStats> gaussian_stats() const;

 private:
  template <class T>
  Status add_rows(const T* rows, int64_t n_rows);
  // outer_ plus the pending rows' contribution, lower triangle.
  std::vector<double> folded_outer() const;
  int64_t dim_ = 0;
  int64_t count_ = 0;
  std::vector<double> sum_;
  std::vector<double> outer_;  // lower triangle (row-major) = upper triangle in BLAS column-major terms
  // Σffᵀ is accumulated one fixed block of rows at a time, counted from the first row added, so the sums are
  // bitwise the same however the rows were split over add() calls (batch sizes). Rows of the unfinished
  // block wait here (row-major, float64); reads fold them into a copy.
  std::vector<double> pending_;
  int64_t n_pending_ = 0;
};

// How the mean of float32 features is accumulated by gaussian_stats_two_pass.
enum class MeanPrecision {
  kFloat64,       // np.mean on float64 (pytorch-fid, torchmetrics MiFID)
  kFloat32Numpy,  // np.mean on float32 (torch-fidelity, clean-fid): float32 row-sequential sum, float32
                  // divide
};

// Two-pass statistics of features kept in memory, as np.mean(axis=0) and np.cov(rowvar=False) (N−1).
Result<GaussianStats> gaussian_stats_two_pass(const float* rows, int64_t n, int64_t dim,
                                              MeanPrecision mean_precision = MeanPrecision::kFloat64);
Result<GaussianStats> gaussian_stats_two_pass(const double* rows, int64_t n, int64_t dim);

// Two-pass statistics of row i repeated counts[i] times (a bootstrap resample given as multiplicities; Σ
// counts ≥ 2): the same quantities as gaussian_stats_two_pass of the repeated rows up to rounding, at the
// cost of the rows with a non-zero count only. The rows are not checked for NaN/Inf (the caller checks them
// once).
Result<GaussianStats> gaussian_stats_weighted(const float* rows, const uint32_t* counts, int64_t n_rows,
                                              int64_t dim);

// Rejects NaN/Inf in a row-major n×dim feature matrix, naming `what`, the row and the column.
Status check_finite_features(const float* rows, int64_t n, int64_t dim, const char* what);
Status check_finite_features(const double* rows, int64_t n, int64_t dim, const char* what);

}  // namespace fidcpp
