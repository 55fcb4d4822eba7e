// Launchers of the CUDA kernels (one op per kernels/*.cu). Device pointers; every launch is asynchronous on
// the given stream, and launch errors are left for cudaGetLastError (the host side checks them).
#pragma once

#include <cstddef>
#include <cstdint>

#include "cuda_compat.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// --- preprocessing: n 8-bit interleaved images -> normalised float NCHW n x 3 x ho x wo (image i at dst + i
// * 3 * ho * wo), one launcher per reference resize (docs/conventions.md §2.2-2.6). The per-axis taps and
// weights are built on the host by the CPU backend's make_*_axis functions and uploaded (src/backend/cuda/
// cuda_preprocess.cpp), so both backends sample the same pixels with the same weights; each kernel repeats
// the CPU loop's arithmetic operation by operation, with _rn intrinsics where nvcc would otherwise contract
// or reorder, and is bit-identical to the CPU path.

// Sample (i, y, x, c) lives at data[i * image_stride + y * row_stride + x * pixel_stride + c] (device
// memory).
struct U8Images {
  const uint8_t* data = nullptr;
  int n = 0, h = 0, w = 0;
  size_t row_stride = 0, image_stride = 0;
  int pixel_stride = 3;  // 3 (RGB) or 4 (RGBA, alpha ignored)
};
// Two taps per output index o: in[lo[o]] and in[hi[o]], weights w0[o] / w1[o] (what they mean is per kernel).
struct TwoTapAxis {
  const int32_t* lo = nullptr;
  const int32_t* hi = nullptr;
  const float* w0 = nullptr;
  const float* w1 = nullptr;
  int size = 0;  // output size
};
// A filter axis: output o reads in[start[o] + k] for k < count[o] with weight[o * max_taps + k].
template <class T>
struct FilterAxis {
  const int32_t* start = nullptr;
  const int32_t* count = nullptr;
  const T* weight = nullptr;
  int max_taps = 0, in_size = 0, out_size = 0;
};

// torch-fidelity / TF1 legacy bilinear (§2.2; w1 = frac) on 0..255, then (v - 128) / 128.
void launch_resize_tf1(const U8Images& src, const TwoTapAxis& ay, const TwoTapAxis& ax, float* dst,
                       cudaStream_t stream);
// pytorch-fid (§2.4): v / 255, PyTorch's half-pixel bilinear with its FMA contraction (w0, w1 as
// make_bilinear_axis), then 2x - 1.
void launch_resize_bilinear_halfpixel(const U8Images& src, const TwoTapAxis& ay, const TwoTapAxis& ax,
                                      float* dst, cudaStream_t stream);
// clean-fid legacy_tensorflow (§2.6): PyTorch grid_sample's bilinear weights (w1 = frac), (v - 128) / 128.
void launch_resize_grid_sample(const U8Images& src, const TwoTapAxis& ay, const TwoTapAxis& ax, float* dst,
                               cudaStream_t stream);
// torchmetrics (§2.3): PyTorch's antialiased bilinear, horizontal pass first (an axis whose size is unchanged
// is copied), float accumulation with fma, then (v - 128) / 128. `scratch`: n * 3 * h * ax.out_size floats.
void launch_resize_aa_bilinear(const U8Images& src, const FilterAxis<float>& ay, const FilterAxis<float>& ax,
                               float* scratch, float* dst, cudaStream_t stream);
// clean-fid (§2.5): Pillow 'F' bicubic with double coefficients and sums, float32 after each pass (skipped
// when its axis keeps its size; vertical first when `vertical_first`), clip to [0, 255], (v - 128) / 128.
// `scratch`: n * 3 * max(h * ax.out_size, ay.out_size * w) floats.
void launch_resize_pil_bicubic(const U8Images& src, const FilterAxis<double>& ay,
                               const FilterAxis<double>& ax, bool vertical_first, float* scratch, float* dst,
                               cudaStream_t stream);

// Convolution of n images cin x h x w (src_image_stride floats apart) as one implicit GEMM over the batch,
// zero padding, output n x cout x ho x wo written at dst (images dst_image_stride floats apart, so dst may be
// a channel slice of a concatenated output) as max(0, conv + bias) (no max when !relu). weight_kxc is the
// OIHW weight transposed to K x cout row-major (K = cin * kh * kw). Each output is fmaf over k in increasing
// order from 0, then + bias: the CPU GEMM's operations (kernels/conv2d_igemm.cu). With tf32 (an opt-in; sm_80
// or newer) the inputs are rounded to TF32 and multiplied on tensor cores instead. Returns false, launching
// nothing, when K exceeds conv2d_igemm_max_k() or the sizes do not fit its 32-bit indexing.
int conv2d_igemm_max_k();
bool launch_conv2d_igemm(const float* src, size_t src_image_stride, const float* weight_kxc,
                         const float* bias, bool relu, float* dst, size_t dst_image_stride, int n, int cin,
                         int h, int w, int cout, int kh, int kw, int stride, int ph, int pw, bool tf32,
                         cudaStream_t stream);

// dst[i][ch][p] = max(0, src[i][ch][p] + bias[ch]) (without the max when !relu) for n images of c x hw; src
// may equal dst (in place). With dst pointing at a channel offset of a concatenated output this is the conv
// epilogue writing into its slice.
void launch_bias_relu(const float* src, size_t src_image_stride, float* dst, size_t dst_image_stride, int n,
                      int c, int hw, const float* bias, bool relu, cudaStream_t stream);

enum class PoolKind : int {
  kMax = 0,                // padding acts as -inf (docs/conventions.md §1.5)
  kAvgExcludePad = 1,      // count_include_pad = False: divide by the in-bounds count
  kAvgIncludePad = 2,      // count_include_pad = True: divide by k * k
  kAvgExcludePadRelu = 3,  // kAvgExcludePad, then max(0, .)
};
// k x k pooling, floor output size, for n images of c x h x w; output images dst_image_stride floats apart
// (so it can write into a channel slice of a concatenated output).
void launch_pool2d(const float* src, size_t src_image_stride, int n, int c, int h, int w, PoolKind kind,
                   int k, int stride, int pad, float* dst, size_t dst_image_stride, cudaStream_t stream);

// dst[i * dst_row_stride + ch] = mean over hw of src[i][ch][:].
void launch_global_mean(const float* src, size_t src_image_stride, int n, int c, int hw, float* dst,
                        size_t dst_row_stride, cudaStream_t stream);

// Feature moments in float64: rows x cols float32 features (row i at src + i * src_row_stride) widened into
// dst (rows x cols row-major doubles), each row also added to sum[0..cols) in row order.
void launch_widen_rows_f64(const float* src, int rows, int cols, int src_row_stride, double* dst, double* sum,
                           cudaStream_t stream);

// Column-major rows x cols matrix (leading dimension lda): column j *= sqrt(max(w[j], 0)).
void launch_scale_columns_sqrt(double* a, int rows, int cols, int lda, const double* w, cudaStream_t stream);

FIDCPP_CUDA_NAMESPACE_END
