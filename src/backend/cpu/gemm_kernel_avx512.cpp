// AVX-512F GEMM micro-kernel, 8 x 32 (16 zmm accumulators). Compiled with -mavx512f -mavx2 -mfma.
#include <immintrin.h>

#include "backend/cpu/gemm_kernel.h"

namespace fidcpp {
namespace {

constexpr int kMr = 8;
constexpr int kNr = 32;

inline __mmask16 lanes(int n) {  // lanes [0, n) for n in [0, 16]
  return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u);
}

void kernel_avx512(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, int n_valid,
                   bool accumulate, const float* bias, bool relu) {
  const __mmask16 m0 = lanes(n_valid < 16 ? n_valid : 16);
  const __mmask16 m1 = lanes(n_valid > 16 ? n_valid - 16 : 0);
  __m512 c0[kMr], c1[kMr];
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (accumulate && r < m_valid) {
      const float* cr = c + r * ldc;
      c0[r] = _mm512_maskz_loadu_ps(m0, cr);
      c1[r] = _mm512_maskz_loadu_ps(m1, cr + 16);
    } else {
      c0[r] = _mm512_setzero_ps();
      c1[r] = _mm512_setzero_ps();
    }
  }
  if (n_valid > 16) {
    for (int k = 0; k < kc; ++k) {
      const __m512 b0 = _mm512_load_ps(b);
      const __m512 b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 8
      for (int r = 0; r < kMr; ++r) {
        const __m512 ar = _mm512_set1_ps(a[r]);
        c0[r] = _mm512_fmadd_ps(ar, b0, c0[r]);
        c1[r] = _mm512_fmadd_ps(ar, b1, c1[r]);
      }
      a += kMr;
      b += kNr;
    }
  } else {  // right half never stored: half the FMAs, the same ones for every stored element
    for (int k = 0; k < kc; ++k) {
      const __m512 b0 = _mm512_load_ps(b);
#pragma GCC unroll 8
      for (int r = 0; r < kMr; ++r) c0[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r]), b0, c0[r]);
      a += kMr;
      b += kNr;
    }
  }
  const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (r >= m_valid) break;
    __m512 v0 = c0[r], v1 = c1[r];
    if (bias) {
      const __m512 br = _mm512_set1_ps(bias[r]);
      v0 = _mm512_add_ps(v0, br);
      v1 = _mm512_add_ps(v1, br);
      if (relu) {
        v0 = _mm512_maskz_max_ps(__mmask16(0xFFFF), v0, zero);
        v1 = _mm512_maskz_max_ps(__mmask16(0xFFFF), v1, zero);
      }
    }
    float* cr = c + r * ldc;
    _mm512_mask_storeu_ps(cr, m0, v0);
    _mm512_mask_storeu_ps(cr + 16, m1, v1);
  }
}

}  // namespace

GemmMicroKernel gemm_micro_kernel_avx512() {
  return {"avx512", kMr, kNr, kernel_avx512};
}

}  // namespace fidcpp
