// The WebP (libwebp) and TIFF (libtiff) decoders behind decode_image_memory, internal to src/io. Both give
// exactly the pixels of PIL's Image.open(p).convert('RGB') (image_decode.h lists what each reads). Not built
// in the minimal build (FIDCPP_MINIMAL), where decode_image_memory refuses both formats.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "io/image_decode.h"

namespace fidcpp {

// "RIFF" <size> "WEBP" (what Pillow's WebPImagePlugin accepts before looking at the chunks).
bool looks_like_webp(const uint8_t* data, size_t size);
// "II*\0", "MM\0*" (classic TIFF) or "II+\0", "MM\0+" (BigTIFF).
bool looks_like_tiff(const uint8_t* data, size_t size);

// The header size check every decoder runs before allocating pixels (defined in image_decode.cpp).
Status check_decode_size(const char* format, int64_t width, int64_t height, const DecodeLimits& limits);

Result<DecodedImage> decode_webp(const uint8_t* data, size_t size, const DecodeLimits& limits);
Result<DecodedImage> decode_tiff(const uint8_t* data, size_t size, const DecodeLimits& limits);

}  // namespace fidcpp
