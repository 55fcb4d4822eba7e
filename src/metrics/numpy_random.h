// numpy's legacy RandomState(seed) for integer seeds: MT19937 plus the legacy bounded-integer, permutation
// and choice(replace=False) algorithms, so torch-fidelity's seeded KID subsets and ISC shuffle are reproduced
// exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"

namespace fidcpp {

class NumpyRandomState {
 public:
  // RandomState(seed) with an integer seed in [0, 2^32): MT19937 init_genrand (docs/conventions.md §5.4).
  explicit NumpyRandomState(uint32_t seed);

  uint32_t next_u32();
  uint64_t next_u64();
  // Uniform integer in [0, max] by masked rejection sampling, as numpy's legacy random_interval.
  uint64_t interval(uint64_t max);
  // RandomState.permutation(n): backward Fisher-Yates on arange(n).
  std::vector<int64_t> permutation(int64_t n);
  // RandomState.shuffle(a) in place (the same backward Fisher-Yates; rows of a 2-D array draw alike).
  void shuffle(std::vector<int64_t>& a);
  // RandomState.choice(n, m, replace=False) without p: the first m entries of permutation(n).
  Result<std::vector<int64_t>> choice_without_replacement(int64_t n, int64_t m);

 private:
  void regenerate();
  uint32_t mt_[624];
  int pos_ = 624;
};

}  // namespace fidcpp
