// Image decoding with PIL's pixels: JPEG through libjpeg-turbo and PNG through libpng (each behind a setjmp
// error handler), GIF/BMP/PNM by hand, because stb_image's results for those differ from Pillow's (see
// image_decode.h). The minimal build (FIDCPP_MINIMAL) replaces libjpeg and libpng with stb_image (below).
#include "io/image_decode.h"

#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#ifndef FIDCPP_MINIMAL
// clang-format off
#include <jpeglib.h>  // needs <cstdio> first
#include <jerror.h>
// clang-format on
#include <png.h>
#else
#include "io/stb_image_config.h"
#endif

#include "core/file.h"
#include "io/image_decode_formats.h"
#include "io/image_source.h"
#include "io/zip_reader.h"

namespace fidcpp {

RgbImageView DecodedImage::view() const {
  RgbImageView v;
  v.data = rgb.data();
  v.height = height;
  v.width = width;
  v.row_stride = ptrdiff_t(width) * 3;
  v.pixel_stride = 3;
  return v;
}

void cmyk_to_rgb_pillow(const uint8_t cmyk[4], uint8_t rgb[3]) {
  // Pillow Convert.c cmyk2rgb: nk = 255 - k; out = CLIP8(nk - MULDIV255(ink, nk)), MULDIV255 rounding as in
  // ImagingUtils.h ((t >> 8) + t) >> 8 with t = a * b + 128.
  const int nk = 255 - cmyk[3];
  for (int c = 0; c < 3; ++c) {
    const int t = cmyk[c] * nk + 128;
    const int v = nk - (((t >> 8) + t) >> 8);
    rgb[c] = uint8_t(v < 0 ? 0 : (v > 255 ? 255 : v));
  }
}

namespace {

// Shared by the C-style decoders: plain data (no destructors), so it may live across setjmp/longjmp.
struct DecodeJob {
  const uint8_t* data = nullptr;
  size_t size = 0;
  const DecodeLimits* limits = nullptr;
  std::vector<uint8_t>* out = nullptr;      // resized by job_alloc, owned by the caller
  std::vector<uint8_t>* scratch = nullptr;  // ditto
  int width = 0;
  int height = 0;
  StatusCode code = StatusCode::kOk;
  char message[256] = {0};
};

void job_fail(DecodeJob* job, StatusCode code, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
void job_fail(DecodeJob* job, StatusCode code, const char* fmt, ...) {
  job->code = code;
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(job->message, sizeof(job->message), fmt, ap);
  va_end(ap);
}

// Checks the header's size against the limits; fills job->message when refused.
bool check_size(DecodeJob* job, const char* format, int64_t width, int64_t height) {
  const DecodeLimits& l = *job->limits;
  if (width <= 0 || height <= 0) {
    job_fail(job, StatusCode::kBadInput, "%s has an empty size %lldx%lld", format, (long long)width,
             (long long)height);
    return false;
  }
  if (width > l.max_side || height > l.max_side) {
    job_fail(job, StatusCode::kOutOfMemory, "%s size %lldx%lld exceeds the limit of %d pixels per side",
             format, (long long)width, (long long)height, l.max_side);
    return false;
  }
  if (width * height > l.max_pixels) {
    job_fail(job, StatusCode::kOutOfMemory,
             "%s size %lldx%lld (%lld pixels) exceeds the limit of %lld pixels (decompression bomb? "
             "FIDCPP_MAX_IMAGE_PIXELS raises the limit)",
             format, (long long)width, (long long)height, (long long)(width * height),
             (long long)l.max_pixels);
    return false;
  }
  job->width = int(width);
  job->height = int(height);
  return true;
}

// Resizes a caller-owned vector; never throws (an exception must not cross the C libraries' frames).
uint8_t* job_alloc(DecodeJob* job, std::vector<uint8_t>* v, size_t n) {
  try {
    v->resize(n);
  } catch (const std::bad_alloc&) {
    job_fail(job, StatusCode::kOutOfMemory, "cannot allocate %zu bytes", n);
    return nullptr;
  }
  return v->data();
}

#ifndef FIDCPP_MINIMAL
// ---------------------------------------------------------------------------------------------------------------
// JPEG. Pillow's JpegDecode.c leaves libjpeg's defaults (JDCT_ISLOW, fancy upsampling, block smoothing)
// unless draft() is used, asks for JCS_GRAYSCALE / JCS_RGB / JCS_CMYK by layer count, and treats 4-layer
// files as Adobe-inverted CMYK ("CMYK;I", JpegImagePlugin.py) before Convert.c's cmyk2rgb.

struct JpegErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  bool truncated;
  bool too_many_scans;
};

void jpeg_on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  longjmp(err->jump, 1);
}

void jpeg_on_message(j_common_ptr cinfo, int msg_level) {
  // Warnings (level -1) are tolerated as Pillow tolerates them, except running out of data: Pillow's
  // suspending source reports that as "image file is truncated".
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  if (msg_level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) err->truncated = true;
}

void jpeg_silent(j_common_ptr) {}

// A progressive file may hold any number of scans, each a pass over the whole image; thousands of tiny scans
// are a known CPU bomb (libjpeg-turbo's djpeg -maxscans). Real encoders write about 10.
constexpr int kMaxJpegScans = 1000;

void jpeg_on_progress(j_common_ptr cinfo) {
  if (cinfo->is_decompressor &&
      reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > kMaxJpegScans) {
    reinterpret_cast<JpegErrorManager*>(cinfo->err)->too_many_scans = true;
    longjmp(reinterpret_cast<JpegErrorManager*>(cinfo->err)->jump, 1);
  }
}

// No object with a destructor lives in this frame: longjmp would skip it.
bool decode_jpeg_c(DecodeJob* job) {
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  std::memset(&cinfo, 0, sizeof(cinfo));
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = jpeg_on_error;
  err.pub.emit_message = jpeg_on_message;
  err.pub.output_message = jpeg_silent;
  err.truncated = false;
  err.too_many_scans = false;
  jpeg_progress_mgr progress;
  progress.progress_monitor = jpeg_on_progress;
  if (setjmp(err.jump)) {
    char buf[JMSG_LENGTH_MAX];
    (*cinfo.err->format_message)(reinterpret_cast<j_common_ptr>(&cinfo), buf);
    if (err.too_many_scans) {
      job_fail(job, StatusCode::kBadInput, "JPEG with more than %d scans (refused as a CPU bomb)",
               kMaxJpegScans);
    } else {
      job_fail(job, StatusCode::kBadInput, "corrupt JPEG: %s", buf);
    }
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, job->data, static_cast<unsigned long>(job->size));
  jpeg_read_header(&cinfo, TRUE);
  bool ok = check_size(job, "JPEG", cinfo.image_width, cinfo.image_height);
  const int comps = cinfo.num_components;
  if (ok && comps != 1 && comps != 3 && comps != 4) {
    job_fail(job, StatusCode::kUnsupported, "JPEG with %d components (PIL reads 1, 3 or 4)", comps);
    ok = false;
  }
  if (ok && err.truncated) {
    job_fail(job, StatusCode::kBadInput, "truncated JPEG (file ends inside the header)");
    ok = false;
  }
  if (!ok) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  cinfo.out_color_space = comps == 1 ? JCS_GRAYSCALE : (comps == 3 ? JCS_RGB : JCS_CMYK);
  jpeg_start_decompress(&cinfo);
  const size_t w = cinfo.output_width;
  const size_t h = cinfo.output_height;
  const int oc = cinfo.output_components;
  uint8_t* out = job_alloc(job, job->out, w * h * 3);
  uint8_t* row = out ? job_alloc(job, job->scratch, w * size_t(oc)) : nullptr;
  if (!row) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  while (cinfo.output_scanline < cinfo.output_height && !err.truncated) {
    JSAMPROW rows[1] = {row};
    const size_t y = cinfo.output_scanline;
    if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) break;
    uint8_t* dst = out + y * w * 3;
    if (oc == 1) {
      for (size_t x = 0; x < w; ++x) dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = row[x];
    } else if (oc == 3) {
      std::memcpy(dst, row, w * 3);
    } else {
      for (size_t x = 0; x < w; ++x) {
        const uint8_t ink[4] = {uint8_t(255 - row[4 * x]), uint8_t(255 - row[4 * x + 1]),
                                uint8_t(255 - row[4 * x + 2]), uint8_t(255 - row[4 * x + 3])};
        cmyk_to_rgb_pillow(ink, dst + 3 * x);
      }
    }
  }
  if (!err.truncated && cinfo.output_scanline == cinfo.output_height) jpeg_finish_decompress(&cinfo);
  if (err.truncated || cinfo.output_scanline != cinfo.output_height) {
    job_fail(job, StatusCode::kBadInput, "truncated JPEG (data ends before the last scan, row %u of %u)",
             cinfo.output_scanline, cinfo.output_height);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// PNG. Rows are read raw (no libpng transformations) and converted as Pillow's PngImagePlugin raw modes +
// convert: gray 1 -> "1" (0/255), 2/4 -> "L;2"/"L;4" (v*85, v*17), 16 -> "I;16" then I16->RGB (clamp to 255);
// RGB(A) and gray+alpha 16 -> ";16B" (high byte); palette indices past PLTE read black; tRNS, gAMA, iCCP
// ignored.

struct PngReader {
  DecodeJob* job;
  size_t pos;
};

void png_on_error(png_structp png, png_const_charp msg) {
  auto* r = static_cast<PngReader*>(png_get_error_ptr(png));
  if (r->job->code == StatusCode::kOk) job_fail(r->job, StatusCode::kBadInput, "corrupt PNG: %s", msg);
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

void png_read_memory(png_structp png, png_bytep dst, png_size_t n) {
  auto* r = static_cast<PngReader*>(png_get_io_ptr(png));
  if (n > r->job->size - r->pos) {
    job_fail(r->job, StatusCode::kBadInput, "truncated PNG (file ends at byte %zu)", r->job->size);
    png_error(png, "truncated");
  }
  std::memcpy(dst, r->job->data + r->pos, n);
  r->pos += n;
}

void png_convert_row(const uint8_t* src, int width, int bit_depth, int color_type, const png_color* palette,
                     int num_palette, uint8_t* dst) {
  auto packed = [&](int x) -> int {  // sample x of a 1/2/4/8-bit row, MSB first
    const int per_byte = 8 / bit_depth;
    const int shift = 8 - bit_depth * (1 + x % per_byte);
    return (src[x / per_byte] >> shift) & ((1 << bit_depth) - 1);
  };
  for (int x = 0; x < width; ++x) {
    uint8_t* o = dst + 3 * x;
    switch (color_type) {
      case PNG_COLOR_TYPE_GRAY: {
        int v;
        if (bit_depth == 16) {
          v = src[2 * x] == 0 ? src[2 * x + 1] : 255;
        } else {
          v = packed(x) * (255 / ((1 << bit_depth) - 1));
        }
        o[0] = o[1] = o[2] = uint8_t(v);
        break;
      }
      case PNG_COLOR_TYPE_GRAY_ALPHA: {
        const uint8_t v = src[(bit_depth / 8) * 2 * x];
        o[0] = o[1] = o[2] = v;
        break;
      }
      case PNG_COLOR_TYPE_RGB:
      case PNG_COLOR_TYPE_RGB_ALPHA: {
        const int ch = color_type == PNG_COLOR_TYPE_RGB ? 3 : 4;
        const int bps = bit_depth / 8;
        for (int c = 0; c < 3; ++c) o[c] = src[(x * ch + c) * bps];
        break;
      }
      case PNG_COLOR_TYPE_PALETTE: {
        const int i = packed(x);
        if (i < num_palette) {
          o[0] = palette[i].red;
          o[1] = palette[i].green;
          o[2] = palette[i].blue;
        } else {
          o[0] = o[1] = o[2] = 0;
        }
        break;
      }
      default:
        break;
    }
  }
}

// No object with a destructor lives in this frame: libpng's errors longjmp out.
bool decode_png_c(DecodeJob* job) {
  PngReader reader{job, 0};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, png_on_error, png_on_warning);
  if (!png) {
    job_fail(job, StatusCode::kOutOfMemory, "cannot create a libpng reader");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    job_fail(job, StatusCode::kOutOfMemory, "cannot create a libpng reader");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &reader, png_read_memory);
  // Our own limits (check_size) decide, with our message; libpng's default 1e6 x 1e6 cap must not pre-empt
  // them.
  png_set_user_limits(png, 0x7fffffffu, 0x7fffffffu);
  png_read_info(png, info);
  png_uint_32 w = 0, h = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(png, info, &w, &h, &bit_depth, &color_type, &interlace, nullptr, nullptr);
  if (!check_size(job, "PNG", w, h)) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_colorp palette = nullptr;
  int num_palette = 0;
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_get_PLTE(png, info, &palette, &num_palette);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const size_t rowbytes = png_get_rowbytes(png, info);
  uint8_t* raw = job_alloc(job, job->scratch, rowbytes * h + sizeof(png_bytep) * h);
  uint8_t* out = raw ? job_alloc(job, job->out, size_t(w) * h * 3) : nullptr;
  if (!out) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  // Row pointers first: the vector's start is suitably aligned for them, the end of the pixel bytes is not.
  png_bytep* rows = reinterpret_cast<png_bytep*>(raw);
  for (png_uint_32 y = 0; y < h; ++y) rows[y] = raw + sizeof(png_bytep) * h + rowbytes * y;
  png_read_image(png, rows);
  for (png_uint_32 y = 0; y < h; ++y)
    png_convert_row(rows[y], int(w), bit_depth, color_type, palette, num_palette, out + size_t(y) * w * 3);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

#else  // FIDCPP_MINIMAL

// ---------------------------------------------------------------------------------------------------------------
// The minimal build (docs/edge.md): JPEG and PNG through stb_image, compiled in. Before stb sees a file, a
// walk over its structure gives the full build's answers where stb alone would differ: a JPEG must reach its
// EOI marker (a truncated file is refused as libjpeg + Pillow refuse it) and may hold at most kMaxJpegScans
// scans; a PNG's chunks must be complete up to the end of the image data with correct CRCs on critical chunks
// and no unknown critical chunk (libpng's rules). PNG pixels then equal the full build's (Pillow's) exactly:
// tRNS is removed (Pillow's convert('RGB') ignores it; stb would refuse some), a short palette is padded with
// black, and 16-bit gray clamps to 255 (Pillow's I;16 -> RGB). JPEG pixels are stb's own IDCT and upsampling,
// within the tolerance measured in docs/edge.md of libjpeg's.

constexpr int kMaxJpegScans = 1000;

uint32_t be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

// stb_image's inputs are int-sized.
bool check_stb_size(DecodeJob* job, const char* format) {
  if (job->size > size_t(0x7FFFFFFF)) {
    job_fail(job, StatusCode::kUnsupported, "%s file of %zu bytes (the minimal build reads up to 2 GiB)",
             format, job->size);
    return false;
  }
  return true;
}

// Runs stb on (data, size) into job->out as RGB; `want` = 1 (gray) or 3 channels, 16-bit when `sixteen`.
bool stb_decode_rgb(DecodeJob* job, const uint8_t* data, size_t size, const char* format, bool sixteen,
                    int want) {
  int w = 0, h = 0, n = 0;
  void* px = sixteen ? static_cast<void*>(stbi_load_16_from_memory(data, int(size), &w, &h, &n, want))
                     : static_cast<void*>(stbi_load_from_memory(data, int(size), &w, &h, &n, want));
  if (!px) {
    const char* why = stbi_failure_reason();
    job_fail(job, StatusCode::kBadInput, "corrupt %s: %s", format, why ? why : "stb_image failed");
    return false;
  }
  bool ok = w == job->width && h == job->height;
  if (!ok) {
    job_fail(job, StatusCode::kBadInput, "corrupt %s: decoded size %dx%d differs from the header's %dx%d",
             format, w, h, job->width, job->height);
  }
  uint8_t* out = ok ? job_alloc(job, job->out, size_t(w) * size_t(h) * 3) : nullptr;
  if (out) {
    const size_t count = size_t(w) * size_t(h);
    for (size_t i = 0; i < count; ++i) {
      uint8_t* o = out + 3 * i;
      if (sixteen) {
        const uint16_t* s = static_cast<const uint16_t*>(px) + size_t(want) * i;
        if (want == 1) {
          o[0] = o[1] = o[2] = uint8_t(s[0] > 255 ? 255 : s[0]);  // Pillow's I;16 -> RGB clamps
        } else {
          for (int c = 0; c < 3; ++c) o[c] = uint8_t(s[c] >> 8);  // Pillow's ";16B" raw modes: high byte
        }
      } else {
        const uint8_t* s = static_cast<const uint8_t*>(px) + size_t(want) * i;
        if (want == 1) {
          o[0] = o[1] = o[2] = s[0];
        } else {
          o[0] = s[0], o[1] = s[1], o[2] = s[2];
        }
      }
    }
  }
  stbi_image_free(px);
  return out != nullptr;
}

bool decode_jpeg_stb(DecodeJob* job) {
  if (!check_stb_size(job, "JPEG")) return false;
  const uint8_t* d = job->data;
  const size_t n = job->size;
  size_t pos = 2;  // after SOI
  int scans = 0, components = 0;
  bool frame = false, eoi = false;
  while (!eoi) {
    while (pos < n && d[pos] != 0xFF) ++pos;  // stray bytes before a marker: libjpeg skips them too
    while (pos < n && d[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= n) break;
    const int m = d[pos++];
    if (m == 0xD9) {
      eoi = true;
      break;
    }
    if (m == 0x01 || (m >= 0xD0 && m <= 0xD7) || m == 0xD8) continue;  // no length field
    if (n - pos < 2) break;
    const size_t len = size_t(d[pos]) << 8 | d[pos + 1];
    if (len < 2) {
      job_fail(job, StatusCode::kBadInput, "corrupt JPEG: marker 0x%02X with length %zu", m, len);
      return false;
    }
    if (n - pos < len) break;
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      if (len < 8) {
        job_fail(job, StatusCode::kBadInput, "corrupt JPEG: frame header of %zu bytes", len);
        return false;
      }
      if (m >= 0xC9) {
        job_fail(job, StatusCode::kUnsupported, "arithmetic-coded JPEG (not supported)");
        return false;
      }
      if (d[pos + 2] != 8) {
        job_fail(job, StatusCode::kUnsupported, "%d-bit JPEG (only 8-bit samples are read)", d[pos + 2]);
        return false;
      }
      const int64_t height = int64_t(d[pos + 3]) << 8 | d[pos + 4];
      const int64_t width = int64_t(d[pos + 5]) << 8 | d[pos + 6];
      components = d[pos + 7];
      if (!check_size(job, "JPEG", width, height)) return false;
      if (components != 1 && components != 3 && components != 4) {
        job_fail(job, StatusCode::kUnsupported, "JPEG with %d components (PIL reads 1, 3 or 4)", components);
        return false;
      }
      frame = true;
    }
    if (m == 0xC4) {
      // Huffman tables: stb_image 2.27 trusts the 16 code counts and overruns its 256-entry tables when they
      // sum past 256 (fixed upstream in 2.28); libjpeg refuses such a table, and so do we.
      for (size_t p = pos + 2, end = pos + len; p < end;) {
        size_t count = 0;
        if (end - p >= 17)
          for (int i = 1; i <= 16; ++i) count += d[p + size_t(i)];
        if (end - p < 17 || count > 256 || end - p - 17 < count) {
          job_fail(job, StatusCode::kBadInput, "corrupt JPEG: bad Huffman table (DHT)");
          return false;
        }
        p += 17 + count;
      }
    }
    pos += len;
    if (m == 0xDA) {  // entropy-coded data up to the next marker that is not a stuffed 0xFF00 or a restart
      if (++scans > kMaxJpegScans) {
        job_fail(job, StatusCode::kBadInput, "JPEG with more than %d scans (refused as a CPU bomb)",
                 kMaxJpegScans);
        return false;
      }
      while (pos + 1 < n && !(d[pos] == 0xFF && d[pos + 1] != 0x00 && d[pos + 1] != 0xFF &&
                              !(d[pos + 1] >= 0xD0 && d[pos + 1] <= 0xD7)))
        ++pos;
    }
  }
  if (!frame || scans == 0 || !eoi) {
    job_fail(job, StatusCode::kBadInput, "truncated JPEG (%s)",
             !frame ? "file ends before the frame header"
                    : (scans == 0 ? "file ends before the first scan" : "data ends before the EOI marker"));
    return false;
  }
  return stb_decode_rgb(job, d, n, "JPEG", false, 3);
}

bool decode_png_stb(DecodeJob* job) {
  if (!check_stb_size(job, "PNG")) return false;
  const uint8_t* d = job->data;
  const size_t n = job->size;
  // stb decodes a copy: the chunks up to the end of the image data (what Pillow reads), tRNS left out, a
  // short palette padded with black entries, then an IEND chunk (stb does not check chunk CRCs; we did).
  std::vector<uint8_t> copy;
  try {
    copy.reserve(n + 3 * 256 + 12);
  } catch (const std::bad_alloc&) {
    job_fail(job, StatusCode::kOutOfMemory, "cannot allocate %zu bytes", n);
    return false;
  }
  copy.insert(copy.end(), d, d + 8);
  size_t pos = 8;
  int bit_depth = 0, color_type = -1;
  bool idat = false, cut = false;
  for (;;) {
    // A file cut inside or after the image data ends the walk; stb's inflate then says whether the data was
    // complete (a zlib stream that stops early is an error there).
    const bool whole_header = n - pos >= 8;
    const size_t len = whole_header ? be32(d + pos) : 0;
    if (!whole_header || len > 0x7FFFFFFF || n - pos - 8 < len + 4) {
      if (!idat) {
        job_fail(job, StatusCode::kBadInput, "truncated PNG (file ends at byte %zu)", n);
        return false;
      }
      cut = true;
      break;
    }
    const uint8_t* type = d + pos + 4;
    const bool is_idat = std::memcmp(type, "IDAT", 4) == 0;
    if (idat && !is_idat) break;  // the image data is complete; what follows is not read (like Pillow)
    const bool critical = (type[0] & 0x20) == 0;
    if (critical && zip_crc32(type, len + 4) != be32(d + pos + 8 + len)) {
      job_fail(job, StatusCode::kBadInput, "corrupt PNG: %.4s: CRC error",
               reinterpret_cast<const char*>(type));
      return false;
    }
    const bool is_plte = std::memcmp(type, "PLTE", 4) == 0;
    if (pos == 8) {
      if (std::memcmp(type, "IHDR", 4) != 0 || len != 13) {
        job_fail(job, StatusCode::kBadInput, "corrupt PNG: IHDR: missing or wrong length");
        return false;
      }
      bit_depth = d[pos + 16];
      color_type = d[pos + 17];
      if (!check_size(job, "PNG", be32(d + pos + 8), be32(d + pos + 12))) return false;
    } else if (std::memcmp(type, "IEND", 4) == 0) {
      job_fail(job, StatusCode::kBadInput, "corrupt PNG: no image data (IDAT) before IEND");
      return false;
    } else if (critical && !is_idat && !is_plte) {
      job_fail(job, StatusCode::kBadInput, "corrupt PNG: %.4s: unknown critical chunk",
               reinterpret_cast<const char*>(type));
      return false;
    }
    const size_t entries = color_type == 3 && bit_depth <= 8 ? size_t(1) << bit_depth : 0;
    if (is_plte && len % 3 == 0 && len < 3 * entries) {
      const size_t padded = 3 * entries;
      const uint8_t head[8] = {0, 0, uint8_t(padded >> 8), uint8_t(padded), 'P', 'L', 'T', 'E'};
      copy.insert(copy.end(), head, head + 8);
      copy.insert(copy.end(), d + pos + 8, d + pos + 8 + len);
      copy.resize(copy.size() + padded - len + 4, 0);  // black entries, then an unchecked CRC
    } else if (std::memcmp(type, "tRNS", 4) != 0) {
      copy.insert(copy.end(), d + pos, d + pos + len + 12);
    }
    idat = idat || is_idat;
    pos += len + 12;
  }
  static const uint8_t kIend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  copy.insert(copy.end(), kIend, kIend + 12);
  const bool gray = color_type == 0 || color_type == 4;
  if (stb_decode_rgb(job, copy.data(), copy.size(), "PNG", bit_depth == 16, gray ? 1 : 3)) return true;
  if (cut && job->code == StatusCode::kBadInput)
    job_fail(job, StatusCode::kBadInput, "truncated PNG (file ends at byte %zu)", n);
  return false;
}

#endif  // FIDCPP_MINIMAL

// ---------------------------------------------------------------------------------------------------------------
// Byte reader for the hand-written formats.
class ByteReader {
 public:
  ByteReader(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  size_t pos() const { return pos_; }
  size_t left() const { return n_ - pos_; }
  bool u8(int* v) {
    if (left() < 1) return false;
    *v = d_[pos_++];
    return true;
  }
  bool u16le(int* v) {
    if (left() < 2) return false;
    *v = d_[pos_] | (d_[pos_ + 1] << 8);
    pos_ += 2;
    return true;
  }
  bool skip(size_t k) {
    if (left() < k) return false;
    pos_ += k;
    return true;
  }
  const uint8_t* here() const { return d_ + pos_; }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t pos_ = 0;
};

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
int le16(const uint8_t* p) {
  return p[0] | p[1] << 8;
}

Status fail_from(DecodeJob* job) {
  return Status(job->code, job->message);
}

// ---------------------------------------------------------------------------------------------------------------
// GIF: first frame, as Pillow's GifImagePlugin (frame 0: screen enlarged to hold the frame; outside pixels
// hold the GCE transparency index, else 0; palette = local, else global, else grayscale "L"; missing entries
// black).

// GIF LZW (variable code width 3..12 bits, LSB first). Codes are decoded into `out` until `n` pixels or EOI.
Status gif_lzw_decode(const std::vector<uint8_t>& data, int min_code_size, uint8_t* out, size_t n,
                      size_t* produced) {
  const int clear = 1 << min_code_size;
  const int eoi = clear + 1;
  uint16_t prefix[4096];
  uint8_t suffix[4096];
  uint8_t first[4096];
  uint8_t stack[4097];
  for (int i = 0; i < clear; ++i) {
    prefix[i] = 0;
    suffix[i] = first[i] = uint8_t(i);
  }
  int size = min_code_size + 1, next = clear + 2, prev = -1;
  uint32_t bits = 0;
  int nbits = 0;
  size_t in = 0, o = 0;
  while (o < n) {
    while (nbits < size && in < data.size()) {
      bits |= uint32_t(data[in++]) << nbits;
      nbits += 8;
    }
    if (nbits < size) break;  // data exhausted without EOI: Pillow keeps what was decoded
    const int code = int(bits & ((1u << size) - 1));
    bits >>= size;
    nbits -= size;
    if (code == clear) {
      size = min_code_size + 1;
      next = clear + 2;
      prev = -1;
      continue;
    }
    if (code == eoi) break;
    int cur;
    if (prev < 0) {
      if (code > clear) return bad_input("corrupt GIF LZW data (first code " + std::to_string(code) + ")");
      cur = code;
    } else if (code < next) {
      cur = code;
      if (next < 4096) {
        prefix[next] = uint16_t(prev);
        suffix[next] = first[code];
        first[next] = first[prev];
      }
    } else if (code == next && next < 4096) {
      prefix[next] = uint16_t(prev);
      suffix[next] = first[prev];
      first[next] = first[prev];
      cur = code;
    } else {
      return bad_input("corrupt GIF LZW data (code " + std::to_string(code) + " not yet defined)");
    }
    if (prev >= 0 && next < 4096) {
      ++next;
      if (next == (1 << size) && size < 12) ++size;
    }
    int sp = 0;
    for (int c = cur;; c = prefix[c]) {
      stack[sp++] = suffix[c];
      if (c < clear) break;
    }
    while (sp > 0 && o < n) out[o++] = stack[--sp];
    prev = code;
  }
  *produced = o;
  return Status();
}

Result<DecodedImage> decode_gif(DecodeJob* job) {
  ByteReader r(job->data, job->size);
  const auto truncated = [] { return bad_input("truncated GIF (file ends inside a block)"); };
  int sw = 0, sh = 0, flags = 0, bg = 0, aspect = 0;
  if (!r.skip(6) || !r.u16le(&sw) || !r.u16le(&sh) || !r.u8(&flags) || !r.u8(&bg) || !r.u8(&aspect))
    return truncated();
  uint8_t global[768];
  int n_global = 0;
  if (flags & 0x80) {
    n_global = 1 << ((flags & 7) + 1);
    if (r.left() < size_t(3 * n_global)) return truncated();
    std::memcpy(global, r.here(), size_t(3 * n_global));
    r.skip(size_t(3 * n_global));
  }
  int transparency = -1;
  for (;;) {
    int block = 0;
    if (!r.u8(&block)) return truncated();
    if (block == 0x3B) return bad_input("GIF has no image");
    if (block == 0x21) {
      int label = 0;
      if (!r.u8(&label)) return truncated();
      bool first_sub = true;
      for (;;) {
        int len = 0;
        if (!r.u8(&len)) return truncated();
        if (len == 0) break;
        if (r.left() < size_t(len)) return truncated();
        if (label == 0xF9 && first_sub && len >= 4) transparency = (r.here()[0] & 1) ? r.here()[3] : -1;
        first_sub = false;
        r.skip(size_t(len));
      }
      continue;
    }
    if (block != 0x2C) return bad_input("corrupt GIF (unknown block type " + std::to_string(block) + ")");
    int fx = 0, fy = 0, fw = 0, fh = 0, fflags = 0, min_code = 0;
    if (!r.u16le(&fx) || !r.u16le(&fy) || !r.u16le(&fw) || !r.u16le(&fh) || !r.u8(&fflags))
      return truncated();
    const uint8_t* pal = global;
    int n_pal = n_global;
    if (fflags & 0x80) {
      n_pal = 1 << ((fflags & 7) + 1);
      if (r.left() < size_t(3 * n_pal)) return truncated();
      pal = r.here();
      r.skip(size_t(3 * n_pal));
    }
    if (!r.u8(&min_code)) return truncated();
    if (min_code < 1 || min_code > 11)
      return bad_input("corrupt GIF (LZW code size " + std::to_string(min_code) + ")");
    std::vector<uint8_t> lzw;
    for (;;) {
      int len = 0;
      if (!r.u8(&len)) return truncated();
      if (len == 0) break;
      if (r.left() < size_t(len)) return truncated();
      lzw.insert(lzw.end(), r.here(), r.here() + len);
      r.skip(size_t(len));
    }
    const int64_t width = std::max<int64_t>(sw, int64_t(fx) + fw);
    const int64_t height = std::max<int64_t>(sh, int64_t(fy) + fh);
    if (fw == 0 || fh == 0) return bad_input("GIF frame has an empty size");
    if (!check_size(job, "GIF", width, height)) return fail_from(job);
    std::vector<uint8_t> idx(size_t(fw) * size_t(fh), 0);
    size_t produced = 0;
    FIDCPP_RETURN_IF_ERROR(gif_lzw_decode(lzw, min_code, idx.data(), idx.size(), &produced));
    std::vector<uint8_t> canvas(size_t(width) * size_t(height),
                                uint8_t(transparency >= 0 ? transparency : 0));
    // Interlaced frames store rows in four passes: every 8th from 0, every 8th from 4, every 4th from 2, odd
    // rows.
    std::vector<int> row_of(static_cast<size_t>(fh), 0);
    if (fflags & 0x40) {
      static const int kStart[4] = {0, 4, 2, 1}, kStep[4] = {8, 8, 4, 2};
      int k = 0;
      for (int p = 0; p < 4; ++p)
        for (int y = kStart[p]; y < fh; y += kStep[p]) row_of[size_t(k++)] = y;
    } else {
      for (int y = 0; y < fh; ++y) row_of[size_t(y)] = y;
    }
    // Pixels the LZW stream did not reach keep the fill, like Pillow's decoder on a short stream.
    for (size_t i = 0; i < produced; ++i) {
      const size_t sy = i / size_t(fw), sx = i % size_t(fw);
      canvas[(size_t(fy) + size_t(row_of[sy])) * size_t(width) + size_t(fx) + sx] = idx[i];
    }
    DecodedImage img;
    img.width = int(width);
    img.height = int(height);
    img.rgb.resize(canvas.size() * 3);
    for (size_t i = 0; i < canvas.size(); ++i) {
      const int v = canvas[i];
      uint8_t* o = img.rgb.data() + 3 * i;
      if (n_pal == 0) {
        o[0] = o[1] = o[2] = uint8_t(v);
      } else if (v < n_pal) {
        std::memcpy(o, pal + 3 * v, 3);
      } else {
        o[0] = o[1] = o[2] = 0;
      }
    }
    return img;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// BMP: uncompressed 1/4/8/24/32-bit, as Pillow's BmpImagePlugin (palette of clr_used or 2^bpp BGR(X) entries
// right after the info header; rows bottom-up unless the height is negative; 32-bit BI_RGB is BGRX).
Result<DecodedImage> decode_bmp(DecodeJob* job) {
  const uint8_t* d = job->data;
  const size_t n = job->size;
  if (n < 26) return bad_input("truncated BMP (header)");
  const uint32_t offset = le32(d + 10);
  const uint32_t hsz = le32(d + 14);
  int64_t w = 0, h = 0;
  int bpp = 0;
  uint32_t compression = 0, clr_used = 0;
  int pal_entry = 4;
  if (hsz == 12) {
    w = le16(d + 18);
    h = le16(d + 20);
    bpp = le16(d + 24);
    pal_entry = 3;
  } else if (hsz >= 40 && hsz <= 124) {
    if (n < 14 + size_t(hsz)) return bad_input("truncated BMP (header)");
    w = int32_t(le32(d + 18));
    h = int32_t(le32(d + 22));
    bpp = le16(d + 28);
    compression = le32(d + 30);
    clr_used = le32(d + 46);
  } else {
    return unsupported("BMP with a " + std::to_string(hsz) + "-byte info header");
  }
  if (compression != 0)
    return unsupported("BMP compression " + std::to_string(compression) +
                       " (only uncompressed BI_RGB is read; RLE and bitfields are not)");
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 24 && bpp != 32)
    return unsupported("BMP with " + std::to_string(bpp) + " bits per pixel (1, 4, 8, 24 and 32 are read)");
  const bool top_down = h < 0;
  if (top_down) h = -h;
  if (!check_size(job, "BMP", w, h)) return fail_from(job);
  uint8_t pal[256][3] = {};
  if (bpp <= 8) {
    const uint32_t colors = clr_used ? clr_used : (1u << bpp);
    if (colors > 256) return bad_input("corrupt BMP (" + std::to_string(colors) + " palette entries)");
    const size_t at = 14 + size_t(hsz);
    if (n < at + size_t(colors) * size_t(pal_entry)) return bad_input("truncated BMP (palette)");
    for (uint32_t i = 0; i < colors; ++i) {
      const uint8_t* e = d + at + size_t(i) * size_t(pal_entry);
      pal[i][0] = e[2];
      pal[i][1] = e[1];
      pal[i][2] = e[0];
    }
  }
  const size_t stride = ((size_t(w) * size_t(bpp) + 31) / 32) * 4;
  if (offset > n || (n - offset) / stride < size_t(h))
    return bad_input("truncated BMP (pixel data needs " + std::to_string(stride * size_t(h)) +
                     " bytes at offset " + std::to_string(offset) + ", file has " + std::to_string(n) + ")");
  DecodedImage img;
  img.width = int(w);
  img.height = int(h);
  img.rgb.resize(size_t(w) * size_t(h) * 3);
  for (int64_t y = 0; y < h; ++y) {
    const uint8_t* src = d + offset + stride * size_t(top_down ? y : h - 1 - y);
    uint8_t* o = img.rgb.data() + size_t(y) * size_t(w) * 3;
    for (int64_t x = 0; x < w; ++x, o += 3) {
      if (bpp >= 24) {
        const uint8_t* p = src + size_t(x) * size_t(bpp / 8);
        o[0] = p[2];
        o[1] = p[1];
        o[2] = p[0];
      } else {
        const int per_byte = 8 / bpp;
        const int shift = 8 - bpp * (1 + int(x % per_byte));
        const int i = (src[x / per_byte] >> shift) & ((1 << bpp) - 1);
        std::memcpy(o, pal[i], 3);
      }
    }
  }
  return img;
}

// ---------------------------------------------------------------------------------------------------------------
// PNM: P2/P3 (ASCII) and P5/P6 (binary), maxval 255, as Pillow's PpmImagePlugin (whitespace and '#' comments
// between header tokens; one whitespace byte before binary data).
Result<DecodedImage> decode_pnm(DecodeJob* job) {
  const uint8_t* d = job->data;
  const size_t n = job->size;
  size_t pos = 2;
  const int kind = d[1] - '0';
  const auto is_space = [](uint8_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  // Reads a decimal token; comments run to the end of the line.
  const auto token = [&](int64_t* v) -> bool {
    for (;;) {
      while (pos < n && is_space(d[pos])) ++pos;
      if (pos < n && d[pos] == '#') {
        while (pos < n && d[pos] != '\n' && d[pos] != '\r') ++pos;
        continue;
      }
      break;
    }
    if (pos >= n || d[pos] < '0' || d[pos] > '9') return false;
    int64_t x = 0;
    while (pos < n && d[pos] >= '0' && d[pos] <= '9') {
      x = x * 10 + (d[pos++] - '0');
      if (x > (int64_t(1) << 40)) return false;
    }
    *v = x;
    return true;
  };
  int64_t w = 0, h = 0, maxval = 0;
  if (!token(&w) || !token(&h) || !token(&maxval)) return bad_input("corrupt or truncated PNM header");
  if (maxval != 255) return unsupported("PNM with maxval " + std::to_string(maxval) + " (only 255 is read)");
  if (!check_size(job, "PNM", w, h)) return fail_from(job);
  const int ch = (kind == 3 || kind == 6) ? 3 : 1;
  const size_t count = size_t(w) * size_t(h) * size_t(ch);
  std::vector<uint8_t> samples;
  if (kind >= 5) {
    if (pos >= n || !is_space(d[pos])) return bad_input("corrupt PNM header (no whitespace before the data)");
    ++pos;
    if (n - pos < count)
      return bad_input("truncated PNM (" + std::to_string(n - pos) + " of " + std::to_string(count) +
                       " data bytes)");
    samples.assign(d + pos, d + pos + count);
  } else {
    samples.resize(count);
    for (size_t i = 0; i < count; ++i) {
      int64_t v = 0;
      if (!token(&v)) return bad_input("truncated or corrupt ASCII PNM (sample " + std::to_string(i) + ")");
      if (v > maxval) return bad_input("PNM sample " + std::to_string(v) + " exceeds maxval");
      samples[i] = uint8_t(v);
    }
  }
  DecodedImage img;
  img.width = int(w);
  img.height = int(h);
  if (ch == 3) {
    img.rgb = std::move(samples);
  } else {
    img.rgb.resize(count * 3);
    for (size_t i = 0; i < count; ++i) img.rgb[3 * i] = img.rgb[3 * i + 1] = img.rgb[3 * i + 2] = samples[i];
  }
  return img;
}

#ifdef FIDCPP_MINIMAL
Status not_in_minimal_build(const char* format) {
  return unsupported(std::string(format) +
                     " is not supported in this build (FIDCPP_MINIMAL=ON: built without libwebp and libtiff; "
                     "docs/edge.md)");
}
#endif

Result<DecodedImage> decode_any(const uint8_t* data, size_t size, const DecodeLimits& limits) {
  std::vector<uint8_t> out, scratch;
  DecodeJob job;
  job.data = data;
  job.size = size;
  job.limits = &limits;
  job.out = &out;
  job.scratch = &scratch;
  const auto finish = [&](bool ok) -> Result<DecodedImage> {
    if (!ok) return fail_from(&job);
    DecodedImage img;
    img.width = job.width;
    img.height = job.height;
    img.rgb = std::move(out);
    return img;
  };
#ifndef FIDCPP_MINIMAL
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return finish(decode_jpeg_c(&job));
  if (size >= 8 && png_sig_cmp(data, 0, 8) == 0) return finish(decode_png_c(&job));
#else
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
    return finish(decode_jpeg_stb(&job));
  if (size >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) return finish(decode_png_stb(&job));
#endif
  if (size >= 6 && (std::memcmp(data, "GIF87a", 6) == 0 || std::memcmp(data, "GIF89a", 6) == 0))
    return decode_gif(&job);
  if (size >= 2 && data[0] == 'B' && data[1] == 'M') return decode_bmp(&job);
  if (size >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '7') {
    if (data[1] == '2' || data[1] == '3' || data[1] == '5' || data[1] == '6') return decode_pnm(&job);
    return unsupported(std::string("PNM type P") + char(data[1]) + " (P2, P3, P5 and P6 are read)");
  }
#ifndef FIDCPP_MINIMAL
  if (looks_like_webp(data, size)) return decode_webp(data, size, limits);
  if (looks_like_tiff(data, size)) return decode_tiff(data, size, limits);
#else
  if (looks_like_webp(data, size)) return not_in_minimal_build("WebP");
  if (looks_like_tiff(data, size)) return not_in_minimal_build("TIFF");
#endif
  if (size == 0) return bad_input("empty file");
  return unsupported("unknown image format (JPEG, PNG, GIF, BMP, PNM, WebP and TIFF are read)");
}

// The last archive this thread opened, kept for the next member of the same zip.
struct ZipCache {
  std::string path;
  std::unique_ptr<ZipReader> reader;
};

Result<const ZipReader*> cached_zip(const std::string& path) {
  thread_local ZipCache cache;
  if (!cache.reader || cache.path != path) {
    cache.reader.reset();
    FIDCPP_ASSIGN_OR_RETURN(ZipReader z, ZipReader::open_file(path));
    cache.reader = std::make_unique<ZipReader>(std::move(z));
    cache.path = path;
  }
  return static_cast<const ZipReader*>(cache.reader.get());
}

}  // namespace

bool looks_like_webp(const uint8_t* data, size_t size) {
  return size >= 12 && std::memcmp(data, "RIFF", 4) == 0 && std::memcmp(data + 8, "WEBP", 4) == 0;
}

bool looks_like_tiff(const uint8_t* data, size_t size) {
  return size >= 4 && (std::memcmp(data, "II*\0", 4) == 0 || std::memcmp(data, "MM\0*", 4) == 0 ||
                       std::memcmp(data, "II+\0", 4) == 0 || std::memcmp(data, "MM\0+", 4) == 0);
}

Status check_decode_size(const char* format, int64_t width, int64_t height, const DecodeLimits& limits) {
  DecodeJob job;
  job.limits = &limits;
  return check_size(&job, format, width, height) ? Status() : fail_from(&job);
}

Result<DecodedImage> decode_image_memory(const uint8_t* data, size_t size, const std::string& name,
                                         const DecodeLimits& limits) {
  if (!data && size) return invalid_argument("image '" + name + "': null data");
  auto r = decode_any(data, size, limits);
  if (!r.ok()) return r.status().with_context("image '" + name + "'");
  return r;
}

Result<DecodeLimits> decode_limits_from_env() {
  DecodeLimits limits;
  const char* env = std::getenv("FIDCPP_MAX_IMAGE_PIXELS");
  if (!env || !*env) return limits;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(env, &end, 10);
  if (*end || errno || v <= 0)
    return invalid_argument(
        std::string("FIDCPP_MAX_IMAGE_PIXELS must be a positive integer (pixels per image), got '") + env +
        "'");
  limits.max_pixels = v;
  return limits;
}

Result<DecodedImage> decode_image_file(const std::string& path, const DecodeLimits& limits) {
  std::string archive, member;
  if (split_zip_member_path(path, &archive, &member)) {
    auto zip = cached_zip(archive);
    if (!zip.ok()) return zip.status().with_context("image '" + path + "'");
    const ZipEntry* e = (*zip)->find(member);
    if (!e) return not_found("image '" + path + "': no member '" + member + "' in '" + archive + "'");
    auto bytes = (*zip)->read(*e, limits.max_file_bytes);
    if (!bytes.ok()) return bytes.status().with_context("image '" + path + "'");
    return decode_image_memory(bytes->data(), bytes->size(), path, limits);
  }
  auto bytes = read_file(path, limits.max_file_bytes);
  if (!bytes.ok()) return bytes.status().with_context("image '" + path + "'");
  return decode_image_memory(bytes->data(), bytes->size(), path, limits);
}

}  // namespace fidcpp
