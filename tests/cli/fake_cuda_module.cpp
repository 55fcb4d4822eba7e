// Stand-ins for libfidcpp-cuda.so, so the module loader (src/backend_registry.cpp) is tested on machines
// without CUDA: built once per FAKE_KIND. "ok" carries this build's id and creates a CPU backend (the CLI's
// `--device cuda` then runs end to end through the loaded module); "wrong_id" and "wrong_abi" must be
// refused.
#include <cstdio>
#include <cstdlib>

#include "backend/cuda_module.h"

namespace {

#if FAKE_KIND_OK
// Leaves "created" in $FIDCPP_FAKE_CUDA_MARK, so a test sees that this function ran.
fidcpp::Result<std::unique_ptr<fidcpp::Backend>> create(int /*device*/, bool /*allow_tf32*/) {
  if (const char* mark = std::getenv("FIDCPP_FAKE_CUDA_MARK")) {
    if (FILE* f = std::fopen(mark, "w")) {
      std::fputs("created\n", f);
      std::fclose(f);
    }
  }
  fidcpp::CpuBackendOptions o;
  o.threads = 1;
  return fidcpp::create_cpu_backend(o);
}
#else
fidcpp::Result<std::unique_ptr<fidcpp::Backend>> create(int, bool) {
  return fidcpp::internal_error("a refused module's create_backend was called");
}
#endif

}  // namespace

extern "C" __attribute__((visibility("default"))) const fidcpp::CudaModuleEntry* fidcpp_cuda_module_entry() {
  static const fidcpp::CudaModuleEntry entry{FAKE_ABI, FAKE_BUILD_ID, &create};
  return &entry;
}
