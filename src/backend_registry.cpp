// The backends of this build (backend_registry.h). The CUDA backend is a shared module opened on first use
// (backend/cuda_module.h), so nothing here links CUDA.
#include "backend_registry.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "backend/cuda_module.h"

#ifndef FIDCPP_BUILD_ID
#error "FIDCPP_BUILD_ID must be defined by CMake"
#endif
#ifndef FIDCPP_INSTALL_LIBDIR
#define FIDCPP_INSTALL_LIBDIR "lib"
#define FIDCPP_INSTALL_FULL_LIBDIR "/usr/local/lib"
#endif

namespace fidcpp {

namespace {

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// Where the module is looked for when FIDCPP_CUDA_MODULE is not set: next to the code that holds this
// function (the executable or libfidcpp.so) and in its ../lib, the same for the running executable, the
// install prefix, and last the dynamic linker's own search (LD_LIBRARY_PATH, the cache).
std::vector<std::string> module_candidates() {
  std::vector<std::string> dirs;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&module_candidates), &info) && info.dli_fname &&
      info.dli_fname[0] == '/')
    dirs.push_back(directory_of(info.dli_fname));
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) dirs.push_back(directory_of(std::string(exe, static_cast<size_t>(n))));
  std::vector<std::string> out;
  auto add = [&](const std::string& p) {
    for (const std::string& q : out)
      if (q == p) return;
    out.push_back(p);
  };
  for (const std::string& d : dirs) {
    add(d + "/" FIDCPP_CUDA_MODULE_FILE);
    add(d + "/../" FIDCPP_INSTALL_LIBDIR "/" FIDCPP_CUDA_MODULE_FILE);
  }
  add(FIDCPP_INSTALL_FULL_LIBDIR "/" FIDCPP_CUDA_MODULE_FILE);
  add(FIDCPP_CUDA_MODULE_FILE);
  return out;
}

struct LoadedModule {
  const CudaModuleEntry* entry = nullptr;
  Status status;
};

// The first candidate that exists (a bare name: the one the dynamic linker finds), opened and checked.
LoadedModule open_cuda_module() {
  const char* env = std::getenv("FIDCPP_CUDA_MODULE");
  if (env && *env) {
    auto opened = open_cuda_module_at(env);
    if (opened.ok()) return {*opened, Status()};
    return {nullptr, opened.status().with_context("FIDCPP_CUDA_MODULE")};
  }
  std::string tried;
  for (const std::string& path : module_candidates()) {
    const bool bare = path.find('/') == std::string::npos;
    if (!bare && access(path.c_str(), F_OK) != 0) {
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    auto opened = open_cuda_module_at(path);
    if (opened.ok()) return {*opened, Status()};
    // The linker did not find the module itself (rather than one of its libraries): not found, as above.
    if (bare && opened.status().message().find(": " FIDCPP_CUDA_MODULE_FILE ": cannot open shared object") !=
                    std::string::npos) {
      tried += (tried.empty() ? "" : ", ") + path + " (the dynamic linker's search)";
      continue;
    }
    return {nullptr, opened.status()};
  }
  return {nullptr, unsupported("the CUDA module " FIDCPP_CUDA_MODULE_FILE " was not found (tried " + tried +
                               "). It is built where nvcc is found (FIDCPP_CUDA=ON) and installed next to "
                               "libfidcpp; FIDCPP_CUDA_MODULE=PATH names it")};
}

const LoadedModule& cuda_module() {
  static std::once_flag once;
  static LoadedModule loaded;
  std::call_once(once, [] { loaded = open_cuda_module(); });
  return loaded;
}

// tf32: the CPU has no TF32 mode; its float32 is the strict one.
Result<std::unique_ptr<Backend>> create_cpu(int threads, bool low_memory, bool /*tf32*/) {
  CpuBackendOptions o;
  o.threads = threads;
  o.winograd = !low_memory;
  return create_cpu_backend(o);
}

#ifdef FIDCPP_HAVE_CUDA
constexpr const char* kCudaBuildNote = "";
#else
constexpr const char* kCudaBuildNote =
    "; this build has no CUDA backend (configure with nvcc available, FIDCPP_CUDA=ON)";
#endif

Status cuda_loadable() {
  const LoadedModule& m = cuda_module();
  return m.entry ? Status()
                 : Status(m.status.code(), "--device cuda: " + m.status.message() + kCudaBuildNote);
}

Result<std::unique_ptr<Backend>> create_cuda(int /*threads*/, bool /*low_memory*/, bool tf32) {
  FIDCPP_RETURN_IF_ERROR(cuda_loadable());
  return cuda_module().entry->create_backend(0, tf32);
}

Status cpu_loadable() {
  return Status();
}

struct BackendEntry {
  DeviceKind device;
  Status (*available)();
  Result<std::unique_ptr<Backend>> (*create)(int threads, bool low_memory, bool tf32);
};

// In the order auto tries them.
constexpr BackendEntry kBackends[] = {
    {DeviceKind::kCuda, &cuda_loadable, &create_cuda},
    {DeviceKind::kCpu, &cpu_loadable, &create_cpu},
};

}  // namespace

Result<const CudaModuleEntry*> open_cuda_module_at(const std::string& path) {
  if (path.find('/') != std::string::npos && access(path.c_str(), F_OK) != 0)
    return unsupported("CUDA module '" + path + "' does not exist");
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return unsupported(
        "cannot load the CUDA module '" + path + "': " + (why ? why : "dlopen failed") +
        " (it needs the CUDA runtime libraries, cuBLAS and cuSOLVER; a GPU also needs the driver)");
  }
  // Never closed once accepted: backends created from it may live until exit.
  auto fn = reinterpret_cast<fidcpp_cuda_module_entry_fn>(dlsym(handle, FIDCPP_CUDA_MODULE_SYMBOL));
  const CudaModuleEntry* entry = fn ? fn() : nullptr;
  Status refused;
  if (!entry)
    refused =
        unsupported("'" + path + "' is not a fidcpp CUDA module (it has no " FIDCPP_CUDA_MODULE_SYMBOL ")");
  else if (entry->abi != kCudaModuleAbi)
    refused = unsupported("the CUDA module '" + path + "' has table version " + std::to_string(entry->abi) +
                          ", this library reads version " + std::to_string(kCudaModuleAbi) +
                          ": use the module built with this library");
  else if (!entry->build_id || std::strcmp(entry->build_id, FIDCPP_BUILD_ID) != 0)
    refused =
        unsupported("the CUDA module '" + path + "' was built from other fidcpp sources or by another " +
                    "compiler (its build id '" + (entry->build_id ? entry->build_id : "") +
                    "', this library's '" FIDCPP_BUILD_ID "'): use the module built with this library");
  if (!refused.ok()) {
    dlclose(handle);
    return refused;
  }
  return entry;
}

Status backend_available(DeviceKind device) {
  for (const BackendEntry& b : kBackends)
    if (b.device == device) return b.available();
  return Status();
}

Result<std::unique_ptr<Backend>> create_backend(DeviceKind device, int threads, bool low_memory, bool tf32) {
  if (device != DeviceKind::kAuto) {
    for (const BackendEntry& b : kBackends)
      if (b.device == device) return b.create(threads, low_memory, tf32);
    return invalid_argument("no backend for device " + std::to_string(static_cast<int>(device)));
  }
  Status last = internal_error("no backend was built");
  for (const BackendEntry& b : kBackends) {
    if (!b.available().ok()) continue;
    auto created = b.create(threads, low_memory, tf32);
    if (created.ok()) return created;
    last = created.status();
  }
  return last;
}

}  // namespace fidcpp
