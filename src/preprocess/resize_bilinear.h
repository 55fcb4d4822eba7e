// PyTorch F.interpolate(mode='bilinear', align_corners=False, antialias=False) on float32, mirroring the CPU
// kernel's arithmetic (pytorch-fid's resize, docs/conventions.md §2.4).
#pragma once

#include <cstdint>
#include <vector>

#include "preprocess/resize_source.h"

namespace fidcpp {

// Per-axis taps: out[i] = w0[i] * in[i0[i]] + w1[i] * in[i1[i]].
struct BilinearAxis {
  std::vector<int32_t> i0, i1;
  std::vector<float> w0, w1;
};

BilinearAxis make_bilinear_axis(int in_size, int out_size);

// One channel to (ay size) x (ax size), dst contiguous row-major.
void resize_bilinear(const ResizeSource& src, const BilinearAxis& ay, const BilinearAxis& ax, float* dst);

}  // namespace fidcpp
