// AVX-512F GEMM micro-kernel, 8 x 32 (16 zmm accumulators), on a packed B panel or (direct) on B rows read
// straight from a stride-1 convolution's input. Compiled with -mavx512f -mavx2 -mfma.
//
// A panel's last tile is often narrow (a 17 x 17 map is 9 panels and 1 column an image; F(4, 7) at batch 1 is
// 85 tiles, 32 + 32 + 21): the tile is computed only as wide as it is stored, in steps of 8 columns, with
// 256-bit FMAs for the 8-column parts (Zen 4 and Intel issue two 256-bit FMAs in the time of one 512-bit
// FMA). Each element still sees one FMA per k step in increasing k, so the width never changes a bit.
#include <immintrin.h>

#include <type_traits>

#include "backend/cpu/gemm_kernel.h"

namespace fidcpp {
namespace {

constexpr int kMr = 8;
constexpr int kNr = 32;

inline __mmask16 lanes(int n) {  // lanes [0, n), n clamped to [0, 16]
  return n <= 0 ? __mmask16(0) : n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u);
}

// Operations on one register kind: Zmm (16 columns) or Ymm (8 columns, 256-bit).
struct Zmm {
  using V = __m512;
  static V zero() { return _mm512_setzero_ps(); }
  static V broadcast(float x) { return _mm512_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V load(const float* p) { return _mm512_load_ps(p); }  // an aligned panel row
  // lanes outside m neither read nor faulting
  static V load_masked(__mmask16 m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void store_masked(float* p, __mmask16 m, V v) { _mm512_mask_storeu_ps(p, m, v); }
  static V bias_relu(V v, float b, bool relu) {  // max(v, 0) as max_ps gives it: 0 for NaN and for -0
    v = _mm512_add_ps(v, _mm512_set1_ps(b));
    return relu ? _mm512_maskz_max_ps(__mmask16(0xFFFF), v, _mm512_setzero_ps()) : v;
  }
};

struct Ymm {
  using V = __m256;
  static V zero() { return _mm256_setzero_ps(); }
  static V broadcast(float x) { return _mm256_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V load(const float* p) { return _mm256_load_ps(p); }
  // Masked 512-bit loads and stores on the low half (m has no bit past 7). The zero-masked extract and insert
  // are only there because GCC 12's plain casts leave the other half undefined (-Wmaybe-uninitialized); the
  // compiler folds both away.
  static V load_masked(__mmask16 m, const float* p) {
    const __m512d v = _mm512_castps_pd(_mm512_maskz_loadu_ps(m, p));
    return _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(__mmask8(0xF), v, 0));
  }
  static void store_masked(float* p, __mmask16 m, V v) {
    const __m256d d = _mm256_castps_pd(v);
    _mm512_mask_storeu_ps(
        p, m, _mm512_castpd_ps(_mm512_maskz_insertf64x4(__mmask8(0xFF), _mm512_setzero_pd(), d, 0)));
  }
  static V bias_relu(V v, float b, bool relu) {
    v = _mm256_add_ps(v, _mm256_set1_ps(b));
    return relu ? _mm256_max_ps(v, _mm256_setzero_ps()) : v;
  }
};

// Columns [0, kCols) of the tile (kCols 8, 16, 24 or 32): lo holds [0, min(16, kCols)), hi [16, kCols);
// an 8-column part is a 256-bit register.
template <int kCols>
struct Tile {
  using Lo = std::conditional_t<(kCols > 8), Zmm, Ymm>;
  using Hi = std::conditional_t<(kCols > 24), Zmm, Ymm>;
  static constexpr bool kHasHi = kCols > 16;
  typename Lo::V lo[kMr];
  typename Hi::V hi[kMr];
};

template <int kCols>
inline void tile_load(Tile<kCols>& t, const float* c, int64_t ldc, int m_valid, __mmask16 m0, __mmask16 m1,
                      bool accumulate) {
  using T = Tile<kCols>;
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (accumulate && r < m_valid) {
      const float* cr = c + r * ldc;
      t.lo[r] = T::Lo::load_masked(m0, cr);
      if constexpr (T::kHasHi) t.hi[r] = T::Hi::load_masked(m1, cr + 16);
    } else {
      t.lo[r] = T::Lo::zero();
      if constexpr (T::kHasHi) t.hi[r] = T::Hi::zero();
    }
  }
}

template <int kCols>
inline void tile_store(const Tile<kCols>& t, float* c, int64_t ldc, int m_valid, __mmask16 m0, __mmask16 m1,
                       const float* bias, bool relu) {
  using T = Tile<kCols>;
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (r >= m_valid) break;
    typename T::Lo::V v0 = t.lo[r];
    if (bias) v0 = T::Lo::bias_relu(v0, bias[r], relu);
    float* cr = c + r * ldc;
    T::Lo::store_masked(cr, m0, v0);
    if constexpr (T::kHasHi) {
      typename T::Hi::V v1 = t.hi[r];
      if (bias) v1 = T::Hi::bias_relu(v1, bias[r], relu);
      T::Hi::store_masked(cr + 16, m1, v1);
    }
  }
}

// One k step: c[r] += a[r] * b for the eight rows.
template <int kCols>
inline void tile_fma(Tile<kCols>& t, const float* a, typename Tile<kCols>::Lo::V b0,
                     typename Tile<kCols>::Hi::V b1) {
  using T = Tile<kCols>;
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    t.lo[r] = T::Lo::fma(T::Lo::broadcast(a[r]), b0, t.lo[r]);
    if constexpr (T::kHasHi) t.hi[r] = T::Hi::fma(T::Hi::broadcast(a[r]), b1, t.hi[r]);
  }
}

template <int kCols>
inline void packed_steps(Tile<kCols>& t, int kc, const float* a, const float* b) {
  using T = Tile<kCols>;
  for (int k = 0; k < kc; ++k) {
    const typename T::Lo::V b0 = T::Lo::load(b);
    typename T::Hi::V b1{};
    if constexpr (T::kHasHi) b1 = T::Hi::load(b + 16);
    tile_fma<kCols>(t, a, b0, b1);
    a += kMr;
    b += kNr;
  }
}

template <int kCols>
void packed_tile(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, __mmask16 m0,
                 __mmask16 m1, bool accumulate, const float* bias, bool relu) {
  Tile<kCols> t;
  tile_load(t, c, ldc, m_valid, m0, m1, accumulate);
  packed_steps(t, kc, a, b);
  tile_store(t, c, ldc, m_valid, m0, m1, bias, relu);
}

// Calls f(std::integral_constant<int, W>) with W the narrowest tile width (8, 16, 24, 32) that holds n_valid.
template <class F>
inline void by_width(int n_valid, F&& f) {
  if (n_valid > 24)
    f(std::integral_constant<int, 32>());
  else if (n_valid > 16)
    f(std::integral_constant<int, 24>());
  else if (n_valid > 8)
    f(std::integral_constant<int, 16>());
  else
    f(std::integral_constant<int, 8>());
}

void kernel_avx512(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, int n_valid,
                   bool accumulate, const float* bias, bool relu) {
  const __mmask16 m0 = lanes(n_valid), m1 = lanes(n_valid - 16);
  by_width(n_valid, [&](auto width) {
    packed_tile<decltype(width)::value>(kc, a, b, c, ldc, m_valid, m0, m1, accumulate, bias, relu);
  });
}

// Masked loads never touch the lanes they leave out, so taps that fall off the map (the zero padding) or
// into the neighbouring row read nothing.
template <int kCols>
inline void direct_steps(Tile<kCols>& t, int cin, int taps, const float* a, const float* src,
                         int64_t plane_stride, const int* tap_off, const uint32_t* tap_mask) {
  using T = Tile<kCols>;
  for (int ci = 0; ci < cin; ++ci, src += plane_stride) {
    for (int tp = 0; tp < taps; ++tp) {
      const float* s = src + tap_off[tp];
      const uint32_t m = tap_mask[tp];
      const typename T::Lo::V b0 = T::Lo::load_masked(__mmask16(kCols > 8 ? m : m & 0xFFu), s);
      typename T::Hi::V b1{};
      if constexpr (T::kHasHi)
        b1 = T::Hi::load_masked(__mmask16(kCols > 24 ? m >> 16 : (m >> 16) & 0xFFu), s + 16);
      tile_fma<kCols>(t, a, b0, b1);
      a += kMr;
    }
  }
}

template <int kCols>
void direct_tile(int cin, int taps, const float* a, const float* src, int64_t plane_stride,
                 const int* tap_off, const uint32_t* tap_mask, float* c, int64_t ldc, int m_valid,
                 __mmask16 m0, __mmask16 m1, bool accumulate, const float* bias, bool relu) {
  Tile<kCols> t;
  tile_load(t, c, ldc, m_valid, m0, m1, accumulate);
  direct_steps(t, cin, taps, a, src, plane_stride, tap_off, tap_mask);
  tile_store(t, c, ldc, m_valid, m0, m1, bias, relu);
}

void direct_avx512(int cin, int taps, const float* a, const float* src, int64_t plane_stride,
                   const int* tap_off, const uint32_t* tap_mask, float* c, int64_t ldc, int m_valid,
                   int n_valid, bool accumulate, const float* bias, bool relu) {
  const __mmask16 m0 = lanes(n_valid), m1 = lanes(n_valid - 16);
  by_width(n_valid, [&](auto width) {
    direct_tile<decltype(width)::value>(cin, taps, a, src, plane_stride, tap_off, tap_mask, c, ldc, m_valid,
                                        m0, m1, accumulate, bias, relu);
  });
}

}  // namespace

GemmMicroKernel gemm_micro_kernel_avx512() {
  return {"avx512", kMr, kNr, kernel_avx512, direct_avx512};
}

}  // namespace fidcpp
