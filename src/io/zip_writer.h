// A minimal in-memory ZIP writer (stored and deflated members, ZIP64 when sizes or offsets need it) for .npz.
// Output is deterministic: fixed timestamps, members in insertion order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fidcpp {

class ZipWriter {
 public:
  // force_zip64 writes ZIP64 records even for small archives (tests exercise that path with it).
  explicit ZipWriter(bool force_zip64 = false) : force_zip64_(force_zip64) {}
  // deflate=true compresses with zlib's default level, like Python's ZIP_DEFLATED. The minimal build
  // (FIDCPP_MINIMAL, no zlib; docs/edge.md) has no deflate encoder and stores the member instead.
  Status add(const std::string& name, const uint8_t* data, size_t size, bool deflate);
  // Appends the central directory and returns the archive; the writer is empty afterwards.
  std::vector<uint8_t> finish();

 private:
  struct Central {
    std::string name;
    uint16_t method;
    uint32_t crc;
    uint64_t csize, usize, offset;
  };
  bool force_zip64_;
  std::vector<uint8_t> out_;
  std::vector<Central> central_;
};

}  // namespace fidcpp
