// Naive host references for the CUDA kernels (one `<op>_ref` per kernels/<op>.cu), written from
// docs/conventions.md before the kernels and used only by tests. Double accumulation wherever the spec does
// not fix float32 steps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fidcpp {
namespace ref {

// docs/conventions.md §2.2 step by step in float32 (the spec fixes each rounding), then (v - 128) / 128.
// Returns NCHW.
std::vector<float> resize_tf1_ref(const uint8_t* src, int n, int h, int w, size_t row_stride,
                                  size_t image_stride, int ho, int wo);
// docs/conventions.md §2.4 in double, then 2x - 1.
std::vector<float> resize_bilinear_halfpixel_ref(const uint8_t* src, int n, int h, int w, size_t row_stride,
                                                 size_t image_stride, int ho, int wo);
// The convolution contract of kernels/conv2d_igemm.cu, written as plainly as possible: per output, float32
// fma over k = (ci, ky, kx) in increasing order from 0 (padding taps read 0), + bias, ReLU; images
// src_image_stride / dst_image_stride floats apart (dst: the first channel of an output slice).
void conv2d_fma_ref(const float* src, size_t src_image_stride, int n, int c, int h, int w,
                    const float* weight, const float* bias, bool relu, int cout, int kh, int kw, int stride,
                    int ph, int pw, float* dst, size_t dst_image_stride);
// Direct convolution (no im2col) of n images with OIHW weights, double accumulation; output n x cout x ho x
// wo.
std::vector<float> conv2d_ref(const float* src, int n, int c, int h, int w, const float* weight, int cout,
                              int kh, int kw, int sh, int sw, int ph, int pw);
void bias_relu_ref(const float* src, size_t src_image_stride, float* dst, size_t dst_image_stride, int n,
                   int c, int hw, const float* bias, bool relu);
// kind 0 = max (-inf padding), 1 = average without the padded elements, 2 = average dividing by k * k.
void pool2d_ref(const float* src, size_t src_image_stride, int n, int c, int h, int w, int kind, int k,
                int stride, int pad, float* dst, size_t dst_image_stride);
void global_mean_ref(const float* src, size_t src_image_stride, int n, int c, int hw, float* dst,
                     size_t dst_row_stride);

}  // namespace ref
}  // namespace fidcpp
