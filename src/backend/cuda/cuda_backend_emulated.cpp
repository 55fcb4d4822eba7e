// create_emulated_cuda_backend: the CUDA backend's host code and kernels running through cudaemu on the CPU,
// with the CPU Linalg standing in for cuBLAS. Part of the emulated test library only.
#include "backend/cuda/cuda_backend_impl.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

Result<std::unique_ptr<Backend>> create_emulated_cuda_backend(bool tf32) {
  return create_cuda_backend_with(
      [](cudaStream_t s) -> Result<std::unique_ptr<Linalg>> { return create_emulated_linalg(s); },
      tf32 ? "cuda (emulated on the CPU, tf32)" : "cuda (emulated on the CPU)", tf32);
}

FIDCPP_CUDA_NAMESPACE_END
