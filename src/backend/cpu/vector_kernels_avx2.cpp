// Vector kernels for AVX2 (compiled with -mavx2 -mfma; only called when the CPU has it).
#define FIDCPP_VEC_NS vec_avx2
#define FIDCPP_VEC_LANES 8
#include "backend/cpu/vector_kernels.inc"

namespace fidcpp {
VectorKernels vector_kernels_avx2() {
  return vec_avx2::kernels();
}
}  // namespace fidcpp
