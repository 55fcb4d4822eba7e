// PRC: blocked float32 distance matrices (torch.cdist's matmul expansion for >25 rows, the direct sum
// otherwise), k-th neighbour radii and inclusive ball tests, following torch-fidelity metric_prc.py
// (full-matrix variant).
#include "metrics/prc.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "metrics/blas_lapack.h"
#include "metrics/moments.h"

namespace fidcpp {

namespace {

constexpr int64_t kBlockRows = 1024;
constexpr int64_t kBlockFloats = int64_t(1) << 26;  // distance buffer cap: 256 MiB

// Rows per distance block so that rows × cols floats stay under the cap.
int64_t block_rows(int64_t n_rows, int64_t n_cols) {
  return std::max<int64_t>(1, std::min({kBlockRows, n_rows, kBlockFloats / n_cols}));
}
// torch.cdist (compute_mode default) switches to the matmul expansion when either side has more than 25 rows.
constexpr int64_t kCdistDirectMaxRows = 25;

struct FeatureSet {
  const float* data;
  int64_t n;
  std::vector<float> sq_norms;  // ‖x‖² rounded to float32, as x.pow(2).sum(-1)
};

void compute_norms(FeatureSet& s, int64_t d) {
  s.sq_norms.resize(static_cast<size_t>(s.n));
  for (int64_t i = 0; i < s.n; ++i) {
    double acc = 0.0;
    const float* r = s.data + i * d;
    for (int64_t k = 0; k < d; ++k) acc += static_cast<double>(r[k]) * r[k];
    s.sq_norms[static_cast<size_t>(i)] = static_cast<float>(acc);
  }
}

// Distances from rows [i0, i0+rows) of `a` to every row of `b`, row-major into out (rows × b.n), computed per
// pair of torch-fidelity cdist batches so each sub-block uses the formula torch.cdist would.
void distance_block(const FeatureSet& a, int64_t i0, int64_t rows, const FeatureSet& b, int64_t d,
                    int64_t batch_size, ThreadPool& pool, float* out) {
  const int64_t a_batch_start = (i0 / batch_size) * batch_size;
  const int64_t a_batch_rows = std::min(batch_size, a.n - a_batch_start);
  const size_t ldo = static_cast<size_t>(b.n);
  for (int64_t j0 = 0; j0 < b.n; j0 += batch_size) {
    const int64_t cols = std::min(batch_size, b.n - j0);
    if (a_batch_rows > kCdistDirectMaxRows || cols > kCdistDirectMaxRows) {
      const int m = static_cast<int>(cols), n = static_cast<int>(rows), k = static_cast<int>(d);
      const int ldc = static_cast<int>(b.n);
      const float alpha = -2.0f, zero = 0.0f;
      // ‖a‖² + ‖b‖² − 2a·b: the −2 scaling is exact, so this equals the GEMM on (−2a) torch performs.
      sgemm_("T", "N", &m, &n, &k, &alpha, b.data + j0 * d, &k, a.data + i0 * d, &k, &zero, out + j0, &ldc, 1,
             1);
      pool.parallel_for(static_cast<size_t>(rows), [&](size_t r0, size_t r1, int) {
        for (size_t r = r0; r < r1; ++r) {
          const float na = a.sq_norms[static_cast<size_t>(i0) + r];
          float* o = out + r * ldo + j0;
          for (int64_t j = 0; j < cols; ++j) {
            const float v = (o[j] + na) + b.sq_norms[static_cast<size_t>(j0 + j)];
            o[j] = std::sqrt(std::max(v, 0.0f));
          }
        }
      });
    } else {
      for (int64_t r = 0; r < rows; ++r) {
        const float* x = a.data + (i0 + r) * d;
        for (int64_t j = 0; j < cols; ++j) {
          const float* y = b.data + (j0 + j) * d;
          double acc = 0.0;
          for (int64_t k = 0; k < d; ++k) {
            const double diff = static_cast<double>(x[k]) - y[k];
            acc += diff * diff;
          }
          out[static_cast<size_t>(r) * ldo + static_cast<size_t>(j0 + j)] =
              static_cast<float>(std::sqrt(acc));
        }
      }
    }
  }
}

// radius[i] = (k+1)-th smallest distance from row i to its own set (torch.kthvalue(k+1)).
std::vector<float> kth_radii(const FeatureSet& s, int64_t d, int k, int64_t batch_size, ThreadPool& pool) {
  std::vector<float> radius(static_cast<size_t>(s.n));
  const int64_t block = block_rows(s.n, s.n);
  std::vector<float> dist(static_cast<size_t>(block * s.n));
  for (int64_t i0 = 0, rows = 0; i0 < s.n; i0 += rows) {
    // Keep blocks inside one torch batch so the ≤25-row rule is decided per batch.
    const int64_t batch_end = std::min(s.n, (i0 / batch_size + 1) * batch_size);
    rows = std::min(block, batch_end - i0);
    distance_block(s, i0, rows, s, d, batch_size, pool, dist.data());
    pool.parallel_for(static_cast<size_t>(rows), [&](size_t r0, size_t r1, int) {
      std::vector<float> tmp;
      for (size_t r = r0; r < r1; ++r) {
        const float* row = dist.data() + r * static_cast<size_t>(s.n);
        tmp.assign(row, row + s.n);
        std::nth_element(tmp.begin(), tmp.begin() + k, tmp.end());
        radius[static_cast<size_t>(i0) + r] = tmp[static_cast<size_t>(k)];
      }
    });
  }
  return radius;
}

}  // namespace

Result<PrcResult> precision_recall(const float* generated, int64_t n_generated, const float* real,
                                   int64_t n_real, int64_t dim, const PrcOptions& options) {
  if (dim < 1 || dim > kMaxFeatureDim) {
    return invalid_argument("PRC: feature dimension " + std::to_string(dim) + " is outside [1, " +
                            std::to_string(kMaxFeatureDim) + "]");
  }
  if (generated == nullptr || real == nullptr) return invalid_argument("PRC: null features");
  if (options.neighborhood < 1) {
    return invalid_argument("PRC: neighborhood must be at least 1, got " +
                            std::to_string(options.neighborhood));
  }
  if (options.batch_size < 1) {
    return invalid_argument("PRC: batch size must be at least 1, got " + std::to_string(options.batch_size));
  }
  const int64_t need = static_cast<int64_t>(options.neighborhood) + 1;
  if (n_generated < need || n_real < need) {
    return invalid_argument("PRC: neighborhood " + std::to_string(options.neighborhood) + " needs at least " +
                            std::to_string(need) + " samples per set (generated: " +
                            std::to_string(n_generated) + ", real: " + std::to_string(n_real) + ")");
  }
  if (n_generated > (int64_t(1) << 24) || n_real > (int64_t(1) << 24)) {
    return invalid_argument("PRC: more than 2^24 samples per set is not supported");
  }
  FIDCPP_RETURN_IF_ERROR(check_finite_features(generated, n_generated, dim, "PRC generated features"));
  FIDCPP_RETURN_IF_ERROR(check_finite_features(real, n_real, dim, "PRC real features"));

  ThreadPool pool(options.threads);
  FeatureSet gen{generated, n_generated, {}}, rea{real, n_real, {}};
  compute_norms(gen, dim);
  compute_norms(rea, dim);
  const std::vector<float> radius_gen = kth_radii(gen, dim, options.neighborhood, options.batch_size, pool);
  const std::vector<float> radius_real = kth_radii(rea, dim, options.neighborhood, options.batch_size, pool);

  // dist_2_1 = cdist(real, generated); precision reads it transposed, as calculate_precision_recall_full.
  std::vector<uint8_t> recall_hit(static_cast<size_t>(n_real), 0);
  std::vector<std::vector<uint8_t>> precision_hit(static_cast<size_t>(pool.size()),
                                                  std::vector<uint8_t>(static_cast<size_t>(n_generated), 0));
  const int64_t block = block_rows(n_real, n_generated);
  std::vector<float> dist(static_cast<size_t>(block * n_generated));
  for (int64_t i0 = 0; i0 < n_real;) {
    const int64_t batch_end = std::min(n_real, (i0 / options.batch_size + 1) * options.batch_size);
    const int64_t rows = std::min(block, batch_end - i0);
    distance_block(rea, i0, rows, gen, dim, options.batch_size, pool, dist.data());
    pool.parallel_for(static_cast<size_t>(rows), [&](size_t r0, size_t r1, int worker) {
      uint8_t* phit = precision_hit[static_cast<size_t>(worker)].data();
      for (size_t r = r0; r < r1; ++r) {
        const float* row = dist.data() + r * static_cast<size_t>(n_generated);
        const float rr = radius_real[static_cast<size_t>(i0) + r];
        bool hit = false;
        for (int64_t j = 0; j < n_generated; ++j) {
          hit |= row[j] <= radius_gen[static_cast<size_t>(j)];
          if (row[j] <= rr) phit[j] = 1;
        }
        recall_hit[static_cast<size_t>(i0) + r] = hit ? 1 : 0;
      }
    });
    i0 += rows;
  }
  int64_t n_prec = 0, n_rec = 0;
  for (int64_t j = 0; j < n_generated; ++j) {
    bool any = false;
    for (const auto& v : precision_hit) any |= v[static_cast<size_t>(j)] != 0;
    n_prec += any ? 1 : 0;
  }
  for (uint8_t h : recall_hit) n_rec += h;
  PrcResult out;
  // (dist <= radius).any(dim=1).float().mean() is a float32 sum divided by N in float32; .item() widens it.
  out.precision = static_cast<double>(static_cast<float>(n_prec) / static_cast<float>(n_generated));
  out.recall = static_cast<double>(static_cast<float>(n_rec) / static_cast<float>(n_real));
  out.f_score = 2.0 * out.precision * out.recall / std::max(1e-5, out.precision + out.recall);
  return out;
}

}  // namespace fidcpp
