// ResizeSource: how the resize kernels read one channel of an 8-bit interleaved image (through a 256-entry
// value table, so the same kernel serves 0..255 inputs and pytorch-fid's v/255 inputs without a float copy).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fidcpp {

struct ResizeSource {
  const uint8_t* pixels = nullptr;  // first sample of the channel to read
  int height = 0;
  int width = 0;
  ptrdiff_t row_stride = 0;    // bytes between rows
  int pixel_stride = 1;        // bytes between horizontally adjacent samples (3 for RGB, 4 for RGBA)
  const float* lut = nullptr;  // 256 entries: the float value of each 8-bit level

  float at(int y, int x) const {
    return lut[pixels[y * row_stride + static_cast<ptrdiff_t>(x) * pixel_stride]];
  }
  const uint8_t* row(int y) const { return pixels + y * row_stride; }
};

// A 256-entry table mapping level v to float(v), the input of every 0..255 mode.
const float* identity_level_table();

}  // namespace fidcpp
