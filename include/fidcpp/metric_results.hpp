// Results of the metrics with more than one number, shared by the C++ API (fidcpp.hpp) and the library's
// metrics (src/metrics/kid.h, prc.h, dc.h): one definition of each.
#pragma once

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

}  // namespace fidcpp
