// An 8-bit RGB(A) image in caller memory, the input of preprocessing (decoded files, C API buffers), and the
// largest image side it accepts.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fidcpp {

// Pixel (y, x) channel c is data[y * row_stride + x * pixel_stride + c].
struct RgbImageView {
  const uint8_t* data = nullptr;
  int height = 0;
  int width = 0;
  ptrdiff_t row_stride = 0;  // bytes; >= width * pixel_stride
  int pixel_stride = 3;      // 3 for RGB, 4 for RGBA (alpha ignored)
};

// Largest accepted image side for preprocessing (and decoding); the scratch buffer is height x 299 floats.
constexpr int kMaxPreprocessSide = 1 << 18;

}  // namespace fidcpp
