// Blocked Euclidean distance matrices and k-th neighbour radii shared by the k-NN metrics: precision/recall
// (prc.cpp: float32, as torch.cdist) and density/coverage (dc.cpp: float64, as sklearn's
// euclidean_distances).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/parallel.h"
#include "core/status.h"
#include "metrics/matrix_products.h"

namespace fidcpp {

// Row-major n x d features with their squared norms, rounded to T (x.pow(2).sum(-1) for float, sklearn's
// row_norms(squared=True) for double).
template <class T>
struct FeatureRows {
  const T* data = nullptr;
  int64_t n = 0;
  std::vector<T> sq_norms;
};

template <class T>
FeatureRows<T> feature_rows(const T* data, int64_t n, int64_t d);

// Rows per distance block so that rows x n_cols values of value_bytes each stay under a fixed memory cap.
int64_t distance_block_rows(int64_t n_rows, int64_t n_cols, size_t value_bytes);

// Which formula each pair of rows gets. The rows of both sets are cut into batches of batch_size; a pair of
// batches uses the GEMM expansion sqrt(max((-2a.b + |a|^2) + |b|^2, 0)) when either batch has more than
// direct_max_rows rows, the direct sqrt(sum (a-b)^2) otherwise.
struct DistanceOptions {
  int64_t batch_size = INT64_MAX;
  int64_t direct_max_rows = 0;
  bool zero_self = false;  // kth_radii: a row's distance to itself is 0, not the expansion's rounding
  // The expansion's products a.b: null = the CPU BLAS, else a device's (Backend::matrix_products).
  MatrixProducts* products = nullptr;
};
// torch.cdist as torch-fidelity calls it: its prc_batch_size, and the direct sum when both sides have <= 25
// rows.
inline DistanceOptions torch_cdist_distances(int64_t batch_size) {
  return DistanceOptions{batch_size, 25, false, nullptr};
}
// sklearn.metrics.pairwise_distances(metric='euclidean') on float64: always the expansion, zero
// self-distance.
inline DistanceOptions sklearn_distances() {
  return DistanceOptions{INT64_MAX, 0, true, nullptr};
}

// Distances from rows [i0, i0+rows) of `a` to every row of `b`, row-major into out (rows x b.n).
template <class T>
Status distance_block(const FeatureRows<T>& a, int64_t i0, int64_t rows, const FeatureRows<T>& b, int64_t d,
                      const DistanceOptions& options, ThreadPool& pool, T* out);

// radius[i] = (k+1)-th smallest distance from row i to its own set, self included (torch.kthvalue(k+1),
// prdc's get_kth_value(k+1)). Needs s.n > k.
template <class T>
Result<std::vector<T>> kth_radii(const FeatureRows<T>& s, int64_t d, int k, const DistanceOptions& options,
                                 ThreadPool& pool);

}  // namespace fidcpp
