// Deterministic synthetic Inception-v3 weights and test images, identical to tools/synthetic_weights.py (see
// its docstring for the definitions); used so parity tests need no real weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/tensor_map.h"

namespace fidcpp {

constexpr uint64_t kSyntheticWeightSeed = 20151205;
constexpr uint64_t kSyntheticImageSeed = 0x1D0C0000;

// Values of one named tensor (pytorch-fid name) of the given shape.
std::vector<float> synthetic_tensor(const std::string& name, const std::vector<int64_t>& shape);

// Every float tensor of the pytorch-fid state dict (fc included when with_fc), owning its data.
TensorMap synthetic_inception_weights(bool with_fc);

// Image `index` as uint8 HWC 299 x 299 x 3.
std::vector<uint8_t> synthetic_image_u8(int index);

// (u8 - 128) / 128 as float32 CHW (torch-fidelity's normalisation), appended to `out`.
void append_normalised_chw(const std::vector<uint8_t>& hwc, std::vector<float>* out);

}  // namespace fidcpp
