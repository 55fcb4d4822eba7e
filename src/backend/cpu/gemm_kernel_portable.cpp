// Portable (no intrinsics) GEMM micro-kernel: the fallback for x86-64 CPUs without AVX2+FMA and for other
// architectures than x86-64 and AArch64 (whose NEON kernel is always there), on a packed B panel or
// (direct) on B rows read straight from a stride-1 convolution's input.
#include "backend/cpu/gemm_kernel.h"

namespace fidcpp {
namespace {

constexpr int kMr = 4;
constexpr int kNr = 16;

// C tile (+)= sum over k of a[k][r] * row(k)[j], in increasing k; row(k, bk) fills bk[kNr].
template <typename RowFn>
void tile(int ksteps, const float* a, RowFn&& row, float* c, int64_t ldc, int m_valid, int n_valid,
          bool accumulate, const float* bias, bool relu) {
  float acc[kMr][kNr];
  for (int r = 0; r < kMr; ++r)
    for (int j = 0; j < kNr; ++j)
      acc[r][j] = (accumulate && r < m_valid && j < n_valid) ? c[r * ldc + j] : 0.0f;
  float bk[kNr];
  for (int k = 0; k < ksteps; ++k) {
    const float* ak = a + k * kMr;
    const float* b = row(k, bk);
    for (int r = 0; r < kMr; ++r)
      for (int j = 0; j < kNr; ++j) acc[r][j] += ak[r] * b[j];
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

void kernel_portable(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid, int n_valid,
                     bool accumulate, const float* bias, bool relu) {
  tile(
      kc, a, [b](int k, float*) { return b + k * kNr; }, c, ldc, m_valid, n_valid, accumulate, bias, relu);
}

void direct_portable(int cin, int taps, const float* a, const float* src, int64_t plane_stride,
                     const int* tap_off, const uint32_t* tap_mask, float* c, int64_t ldc, int m_valid,
                     int n_valid, bool accumulate, const float* bias, bool relu) {
  const auto row = [=](int k, float* bk) -> const float* {
    const int t = k % taps;
    const float* s = src + (k / taps) * plane_stride + tap_off[t];
    for (int j = 0; j < kNr; ++j) bk[j] = (tap_mask[t] >> j) & 1u ? s[j] : 0.0f;
    return bk;
  };
  tile(cin * taps, a, row, c, ldc, m_valid, n_valid, accumulate, bias, relu);
}

}  // namespace

GemmMicroKernel gemm_micro_kernel_portable() {
  return {"portable", kMr, kNr, kernel_portable, direct_portable};
}

}  // namespace fidcpp
