// Vectorised CPU kernels besides the GEMM: the Winograd F(2x2, 3x3), F(4x4, 3x3), F(2x2, 5x5) and F(4, 7)
// input and output transforms (winograd_cpu.cpp has the algorithm and the driver), the interior columns of
// pooled rows (pool_cpu.cpp) and the row copies of the convolution's implicit im2col (conv2d_cpu.cpp). They
// are compiled once per instruction set, like the GEMM micro-kernels, from vector_kernels.inc, and chosen
// with the micro-kernel's ISA. They only add, subtract, multiply by constants, compare and divide (never
// contracted into FMAs: -ffp-contract=off), with the same operations in the same order for every ISA, so all
// ISAs give the same bits here (the GEMMs between them do not).
#pragma once

#include <cstddef>
#include <cstdint>

#include "backend/backend.h"

namespace fidcpp {

// A run of consecutive tiles of one tile row of one image, occupying panel columns [col, col + len).
struct WinoTileRun {
  int img, ty, tx0, len, col;
};

struct WinoGeom {
  int cin, ph, pw, in_h, in_w, out_h, out_w, tiles_y, tiles_x;
};

// Per-worker scratch, carved from one buffer by winograd_cpu.cpp.
// Every part has room for whole-vector reads and writes past its valid columns (kWinoMaxLanes).
constexpr int kWinoMaxLanes = 16;
struct WinoScratch {
  float* v;         // [points][v_stride]  transformed input panel: GEMM B panel [cin][nr] per point, padding
  size_t v_stride;  //                     >= cin * nr + kWinoMaxLanes
  float* m;         // [points][mr][nr]    GEMM results for one output-channel panel
};

// V[xi][ci][run.col + j] = (B^T d B)[xi] for every tile and input channel; columns [nv, nr) are zeroed.
// nr must be a multiple of the transform's vector lanes (16, 8 or 4 floats), as every micro-kernel's is.
using WinoInputFn = void (*)(const TensorView& in, const WinoGeom& g, const WinoTileRun* runs, int nruns,
                             int nv, int nr, const WinoScratch& s);
// out = A^T M A + bias (then ReLU if relu) for output channels [m0, m0 + m_valid) of every tile.
using WinoOutputFn = void (*)(const TensorView& out, const WinoGeom& g, const WinoTileRun* runs, int nruns,
                              int nv, int m0, int m_valid, int mr, int nr, const float* bias, bool relu,
                              const WinoScratch& s);

// F(2x2, 3x3)'s filter transform U = G g G^T of one output-channel panel, from the panel's direct form
// (CpuConvWeights::packed_a: [cin][9 taps][mr]) into u ([16 points][cin][mr]): in double and rounded once,
// the same bits as the packed F(2x2, 3x3) weights (winograd_pack_weights), for layers whose transformed
// weights are not kept (winograd_cpu.cpp, "on the fly"). mr must be even. next (or nullptr): the panel to be
// transformed next, fetched towards the cache meanwhile.
using WinoFilterFn = void (*)(const float* a, int cin, int mr, float* u, const float* next);

// Interior output columns [lo, hi) of one pooled row (windows inside the input row): the window rows are
// `top` + r * row_stride for r in [0, nrows), each pointing at input column 0, of width in_w.
//   avg: the float sum of each window in row-major order from 0.0f, divided by count (PyTorch's order,
//        docs/conventions.md §1.5);
//   max: the maximum from -inf in row-major order, NaN propagating (count unused).
using PoolRowFn = void (*)(const float* top, int64_t row_stride, int nrows, int kernel, int stride, int pad,
                           int lo, int hi, int in_w, float count, float* drow);

// One whole output plane of a pool with stride 1 or 2 and a kernel of at most kPoolPlaneMaxKernel, the same
// bits as the plain per-output loop described for PoolRowFn; counts[ox] is the width of output column ox's
// window for the average's divisor (unused by the max), readable for out_w + 16 floats.
constexpr int kPoolPlaneMaxWidth = 1024, kPoolPlaneMaxKernel = 8;
using PoolPlaneFn = void (*)(const float* src, int in_h, int in_w, float* dst, int out_h, int out_w,
                             const PoolDesc& p, const float* counts);

// One run of an implicit-im2col row: dst[t] = src[ix0 + t * stride] where 0 <= ix0 + t * stride < in_w, else
// 0, for t in [0, len); src is the input row (column 0). Pure copies, so every ISA gives the same bits.
using CopyRunFn = void (*)(float* dst, const float* src, int ix0, int len, int in_w, int stride);

struct VectorKernels {
  WinoInputFn wino_input = nullptr;
  WinoOutputFn wino_output = nullptr;
  WinoFilterFn wino_filter = nullptr;
  // 1-D F(4, 7) (winograd_cpu.cpp) along the rows of a 1x7 layer (h) or the columns of a 7x1 layer (v): the
  // same contracts with 10 transform points, tiles of four outputs along that axis and one across it.
  WinoInputFn wino7_input_h = nullptr;
  WinoInputFn wino7_input_v = nullptr;
  WinoOutputFn wino7_output_h = nullptr;
  WinoOutputFn wino7_output_v = nullptr;
  // F(4x4, 3x3) (winograd_cpu.cpp): 36 transform points, tiles of 4 x 4 outputs.
  WinoInputFn wino4_input = nullptr;
  WinoOutputFn wino4_output = nullptr;
  // F(2x2, 5x5): 36 points, tiles of 2 x 2 outputs.
  WinoInputFn wino25_input = nullptr;
  WinoOutputFn wino25_output = nullptr;
  PoolRowFn avg_pool_row = nullptr;
  PoolRowFn max_pool_row = nullptr;
  PoolPlaneFn avg_pool_plane = nullptr;
  PoolPlaneFn max_pool_plane = nullptr;
  CopyRunFn copy_run = nullptr;
};

VectorKernels vector_kernels_avx512();
VectorKernels vector_kernels_avx2();
VectorKernels vector_kernels_neon();
VectorKernels vector_kernels_portable();
// The set for a GEMM micro-kernel's ISA ("avx512", "avx2", "neon", anything else: portable).
VectorKernels vector_kernels_for(const char* isa);

}  // namespace fidcpp
