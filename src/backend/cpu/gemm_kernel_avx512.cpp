// AVX-512F GEMM micro-kernel, 8 x 32 (16 zmm accumulators), on a packed B panel or (direct) on B rows read
// straight from a stride-1 convolution's input. Compiled with -mavx512f -mavx2 -mfma.
#include <immintrin.h>

#include "backend/cpu/gemm_kernel.h"

namespace fidcpp {
namespace {

constexpr int kMr = 8;
constexpr int kNr = 32;

inline __mmask16 lanes(int n) {  // lanes [0, n) for n in [0, 16]
  return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u);
}

// The tile's accumulators: c0 holds columns [0, 16), c1 columns [16, 32).
struct Tile {
  __m512 c0[kMr], c1[kMr];
};

inline void tile_load(Tile& t, const float* c, int64_t ldc, int m_valid, __mmask16 m0, __mmask16 m1,
                      bool accumulate) {
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (accumulate && r < m_valid) {
      const float* cr = c + r * ldc;
      t.c0[r] = _mm512_maskz_loadu_ps(m0, cr);
      t.c1[r] = _mm512_maskz_loadu_ps(m1, cr + 16);
    } else {
      t.c0[r] = _mm512_setzero_ps();
      t.c1[r] = _mm512_setzero_ps();
    }
  }
}

inline void tile_store(const Tile& t, float* c, int64_t ldc, int m_valid, __mmask16 m0, __mmask16 m1,
                       const float* bias, bool relu) {
  const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (r >= m_valid) break;
    __m512 v0 = t.c0[r], v1 = t.c1[r];
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

// One k step: c[r] += a[r] * b for the eight rows; the right half only when it is stored (kWide).
template <bool kWide>
inline void tile_fma(Tile& t, const float* a, __m512 b0, __m512 b1) {
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    const __m512 ar = _mm512_set1_ps(a[r]);
    t.c0[r] = _mm512_fmadd_ps(ar, b0, t.c0[r]);
    if (kWide) t.c1[r] = _mm512_fmadd_ps(ar, b1, t.c1[r]);
  }
}

template <bool kWide>
inline void packed_steps(Tile& t, int kc, const float* a, const float* b) {
  for (int k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_load_ps(b);
    const __m512 b1 = kWide ? _mm512_load_ps(b + 16) : b0;
    tile_fma<kWide>(t, a, b0, b1);
    a += kMr;
    b += kNr;
  }
}

void kernel_avx512(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, int n_valid,
                   bool accumulate, const float* bias, bool relu) {
  const __mmask16 m0 = lanes(n_valid < 16 ? n_valid : 16);
  const __mmask16 m1 = lanes(n_valid > 16 ? n_valid - 16 : 0);
  Tile t;
  tile_load(t, c, ldc, m_valid, m0, m1, accumulate);
  if (n_valid > 16)
    packed_steps<true>(t, kc, a, b);
  else  // right half never stored: half the FMAs, the same ones for every stored element
    packed_steps<false>(t, kc, a, b);
  tile_store(t, c, ldc, m_valid, m0, m1, bias, relu);
}

// Masked loads never touch the lanes they leave out, so taps that fall off the map (the zero padding) or
// into the neighbouring row read nothing.
template <bool kWide>
inline void direct_steps(Tile& t, int cin, int taps, const float* a, const float* src, int64_t plane_stride,
                         const int* tap_off, const uint32_t* tap_mask) {
  for (int ci = 0; ci < cin; ++ci, src += plane_stride) {
    for (int tp = 0; tp < taps; ++tp) {
      const float* s = src + tap_off[tp];
      const uint32_t m = tap_mask[tp];
      const __m512 b0 = _mm512_maskz_loadu_ps(__mmask16(m), s);
      const __m512 b1 = kWide ? _mm512_maskz_loadu_ps(__mmask16(m >> 16), s + 16) : b0;
      tile_fma<kWide>(t, a, b0, b1);
      a += kMr;
    }
  }
}

void direct_avx512(int cin, int taps, const float* a, const float* src, int64_t plane_stride,
                   const int* tap_off, const uint32_t* tap_mask, float* c, int64_t ldc, int m_valid,
                   int n_valid, bool accumulate, const float* bias, bool relu) {
  const __mmask16 m0 = lanes(n_valid < 16 ? n_valid : 16);
  const __mmask16 m1 = lanes(n_valid > 16 ? n_valid - 16 : 0);
  Tile t;
  tile_load(t, c, ldc, m_valid, m0, m1, accumulate);
  if (n_valid > 16)
    direct_steps<true>(t, cin, taps, a, src, plane_stride, tap_off, tap_mask);
  else
    direct_steps<false>(t, cin, taps, a, src, plane_stride, tap_off, tap_mask);
  tile_store(t, c, ldc, m_valid, m0, m1, bias, relu);
}

}  // namespace

GemmMicroKernel gemm_micro_kernel_avx512() {
  return {"avx512", kMr, kNr, kernel_avx512, direct_avx512};
}

}  // namespace fidcpp
