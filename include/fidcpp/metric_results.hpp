// Results of the metrics with more than one number, shared by the C++ API (fidcpp.hpp) and the library's
// metrics (src/metrics/kid.h, prc.h, dc.h, fid_infinity.h, bootstrap.h): one definition of each.
#pragma once

#include <cstdint>
#include <vector>

namespace fidcpp {

struct KidResult {
  double mean = 0;
  double std = 0;  // population std (ddof 0) over subsets, as torch-fidelity and torchmetrics
};

struct PrcResult {
  double precision = 0;
  double recall = 0;
  double f_score = 0;
};

// Density and coverage (Naeem et al. 2020, prdc 0.2); density is unbounded above, coverage is in [0, 1].
struct DcResult {
  double density = 0;
  double coverage = 0;
};

// FID∞ / IS∞ (Chong & Forsyth 2020): the least-squares line a·(1/N) + value fitted to the metric of random
// generated subsets of sizes N; value is the extrapolation to infinitely many images.
struct InfinityResult {
  double value = 0;
  std::vector<int64_t> sizes;  // N per point
  std::vector<double> values;  // the metric of the subset of N images per point
};

// Bootstrap percentile confidence interval of FID or KID (docs/metrics-extra.md): the metric of `replicates`
// resamples of both feature sets (n draws with replacement from each), low and high its (1 − level)/2 and
// (1 + level)/2 quantiles (numpy's default linear interpolation). The point estimate is the plain metric.
struct BootstrapResult {
  double level = 0;
  double low = 0;
  double high = 0;
  int64_t replicates = 0;
  uint32_t seed = 0;
  std::vector<double> values;  // the metric of each resample, in replicate order
};

}  // namespace fidcpp
