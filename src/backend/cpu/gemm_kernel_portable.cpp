// Portable (no intrinsics) GEMM micro-kernel: the fallback for CPUs without AVX2+FMA.
#include "backend/cpu/gemm_kernel.h"

namespace fidcpp {
namespace {

constexpr int kMr = 4;
constexpr int kNr = 16;

void kernel_portable(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, int n_valid,
                     bool accumulate, const float* bias, bool relu) {
  float acc[kMr][kNr];
  for (int r = 0; r < kMr; ++r)
    for (int j = 0; j < kNr; ++j)
      acc[r][j] = (accumulate && r < m_valid && j < n_valid) ? c[r * ldc + j] : 0.0f;
  for (int k = 0; k < kc; ++k) {
    const float* ak = a + k * kMr;
    const float* bk = b + k * kNr;
    for (int r = 0; r < kMr; ++r)
      for (int j = 0; j < kNr; ++j) acc[r][j] += ak[r] * bk[j];
  }
  for (int r = 0; r < m_valid; ++r) {
    for (int j = 0; j < n_valid; ++j) {
      float v = acc[r][j];
      if (bias) {
        v += bias[r];
        if (relu) v = v > 0.0f ? v : 0.0f;
      }
      c[r * ldc + j] = v;
    }
  }
}

}  // namespace

GemmMicroKernel gemm_micro_kernel_portable() {
  return {"portable", kMr, kNr, kernel_portable};
}

}  // namespace fidcpp
