// SHA-1 (FIPS 180-4 §6.1), written from the standard.
#include "core/sha1.h"

#include <algorithm>
#include <cstring>

#include "core/file.h"
#include "core/sha256.h"

namespace fidcpp {

namespace {
inline uint32_t rotl(uint32_t x, int n) {
  return (x << n) | (x >> (32 - n));
}
}  // namespace

void Sha1::reset() {
  h_[0] = 0x67452301;
  h_[1] = 0xefcdab89;
  h_[2] = 0x98badcfe;
  h_[3] = 0x10325476;
  h_[4] = 0xc3d2e1f0;
  buffer_.reset();
}

void Sha1::block(const uint8_t* p) {
  uint32_t w[80];
  for (int i = 0; i < 16; ++i)
    w[i] = (uint32_t(p[4 * i]) << 24) | (uint32_t(p[4 * i + 1]) << 16) | (uint32_t(p[4 * i + 2]) << 8) |
           uint32_t(p[4 * i + 3]);
  for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
  for (int i = 0; i < 80; ++i) {
    uint32_t f, k;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    uint32_t t = rotl(a, 5) + f + e + k + w[i];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = t;
  }
  h_[0] += a;
  h_[1] += b;
  h_[2] += c;
  h_[3] += d;
  h_[4] += e;
}

void Sha1::update(const void* data, size_t size) {
  buffer_.update(data, size, [this](const uint8_t* p) { block(p); });
}

std::array<uint8_t, 20> Sha1::finish() {
  buffer_.finish([this](const uint8_t* p) { block(p); });
  std::array<uint8_t, 20> out;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = uint8_t(h_[i] >> (24 - 8 * j));
  return out;
}

std::string Sha1::finish_hex() {
  auto d = finish();
  return to_hex(d.data(), d.size());
}

std::string sha1_hex(const void* data, size_t size) {
  Sha1 h;
  h.update(data, size);
  return h.finish_hex();
}

Result<std::string> sha1_file_hex(const std::string& path) {
  FIDCPP_ASSIGN_OR_RETURN(MappedFile m, MappedFile::open(path));
  return sha1_hex(m.data(), m.size());
}

}  // namespace fidcpp
