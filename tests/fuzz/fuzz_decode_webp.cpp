// WebP decoding through decode_image_memory (corpus: tests/fuzz/corpus/decode_webp/). An input that is not a
// RIFF/WEBP file is wrapped in a RIFF header with the right size, so every input reaches libwebp's demuxer.
#include <vector>

#include "fuzz/fuzz_image.h"

FIDCPP_FUZZ_TARGET(decode_webp) {
  if (size >= 12 && std::memcmp(data, "RIFF", 4) == 0 && std::memcmp(data + 8, "WEBP", 4) == 0)
    return fidcpp::fuzz::fuzz_decode_image(data, size, "RIFF");
  std::vector<uint8_t> buf = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'};
  const uint32_t riff = uint32_t(size + 4);
  for (int i = 0; i < 4; ++i) buf[size_t(4 + i)] = uint8_t(riff >> (8 * i));
  buf.insert(buf.end(), data, data + size);
  return fidcpp::fuzz::fuzz_decode_image(buf.data(), buf.size(), "RIFF");
}
