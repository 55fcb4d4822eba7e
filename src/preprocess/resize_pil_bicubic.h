// Pillow's bicubic resize of a float32 ('F' mode) image, the per-channel resize of clean-fid's default mode
// (docs/conventions.md §2.5). Bit-exact with Pillow: double coefficients and sums, float32 storage after each
// pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "preprocess/resize_source.h"

namespace fidcpp {

struct PilBicubicAxis {
  int in_size = 0, out_size = 0, max_taps = 0;
  std::vector<int32_t> start, count;
  std::vector<double> weights;  // out_size * max_taps
};

PilBicubicAxis make_pil_bicubic_axis(int in_size, int out_size);

// Which pass Pillow runs first. Pillow <= 12 always runs the horizontal pass first; Pillow 13 (PR #9549) runs
// the vertical pass first when the height shrinks much more than the width. Its exact threshold is not public
// in a form we could check, so we reproduce the case measured to be unambiguous: height shrinks while width
// grows.
bool pil_bicubic_vertical_first(int in_h, int in_w, int out_h, int out_w);

// Floats of scratch that resize_pil_bicubic needs.
size_t pil_bicubic_scratch_size(int in_h, int in_w, int out_h, int out_w);

// One channel to ay.out_size x ax.out_size (dst contiguous), each pass skipped when its axis keeps its size
// (Pillow returns a copy at equal size), the first pass chosen by pil_bicubic_vertical_first.
void resize_pil_bicubic(const ResizeSource& src, const PilBicubicAxis& ay, const PilBicubicAxis& ax,
                        float* scratch, float* dst);

}  // namespace fidcpp
