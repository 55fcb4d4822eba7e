// Grid sizing shared by the kernels' launchers.
#pragma once

#include <cstddef>

#include "cuda_compat.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

constexpr int kElementwiseThreads = 256;

// Blocks for a grid-stride loop over count elements; capped because the loop covers the rest, and at least 1
// so that an empty launch stays a valid configuration.
inline unsigned grid_for(size_t count, int threads = kElementwiseThreads) {
  size_t blocks = (count + static_cast<size_t>(threads) - 1) / static_cast<size_t>(threads);
  if (blocks > 65535) blocks = 65535;
  return blocks == 0 ? 1u : static_cast<unsigned>(blocks);
}

FIDCPP_CUDA_NAMESPACE_END
