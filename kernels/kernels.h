// Launchers of the CUDA kernels (one op per kernels/*.cu). Device pointers; every launch is asynchronous on
// the given stream, and launch errors are left for cudaGetLastError (the host side checks them).
#pragma once

#include <cstddef>
#include <cstdint>

#include "cuda_compat.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// n uint8 RGB images, HWC interleaved, `row_stride` bytes per row and `image_stride` bytes per image, all h x
// w, become float NCHW 3 x ho x wo (image i at dst + i * 3 * ho * wo). torch-fidelity / TF1 legacy bilinear
// (REFERENCE.md §2.2) on 0..255 values, then (v - 128) / 128.
void launch_resize_tf1(const uint8_t* src, int n, int h, int w, size_t row_stride, size_t image_stride,
                       float* dst, int ho, int wo, cudaStream_t stream);
// pytorch-fid (REFERENCE.md §2.4): v / 255, half-pixel bilinear without antialias, then 2x - 1.
void launch_resize_bilinear_halfpixel(const uint8_t* src, int n, int h, int w, size_t row_stride,
                                      size_t image_stride, float* dst, int ho, int wo, cudaStream_t stream);

// For n images C x H x W (src_image_stride floats apart): col[i] is the (C*kh*kw) x (ho*wo) row-major matrix
// of image i, images ho*wo*C*kh*kw floats apart. Rows ordered (c, ky, kx), matching OIHW weights. Zero
// padding.
void launch_im2col(const float* src, size_t src_image_stride, int n, int c, int h, int w, int kh, int kw,
                   int sh, int sw, int ph, int pw, float* col, cudaStream_t stream);

// dst[i][ch][p] = max(0, src[i][ch][p] + bias[ch]) (without the max when !relu) for n images of c x hw; src
// may equal dst (in place). With dst pointing at a channel offset of a concatenated output this is the conv
// epilogue writing into its slice.
void launch_bias_relu(const float* src, size_t src_image_stride, float* dst, size_t dst_image_stride, int n,
                      int c, int hw, const float* bias, bool relu, cudaStream_t stream);

enum class PoolKind : int {
  kMax = 0,            // padding acts as -inf (REFERENCE.md §1.5)
  kAvgExcludePad = 1,  // count_include_pad = False: divide by the in-bounds count
  kAvgIncludePad = 2,  // count_include_pad = True: divide by k * k
};
// k x k pooling, floor output size, for n images of c x h x w; output images dst_image_stride floats apart
// (so it can write into a channel slice of a concatenated output).
void launch_pool2d(const float* src, size_t src_image_stride, int n, int c, int h, int w, PoolKind kind,
                   int k, int stride, int pad, float* dst, size_t dst_image_stride, cudaStream_t stream);

// dst[i * dst_row_stride + ch] = mean over hw of src[i][ch][:].
void launch_global_mean(const float* src, size_t src_image_stride, int n, int c, int hw, float* dst,
                        size_t dst_row_stride, cudaStream_t stream);

// Feature moments in float64: widen features, and add the column sums of a rows x cols row-major matrix to
// sum.
void launch_f32_to_f64(const float* src, size_t count, double* dst, cudaStream_t stream);
void launch_column_sum_f64(const double* x, int rows, int cols, double* sum, cudaStream_t stream);

FIDCPP_CUDA_NAMESPACE_END
