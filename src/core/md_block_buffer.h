// Merkle–Damgård message buffering shared by SHA-1 and SHA-256 (FIPS 180-4 §5.1.1, §6): whole 64-byte blocks
// go straight to the compression function, a partial tail waits in the buffer, and finish() appends the
// padding.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fidcpp {

class MdBlockBuffer {
 public:
  void reset() {
    len_ = 0;
    total_ = 0;
  }

  // Calls block(const uint8_t* p) for every complete 64-byte block of the message so far.
  template <class Block>
  void update(const void* data, size_t size, Block&& block) {
    const auto* p = static_cast<const uint8_t*>(data);
    total_ += size;
    if (len_ > 0) {
      const size_t take = std::min(size, sizeof(buf_) - len_);
      std::memcpy(buf_ + len_, p, take);
      len_ += take;
      p += take;
      size -= take;
      if (len_ < sizeof(buf_)) return;
      block(static_cast<const uint8_t*>(buf_));
      len_ = 0;
    }
    for (; size >= 64; p += 64, size -= 64) block(p);
    if (size > 0) {
      std::memcpy(buf_, p, size);
      len_ = size;
    }
  }

  // Pads with 0x80, zeros and the 64-bit big-endian message length in bits, compressing the last block(s).
  template <class Block>
  void finish(Block&& block) {
    const uint64_t bits = total_ * 8;
    uint8_t pad[72] = {0x80};
    const size_t pad_len = (len_ < 56) ? 56 - len_ : 120 - len_;
    for (int i = 0; i < 8; ++i) pad[pad_len + i] = uint8_t(bits >> (56 - 8 * i));
    update(pad, pad_len + 8, block);
  }

 private:
  uint8_t buf_[64];
  size_t len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace fidcpp
