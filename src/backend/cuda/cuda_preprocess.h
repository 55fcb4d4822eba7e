// Device-side preprocessing for the CUDA backend: the per-axis tables of each reference resize, built on the
// host by the CPU backend's make_*_axis functions (so both backends use the very same taps and weights),
// uploaded once per input size, and the kernels of kernels/resize_*.cu launched over a batch.
#pragma once

#include "backend/backend.h"
#include "backend/cuda/cuda_raii.h"
#include "kernels.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

class DevicePreprocessor {
 public:
  // dst: src.n x 3 x out_h x out_w floats (device). Asynchronous on `stream`. Replanning (another transform
  // or size) synchronises `stream` first, since earlier launches may still read the old tables.
  Status run(InputTransform transform, const U8Images& src, int out_h, int out_w, float* dst,
             cudaStream_t stream);

 private:
  Status plan(InputTransform transform, int h, int w, int out_h, int out_w, cudaStream_t stream);
  Status ensure_scratch(size_t floats, cudaStream_t stream);

  bool planned_ = false;
  InputTransform transform_ = InputTransform::kTf1;
  int h_ = 0, w_ = 0, out_h_ = 0, out_w_ = 0;
  bool vertical_first_ = false;
  TwoTapAxis two_y_, two_x_;
  FilterAxis<float> f32_y_, f32_x_;
  FilterAxis<double> f64_y_, f64_x_;
  DeviceBuffer<int32_t> ints_;
  DeviceBuffer<float> floats_;
  DeviceBuffer<double> doubles_;
  DeviceBuffer<float> scratch_;
};

FIDCPP_CUDA_NAMESPACE_END
