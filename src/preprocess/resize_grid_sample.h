// The TF1-bilinear emulation inside NVIDIA's TorchScript Inception (clean-fid "legacy_tensorflow"):
// affine_grid with a translation, then grid_sample(bilinear, border, align_corners=False).
// docs/conventions.md §2.6.
#pragma once

#include <cstdint>
#include <vector>

#include "preprocess/resize_source.h"

namespace fidcpp {

// Per-axis sampling positions: output i reads in[lo[i]] with weight 1 - frac[i] and in[lo[i] + 1] (clamped to
// the last pixel; its weight is then 0) with weight frac[i].
struct GridSampleAxis {
  std::vector<int32_t> lo, hi;
  std::vector<float> frac;
};

GridSampleAxis make_grid_sample_axis(int in_size, int out_size);

void resize_grid_sample(const ResizeSource& src, const GridSampleAxis& ay, const GridSampleAxis& ax,
                        float* dst);

}  // namespace fidcpp
