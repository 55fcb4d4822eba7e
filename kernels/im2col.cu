// im2col for k x k (and 1 x 7 / 7 x 1) convolutions with stride and zero padding, batched over images.
#include "kernels.h"
#include "grid_size.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// One thread per output element of the column matrix: consecutive threads walk the output pixels of one row,
// so the stores are coalesced and the loads nearly so.
__global__ void im2col_kernel(const float* src, size_t src_image_stride, int n, int c, int h, int w, int kh,
                              int kw, int sh, int sw, int ph, int pw, int ho, int wo, float* col) {
  const size_t p_count = static_cast<size_t>(ho) * wo;
  const size_t rows = static_cast<size_t>(c) * kh * kw;
  const size_t total = static_cast<size_t>(n) * rows * p_count;
  for (size_t idx = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const size_t p = idx % p_count;
    const size_t r = (idx / p_count) % rows;
    const size_t img = idx / (p_count * rows);
    const int kx = static_cast<int>(r % kw);
    const int ky = static_cast<int>((r / kw) % kh);
    const int ch = static_cast<int>(r / (static_cast<size_t>(kw) * kh));
    const int ox = static_cast<int>(p % wo), oy = static_cast<int>(p / wo);
    const int iy = oy * sh - ph + ky, ix = ox * sw - pw + kx;
    float v = 0.f;
    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
      v = src[img * src_image_stride + (static_cast<size_t>(ch) * h + iy) * w + ix];
    col[idx] = v;
  }
}

void launch_im2col(const float* src, size_t src_image_stride, int n, int c, int h, int w, int kh, int kw,
                   int sh, int sw, int ph, int pw, float* col, cudaStream_t stream) {
  const int ho = (h + 2 * ph - kh) / sh + 1, wo = (w + 2 * pw - kw) / sw + 1;
  const size_t total = static_cast<size_t>(n) * c * kh * kw * ho * wo;
  CUDA_LAUNCH(dim3(grid_for(total)), dim3(kElementwiseThreads), 0, stream, im2col_kernel)
  (src, src_image_stride, n, c, h, w, kh, kw, sh, sw, ph, pw, ho, wo, col);
}

FIDCPP_CUDA_NAMESPACE_END
