// The library functions behind the CLI's tool commands: `fidcpp weights convert|inspect|verify`, the metric
// timings of `fidcpp bench`, the JSON string writer of --json and the .npy writer of `fidcpp features`. With
// the public API (include/fidcpp/) and core/ this is all that src/cli/ uses of the library, so the CLI
// reaches no further in (no io/, model/, metrics/ or backend/ header).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fidcpp {

// The summary each weights command prints. convert: a PyTorch checkpoint to fidcpp's safetensors file
// (model/weights_convert.h), `manifest` naming known sources; inspect: the metadata and tensors of a file;
// verify: load checks, then the SHA-256 against `manifest` (model/weights_file.h).
Result<std::string> weights_convert_text(const std::string& src, const std::string& dst, bool overwrite,
                                         const std::string& manifest);
Result<std::string> weights_inspect_text(const std::string& path);
Result<std::string> weights_verify_text(const std::string& path, const std::string& manifest);

// `s` as a JSON string literal, quotes included: the writer of the library's own JSON (io/json.h).
std::string json_string_literal(const std::string& s);

// Writes rows x dim float32 values (row-major) as a .npy of shape (rows, dim), dtype <f4, the format
// `fidcpp features` writes and fidcpp's .npy input reads (io/npy.h). Written atomically; an existing path
// is an error unless overwrite.
Status write_features_npy(const std::string& path, const std::vector<float>& values, int64_t dim,
                          bool overwrite);

struct MetricTiming {
  std::string name;
  double seconds = 0;
};

// The time of FID on two dim-d statistics of 2000 seeded random features each, and of KID on kid_subsets
// subsets of 1000 of the same features.
Result<std::vector<MetricTiming>> time_metrics(int64_t dim, int kid_subsets, int threads);

}  // namespace fidcpp
