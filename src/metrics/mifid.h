// Memorization-informed FID as torchmetrics computes it (docs/conventions.md §6): FID / memorization
// distance, where the distance is the mean over real samples of the minimum over fake samples of 1 − |cos|,
// thresholded at eps.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "metrics/fid.h"

namespace fidcpp {

struct MifidOptions {
  // Distances >= eps count as 1 (no memorization); torchmetrics allows (0, 1].
  double cosine_distance_eps = 0.1;
  SqrtTraceMethod method = SqrtTraceMethod::kCholesky;
};

struct MifidResult {
  double mifid = 0;
  double fid = 0;
  double distance = 0;  // the thresholded memorization distance
};

// Mean over real rows of min over fake rows of 1 − |cos(real, fake)|, before thresholding. Rows whose sum is
// exactly 0 are dropped first, as torchmetrics does.
Result<double> memorization_distance(const float* real, int64_t n_real, const float* fake, int64_t n_fake,
                                     int64_t dim);

// real first, as torchmetrics (its update(real=True) side); statistics are the two-pass torch.mean/torch.cov.
Result<MifidResult> mifid(const float* real, int64_t n_real, const float* fake, int64_t n_fake, int64_t dim,
                          const MifidOptions& options = {});

}  // namespace fidcpp
