// cudaemu's stand-in for <mma.h>: the part of nvcuda::wmma the TF32 convolution uses (16 x 16 x 8 TF32
// fragments, float accumulators), so that its tiling, loads and stores are tested on the CPU.
//
// On a GPU a fragment is spread over the 32 threads of a warp in an unspecified layout. Here every thread
// holds the whole matrix, row-major: loads and mma are per-thread operations with the same results as the
// warp-wide ones (the kernels must, as on the GPU, have made the loaded memory visible with a barrier first),
// and a store writes the calling lane's share only, in the layout of the tensor cores' m16n8 accumulators
// (row r, column c by lane (r % 8) * 4 + (c % 8) / 2): the tile is whole only after the warp synchronises, as
// on the GPU, and TSan sees each element written once. mma_sync multiplies in
// a fixed order with one fmaf per product; a tensor core's order and internal rounding differ, so the
// emulation checks the tiling exactly and the arithmetic only within TF32's bound.
#pragma once

#include "cudaemu.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace nvcuda {
namespace wmma {

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
namespace precision {
struct tf32 {};
}  // namespace precision
enum layout_t { mem_row_major, mem_col_major };

namespace detail {
template <class Use, int M, int N, int K>
struct shape;
template <int M, int N, int K>
struct shape<matrix_a, M, N, K> {
  static constexpr int rows = M, cols = K;
};
template <int M, int N, int K>
struct shape<matrix_b, M, N, K> {
  static constexpr int rows = K, cols = N;
};
template <int M, int N, int K>
struct shape<accumulator, M, N, K> {
  static constexpr int rows = M, cols = N;
};
}  // namespace detail

template <class Use, int M, int N, int K, class T, class Layout = void>
struct fragment {
  static_assert(M == 16 && N == 16 && K == 8, "cudaemu emulates the 16 x 16 x 8 (TF32) shape only");
  static constexpr int rows = detail::shape<Use, M, N, K>::rows, cols = detail::shape<Use, M, N, K>::cols;
  static constexpr int num_elements = rows * cols;
  float x[num_elements];  // the whole matrix, row-major
};

template <class Use, int M, int N, int K, class T, class L>
inline void fill_fragment(fragment<Use, M, N, K, T, L>& f, float v) {
  for (float& e : f.x) e = v;
}

template <class Use, int M, int N, int K, class L>
inline void load_matrix_sync(fragment<Use, M, N, K, precision::tf32, L>& f, const float* p, unsigned ldm) {
  using F = fragment<Use, M, N, K, precision::tf32, L>;
  for (int r = 0; r < F::rows; ++r)
    for (int c = 0; c < F::cols; ++c)
      f.x[r * F::cols + c] =
          std::is_same<L, row_major>::value ? p[size_t(r) * ldm + size_t(c)] : p[size_t(r) + size_t(c) * ldm];
}

template <int M, int N, int K, class LA, class LB>
inline void mma_sync(fragment<accumulator, M, N, K, float>& d,
                     const fragment<matrix_a, M, N, K, precision::tf32, LA>& a,
                     const fragment<matrix_b, M, N, K, precision::tf32, LB>& b,
                     const fragment<accumulator, M, N, K, float>& c) {
  float out[M * N];
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float s = c.x[i * N + j];
      for (int k = 0; k < K; ++k) s = __builtin_fmaf(a.x[i * K + k], b.x[k * N + j], s);
      out[i * N + j] = s;
    }
  std::memcpy(d.x, out, sizeof(out));
}

template <int M, int N, int K>
inline void store_matrix_sync(float* p, const fragment<accumulator, M, N, K, float>& f, unsigned ldm,
                              layout_t layout) {
  const unsigned lane = (threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z)) % 32u;
  for (int r = 0; r < M; ++r)
    for (int c = 0; c < N; ++c) {
      if (unsigned((r % 8) * 4 + (c % 8) / 2) != lane) continue;
      const float v = f.x[r * N + c];
      if (layout == mem_row_major)
        p[size_t(r) * ldm + size_t(c)] = v;
      else
        p[size_t(r) + size_t(c) * ldm] = v;
    }
}

// cvt.rna.tf32.f32: round to the nearest value with a 10-bit mantissa, ties away from zero; the low 13 bits
// become zero. Infinities and NaN pass through.
inline float __float_to_tf32(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  if ((u & 0x7f800000u) != 0x7f800000u) {
    u += 0x1000u;  // half of the dropped 13 bits: a carry into the exponent rounds up correctly
    u &= 0xffffe000u;
  }
  std::memcpy(&v, &u, sizeof v);
  return v;
}

}  // namespace wmma
}  // namespace nvcuda
