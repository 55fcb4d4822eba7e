// Vector kernels for any CPU (4-float vectors: SSE2 on x86-64, NEON on AArch64, scalar code elsewhere).
#define FIDCPP_VEC_NS vec_portable
#define FIDCPP_VEC_LANES 4
#include "backend/cpu/vector_kernels.inc"

namespace fidcpp {
VectorKernels vector_kernels_portable() {
  return vec_portable::kernels();
}
}  // namespace fidcpp
