// PNM decoding through decode_image_memory (corpus: tests/fuzz/corpus/decode_pnm/).
#include "fuzz/fuzz_image.h"

FIDCPP_FUZZ_TARGET(decode_pnm) {
  return fidcpp::fuzz::fuzz_decode_image(data, size, "P");
}
