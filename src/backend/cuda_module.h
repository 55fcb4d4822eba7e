// The boundary between the library and its CUDA backend, which is a separate shared module
// (libfidcpp-cuda.so) opened at run time on --device cuda|auto (docs/cuda.md, "The CUDA module"). The library
// itself never links the CUDA runtime, cuBLAS or cuSOLVER, so it starts on machines without them.
//
// The module exports one C symbol, fidcpp_cuda_module_entry, returning a table of this shape. C++ types cross
// the boundary (Result, Backend), so the library accepts a module only when it was built from the same
// sources by the same compiler: `build_id` must equal the library's FIDCPP_BUILD_ID (set by CMake from the
// version, the compiler and a hash of the headers that define the boundary).
#pragma once

#include <cstdint>
#include <memory>

#include "backend/backend.h"
#include "core/status.h"

#define FIDCPP_CUDA_MODULE_FILE "libfidcpp-cuda.so"
#define FIDCPP_CUDA_MODULE_SYMBOL "fidcpp_cuda_module_entry"

namespace fidcpp {

// Bumped when the table's layout changes (the build id catches everything else).
inline constexpr uint32_t kCudaModuleAbi = 1;

struct CudaModuleEntry {
  uint32_t abi;
  const char* build_id;
  // create_cuda_backend: kUnsupported "no CUDA device: ..." where the runtime finds none.
  Result<std::unique_ptr<Backend>> (*create_backend)(int device, bool allow_tf32);
};

}  // namespace fidcpp

extern "C" {
typedef const fidcpp::CudaModuleEntry* (*fidcpp_cuda_module_entry_fn)(void);
}
