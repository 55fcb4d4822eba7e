// The backends an evaluator can run on, by device: the one place that knows which ones this build has, so the
// evaluator holds no #ifdef. Never a silent fallback (docs/cuda.md): cuda either works or is an error;
// only auto may choose.
#pragma once

#include <memory>

#include "backend/backend.h"
#include "core/status.h"
#include "device_kind.h"

namespace fidcpp {

// True when this build can create a backend of `device` at all (a machine may still lack the device).
bool backend_built(DeviceKind device);

// cpu: the CPU backend with `threads` workers; cuda: the CUDA backend or its error (kUnsupported when not
// built with CUDA or without a device); auto: cuda when it can be created, else cpu.
Result<std::unique_ptr<Backend>> create_backend(DeviceKind device, int threads);

}  // namespace fidcpp
