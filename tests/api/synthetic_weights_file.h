// Writes the deterministic synthetic Inception weights (tests/model/synthetic_weights.h) as a fidcpp weights
// file, so end-to-end tests run the whole pipeline without the real weights.
#pragma once

#include <string>

#include "io/safetensors.h"
#include "model/weights_file.h"
#include "synthetic_weights.h"

namespace fidcpp {

// Returns the path, or an empty string (and fills *error) on failure.
inline std::string write_synthetic_weights_file(const std::string& path, bool with_fc, std::string* error) {
  TensorMap map = synthetic_inception_weights(with_fc);
  map.metadata["format"] = kWeightsFormatName;
  map.metadata["format_version"] = kWeightsFormatVersion;
  map.metadata["has_fc"] = with_fc ? "true" : "false";
  map.metadata["source_file"] = "synthetic (tests/model/synthetic_weights.cpp)";
  Status s = write_safetensors(path, map, Overwrite::kAllow);
  if (!s.ok()) {
    *error = s.to_string();
    return "";
  }
  return path;
}

}  // namespace fidcpp
