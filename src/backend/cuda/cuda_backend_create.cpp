// create_cuda_backend for the real CUDA build: finds the device (a clear error when there is none) and wires
// the backend to cuBLAS/cuSOLVER on the backend's stream.
#include <string>

#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/cuda_backend_impl.h"
#include "backend/cuda/cuda_check.h"

namespace fidcpp {

Result<std::unique_ptr<Backend>> create_cuda_backend(const CudaBackendOptions& options) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    // Without a driver this is cudaErrorInsufficientDriver (35), with a driver but no GPU cudaErrorNoDevice.
    return unsupported(std::string("no CUDA device: ") + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) +
                       ")");
  }
  if (count == 0) return unsupported("no CUDA device: cudaGetDeviceCount found none");
  if (options.device < 0 || options.device >= count)
    return invalid_argument("CUDA device " + std::to_string(options.device) + " does not exist (found " +
                            std::to_string(count) + ")");
  FIDCPP_CUDA_CHECK(cudaSetDevice(options.device));
  cudaDeviceProp prop{};
  FIDCPP_CUDA_CHECK(cudaGetDeviceProperties(&prop, options.device));
  if (options.allow_tf32 && prop.major < 8)
    return unsupported(std::string("TF32 needs a GPU of compute capability 8.0 or newer; ") + prop.name +
                       " is " + std::to_string(prop.major) + "." + std::to_string(prop.minor));
  const std::string label = std::string("cuda (") + prop.name + (options.allow_tf32 ? ", tf32" : "") + ")";
  LinalgOptions lo;
  lo.allow_tf32 = options.allow_tf32;
  return create_cuda_backend_with([&](cudaStream_t s) { return create_cublas_linalg(s, lo); }, label.c_str(),
                                  options.allow_tf32);
}

}  // namespace fidcpp
