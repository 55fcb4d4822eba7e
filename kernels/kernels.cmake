# The CUDA kernel sources, one op per file; compiled by nvcc into fidcpp_cuda (src/backend/cuda/sources.cmake) and
# by the host compiler through cudaemu into fidcpp_cuda_emu (tests/emu/tests.cmake).
set(FIDCPP_CUDA_KERNEL_FILES
  kernels/resize_tf1.cu
  kernels/resize_bilinear_halfpixel.cu
  kernels/resize_aa_bilinear.cu
  kernels/resize_pil_bicubic.cu
  kernels/resize_grid_sample.cu
  kernels/conv2d_igemm.cu
  kernels/bias_relu.cu
  kernels/pool2d.cu
  kernels/global_mean.cu
  kernels/moments.cu
  kernels/scale_columns_sqrt.cu
)
