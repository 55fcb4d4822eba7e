// Vector kernels for AVX-512 (compiled with -mavx512f -mavx2 -mfma; only called when the CPU has it).
#define FIDCPP_VEC_NS vec_avx512
#define FIDCPP_VEC_LANES 16
#include "backend/cpu/vector_kernels.inc"

namespace fidcpp {
VectorKernels vector_kernels_avx512() {
  return vec_avx512::kernels();
}
}  // namespace fidcpp
