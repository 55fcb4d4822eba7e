// Winograd transforms for AVX-512 (compiled with -mavx512f -mavx2 -mfma; only called when the CPU has it).
#define FIDCPP_WINO_NS wino_avx512
#define FIDCPP_WINO_LANES 16
#include "backend/cpu/winograd_transforms.inc"

namespace fidcpp {
WinogradTransforms winograd_transforms_avx512() {
  return {wino_avx512::transform_input, wino_avx512::transform_output};
}
}  // namespace fidcpp
