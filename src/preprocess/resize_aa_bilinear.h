// PyTorch F.interpolate(mode='bilinear', align_corners=False, antialias=True) on float32: the separable,
// PIL-style triangle filter that torchmetrics >= 1.8 uses (docs/conventions.md §2.3).
#pragma once

#include <cstdint>
#include <vector>

#include "preprocess/resize_source.h"

namespace fidcpp {

// Per-axis filter taps: output i reads in[start[i] .. start[i] + count[i]) with weights[i * max_taps + k].
struct AaAxis {
  int in_size = 0, out_size = 0, max_taps = 0;
  std::vector<int32_t> start, count;
  std::vector<float> weights;
};

AaAxis make_aa_axis(int in_size, int out_size);

// One channel to ay.out_size x ax.out_size (dst contiguous). `scratch` must hold src.height * ax.out_size
// floats. The horizontal pass runs first, as in PyTorch; an axis whose size is unchanged is skipped.
void resize_aa_bilinear(const ResizeSource& src, const AaAxis& ay, const AaAxis& ax, float* scratch,
                        float* dst);

}  // namespace fidcpp
