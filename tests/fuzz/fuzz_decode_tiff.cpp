// TIFF decoding through decode_image_memory (corpus: tests/fuzz/corpus/decode_tiff/): libtiff reading from
// memory, then the sample-layout conversion and the Orientation tag.
#include "fuzz/fuzz_image.h"

FIDCPP_FUZZ_TARGET(decode_tiff) {
  // Big-endian inputs keep their own signature; anything else is read behind a little-endian one.
  if (size >= 4 && std::memcmp(data, "MM\0*", 4) == 0)
    return fidcpp::fuzz::fuzz_decode_image(data, size, "MM\0*", 4);
  return fidcpp::fuzz::fuzz_decode_image(data, size, "II*\0", 4);
}
