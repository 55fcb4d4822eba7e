// Turns CUDA runtime errors into fidcpp::Status (with the failing expression and file:line) and clears the
// runtime's sticky last-error state, so that one failure is reported once.
#pragma once

#include <string>

#include "core/status.h"
#include "cuda_compat.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

// "CUDA error cudaErrorMemoryAllocation (out of memory) in `cudaMalloc(&p, n)` at src/x.cpp:12". Allocation
// failures map to kOutOfMemory, everything else to kInternal.
Status cuda_status(cudaError_t e, const char* expr, const char* file, int line);

FIDCPP_CUDA_NAMESPACE_END

#define FIDCPP_CUDA_CHECK(expr)                                                  \
  do {                                                                           \
    cudaError_t fidcpp_cuda_err_ = (expr);                                       \
    if (fidcpp_cuda_err_ != cudaSuccess)                                         \
      return ::fidcpp::cuda_status(fidcpp_cuda_err_, #expr, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: launch errors (bad configuration, ...) only show up in cudaGetLastError.
#define FIDCPP_CUDA_CHECK_LAUNCH(launch_expr)                                           \
  do {                                                                                  \
    launch_expr;                                                                        \
    cudaError_t fidcpp_cuda_err_ = cudaGetLastError();                                  \
    if (fidcpp_cuda_err_ != cudaSuccess)                                                \
      return ::fidcpp::cuda_status(fidcpp_cuda_err_, #launch_expr, __FILE__, __LINE__); \
  } while (0)
