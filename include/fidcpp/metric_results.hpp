// Results of the metrics with more than one number, shared by the C++ API (fidcpp.hpp) and the library's
// metrics (src/metrics/kid.h, prc.h): one definition of each.
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

}  // namespace fidcpp
