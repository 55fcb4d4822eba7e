// AVX2+FMA GEMM micro-kernel, 6 x 16 (12 accumulators in 16 ymm registers). Compiled with -mavx2 -mfma.
#include <immintrin.h>

#include "backend/cpu/gemm_kernel.h"

namespace fidcpp {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;

inline __m256i tail_mask(int n) {  // lanes [0, n) set, n in [0, 8]
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

void kernel_avx2(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, int n_valid,
                 bool accumulate, const float* bias, bool relu) {
  const bool full_n = n_valid == kNr;
  const __m256i mask0 = tail_mask(n_valid < 8 ? n_valid : 8);
  const __m256i mask1 = tail_mask(n_valid > 8 ? n_valid - 8 : 0);
  __m256 c0[kMr], c1[kMr];
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    if (accumulate && r < m_valid) {
      const float* cr = c + r * ldc;
      c0[r] = full_n ? _mm256_loadu_ps(cr) : _mm256_maskload_ps(cr, mask0);
      c1[r] = full_n ? _mm256_loadu_ps(cr + 8) : _mm256_maskload_ps(cr + 8, mask1);
    } else {
      c0[r] = _mm256_setzero_ps();
      c1[r] = _mm256_setzero_ps();
    }
  }
  for (int k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int r = 0; r < kMr; ++r) {
      const __m256 ar = _mm256_broadcast_ss(a + r);
      c0[r] = _mm256_fmadd_ps(ar, b0, c0[r]);
      c1[r] = _mm256_fmadd_ps(ar, b1, c1[r]);
    }
    a += kMr;
    b += kNr;
  }
  const __m256 zero = _mm256_setzero_ps();
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    if (r >= m_valid) break;
    __m256 v0 = c0[r], v1 = c1[r];
    if (bias) {
      const __m256 br = _mm256_broadcast_ss(bias + r);
      v0 = _mm256_add_ps(v0, br);
      v1 = _mm256_add_ps(v1, br);
      if (relu) {
        v0 = _mm256_max_ps(v0, zero);
        v1 = _mm256_max_ps(v1, zero);
      }
    }
    float* cr = c + r * ldc;
    if (full_n) {
      _mm256_storeu_ps(cr, v0);
      _mm256_storeu_ps(cr + 8, v1);
    } else {
      _mm256_maskstore_ps(cr, mask0, v0);
      _mm256_maskstore_ps(cr + 8, mask1, v1);
    }
  }
}

}  // namespace

GemmMicroKernel gemm_micro_kernel_avx2() {
  return {"avx2", kMr, kNr, kernel_avx2};
}

}  // namespace fidcpp
