// AArch64 NEON (ASIMD) GEMM micro-kernel, 6 x 16 (24 accumulators in the 32 q registers, 4 for a B row, 1-2
// for A), on a packed B panel or (direct) on B rows read straight from a stride-1 convolution's input. 16
// columns because the Winograd driver needs nr to be a multiple of 16; 6 rows because 8 would need all 32
// registers for the accumulators alone. ASIMD is part of the AArch64 base ISA, so no flags and no run-time
// check are needed.
#include <arm_neon.h>

#include <cstring>

#include "backend/cpu/gemm_kernel.h"

namespace fidcpp {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;
constexpr int kVecs = kNr / 4;  // q registers per tile row

// NEON has no masked loads or stores: a vector that is only partly inside the tile's valid columns goes
// through a small buffer, so nothing outside [0, n) of it is read or written.
inline int lanes_of(int n_valid, int q) {  // valid columns of vector q, in [0, 4]
  const int n = n_valid - 4 * q;
  return n < 0 ? 0 : n > 4 ? 4 : n;
}

inline float32x4_t load_n(const float* p, int n) {
  if (n == 4) return vld1q_f32(p);
  float tmp[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  std::memcpy(tmp, p, sizeof(float) * size_t(n));
  return vld1q_f32(tmp);
}

inline void store_n(float* p, float32x4_t v, int n) {
  if (n == 4) {
    vst1q_f32(p, v);
    return;
  }
  float tmp[4];
  vst1q_f32(tmp, v);
  std::memcpy(p, tmp, sizeof(float) * size_t(n));
}

// The tile's accumulators: c[r][q] holds row r, columns [4q, 4q + 4).
struct Tile {
  float32x4_t c[kMr][kVecs];
};

inline void tile_load(Tile& t, const float* c, int64_t ldc, int m_valid, int n_valid, bool accumulate) {
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
#pragma GCC unroll 4
    for (int q = 0; q < kVecs; ++q)
      t.c[r][q] =
          accumulate && r < m_valid ? load_n(c + r * ldc + 4 * q, lanes_of(n_valid, q)) : vdupq_n_f32(0.0f);
  }
}

inline void tile_store(const Tile& t, float* c, int64_t ldc, int m_valid, int n_valid, const float* bias,
                       bool relu) {
  const float32x4_t zero = vdupq_n_f32(0.0f);
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    if (r >= m_valid) break;
    float* cr = c + r * ldc;
#pragma GCC unroll 4
    for (int q = 0; q < kVecs; ++q) {
      float32x4_t v = t.c[r][q];
      if (bias) {
        v = vaddq_f32(v, vdupq_n_f32(bias[r]));
        if (relu) v = vmaxq_f32(v, zero);
      }
      store_n(cr + 4 * q, v, lanes_of(n_valid, q));
    }
  }
}

// One k step: c[r] += a[r] * b for the six rows, one fused multiply-add (FMLA) per element.
inline void tile_fma(Tile& t, const float* a, const float32x4_t (&b)[kVecs]) {
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    const float32x4_t ar = vdupq_n_f32(a[r]);
#pragma GCC unroll 4
    for (int q = 0; q < kVecs; ++q) t.c[r][q] = vfmaq_f32(t.c[r][q], b[q], ar);
  }
}

void kernel_neon(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, int n_valid,
                 bool accumulate, const float* bias, bool relu) {
  Tile t;
  tile_load(t, c, ldc, m_valid, n_valid, accumulate);
  for (int k = 0; k < kc; ++k) {
    const float32x4_t bk[kVecs] = {vld1q_f32(b), vld1q_f32(b + 4), vld1q_f32(b + 8), vld1q_f32(b + 12)};
    tile_fma(t, a, bk);
    a += kMr;
    b += kNr;
  }
  tile_store(t, c, ldc, m_valid, n_valid, bias, relu);
}

// Lanes j of s whose bit j of `bits` is set, zero elsewhere; the others are never read (a tap off the map may
// point before or after the input buffer).
inline float32x4_t load_masked(const float* s, uint32_t bits) {
  if (bits == 0xFu) return vld1q_f32(s);
  if (bits == 0u) return vdupq_n_f32(0.0f);
  float tmp[4];
  for (int j = 0; j < 4; ++j) tmp[j] = (bits >> j) & 1u ? s[j] : 0.0f;
  return vld1q_f32(tmp);
}

void direct_neon(int cin, int taps, const float* a, const float* src, int64_t plane_stride,
                 const int* tap_off, const uint32_t* tap_mask, float* c, int64_t ldc, int m_valid,
                 int n_valid, bool accumulate, const float* bias, bool relu) {
  Tile t;
  tile_load(t, c, ldc, m_valid, n_valid, accumulate);
  for (int ci = 0; ci < cin; ++ci, src += plane_stride) {
    for (int tp = 0; tp < taps; ++tp) {
      const float* s = src + tap_off[tp];
      const uint32_t m = tap_mask[tp];
      float32x4_t bk[kVecs];
      if ((m & 0xFFFFu) == 0xFFFFu) {  // the common case: the whole row on the map
        for (int q = 0; q < kVecs; ++q) bk[q] = vld1q_f32(s + 4 * q);
      } else {
        for (int q = 0; q < kVecs; ++q) bk[q] = load_masked(s + 4 * q, (m >> (4 * q)) & 0xFu);
      }
      tile_fma(t, a, bk);
      a += kMr;
    }
  }
  tile_store(t, c, ldc, m_valid, n_valid, bias, relu);
}

}  // namespace

GemmMicroKernel gemm_micro_kernel_neon() {
  return {"neon", kMr, kNr, kernel_neon, direct_neon};
}

}  // namespace fidcpp
