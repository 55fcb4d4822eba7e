// Register-tiled GEMM micro-kernels (one per instruction set, chosen at run time) and the panel layouts they
// read. C[MR x NR] (+)= A_panel · B_panel with A packed [k][MR] and B packed [k][NR]; see conv2d_cpu.cpp for
// the driver.
#pragma once

#include <cstdint>

namespace fidcpp {

// One call computes a full MR x NR tile over kc steps of k, in increasing k with one FMA (or mul+add for the
// portable kernel) per step and element, so the summation order of an element never depends on tiling,
// threads or batch. Rows >= m_valid and columns >= n_valid are neither read nor written.
//   accumulate: start from the values in C (a previous K block) instead of zero.
//   bias:       when non-null, this is the last K block: add bias[r] (padded to MR) and apply ReLU if relu.
using GemmMicroKernelFn = void (*)(int kc, const float* a, const float* b, float* c, int64_t ldc, int m_valid,
                                   int n_valid, bool accumulate, const float* bias, bool relu);

// The same tile for a stride-1 convolution whose output grid equals its input grid ("same" padding), with B
// never packed: row k = ci * taps + t of the implicit im2col panel is read straight from the input as
//   B[k][j] = src[ci * plane_stride + tap_off[t] + j]   where bit j of tap_mask[t] is set, else 0,
// (src: the panel's first pixel in input channel 0; nr <= 32 so a mask is one word). Every element sees the
// same FMAs in the same order as with the packed panel, so both give the same bits.
// taps <= kGemmDirectMaxTaps.
constexpr int kGemmDirectMaxTaps = 64;
using GemmDirectKernelFn = void (*)(int cin, int taps, const float* a, const float* src, int64_t plane_stride,
                                    const int* tap_off, const uint32_t* tap_mask, float* c, int64_t ldc,
                                    int m_valid, int n_valid, bool accumulate, const float* bias, bool relu);

struct GemmMicroKernel {
  const char* isa = "";  // "avx512", "avx2", "neon", "portable"
  int mr = 0, nr = 0;
  GemmMicroKernelFn fn = nullptr;
  GemmDirectKernelFn direct = nullptr;
};

// Provided by gemm_kernel_<isa>.cpp (compiled with that ISA's flags; only called when the CPU supports it).
// The avx512 and avx2 files are only compiled on x86-64, the neon file only on AArch64 (sources.cmake).
GemmMicroKernel gemm_micro_kernel_avx512();
GemmMicroKernel gemm_micro_kernel_avx2();
GemmMicroKernel gemm_micro_kernel_neon();
GemmMicroKernel gemm_micro_kernel_portable();

// The best kernel this CPU supports, or the named one ("avx512", "avx2", "neon", "portable"). Returns false
// when the named ISA is unknown or not supported here (or not built into this binary).
bool select_gemm_micro_kernel(const char* isa, GemmMicroKernel* out);

}  // namespace fidcpp
