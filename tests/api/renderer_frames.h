// Procedural "renderer" frames for the API tests: smooth moving gradients and discs, RGBA8 with padded rows,
// as a renderer's framebuffer would hand them over.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace fidcpp {

struct Frame {
  int width = 0, height = 0;
  size_t row_stride = 0;  // bytes, padded beyond width * 4
  std::vector<uint8_t> rgba;
};

// Frame `index` of scene `scene`: sizes differ per frame so the resize path is exercised.
inline Frame render_frame(int scene, int index) {
  Frame f;
  f.width = 120 + 37 * (index % 3) + 11 * scene;
  f.height = 90 + 29 * (index % 2);
  f.row_stride = size_t(f.width) * 4 + 16;
  f.rgba.assign(f.row_stride * f.height, 0xEE);  // padding bytes must never be read as pixels
  const double t = 0.7 * index + 1.3 * scene;
  const double cx = f.width * (0.5 + 0.3 * std::sin(t)), cy = f.height * (0.5 + 0.3 * std::cos(1.7 * t));
  const double r = 0.25 * std::min(f.width, f.height);
  for (int y = 0; y < f.height; ++y) {
    for (int x = 0; x < f.width; ++x) {
      uint8_t* p = &f.rgba[y * f.row_stride + x * 4];
      const double d = std::hypot(x - cx, y - cy);
      const bool disc = d < r;
      p[0] = uint8_t(disc ? 230 - 40 * scene : (x * 255) / f.width);
      p[1] = uint8_t(disc ? 60 + 50 * scene : (y * 255) / f.height);
      p[2] = uint8_t(std::fmod(40.0 * t + 0.5 * (x + y), 256.0));
      p[3] = uint8_t((x * 7 + y * 3) & 0xFF);  // alpha: ignored, as PIL's convert('RGB') drops it
    }
  }
  return f;
}

}  // namespace fidcpp
