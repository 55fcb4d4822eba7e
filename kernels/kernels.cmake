# The CUDA kernel sources, one op per file; compiled by nvcc into fidcpp_cuda (src/backend/cuda/sources.cmake) and
# by the host compiler through cudaemu into fidcpp_cuda_emu (tests/emu/tests.cmake).
set(FIDCPP_CUDA_KERNEL_FILES
  kernels/resize_tf1.cu
  kernels/resize_bilinear_halfpixel.cu
  kernels/im2col.cu
  kernels/bias_relu.cu
  kernels/pool2d.cu
  kernels/global_mean.cu
  kernels/moments.cu
)
