// AVX2+FMA GEMM micro-kernel, 6 x 16 (12 accumulators in 16 ymm registers), on a packed B panel or (direct)
// on B rows read straight from a stride-1 convolution's input. Compiled with -mavx2 -mfma.
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

// The tile's accumulators: c0 holds columns [0, 8), c1 columns [8, 16). A tile of at most 8 columns (kWide
// false) computes, loads and stores c0 only: half the FMAs, the same ones for every stored element.
struct Tile {
  __m256 c0[kMr], c1[kMr];
};

template <bool kWide>
inline void tile_load(Tile& t, const float* c, int64_t ldc, int m_valid, bool full_n, __m256i mask0,
                      __m256i mask1, bool accumulate) {
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    if (accumulate && r < m_valid) {
      const float* cr = c + r * ldc;
      t.c0[r] = full_n ? _mm256_loadu_ps(cr) : _mm256_maskload_ps(cr, mask0);
      if (kWide) t.c1[r] = full_n ? _mm256_loadu_ps(cr + 8) : _mm256_maskload_ps(cr + 8, mask1);
    } else {
      t.c0[r] = _mm256_setzero_ps();
      if (kWide) t.c1[r] = _mm256_setzero_ps();
    }
  }
}

template <bool kWide>
inline void tile_store(const Tile& t, float* c, int64_t ldc, int m_valid, bool full_n, __m256i mask0,
                       __m256i mask1, const float* bias, bool relu) {
  const __m256 zero = _mm256_setzero_ps();
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    if (r >= m_valid) break;
    __m256 v0 = t.c0[r], v1 = kWide ? t.c1[r] : zero;
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
    if (kWide && full_n) {
      _mm256_storeu_ps(cr, v0);
      _mm256_storeu_ps(cr + 8, v1);
    } else {
      _mm256_maskstore_ps(cr, mask0, v0);
      if (kWide) _mm256_maskstore_ps(cr + 8, mask1, v1);
    }
  }
}

template <bool kWide>
inline void tile_fma(Tile& t, const float* a, __m256 b0, __m256 b1) {
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    const __m256 ar = _mm256_broadcast_ss(a + r);
    t.c0[r] = _mm256_fmadd_ps(ar, b0, t.c0[r]);
    if (kWide) t.c1[r] = _mm256_fmadd_ps(ar, b1, t.c1[r]);
  }
}

template <bool kWide>
void packed_tile(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, int n_valid,
                 bool accumulate, const float* bias, bool relu) {
  const bool full_n = n_valid == kNr;
  const __m256i mask0 = tail_mask(n_valid < 8 ? n_valid : 8);
  const __m256i mask1 = tail_mask(n_valid > 8 ? n_valid - 8 : 0);
  Tile t;
  tile_load<kWide>(t, c, ldc, m_valid, full_n, mask0, mask1, accumulate);
  for (int k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_load_ps(b);
    tile_fma<kWide>(t, a, b0, kWide ? _mm256_load_ps(b + 8) : b0);
    a += kMr;
    b += kNr;
  }
  tile_store<kWide>(t, c, ldc, m_valid, full_n, mask0, mask1, bias, relu);
}

void kernel_avx2(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, int n_valid,
                 bool accumulate, const float* bias, bool relu) {
  if (n_valid > 8)
    packed_tile<true>(kc, a, b, c, ldc, m_valid, n_valid, accumulate, bias, relu);
  else
    packed_tile<false>(kc, a, b, c, ldc, m_valid, n_valid, accumulate, bias, relu);
}

// The taps' bit masks as lane masks, once per call; maskload reads nothing on the lanes it leaves out.
template <bool kWide>
void direct_tile(int cin, int taps, const float* a, const float* src, int64_t plane_stride,
                 const int* tap_off, const uint32_t* tap_mask, float* c, int64_t ldc, int m_valid,
                 int n_valid, bool accumulate, const float* bias, bool relu) {
  const bool full_n = n_valid == kNr;
  const __m256i mask0 = tail_mask(n_valid < 8 ? n_valid : 8);
  const __m256i mask1 = tail_mask(n_valid > 8 ? n_valid - 8 : 0);
  const __m256i bit0 = _mm256_setr_epi32(1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 4, 1 << 5, 1 << 6, 1 << 7);
  const __m256i bit1 = _mm256_slli_epi32(bit0, 8);
  __m256i lane_mask[kGemmDirectMaxTaps][2];
  for (int tp = 0; tp < taps; ++tp) {
    const __m256i m = _mm256_set1_epi32(int(tap_mask[tp]));
    lane_mask[tp][0] = _mm256_cmpeq_epi32(_mm256_and_si256(m, bit0), bit0);
    lane_mask[tp][1] = _mm256_cmpeq_epi32(_mm256_and_si256(m, bit1), bit1);
  }
  Tile t;
  tile_load<kWide>(t, c, ldc, m_valid, full_n, mask0, mask1, accumulate);
  for (int ci = 0; ci < cin; ++ci, src += plane_stride) {
    for (int tp = 0; tp < taps; ++tp) {
      const float* s = src + tap_off[tp];
      const __m256 b0 = _mm256_maskload_ps(s, lane_mask[tp][0]);
      tile_fma<kWide>(t, a, b0, kWide ? _mm256_maskload_ps(s + 8, lane_mask[tp][1]) : b0);
      a += kMr;
    }
  }
  tile_store<kWide>(t, c, ldc, m_valid, full_n, mask0, mask1, bias, relu);
}

void direct_avx2(int cin, int taps, const float* a, const float* src, int64_t plane_stride,
                 const int* tap_off, const uint32_t* tap_mask, float* c, int64_t ldc, int m_valid,
                 int n_valid, bool accumulate, const float* bias, bool relu) {
  if (n_valid > 8)
    direct_tile<true>(cin, taps, a, src, plane_stride, tap_off, tap_mask, c, ldc, m_valid, n_valid,
                      accumulate, bias, relu);
  else
    direct_tile<false>(cin, taps, a, src, plane_stride, tap_off, tap_mask, c, ldc, m_valid, n_valid,
                       accumulate, bias, relu);
}

}  // namespace

GemmMicroKernel gemm_micro_kernel_avx2() {
  return {"avx2", kMr, kNr, kernel_avx2, direct_avx2};
}

}  // namespace fidcpp
