// PNG decoding through decode_image_memory (corpus: tests/fuzz/corpus/decode_png/).
#include "fuzz/fuzz_image.h"

FIDCPP_FUZZ_TARGET(decode_png) {
  return fidcpp::fuzz::fuzz_decode_image(data, size, "\x89PNG\r\n\x1A\n");
}
