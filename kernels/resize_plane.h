// Device helpers shared by the preprocessing kernels (kernels/resize_*.cu): output indexing and the
// (v - 128) / 128 normalisation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// The TF graph's "subtract 128, multiply by 1/128"; exact division by 128 because 1/128 is a power of two.
__device__ inline float normalize_128(float v) {
  return __fmul_rn(__fsub_rn(v, 128.0f), 0.0078125f);
}

// Element idx of an NCHW batch with 3 channels of ho x wo: column, row and plane (image * 3 + channel).
struct PlaneIndex {
  int x, y;
  size_t plane;
};
__device__ inline PlaneIndex plane_index(size_t idx, int ho, int wo) {
  PlaneIndex p;
  p.x = static_cast<int>(idx % static_cast<size_t>(wo));
  const size_t row = idx / static_cast<size_t>(wo);
  p.y = static_cast<int>(row % static_cast<size_t>(ho));
  p.plane = row / static_cast<size_t>(ho);
  return p;
}

// First sample of channel (plane % 3) of image (plane / 3).
__device__ inline const uint8_t* channel_base(const U8Images& src, size_t plane) {
  return src.data + (plane / 3) * src.image_stride + plane % 3;
}

FIDCPP_CUDA_NAMESPACE_END
