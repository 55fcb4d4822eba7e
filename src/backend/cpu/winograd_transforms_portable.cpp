// Winograd transforms for any CPU (4-float vectors: SSE2 on x86-64, NEON on AArch64, scalar code elsewhere).
#define FIDCPP_WINO_NS wino_portable
#define FIDCPP_WINO_LANES 4
#include "backend/cpu/winograd_transforms.inc"

namespace fidcpp {
WinogradTransforms winograd_transforms_portable() {
  return {wino_portable::transform_input, wino_portable::transform_output};
}
}  // namespace fidcpp
