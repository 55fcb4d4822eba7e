// Convolution epilogue: per-channel bias (the folded batch norm) and ReLU, into a channel slice of the
// output.
#include "kernels.h"
#include "grid_size.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

__global__ void bias_relu_kernel(const float* src, size_t src_image_stride, float* dst,
                                 size_t dst_image_stride, int n, int c, int hw, const float* bias,
                                 bool relu) {
  const size_t per_image = static_cast<size_t>(c) * hw;
  const size_t total = static_cast<size_t>(n) * per_image;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const size_t img = idx / per_image, e = idx % per_image;
    const float v = src[img * src_image_stride + e] + bias[e / hw];
    dst[img * dst_image_stride + e] = (relu && v < 0.f) ? 0.f : v;  // NaN propagates, as in torch.relu
  }
}

void launch_bias_relu(const float* src, size_t src_image_stride, float* dst, size_t dst_image_stride, int n,
                      int c, int hw, const float* bias, bool relu, cudaStream_t stream) {
  const size_t total = static_cast<size_t>(n) * c * hw;
  CUDA_LAUNCH(dim3(grid_for(total)), dim3(kElementwiseThreads), 0, stream, bias_relu_kernel)
  (src, src_image_stride, dst, dst_image_stride, n, c, hw, bias, relu);
}

FIDCPP_CUDA_NAMESPACE_END
