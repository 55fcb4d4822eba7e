// C++ twin of tools/synthetic_weights.py: synthetic weights by name and smooth-plus-noise test images.
#include "model/synthetic_weights.h"

#include <algorithm>
#include <cmath>

#include "core/splitmix64.h"
#include "model/inception_table.h"

namespace fidcpp {

namespace {

uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return h;
}

bool ends_with(const std::string& s, const char* suffix) {
  const std::string t = suffix;
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

}  // namespace

std::vector<float> synthetic_tensor(const std::string& name, const std::vector<int64_t>& shape) {
  int64_t n = 1, fan_in = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    n *= shape[i];
    if (i > 0) fan_in *= shape[i];
  }
  SplitMix64 rng(fnv1a64(name) ^ kSyntheticWeightSeed);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) {
    const double u = rng.uniform_f32();
    double r;
    if (ends_with(name, ".conv.weight")) {
      r = (2.0 * u - 1.0) * std::sqrt(6.0 / double(fan_in));
    } else if (ends_with(name, ".bn.weight")) {
      r = 0.75 + 0.5 * u;
    } else if (ends_with(name, ".bn.running_var")) {
      r = 0.5 + u;
    } else if (name == "fc.weight") {
      r = (2.0 * u - 1.0) * std::sqrt(3.0 / 2048.0);
    } else {  // bn.bias, bn.running_mean, fc.bias
      r = (2.0 * u - 1.0) * 0.1;
    }
    x = float(r);
  }
  return v;
}

TensorMap synthetic_inception_weights(bool with_fc) {
  TensorMap m;
  for (const ParamSpec& p : inception_param_specs(with_fc)) {
    HostTensor t;
    t.shape = p.shape;
    t.owned = synthetic_tensor(p.name, p.shape);
    t.data = t.owned.data();
    m.tensors.emplace(p.name, std::move(t));
  }
  // std::map nodes never move, but re-point data after emplace to be safe about the vector's buffer.
  for (auto& kv : m.tensors) kv.second.data = kv.second.owned.data();
  return m;
}

std::vector<uint8_t> synthetic_image_u8(int index) {
  constexpr int kSize = 299;
  SplitMix64 rng(kSyntheticImageSeed + uint64_t(index));
  int grid[9][9][3];
  for (auto& row : grid)
    for (auto& cell : row)
      for (int& g : cell) g = rng.byte();
  int cell[kSize], frac[kSize];
  for (int i = 0; i < kSize; ++i) {
    const int pos = i * 8 * 256 / (kSize - 1);
    cell[i] = std::min(pos >> 8, 7);
    frac[i] = pos - cell[i] * 256;
  }
  std::vector<uint8_t> img(size_t(kSize) * kSize * 3);
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x)
      for (int c = 0; c < 3; ++c) {
        const int gy = cell[y], ay = frac[y], gx = cell[x], ax = frac[x];
        const int64_t top = int64_t(grid[gy][gx][c]) * (256 - ax) + int64_t(grid[gy][gx + 1][c]) * ax;
        const int64_t bottom =
            int64_t(grid[gy + 1][gx][c]) * (256 - ax) + int64_t(grid[gy + 1][gx + 1][c]) * ax;
        const int base = int((top * (256 - ay) + bottom * ay) >> 16);
        const int noise = rng.byte();
        img[(size_t(y) * kSize + x) * 3 + c] = uint8_t(std::clamp(base + (noise >> 3) - 16, 0, 255));
      }
  return img;
}

void append_normalised_chw(const std::vector<uint8_t>& hwc, std::vector<float>* out) {
  const size_t hw = hwc.size() / 3;
  const size_t base = out->size();
  out->resize(base + hwc.size());
  for (int c = 0; c < 3; ++c)
    for (size_t p = 0; p < hw; ++p) (*out)[base + c * hw + p] = (float(hwc[p * 3 + c]) - 128.0f) / 128.0f;
}

}  // namespace fidcpp
