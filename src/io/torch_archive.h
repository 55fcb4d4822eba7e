// PyTorch checkpoints without Python: legacy torch.save (a sequence of pickles followed by raw storages), zip
// torch.save (<root>/data.pkl + <root>/data/<key>) and TorchScript archives (module objects in data.pkl).
// Yields the float32 tensors by name; docs/conventions.md §8.2 describes the zip layout.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/pickle_vm.h"
#include "io/tensor_map.h"

namespace fidcpp {

enum class TorchFormat { kLegacy, kZip, kTorchScript };
const char* torch_format_name(TorchFormat f);

struct TorchCheckpoint {
  TorchFormat format = TorchFormat::kZip;
  // Float32 tensors by dotted name (state-dict keys; for TorchScript the module attribute path, like
  // state_dict()). They point into the file's map where the storage is aligned and uncompressed.
  TensorMap tensors;
  // int64 tensors named *num_batches_tracked: present in BatchNorm state dicts, unused by inference.
  std::vector<std::string> skipped;
};

struct TorchReadOptions {
  PickleLimits pickle;
  uint64_t max_pickle_bytes = uint64_t(256) << 20;
};

// Detects the format from the bytes. Errors name the file, and the tensor where one is at fault (a dtype
// other than float32, non-contiguous strides, a storage too small for its view).
Result<TorchCheckpoint> read_torch_checkpoint(const std::string& path, const TorchReadOptions& options = {});
// `keepalive` must own `data` (tensors may point into it); pass null to force copies.
Result<TorchCheckpoint> parse_torch_checkpoint(const uint8_t* data, size_t size, const std::string& what,
                                               std::shared_ptr<const void> keepalive,
                                               const TorchReadOptions& options = {});

}  // namespace fidcpp
