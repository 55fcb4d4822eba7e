// TensorMap: named float32 tensors plus string metadata, as read from a weights file. Tensors may point into
// a memory-mapped file (kept alive by the map) or own their data.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/file.h"

namespace fidcpp {

struct HostTensor {
  std::vector<int64_t> shape;
  const float* data = nullptr;  // shape-product elements, little-endian float32, C order
  std::vector<float> owned;     // non-empty when the tensor owns its data (then data == owned.data())
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
};

struct TensorMap {
  std::map<std::string, HostTensor> tensors;
  std::map<std::string, std::string> metadata;
  std::shared_ptr<const void> keepalive;  // owner of the memory tensors point into (e.g. a MappedFile)
  const MappedFile* mapped = nullptr;  // the file tensors point into, when it is mapped (owned by keepalive)

  const HostTensor* find(const std::string& name) const {
    auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : &it->second;
  }
  // Done with this tensor for now: when it lies in the mapped file, its pages leave resident memory (read
  // again from the file if it is used later). Loading the network this way holds one tensor of the file at a
  // time.
  void drop(const HostTensor& t) const {
    if (mapped && t.owned.empty() && t.data) mapped->drop_pages(t.data, size_t(t.numel()) * sizeof(float));
  }
};

// "[32,3,3,3]"
std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace fidcpp
