// MiFID: torchmetrics mifid.py (_compute_cosine_distance, _mifid_compute) in float64, blocked over real rows.
#include "metrics/mifid.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "metrics/blas_lapack.h"
#include "metrics/moments.h"

namespace fidcpp {

namespace {

// Non-zero-sum rows of `f`, L2-normalised, as float64 (row-major).
std::vector<double> normalised_nonzero_rows(const float* f, int64_t n, int64_t d, int64_t* kept) {
  std::vector<double> out;
  *kept = 0;
  const size_t ud = static_cast<size_t>(d);
  for (int64_t i = 0; i < n; ++i) {
    const float* r = f + i * d;
    double s = 0.0, ss = 0.0;
    for (size_t k = 0; k < ud; ++k) {
      s += r[k];
      ss += static_cast<double>(r[k]) * r[k];
    }
    if (s == 0.0) continue;
    const double norm = std::sqrt(ss);
    for (size_t k = 0; k < ud; ++k) out.push_back(static_cast<double>(r[k]) / norm);
    ++*kept;
  }
  return out;
}

}  // namespace

Result<double> memorization_distance(const float* real, int64_t n_real, const float* fake, int64_t n_fake,
                                     int64_t dim) {
  if (dim < 1 || dim > kMaxFeatureDim) {
    return invalid_argument("MiFID: feature dimension " + std::to_string(dim) + " is outside [1, " +
                            std::to_string(kMaxFeatureDim) + "]");
  }
  if (real == nullptr || fake == nullptr || n_real < 1 || n_fake < 1) {
    return invalid_argument("MiFID: both feature sets must be non-empty");
  }
  FIDCPP_RETURN_IF_ERROR(check_finite_features(real, n_real, dim, "MiFID real features"));
  FIDCPP_RETURN_IF_ERROR(check_finite_features(fake, n_fake, dim, "MiFID fake features"));
  int64_t nr = 0, nf = 0;
  const std::vector<double> a = normalised_nonzero_rows(real, n_real, dim, &nr);
  const std::vector<double> b = normalised_nonzero_rows(fake, n_fake, dim, &nf);
  if (nr == 0 || nf == 0) {
    return bad_input(std::string("MiFID: every ") + (nr == 0 ? "real" : "fake") +
                     " feature row sums to 0; the cosine distance is undefined");
  }
  // Blocks of real rows × all fake rows: d[i,j] = 1 − |aᵢ·bⱼ|, keep the row minimum.
  constexpr int64_t kBlock = 512;
  std::vector<double> dots(static_cast<size_t>(std::min(nr, kBlock) * nf));
  std::vector<double> row_min(static_cast<size_t>(nr));
  const int id = static_cast<int>(dim), inf = static_cast<int>(nf);
  const double one = 1.0, zero = 0.0;
  for (int64_t i0 = 0; i0 < nr; i0 += kBlock) {
    const int rows = static_cast<int>(std::min(kBlock, nr - i0));
    // Row-major dots(rows×nf) = A_block·Bᵀ.
    dgemm_("T", "N", &inf, &rows, &id, &one, b.data(), &id, a.data() + static_cast<size_t>(i0 * dim), &id,
           &zero, dots.data(), &inf, 1, 1);
    for (int r = 0; r < rows; ++r) {
      double m = std::numeric_limits<double>::infinity();
      const double* row = dots.data() + static_cast<size_t>(r) * static_cast<size_t>(nf);
      for (int64_t j = 0; j < nf; ++j) m = std::min(m, 1.0 - std::fabs(row[j]));
      row_min[static_cast<size_t>(i0 + r)] = m;
    }
  }
  double s = 0.0;
  for (double v : row_min) s += v;
  return s / static_cast<double>(nr);
}

Result<MifidResult> mifid(const float* real, int64_t n_real, const float* fake, int64_t n_fake, int64_t dim,
                          const MifidOptions& options) {
  if (!(options.cosine_distance_eps > 0.0 && options.cosine_distance_eps <= 1.0)) {
    return invalid_argument("MiFID: cosine_distance_eps must be in (0, 1], got " +
                            std::to_string(options.cosine_distance_eps));
  }
  FIDCPP_ASSIGN_OR_RETURN(double d, memorization_distance(real, n_real, fake, n_fake, dim));
  FIDCPP_ASSIGN_OR_RETURN(GaussianStats sr, gaussian_stats_two_pass(real, n_real, dim));
  FIDCPP_ASSIGN_OR_RETURN(GaussianStats sf, gaussian_stats_two_pass(fake, n_fake, dim));
  FIDCPP_ASSIGN_OR_RETURN(double fid, frechet_distance(sr, sf, options.method));
  MifidResult out;
  out.fid = fid;
  out.distance = d < options.cosine_distance_eps ? d : 1.0;
  // torchmetrics adds 10e-15 (= 1e-14) and returns 0 for fid ≤ 1e-8 so that tiny FIDs do not explode.
  out.mifid = fid > 1e-8 ? fid / (out.distance + 1e-14) : 0.0;
  return out;
}

}  // namespace fidcpp
