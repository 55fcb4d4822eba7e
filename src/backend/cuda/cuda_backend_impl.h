// Construction of the CUDA backend from a Linalg, shared by the real build (cuBLAS) and the emulated build
// (CPU Linalg, kernels through cudaemu), which compile the same cuda_backend.cpp into different inline
// namespaces.
#pragma once

#include <functional>
#include <memory>

#include "backend/backend.h"
#include "backend/cuda/linalg.h"
#include "cuda_compat.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// make_linalg receives the backend's stream. `label` goes into Backend::name(). tf32: convolutions on TF32
// tensor cores (an opt-in; the Linalg decides for its own GEMMs).
Result<std::unique_ptr<Backend>> create_cuda_backend_with(
    const std::function<Result<std::unique_ptr<Linalg>>(cudaStream_t)>& make_linalg, const char* label,
    bool tf32 = false);

FIDCPP_CUDA_NAMESPACE_END

#if defined(FIDCPP_CUDA_EMULATED)
FIDCPP_CUDA_NAMESPACE_BEGIN
// The emulated build's backend: kernels through cudaemu, the CPU Linalg. Tests only.
Result<std::unique_ptr<Backend>> create_emulated_cuda_backend(bool tf32 = false);
FIDCPP_CUDA_NAMESPACE_END
#endif
