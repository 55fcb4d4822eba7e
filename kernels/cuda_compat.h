// The only portability surface the kernels see: the same .cu source compiles with nvcc (real launches) and
// with g++/clang++ through the cudaemu shim (CPU tests). See docs/cuda.md.
#pragma once

// FIDCPP_CUDA_EMULATED is set by the build for everything compiled against the shim (kernels and host code
// alike).
#if !defined(FIDCPP_CUDA_EMULATED)
#include <cuda_runtime.h>
#define CUDA_LAUNCH(grid, block, smem, stream, ...) __VA_ARGS__<<<grid, block, smem, stream>>>
#define CUDA_DYNAMIC_SHARED(T, name)                                \
  extern __shared__ __align__(16) unsigned char fidcpp_dyn_smem_[]; \
  T* name = reinterpret_cast<T*>(fidcpp_dyn_smem_)
#else
#include "emu/cudaemu.h"
#define CUDA_LAUNCH(grid, block, smem, stream, ...) CUDAEMU_LAUNCH(grid, block, smem, stream, __VA_ARGS__)
#define CUDA_DYNAMIC_SHARED(T, name) CUDAEMU_DYNAMIC_SHARED(T, name)
#endif

// Both builds of a kernel or of the CUDA backend's host code can end up in one binary (the emulated tests
// link the library, which also holds the nvcc-built backend). A different inline namespace keeps their
// symbols apart while code keeps spelling them fidcpp::launch_xxx.
#if defined(FIDCPP_CUDA_EMULATED)
#define FIDCPP_CUDA_NAMESPACE_BEGIN \
  namespace fidcpp {                \
  inline namespace cuda_emu {
#else
#define FIDCPP_CUDA_NAMESPACE_BEGIN \
  namespace fidcpp {                \
  inline namespace cuda_dev {
#endif
#define FIDCPP_CUDA_NAMESPACE_END \
  }                               \
  }
