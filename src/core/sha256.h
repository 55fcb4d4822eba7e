// SHA-256 (FIPS 180-4), streaming: identifies weights files and their sources (weights/MANIFEST).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/md_block_buffer.h"
#include "core/status.h"

namespace fidcpp {

class Sha256 {
 public:
  Sha256() { reset(); }
  void reset();
  void update(const void* data, size_t size);
  // Finishes the hash; the object must be reset() before it is used again.
  std::array<uint8_t, 32> finish();
  // Convenience: finish() as 64 lower-case hex digits.
  std::string finish_hex();

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  MdBlockBuffer buffer_;
};

std::string sha256_hex(const void* data, size_t size);
// Hashes a file through a memory map (an empty file hashes as the empty message).
Result<std::string> sha256_file_hex(const std::string& path);

// Lower-case hex of arbitrary bytes.
std::string to_hex(const uint8_t* data, size_t size);

}  // namespace fidcpp
