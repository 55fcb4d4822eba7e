// Image file decoding to 8-bit RGB with exactly the pixels of PIL's Image.open(p).convert('RGB')
// (docs/conventions.md §2.1): JPEG (libjpeg-turbo, Pillow's decoder settings), PNG (libpng), GIF (first
// frame), BMP, PNM, WebP (libwebp) and TIFF (libtiff); zip members too. The minimal build
// (-DFIDCPP_MINIMAL=ON, docs/edge.md) decodes JPEG and PNG with stb_image instead (PNG pixels stay exactly
// Pillow's, JPEG pixels differ by a few levels) and refuses WebP and TIFF as not supported in this build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "preprocess/image_view.h"

namespace fidcpp {

struct DecodedImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // height x width x 3, rows packed
  RgbImageView view() const;
};

// Checked on the header, before any pixel buffer is allocated.
struct DecodeLimits {
  // PIL raises DecompressionBombError above 2 * Image.MAX_IMAGE_PIXELS (2 * 89478485); so do we.
  int64_t max_pixels = int64_t(2) * 89478485;
  int max_side = kMaxPreprocessSide;
  uint64_t max_file_bytes = uint64_t(1) << 30;
};

// The default limits, with max_pixels taken from $FIDCPP_MAX_IMAGE_PIXELS when set (PIL's MAX_IMAGE_PIXELS
// counterpart, for users with legitimately huge images); an invalid value is an error naming the variable.
Result<DecodeLimits> decode_limits_from_env();

// What decode_image_* decode. The format is sniffed from the bytes, never from the file name (like PIL).
//  - JPEG: baseline/progressive, 1 (L, replicated), 3 (YCbCr or RGB) or 4 components (CMYK/YCCK,
//  Adobe-inverted
//    like Pillow's rawmode "CMYK;I", then Pillow's CMYK->RGB). 12-bit and arithmetic-coded files are refused.
//    A file that ends before its last scan is refused ("truncated JPEG"); corrupt-data warnings are tolerated
//    as Pillow tolerates them.
//  - PNG: every colour type and bit depth. Palettes expand (missing entries black, tRNS ignored), alpha is
//  dropped
//    without compositing, gAMA/iCCP are ignored. 16-bit: gray (PIL mode I;16) clamps to 255 like Pillow's
//    I;16->RGB; RGB/RGBA/gray+alpha keep the high byte like Pillow's ";16B" raw modes.
//  - GIF: the first frame on the logical screen; pixels outside the frame hold the transparency index if the
//  frame
//    has one, else index 0 (Pillow's load_prepare), then the palette (local, else global) is applied.
//  - BMP: uncompressed 1/4/8/24/32-bit (Windows V3+ or OS/2 headers). 16-bit, RLE and bitfield files are
//  refused
//    because stb_image's channel scaling differs from Pillow's.
//  - PNM: P2/P3/P5/P6 with maxval 255. Other maxvals and P1/P4 are refused.
//  - WebP: lossy or lossless, with or without alpha, still or animated (the first frame), through libwebp's
//    animation decoder in RGBA as Pillow reads every WebP; alpha is dropped without compositing.
//  - TIFF: the first directory, strips or tiles, uncompressed or any compression libtiff decodes except JPEG
//    (LZW, deflate, PackBits, ...), in the sample layouts of Pillow's OPEN_INFO table that convert('RGB')
//    turns into colour: gray 1/2/4/8-bit (MinIsBlack or MinIsWhite) and 16-bit (clamped to 255 like I;16),
//    gray + alpha, RGB(A/X) 8/16-bit (16-bit keeps the high byte; associated alpha is divided out as Pillow's
//    "RGBa" unpacker does), palette 1..8-bit, CMYK 8/16-bit. The Orientation tag is applied as Pillow's load
//    does. YCbCr/JPEG-compressed, planar-separate and FillOrder-2 files are refused.
Result<DecodedImage> decode_image_memory(const uint8_t* data, size_t size, const std::string& name,
                                         const DecodeLimits& limits = {});

// Decodes a file, or a zip member named "archive.zip::member/path.png" (the first "::" after a name ending in
// ".zip", case-insensitive, splits the two; see image_source.h). Each thread keeps its last opened archive
// open. Errors name the path: "image 'a/17.png': truncated PNG".
Result<DecodedImage> decode_image_file(const std::string& path, const DecodeLimits& limits = {});

// Pillow's CMYK -> RGB (Convert.c cmyk2rgb) on one pixel of already-uninverted ink values. Exposed for tests.
void cmyk_to_rgb_pillow(const uint8_t cmyk[4], uint8_t rgb[3]);

}  // namespace fidcpp
