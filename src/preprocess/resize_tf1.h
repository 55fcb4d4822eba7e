// TensorFlow 1.x legacy bilinear resize (align_corners=False, no half-pixel offset, no antialias), bit-exact
// with torch-fidelity's interpolate_bilinear_2d_like_tensorflow1x on CPU. docs/conventions.md §2.2.
#pragma once

#include <cstdint>
#include <vector>

#include "preprocess/resize_source.h"

namespace fidcpp {

// Per-axis taps: output index i reads lo[i] and hi[i] with weight frac[i] on hi.
struct Tf1Axis {
  std::vector<int32_t> lo, hi;
  std::vector<float> frac;
};

Tf1Axis make_tf1_axis(int in_size, int out_size);

// Resizes one channel to out_h x out_w (dst is contiguous, row-major). Axes from make_tf1_axis.
void resize_tf1(const ResizeSource& src, const Tf1Axis& ay, const Tf1Axis& ax, float* dst);

}  // namespace fidcpp
