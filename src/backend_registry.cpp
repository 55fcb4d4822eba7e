// The backends of this build (backend_registry.h).
#include "backend_registry.h"

#ifdef FIDCPP_HAVE_CUDA
#include "backend/cuda/cuda_backend.h"
#endif

namespace fidcpp {

namespace {

Result<std::unique_ptr<Backend>> create_cpu(int threads) {
  CpuBackendOptions o;
  o.threads = threads;
  return create_cpu_backend(o);
}

Result<std::unique_ptr<Backend>> create_cuda(int /*threads*/) {
#ifdef FIDCPP_HAVE_CUDA
  return create_cuda_backend(CudaBackendOptions{});
#else
  return unsupported("--device cuda: not built with CUDA (configure with nvcc available, FIDCPP_CUDA=ON)");
#endif
}

struct BackendEntry {
  DeviceKind device;
  bool built;
  Result<std::unique_ptr<Backend>> (*create)(int threads);
};

#ifdef FIDCPP_HAVE_CUDA
constexpr bool kCudaBuilt = true;
#else
constexpr bool kCudaBuilt = false;
#endif

// In the order auto tries them.
constexpr BackendEntry kBackends[] = {
    {DeviceKind::kCuda, kCudaBuilt, &create_cuda},
    {DeviceKind::kCpu, true, &create_cpu},
};

}  // namespace

bool backend_built(DeviceKind device) {
  for (const BackendEntry& b : kBackends)
    if (b.device == device) return b.built;
  return device == DeviceKind::kAuto;
}

Result<std::unique_ptr<Backend>> create_backend(DeviceKind device, int threads) {
  if (device != DeviceKind::kAuto) {
    for (const BackendEntry& b : kBackends)
      if (b.device == device) return b.create(threads);
    return invalid_argument("no backend for device " + std::to_string(static_cast<int>(device)));
  }
  Status last = internal_error("no backend was built");
  for (const BackendEntry& b : kBackends) {
    if (!b.built) continue;
    auto created = b.create(threads);
    if (created.ok()) return created;
    last = created.status();
  }
  return last;
}

}  // namespace fidcpp
