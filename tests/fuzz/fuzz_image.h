// Shared body of the per-format image targets: the input is decoded as is when it starts with the format's
// signature, else behind it (so every input reaches that format's decoder), with limits small enough that a
// header cannot ask for more memory than the fuzzer's RSS limit.
#pragma once

#include <cstring>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "io/image_decode.h"

namespace fidcpp::fuzz {

// `magic` may hold NUL bytes when its length `n` is given (TIFF's "II*\0").
inline int fuzz_decode_image(const uint8_t* data, size_t size, const char* magic, size_t n) {
  std::vector<uint8_t> buf;
  if (size < n || std::memcmp(data, magic, n) != 0) {
    buf.assign(magic, magic + n);
    buf.insert(buf.end(), data, data + size);
    data = buf.data();
    size = buf.size();
  }
  DecodeLimits limits;
  limits.max_pixels = int64_t(1) << 22;
  limits.max_side = 1 << 14;
  Result<DecodedImage> r = decode_image_memory(data, size, "fuzz", limits);
  if (!r.ok()) {
    FIDCPP_FUZZ_CHECK(!r.status().message().empty());
    return 0;
  }
  fuzz_accepted();
  const DecodedImage& img = r.value();
  FIDCPP_FUZZ_CHECK(img.width > 0 && img.height > 0);
  FIDCPP_FUZZ_CHECK(int64_t(img.width) * img.height <= limits.max_pixels);
  FIDCPP_FUZZ_CHECK(img.rgb.size() == size_t(img.width) * size_t(img.height) * 3);
  unsigned sum = 0;  // touch every pixel: a short buffer shows up under ASan
  for (uint8_t v : img.rgb) sum += v;
  volatile unsigned sink = sum;
  (void)sink;
  return 0;
}

inline int fuzz_decode_image(const uint8_t* data, size_t size, const char* magic) {
  return fuzz_decode_image(data, size, magic, std::strlen(magic));
}

}  // namespace fidcpp::fuzz
