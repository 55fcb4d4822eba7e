// The CUDA backend: the Backend interface (backend/backend.h) over device buffers, the kernels in kernels/
// and cuBLAS through Linalg. Creating it without a device is an error Status, never a silent CPU fallback.
#pragma once

#include <memory>

#include "backend/backend.h"
#include "backend/cuda/linalg.h"

namespace fidcpp {

struct CudaBackendOptions {
  int device = 0;
  bool allow_tf32 = false;  // opt-in fast mode (docs/cuda.md); default strict float32
};

// Defined in the CUDA build only (fidcpp_cuda). kUnsupported "no CUDA device: ..." without a usable device.
Result<std::unique_ptr<Backend>> create_cuda_backend(const CudaBackendOptions& options = {});

}  // namespace fidcpp
