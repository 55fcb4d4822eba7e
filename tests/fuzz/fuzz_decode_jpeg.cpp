// JPEG decoding through decode_image_memory (corpus: tests/fuzz/corpus/decode_jpeg/).
#include "fuzz/fuzz_image.h"

FIDCPP_FUZZ_TARGET(decode_jpeg) {
  return fidcpp::fuzz::fuzz_decode_image(data, size, "\xFF\xD8\xFF");
}
