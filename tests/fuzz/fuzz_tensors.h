// Invariants shared by the targets whose readers return a TensorMap (safetensors, torch checkpoints).
#pragma once

#include "fuzz/fuzz_target.h"
#include "io/tensor_map.h"

namespace fidcpp::fuzz {

// Every tensor has a non-negative shape and data for all its elements: reading them all lets ASan catch a
// view that runs past the buffer it points into.
inline void check_tensor_map(const TensorMap& map) {
  float sum = 0.0f;
  for (const auto& [name, t] : map.tensors) {
    int64_t n = 1;
    for (int64_t d : t.shape) {
      FIDCPP_FUZZ_CHECK(d >= 0);
      n *= d;
    }
    FIDCPP_FUZZ_CHECK(n == t.numel());
    FIDCPP_FUZZ_CHECK(n == 0 || t.data != nullptr);
    FIDCPP_FUZZ_CHECK(t.owned.empty() || t.data == t.owned.data());
    for (int64_t i = 0; i < n; ++i) sum += t.data[i];
    (void)name;
  }
  volatile float sink = sum;
  (void)sink;
}

}  // namespace fidcpp::fuzz
