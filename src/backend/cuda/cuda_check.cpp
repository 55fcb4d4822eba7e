// CUDA error → Status conversion (see cuda_check.h).
#include "backend/cuda/cuda_check.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

Status cuda_status(cudaError_t e, const char* expr, const char* file, int line) {
  (void)cudaGetLastError();  // non-sticky errors would otherwise resurface at the next check
  std::string msg = std::string("CUDA error ") + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) +
                    ") in `" + expr + "` at " + file + ":" + std::to_string(line);
  return Status(e == cudaErrorMemoryAllocation ? StatusCode::kOutOfMemory : StatusCode::kInternal,
                std::move(msg));
}

FIDCPP_CUDA_NAMESPACE_END
