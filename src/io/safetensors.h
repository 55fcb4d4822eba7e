// safetensors reader and writer (https://github.com/huggingface/safetensors format: u64 header length, JSON
// header, raw little-endian data). The reader validates in a fixed order and names the offending tensor.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/file.h"
#include "core/status.h"
#include "io/tensor_map.h"

namespace fidcpp {

struct SafetensorsOptions {
  uint64_t max_header_bytes = uint64_t(100) << 20;
  // false: a tensor of any dtype but F32 is an error naming it. true: such tensors are left out of the map.
  bool skip_non_f32 = false;
};

struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // "F32", "I64", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets in the data region
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> entries;  // in header order
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // file offset of the data region (8 + header length)
  uint64_t data_size = 0;
};

// Structure only: size >= 8, header length within limit and file, JSON, __metadata__ (string -> string), each
// entry's dtype/shape/data_offsets, byte count = dtype size x shape, offsets inside the data region, no
// overlap.
Result<SafetensorsHeader> parse_safetensors_header(const uint8_t* data, size_t size, const std::string& what,
                                                   const SafetensorsOptions& options = {});

// The header checks, then a TensorMap whose F32 tensors point into `data` (copied only when misaligned);
// `data` must outlive the map. keepalive is left empty.
Result<TensorMap> parse_safetensors(const uint8_t* data, size_t size, const std::string& what,
                                    const SafetensorsOptions& options = {});

// Memory-maps the file; the map's keepalive owns the mapping.
Result<TensorMap> read_safetensors(const std::string& path, const SafetensorsOptions& options = {});

// Serialises every tensor as F32 with the metadata; tensors in name order, data contiguous in that order,
// header padded with spaces to a multiple of 8 bytes. Deterministic: equal maps give equal bytes.
Result<std::vector<uint8_t>> encode_safetensors(const TensorMap& map);
Status write_safetensors(const std::string& path, const TensorMap& map, Overwrite overwrite);

// Bytes per element of a safetensors dtype name, or 0 when unknown.
int safetensors_dtype_size(const std::string& dtype);

}  // namespace fidcpp
