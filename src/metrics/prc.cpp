// PRC: blocked float32 distance matrices (torch.cdist's matmul expansion for >25 rows, the direct sum
// otherwise; pairwise_distance.h), k-th neighbour radii and inclusive ball tests, following torch-fidelity
// metric_prc.py (full-matrix variant).
#include "metrics/prc.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "metrics/moments.h"
#include "metrics/pairwise_distance.h"

namespace fidcpp {

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
  const FeatureRows<float> gen = feature_rows(generated, n_generated, dim);
  const FeatureRows<float> rea = feature_rows(real, n_real, dim);
  DistanceOptions cdist = torch_cdist_distances(options.batch_size);
  cdist.products = options.products;
  FIDCPP_ASSIGN_OR_RETURN(const std::vector<float> radius_gen,
                          kth_radii(gen, dim, options.neighborhood, cdist, pool));
  FIDCPP_ASSIGN_OR_RETURN(const std::vector<float> radius_real,
                          kth_radii(rea, dim, options.neighborhood, cdist, pool));

  // dist_2_1 = cdist(real, generated); precision reads it transposed, as calculate_precision_recall_full.
  std::vector<uint8_t> recall_hit(static_cast<size_t>(n_real), 0);
  std::vector<std::vector<uint8_t>> precision_hit(static_cast<size_t>(pool.size()),
                                                  std::vector<uint8_t>(static_cast<size_t>(n_generated), 0));
  const int64_t block = distance_block_rows(n_real, n_generated, sizeof(float));
  std::vector<float> dist(static_cast<size_t>(block * n_generated));
  for (int64_t i0 = 0; i0 < n_real;) {
    const int64_t batch_end = std::min(n_real, (i0 / options.batch_size + 1) * options.batch_size);
    const int64_t rows = std::min(block, batch_end - i0);
    FIDCPP_RETURN_IF_ERROR(distance_block(rea, i0, rows, gen, dim, cdist, pool, dist.data()));
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
