// Vector kernels for AArch64 NEON (ASIMD, in the base ISA: no flags, always available there). Four lanes, as
// the portable set; the even/odd shuffles of vector_kernels.inc become UZP1/UZP2 here.
#define FIDCPP_VEC_NS vec_neon
#define FIDCPP_VEC_LANES 4
#define FIDCPP_VEC_NEON 1
#include "backend/cpu/vector_kernels.inc"

namespace fidcpp {
VectorKernels vector_kernels_neon() {
  return vec_neon::kernels();
}
}  // namespace fidcpp
