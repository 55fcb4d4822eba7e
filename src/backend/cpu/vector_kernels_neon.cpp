// Vector kernels for AArch64 NEON (ASIMD, in the base ISA: no flags, always available there). Four lanes, as
// the portable set; this one also de-interleaves with LD2 (vld2q_f32) instead of two loads and a shuffle.
#define FIDCPP_VEC_NS vec_neon
#define FIDCPP_VEC_LANES 4
#define FIDCPP_VEC_NEON 1
#include "backend/cpu/vector_kernels.inc"

namespace fidcpp {
VectorKernels vector_kernels_neon() {
  return vec_neon::kernels();
}
}  // namespace fidcpp
