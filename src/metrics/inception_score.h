// Inception Score from logits (docs/conventions.md §4), in float64, with torch-fidelity's or torchmetrics'
// conventions.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace fidcpp {

enum class IsConvention {
  // torch-fidelity isc_features_to_metric: exactly `splits` groups [⌊i·N/S⌋, ⌊(i+1)·N/S⌋), population std.
  kTorchFidelity,
  // torchmetrics InceptionScore.compute: torch.chunk groups (possibly fewer than S), sample std (ddof 1).
  kTorchmetrics,
};

enum class IsShuffle {
  kNone,
  // Rows permuted by numpy RandomState(seed).permutation(N), as torch-fidelity does by default. torchmetrics
  // shuffles with torch.randperm on the global torch generator, which cannot be reproduced from here: for
  // torchmetrics parity use kNone (the score only depends on the grouping, so unshuffled is a valid choice).
  kNumpySeeded,
};

struct InceptionScoreOptions {
  int splits = 10;
  IsConvention convention = IsConvention::kTorchFidelity;
  IsShuffle shuffle = IsShuffle::kNumpySeeded;
  uint32_t seed = 2020;
};

struct InceptionScoreResult {
  double mean = 0;
  double std = 0;  // NaN for the torchmetrics convention when there is a single group (as torchmetrics)
  int groups = 0;
};

// logits: row-major n×classes (float32 from the network; computed in float64).
Result<InceptionScoreResult> inception_score(const float* logits, int64_t n, int64_t classes,
                                             const InceptionScoreOptions& options = {});

}  // namespace fidcpp
