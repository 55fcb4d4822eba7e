// The backends an evaluator can run on, by device: the one place that knows which ones this build has, so the
// evaluator holds no #ifdef. The CUDA backend is a shared module opened on first use (backend/cuda_module.h).
// Never a silent fallback (docs/cuda.md): cuda either works or is an error; only auto may choose.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"
#include "backend/cuda_module.h"
#include "core/status.h"
#include "device_kind.h"

namespace fidcpp {

// OK when a backend of `device` can be created at all: for cuda, when the CUDA module was found and loaded
// (the machine may still lack a device); else why not.
Status backend_available(DeviceKind device);

// cpu: the CPU backend with `threads` workers; cuda: the CUDA backend or its error (kUnsupported when the
// module is missing or cannot be loaded, or without a device); auto: cuda when it can be created, else cpu.
// low_memory: the CPU backend keeps one packed copy of each weight (no Winograd); the CUDA backend ignores
// it. tf32: the CUDA backend's convolutions and fc on TF32 tensor cores; the CPU backend ignores it.
Result<std::unique_ptr<Backend>> create_backend(DeviceKind device, int threads, bool low_memory = false,
                                                bool tf32 = false);

// Opens the CUDA module at `path` (a path, or a bare file name for the dynamic linker's search) and checks
// its table and build id; no search and no caching. create_backend uses it on the first candidate found
// (FIDCPP_CUDA_MODULE, else next to the library or executable, ../lib, the install prefix, the linker's
// path).
Result<const CudaModuleEntry*> open_cuda_module_at(const std::string& path);

}  // namespace fidcpp
