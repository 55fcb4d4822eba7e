// KID: per subset, three Gram matrices through BLAS, the kernel applied element-wise, and the unbiased MMD²
// summed in torch-fidelity's order (metric_kid.py mmd2/kernel_poly/kernel_rbf; docs/conventions.md §5).
#include "metrics/kid.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "metrics/blas_lapack.h"
#include "metrics/moments.h"
#include "metrics/numpy_random.h"
#include "metrics/numpy_sum.h"

namespace fidcpp {

namespace {

constexpr int64_t kMaxSubsetSize = 16384;  // one m×m double matrix = 2 GiB at this size

// Row-major G = X·Yᵀ for row-major X (m×d) and Y (m×d): the CPU BLAS, or `mp` (a device) when set.
Status gram(MatrixProducts* mp, const float* x, const float* y, int m, int d, float* g) {
  if (mp) return mp->abt(m, m, d, 1.0f, x, y, g, m);
  const float one = 1.0f, zero = 0.0f;
  sgemm_("T", "N", &m, &m, &d, &one, y, &d, x, &d, &zero, g, &m, 1, 1);
  return Status();
}
Status gram(MatrixProducts* mp, const double* x, const double* y, int m, int d, double* g) {
  if (mp) return mp->abt(m, m, d, 1.0, x, y, g, m);
  const double one = 1.0, zero = 0.0;
  dgemm_("T", "N", &m, &m, &d, &one, y, &d, x, &d, &zero, g, &m, 1, 1);
  return Status();
}

// Row-major self Gram X·Xᵀ, of which the caller keeps the upper triangle: numpy computes it with syrk and
// copies the upper triangle down, so K_XX is exactly symmetric; syrk also does half the flops of a general
// product. The column-major lower triangle that syrk writes is the row-major upper one. A device computes the
// full product.
Status self_gram(MatrixProducts* mp, const float* x, int m, int d, float* g) {
  if (mp) return mp->abt(m, m, d, 1.0f, x, x, g, m);
  const float one = 1.0f, zero = 0.0f;
  ssyrk_("L", "T", &m, &d, &one, x, &d, &zero, g, &m, 1, 1);
  return Status();
}
Status self_gram(MatrixProducts* mp, const double* x, int m, int d, double* g) {
  if (mp) return mp->abt(m, m, d, 1.0, x, x, g, m);
  const double one = 1.0, zero = 0.0;
  dsyrk_("L", "T", &m, &d, &one, x, &d, &zero, g, &m, 1, 1);
  return Status();
}
template <class G>
void symmetrize_upper(G* g, int64_t m) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < i; ++j) g[i * m + j] = g[j * m + i];
  }
}

struct KernelParams {
  KidKernel kernel;
  int degree;
  double gamma, coef0, rbf_sigma;
};

// Element-wise kernel from the Gram value g (and the squared norms for RBF), mirroring numpy's dtypes:
// poly in float32 ((g·γ + c₀)^d, each step rounded), RBF in float64 from a float32 Gram matrix.
template <class G, class K>
K kernel_value(G g, double norm_x, double norm_y, const KernelParams& p) {
  if (p.kernel == KidKernel::kPolynomial) {
    const K t = static_cast<K>(g) * static_cast<K>(p.gamma) + static_cast<K>(p.coef0);
    // Integer power by repeated multiplication in double: exact enough that the float32 result is the
    // correctly rounded power, as numpy's float32 power gives to within its last bit.
    double r = 1.0;
    for (int i = 0; i < p.degree; ++i) r *= static_cast<double>(t);
    return static_cast<K>(r);
  }
  const double two_g = static_cast<double>(static_cast<G>(2) * g);
  const double e = ((two_g - norm_x) - norm_y) / (2.0 * p.rbf_sigma * p.rbf_sigma);
  return static_cast<K>(std::exp(e));
}

template <class G>
void squared_norms(const G* x, int64_t m, int64_t d, std::vector<double>& out) {
  out.resize(static_cast<size_t>(m));
  std::vector<G> sq(static_cast<size_t>(d));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t k = 0; k < d; ++k) sq[static_cast<size_t>(k)] = x[i * d + k] * x[i * d + k];
    out[static_cast<size_t>(i)] = static_cast<double>(numpy_pairwise_sum(sq.data(), d));
  }
}

// Positions of a subset that hold the same source row (a resample through a row map draws rows more than
// once). Such a pair is one image, not two: like the diagonal, it is left out of the self-kernel sum, which
// is then divided by the pairs kept. Counting it would add k(x, x) terms and bias MMD² upward by about
// 2·(E k(x,x) − E k(x,x'))/n.
struct Ties {
  std::vector<int64_t> order;       // positions sorted by source row
  std::vector<int64_t> begin, end;  // per position: its group's range in order
  int64_t pairs = 0;                // ordered pairs i ≠ j with the same source row
};

void find_ties(const int64_t* map, const std::vector<int64_t>& idx, Ties& t) {
  t.pairs = 0;
  if (!map) return;
  const size_t m = idx.size();
  t.order.resize(m);
  t.begin.resize(m);
  t.end.resize(m);
  for (size_t i = 0; i < m; ++i) t.order[i] = static_cast<int64_t>(i);
  std::sort(t.order.begin(), t.order.end(), [&](int64_t a, int64_t b) {
    const int64_t sa = map[idx[static_cast<size_t>(a)]], sb = map[idx[static_cast<size_t>(b)]];
    return sa != sb ? sa < sb : a < b;
  });
  for (size_t g0 = 0; g0 < m;) {
    const int64_t src = map[idx[static_cast<size_t>(t.order[g0])]];
    size_t g1 = g0 + 1;
    while (g1 < m && map[idx[static_cast<size_t>(t.order[g1])]] == src) ++g1;
    for (size_t k = g0; k < g1; ++k) {
      t.begin[static_cast<size_t>(t.order[k])] = static_cast<int64_t>(g0);
      t.end[static_cast<size_t>(t.order[k])] = static_cast<int64_t>(g1);
    }
    t.pairs += static_cast<int64_t>((g1 - g0) * (g1 - g0 - 1));
    g0 = g1;
  }
}

// One subset's MMD² from gathered subsets x (input 1) and y (input 2) with their ties (none without row
// maps; each subset with at least two distinct rows). G is the Gram dtype, K the kernel dtype.
template <class G, class K>
Result<double> subset_mmd2(const G* x, const G* y, int64_t m, int64_t d, const KernelParams& p,
                           MatrixProducts* mp, ThreadPool& pool, std::vector<G>& gbuf, std::vector<K>& kbuf,
                           const Ties& tx, const Ties& ty) {
  const size_t mm = static_cast<size_t>(m) * static_cast<size_t>(m);
  gbuf.resize(mm);
  kbuf.resize(mm);
  std::vector<double> nx, ny;
  if (p.kernel == KidKernel::kRbf) {
    squared_norms(x, m, d, nx);
    squared_norms(y, m, d, ny);
  }
  const int im = static_cast<int>(m), id = static_cast<int>(d);
  // Σ_{i≠j} k over a self-kernel: rows summed pairwise, diagonal subtracted per row, then pairwise again.
  auto self_sum = [&](const G* a, const std::vector<double>& na, const Ties& ties) -> Result<K> {
    FIDCPP_RETURN_IF_ERROR(self_gram(mp, a, im, id, gbuf.data()));
    symmetrize_upper(gbuf.data(), m);
    std::vector<K> row_sums(static_cast<size_t>(m));
    pool.parallel_for(static_cast<size_t>(m), [&](size_t b, size_t e, int) {
      for (size_t i = b; i < e; ++i) {
        K* krow = kbuf.data() + i * static_cast<size_t>(m);
        const G* grow = gbuf.data() + i * static_cast<size_t>(m);
        for (size_t j = 0; j < static_cast<size_t>(m); ++j) {
          krow[j] = kernel_value<G, K>(grow[j], na.empty() ? 0.0 : na[i], na.empty() ? 0.0 : na[j], p);
        }
        row_sums[i] = numpy_pairwise_sum(krow, m) - krow[i];
        if (ties.pairs == 0) continue;
        for (int64_t q = ties.begin[i]; q < ties.end[i]; ++q) {
          const size_t j = static_cast<size_t>(ties.order[static_cast<size_t>(q)]);
          if (j != i) row_sums[i] -= krow[j];
        }
      }
    });
    return numpy_pairwise_sum(row_sums.data(), m);
  };
  FIDCPP_ASSIGN_OR_RETURN(const K kt_xx, self_sum(x, nx, tx));
  FIDCPP_ASSIGN_OR_RETURN(const K kt_yy, self_sum(y, ny, ty));
  FIDCPP_RETURN_IF_ERROR(gram(mp, x, y, im, id, gbuf.data()));
  pool.parallel_for(static_cast<size_t>(m), [&](size_t b, size_t e, int) {
    for (size_t i = b; i < e; ++i) {
      K* krow = kbuf.data() + i * static_cast<size_t>(m);
      const G* grow = gbuf.data() + i * static_cast<size_t>(m);
      for (size_t j = 0; j < static_cast<size_t>(m); ++j) {
        krow[j] = kernel_value<G, K>(grow[j], nx.empty() ? 0.0 : nx[i], ny.empty() ? 0.0 : ny[j], p);
      }
    }
  });
  // K_XY.sum(axis=0) walks down each column row after row.
  std::vector<K> col_sums(static_cast<size_t>(m), K(0));
  pool.parallel_for(static_cast<size_t>(m), [&](size_t b, size_t e, int) {
    for (size_t i = 0; i < static_cast<size_t>(m); ++i) {
      const K* krow = kbuf.data() + i * static_cast<size_t>(m);
      for (size_t j = b; j < e; ++j) col_sums[j] += krow[j];
    }
  });
  const K k_xy = numpy_pairwise_sum(col_sums.data(), m);
  // mmd2 in metric_kid.py: python ints m·(m−1) and m·m become the array dtype (NEP 50).
  K mmd2;
  if (tx.pairs == 0 && ty.pairs == 0) {
    mmd2 = (kt_xx + kt_yy) / static_cast<K>(m * (m - 1));
  } else {
    const int64_t kept_x = m * (m - 1) - tx.pairs, kept_y = m * (m - 1) - ty.pairs;
    mmd2 = kt_xx / static_cast<K>(kept_x) + kt_yy / static_cast<K>(kept_y);
  }
  mmd2 -= K(2) * k_xy / static_cast<K>(m * m);
  return static_cast<double>(mmd2);
}

// Rows idx of f, through the row map when there is one (a bootstrap resample: position p is row map[p]).
template <class G>
void gather(const float* f, const int64_t* map, const std::vector<int64_t>& idx, int64_t d,
            std::vector<G>& out) {
  out.resize(idx.size() * static_cast<size_t>(d));
  for (size_t r = 0; r < idx.size(); ++r) {
    const float* src = f + (map ? map[idx[r]] : idx[r]) * d;
    G* dst = out.data() + r * static_cast<size_t>(d);
    for (int64_t k = 0; k < d; ++k) dst[k] = static_cast<G>(src[k]);
  }
}

template <class G, class K>
Result<KidResult> run_kid(const float* f1, int64_t n1, const float* f2, int64_t n2, int64_t d,
                          const KidOptions& o, const KernelParams& p, const KidRowMaps& maps) {
  ThreadPool pool(o.threads);
  NumpyRandomState rng(o.seed);
  std::vector<G> x, y, gbuf;
  std::vector<K> kbuf;
  std::vector<double> mmds(static_cast<size_t>(o.subsets));
  Ties tx, ty;
  for (int64_t s = 0; s < o.subsets; ++s) {
    FIDCPP_ASSIGN_OR_RETURN(std::vector<int64_t> i1, rng.choice_without_replacement(n1, o.subset_size));
    FIDCPP_ASSIGN_OR_RETURN(std::vector<int64_t> i2, rng.choice_without_replacement(n2, o.subset_size));
    gather(f1, maps.rows1, i1, d, x);
    gather(f2, maps.rows2, i2, d, y);
    find_ties(maps.rows1, i1, tx);
    find_ties(maps.rows2, i2, ty);
    const int64_t all_pairs = o.subset_size * (o.subset_size - 1);
    if (tx.pairs == all_pairs || ty.pairs == all_pairs)
      return invalid_argument("KID: a resampled subset holds one distinct image only (too few images)");
    FIDCPP_ASSIGN_OR_RETURN(
        mmds[static_cast<size_t>(s)],
        (subset_mmd2<G, K>(x.data(), y.data(), o.subset_size, d, p, o.products, pool, gbuf, kbuf, tx, ty)));
  }
  KidResult r;
  r.mean = numpy_pairwise_sum(mmds.data(), o.subsets) / static_cast<double>(o.subsets);
  std::vector<double> dev2(mmds.size());
  for (size_t i = 0; i < mmds.size(); ++i) dev2[i] = (mmds[i] - r.mean) * (mmds[i] - r.mean);
  r.std = std::sqrt(numpy_pairwise_sum(dev2.data(), o.subsets) / static_cast<double>(o.subsets));
  return r;
}

}  // namespace

Result<KidResult> kernel_inception_distance(const float* features1, int64_t n1, const float* features2,
                                            int64_t n2, int64_t dim, const KidOptions& o) {
  return kernel_inception_distance(features1, n1, features2, n2, dim, o, KidRowMaps{});
}

Status check_kid_inputs(const float* features1, int64_t n1, const float* features2, int64_t n2, int64_t dim,
                        const KidOptions& o) {
  if (dim < 1 || dim > kMaxFeatureDim) {
    return invalid_argument("KID: feature dimension " + std::to_string(dim) + " is outside [1, " +
                            std::to_string(kMaxFeatureDim) + "]");
  }
  if (features1 == nullptr || features2 == nullptr) return invalid_argument("KID: null features");
  if (o.subsets < 1)
    return invalid_argument("KID: subsets must be at least 1, got " + std::to_string(o.subsets));
  if (o.subset_size < 2 || o.subset_size > kMaxSubsetSize) {
    return invalid_argument("KID: subset size " + std::to_string(o.subset_size) + " is outside [2, " +
                            std::to_string(kMaxSubsetSize) + "]");
  }
  if (n1 < o.subset_size || n2 < o.subset_size) {
    return invalid_argument("KID: subset size " + std::to_string(o.subset_size) +
                            " is larger than the number of samples (input 1: " + std::to_string(n1) +
                            ", input 2: " + std::to_string(n2) + ")");
  }
  if (o.kernel == KidKernel::kPolynomial && (o.degree < 1 || o.degree > 16)) {
    return invalid_argument("KID: polynomial degree must be in [1, 16], got " + std::to_string(o.degree));
  }
  if (!(o.gamma >= 0.0) || !std::isfinite(o.gamma) || !std::isfinite(o.coef0)) {
    return invalid_argument("KID: gamma must be finite and >= 0 (0 = 1/D) and coef0 finite");
  }
  if (o.kernel == KidKernel::kRbf && !(o.rbf_sigma > 0.0 && std::isfinite(o.rbf_sigma))) {
    return invalid_argument("KID: RBF sigma must be positive and finite");
  }
  FIDCPP_RETURN_IF_ERROR(check_finite_features(features1, n1, dim, "KID features 1"));
  return check_finite_features(features2, n2, dim, "KID features 2");
}

Result<KidResult> kernel_inception_distance(const float* features1, int64_t n1, const float* features2,
                                            int64_t n2, int64_t dim, const KidOptions& o,
                                            const KidRowMaps& maps) {
  FIDCPP_RETURN_IF_ERROR(check_kid_inputs(features1, n1, features2, n2, dim, o));
  for (int i = 0; i < 2; ++i) {
    const int64_t* map = i == 0 ? maps.rows1 : maps.rows2;
    const int64_t n = i == 0 ? n1 : n2;
    for (int64_t r = 0; map && r < n; ++r) {
      if (map[r] < 0 || map[r] >= n)
        return invalid_argument("KID: row map " + std::to_string(i + 1) + " entry " + std::to_string(r) +
                                " is " + std::to_string(map[r]) + ", outside [0, " + std::to_string(n) + ")");
    }
  }

  KernelParams p{o.kernel, o.degree, o.gamma > 0.0 ? o.gamma : 1.0 / static_cast<double>(dim), o.coef0,
                 o.rbf_sigma};
  if (o.precision == KidPrecision::kFloat64) {
    return run_kid<double, double>(features1, n1, features2, n2, dim, o, p, maps);
  }
  if (o.kernel == KidKernel::kRbf) {
    // kernel_rbf mixes the float32 Gram matrix with float64 np.ones/np.outer terms, so K is float64.
    return run_kid<float, double>(features1, n1, features2, n2, dim, o, p, maps);
  }
  return run_kid<float, float>(features1, n1, features2, n2, dim, o, p, maps);
}

}  // namespace fidcpp
