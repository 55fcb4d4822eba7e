// WebP through libwebp's animation decoder, as Pillow's WebPImagePlugin reads every WebP file (still or
// animated): the first frame composed on the canvas in non-premultiplied RGBA, then convert('RGB') drops
// alpha.
#include <webp/decode.h>
#include <webp/demux.h>

#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "io/image_decode_formats.h"

namespace fidcpp {

namespace {

const char* vp8_status_name(VP8StatusCode s) {
  switch (s) {
    case VP8_STATUS_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_STATUS_INVALID_PARAM:
      return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR:
      return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return "unsupported feature";
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return "not enough data";
    default:
      return "error";
  }
}

struct AnimDecoderDeleter {
  void operator()(WebPAnimDecoder* d) const { WebPAnimDecoderDelete(d); }
};

}  // namespace

Result<DecodedImage> decode_webp(const uint8_t* data, size_t size, const DecodeLimits& limits) {
  // The canvas size comes from the header, checked before libwebp allocates the canvas.
  WebPBitstreamFeatures features;
  const VP8StatusCode st = WebPGetFeatures(data, size, &features);
  if (st == VP8_STATUS_NOT_ENOUGH_DATA) return bad_input("truncated WebP (file ends inside the header)");
  if (st != VP8_STATUS_OK) return bad_input(std::string("corrupt WebP header: ") + vp8_status_name(st));
  FIDCPP_RETURN_IF_ERROR(check_decode_size("WebP", features.width, features.height, limits));

  WebPAnimDecoderOptions options;
  if (!WebPAnimDecoderOptionsInit(&options)) return internal_error("libwebp version mismatch");
  options.color_mode = MODE_RGBA;  // Pillow's: straight (not premultiplied) alpha
  options.use_threads = 0;         // files are decoded in parallel already
  WebPData webp = {data, size};
  std::unique_ptr<WebPAnimDecoder, AnimDecoderDeleter> dec(WebPAnimDecoderNew(&webp, &options));
  if (!dec) return bad_input("corrupt or truncated WebP (libwebp's demuxer refused the file)");
  WebPAnimInfo info;
  if (!WebPAnimDecoderGetInfo(dec.get(), &info)) return bad_input("corrupt WebP (no canvas information)");
  FIDCPP_RETURN_IF_ERROR(check_decode_size("WebP", info.canvas_width, info.canvas_height, limits));
  if (info.frame_count < 1) return bad_input("WebP has no image");
  uint8_t* rgba = nullptr;
  int timestamp = 0;
  if (!WebPAnimDecoderGetNext(dec.get(), &rgba, &timestamp) || !rgba)
    return bad_input("corrupt or truncated WebP (the first frame does not decode)");

  DecodedImage img;
  img.width = int(info.canvas_width);
  img.height = int(info.canvas_height);
  const size_t count = size_t(img.width) * size_t(img.height);
  try {
    img.rgb.resize(count * 3);
  } catch (const std::bad_alloc&) {
    return out_of_memory("cannot allocate " + std::to_string(count * 3) + " bytes");
  }
  for (size_t i = 0; i < count; ++i) std::memcpy(img.rgb.data() + 3 * i, rgba + 4 * i, 3);
  return img;
}

}  // namespace fidcpp
