// GIF decoding through decode_image_memory (corpus: tests/fuzz/corpus/decode_gif/).
#include "fuzz/fuzz_image.h"

FIDCPP_FUZZ_TARGET(decode_gif) {
  return fidcpp::fuzz::fuzz_decode_image(data, size, "GIF89a");
}
