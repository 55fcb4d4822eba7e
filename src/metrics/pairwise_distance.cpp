// Blocked distance matrices and k-th neighbour radii (pairwise_distance.h), for float (PRC) and double (DC).
#include "metrics/pairwise_distance.h"

#include <algorithm>
#include <cmath>

#include "metrics/blas_lapack.h"

namespace fidcpp {

namespace {

constexpr int64_t kBlockRows = 1024;
constexpr int64_t kBlockBytes = int64_t(1) << 28;  // distance buffer cap: 256 MiB

// C = alpha * B^T A (column-major view of row-major blocks): the cross terms a.b of every pair of rows, the
// n rows of a against the m rows of b. On the CPU BLAS, or `mp` (a device) when set.
Status gemm_tn(MatrixProducts* mp, int m, int n, int k, float alpha, const float* b, const float* a, float* c,
               int ldc) {
  if (mp) return mp->abt(n, m, k, alpha, a, b, c, ldc);
  const float zero = 0.0f;
  sgemm_("T", "N", &m, &n, &k, &alpha, b, &k, a, &k, &zero, c, &ldc, 1, 1);
  return Status();
}
Status gemm_tn(MatrixProducts* mp, int m, int n, int k, double alpha, const double* b, const double* a,
               double* c, int ldc) {
  if (mp) return mp->abt(n, m, k, alpha, a, b, c, ldc);
  const double zero = 0.0;
  dgemm_("T", "N", &m, &n, &k, &alpha, b, &k, a, &k, &zero, c, &ldc, 1, 1);
  return Status();
}

}  // namespace

template <class T>
FeatureRows<T> feature_rows(const T* data, int64_t n, int64_t d) {
  FeatureRows<T> s;
  s.data = data;
  s.n = n;
  s.sq_norms.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double acc = 0.0;
    const T* r = data + i * d;
    for (int64_t k = 0; k < d; ++k) acc += static_cast<double>(r[k]) * r[k];
    s.sq_norms[static_cast<size_t>(i)] = static_cast<T>(acc);
  }
  return s;
}

int64_t distance_block_rows(int64_t n_rows, int64_t n_cols, size_t value_bytes) {
  const int64_t cap = kBlockBytes / int64_t(value_bytes);
  return std::max<int64_t>(1, std::min({kBlockRows, n_rows, cap / n_cols}));
}

template <class T>
Status distance_block(const FeatureRows<T>& a, int64_t i0, int64_t rows, const FeatureRows<T>& b, int64_t d,
                      const DistanceOptions& opt, ThreadPool& pool, T* out) {
  const int64_t batch_size = opt.batch_size;
  const int64_t a_batch_start = (i0 / batch_size) * batch_size;
  const int64_t a_batch_rows = std::min(batch_size, a.n - a_batch_start);
  const size_t ldo = static_cast<size_t>(b.n);
  for (int64_t j0 = 0; j0 < b.n; j0 += batch_size) {
    const int64_t cols = std::min(batch_size, b.n - j0);
    if (a_batch_rows > opt.direct_max_rows || cols > opt.direct_max_rows) {
      // |a|^2 + |b|^2 - 2a.b: the -2 scaling is exact, so this equals the GEMM on (-2a) torch performs and
      // sklearn's -2 * (a.b).
      FIDCPP_RETURN_IF_ERROR(gemm_tn(opt.products, static_cast<int>(cols), static_cast<int>(rows),
                                     static_cast<int>(d), T(-2), b.data + j0 * d, a.data + i0 * d, out + j0,
                                     static_cast<int>(b.n)));
      pool.parallel_for(static_cast<size_t>(rows), [&](size_t r0, size_t r1, int) {
        for (size_t r = r0; r < r1; ++r) {
          const T na = a.sq_norms[static_cast<size_t>(i0) + r];
          T* o = out + r * ldo + j0;
          for (int64_t j = 0; j < cols; ++j) {
            const T v = (o[j] + na) + b.sq_norms[static_cast<size_t>(j0 + j)];
            o[j] = std::sqrt(std::max(v, T(0)));
          }
        }
      });
    } else {
      for (int64_t r = 0; r < rows; ++r) {
        const T* x = a.data + (i0 + r) * d;
        for (int64_t j = 0; j < cols; ++j) {
          const T* y = b.data + (j0 + j) * d;
          double acc = 0.0;
          for (int64_t k = 0; k < d; ++k) {
            const double diff = static_cast<double>(x[k]) - y[k];
            acc += diff * diff;
          }
          out[static_cast<size_t>(r) * ldo + static_cast<size_t>(j0 + j)] = static_cast<T>(std::sqrt(acc));
        }
      }
    }
  }
  return Status();
}

template <class T>
Result<std::vector<T>> kth_radii(const FeatureRows<T>& s, int64_t d, int k, const DistanceOptions& opt,
                                 ThreadPool& pool) {
  std::vector<T> radius(static_cast<size_t>(s.n));
  const int64_t block = distance_block_rows(s.n, s.n, sizeof(T));
  std::vector<T> dist(static_cast<size_t>(block * s.n));
  for (int64_t i0 = 0, rows = 0; i0 < s.n; i0 += rows) {
    // Keep blocks inside one batch so the direct-sum rule is decided per batch.
    const int64_t batch_end = std::min(s.n, (i0 / opt.batch_size + 1) * opt.batch_size);
    rows = std::min(block, batch_end - i0);
    FIDCPP_RETURN_IF_ERROR(distance_block(s, i0, rows, s, d, opt, pool, dist.data()));
    pool.parallel_for(static_cast<size_t>(rows), [&](size_t r0, size_t r1, int) {
      std::vector<T> tmp;
      for (size_t r = r0; r < r1; ++r) {
        T* row = dist.data() + r * static_cast<size_t>(s.n);
        if (opt.zero_self) row[static_cast<size_t>(i0) + r] = T(0);
        tmp.assign(row, row + s.n);
        std::nth_element(tmp.begin(), tmp.begin() + k, tmp.end());
        radius[static_cast<size_t>(i0) + r] = tmp[static_cast<size_t>(k)];
      }
    });
  }
  return radius;
}

template FeatureRows<float> feature_rows(const float*, int64_t, int64_t);
template FeatureRows<double> feature_rows(const double*, int64_t, int64_t);
template Status distance_block(const FeatureRows<float>&, int64_t, int64_t, const FeatureRows<float>&,
                               int64_t, const DistanceOptions&, ThreadPool&, float*);
template Status distance_block(const FeatureRows<double>&, int64_t, int64_t, const FeatureRows<double>&,
                               int64_t, const DistanceOptions&, ThreadPool&, double*);
template Result<std::vector<float>> kth_radii(const FeatureRows<float>&, int64_t, int, const DistanceOptions&,
                                              ThreadPool&);
template Result<std::vector<double>> kth_radii(const FeatureRows<double>&, int64_t, int,
                                               const DistanceOptions&, ThreadPool&);

}  // namespace fidcpp
