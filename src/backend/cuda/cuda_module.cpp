// The CUDA module's only exported symbol (backend/cuda_module.h): everything else in libfidcpp-cuda.so is
// local (src/backend/cuda/cuda_module.map), so its copies of library code never interpose on the host's.
#include "backend/cuda/cuda_backend.h"
#include "backend/cuda_module.h"

#ifndef FIDCPP_BUILD_ID
#error "FIDCPP_BUILD_ID must be defined by CMake"
#endif

namespace fidcpp {
namespace {

Result<std::unique_ptr<Backend>> create(int device, bool allow_tf32) {
  CudaBackendOptions o;
  o.device = device;
  o.allow_tf32 = allow_tf32;
  return create_cuda_backend(o);
}

}  // namespace
}  // namespace fidcpp

extern "C" __attribute__((visibility("default"))) const fidcpp::CudaModuleEntry* fidcpp_cuda_module_entry() {
  static const fidcpp::CudaModuleEntry entry{fidcpp::kCudaModuleAbi, FIDCPP_BUILD_ID, &fidcpp::create};
  return &entry;
}
