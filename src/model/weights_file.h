// The fidcpp Inception weights file (weights/FORMAT.md): safetensors whose tensor names are pytorch-fid's
// state-dict keys, float32, BN unfolded. Loading checks everything the forward pass relies on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/tensor_map.h"

namespace fidcpp {

constexpr const char* kWeightsFormatName = "fidcpp-inception-weights";
constexpr const char* kWeightsFormatVersion = "1";
// The default file name under weights/ and the name the MANIFEST lists it under.
constexpr const char* kWeightsDefaultFileName = "inception-2015-12-05.safetensors";

// Memory-maps `path` (tensors point into the map; TensorMap::keepalive owns it) and checks, in this order:
// safetensors structure, metadata format/version, exact tensor name set (unknown and missing tensors named),
// every shape, fc.weight/fc.bias both-or-neither, every value finite. Errors are kWeights (kNotFound when the
// file does not exist) and name the file and the offending tensor.
Result<TensorMap> load_inception_weights(const std::string& path);

// The same checks on a TensorMap already in memory (metadata included); `what` starts every message.
Status validate_inception_weights(const TensorMap& weights, const std::string& what = "weights");

// True when the map holds the 1008-class head (fc.weight, fc.bias); needed for the Inception Score.
bool weights_have_fc(const TensorMap& weights);

// "'a', 'b' and 3 more": up to 8 tensor names for a message (the converter's and the loader's).
std::string tensor_name_list(const std::vector<std::string>& names);

// Human-readable listing: metadata, then one line per tensor (name, shape, element count), then totals.
// Works on any safetensors file (only the structure is checked), so it can show what is wrong with a bad one.
Result<std::string> inspect_weights_file(const std::string& path);

struct WeightsVerifyReport {
  std::string sha256;    // of the whole file
  bool known = false;    // listed in the manifest as a converted file
  std::string known_as;  // the manifest entry's name when known
  bool has_fc = false;
  std::string text;  // multi-line summary for the CLI
};

// weights/MANIFEST: one file per line, "<kind> <name> <bytes> <sha256> <sha1 or ->", '#' starts a comment;
// kind is "source" (a file the converter reads) or "converted" (a file it produces).
struct ManifestEntry {
  std::string kind, name;
  uint64_t bytes = 0;
  std::string sha256, sha1;
};
Result<std::vector<ManifestEntry>> read_weights_manifest(const std::string& path);

// load_inception_weights' checks, then the file's SHA-256 against the manifest (weights/MANIFEST format;
// an empty manifest_path or a missing manifest makes every file "unknown", which is not an error).
Result<WeightsVerifyReport> verify_weights_file(const std::string& path, const std::string& manifest_path);

}  // namespace fidcpp
