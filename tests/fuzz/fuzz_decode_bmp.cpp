// BMP decoding through decode_image_memory (corpus: tests/fuzz/corpus/decode_bmp/).
#include "fuzz/fuzz_image.h"

FIDCPP_FUZZ_TARGET(decode_bmp) {
  return fidcpp::fuzz::fuzz_decode_image(data, size, "BM");
}
