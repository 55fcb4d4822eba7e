// Winograd transforms for AVX2 (compiled with -mavx2 -mfma; only called when the CPU has it).
#define FIDCPP_WINO_NS wino_avx2
#define FIDCPP_WINO_LANES 8
#include "backend/cpu/winograd_transforms.inc"

namespace fidcpp {
WinogradTransforms winograd_transforms_avx2() {
  return {wino_avx2::transform_input, wino_avx2::transform_output};
}
}  // namespace fidcpp
