// TIFF through libtiff (first directory, strips or tiles, any compression libtiff decodes except JPEG), with
// the sample layouts of Pillow's TiffImagePlugin OPEN_INFO table unpacked as its raw modes do, then
// convert('RGB') and the Orientation tag applied as Pillow's load does (ImageOps.exif_transpose).
#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "io/image_decode_formats.h"

namespace fidcpp {

namespace {

// ---------------------------------------------------------------------------------------------------------------
// libtiff reading from memory, with its messages kept per file (libtiff's global handlers print to stderr).

struct MemFile {
  const uint8_t* data;
  uint64_t size;
  uint64_t pos;
  std::string error;  // libtiff's first error message
};

tmsize_t mem_read(thandle_t h, void* buf, tmsize_t n) {
  auto* f = static_cast<MemFile*>(h);
  if (n <= 0 || f->pos >= f->size) return 0;
  const uint64_t k = std::min<uint64_t>(uint64_t(n), f->size - f->pos);
  std::memcpy(buf, f->data + f->pos, size_t(k));
  f->pos += k;
  return tmsize_t(k);
}

tmsize_t mem_write(thandle_t, void*, tmsize_t) {
  return 0;
}

toff_t mem_seek(thandle_t h, toff_t off, int whence) {
  auto* f = static_cast<MemFile*>(h);
  uint64_t base = 0;
  if (whence == SEEK_CUR) base = f->pos;
  if (whence == SEEK_END) base = f->size;
  if (off > UINT64_MAX - base) return toff_t(-1);
  f->pos = base + off;
  return f->pos;
}

int mem_close(thandle_t) {
  return 0;
}

toff_t mem_size(thandle_t h) {
  return static_cast<MemFile*>(h)->size;
}

// "Mapping" the file hands libtiff the buffer itself: strips are decoded from it without a copy.
int mem_map(thandle_t h, void** base, toff_t* size) {
  auto* f = static_cast<MemFile*>(h);
  *base = const_cast<uint8_t*>(f->data);
  *size = f->size;
  return 1;
}

void mem_unmap(thandle_t, void*, toff_t) {}

int on_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  auto* f = static_cast<MemFile*>(user);
  if (f->error.empty()) {
    char buf[256];
    std::vsnprintf(buf, sizeof(buf), fmt, ap);
    f->error = std::string(module && *module ? module : "libtiff") + ": " + buf;
  }
  return 1;  // handled: libtiff's global handler (stderr) is not called
}

int on_warning(TIFF*, void*, const char*, const char*, va_list) {
  return 1;  // unknown tags and the like: Pillow ignores them too
}

struct TiffCloser {
  void operator()(TIFF* t) const { TIFFClose(t); }
};
struct OptionsFree {
  void operator()(TIFFOpenOptions* o) const { TIFFOpenOptionsFree(o); }
};

// ---------------------------------------------------------------------------------------------------------------
// Sample layouts: the OPEN_INFO keys (photometric, sample format, bits, extra samples) Pillow reads, by what
// convert('RGB') makes of them. Fill order 2 and planar configuration 2 are refused (rare, and Pillow's
// handling of them differs between its raw and libtiff paths).

enum class Kind {
  kGray,           // "1", "L;2", "L;4", "L" and "LX"/"LA" (first sample): v * 255 / (2^bits - 1)
  kGrayInverted,   // "1;I", "L;2I", "L;4I", "L;I": 255 - v * 255 / (2^bits - 1)
  kGray16,         // "I;16" / "I;16B": I;16 -> RGB clamps at 255
  kRgb,            // "RGB", "RGBX...", "RGBA..." 8-bit: the first three samples; 16-bit: their high bytes
  kRgbAssociated,  // "RGBa...": premultiplied colour divided by alpha (Unpack.c unpackRGBa), 8 or 16 bits
  kPalette,        // "P;1" .. "P", "PX", "PA": colormap entry >> 8
  kCmyk,           // "CMYK..." 8-bit, or the high bytes of 16-bit: Convert.c cmyk2rgb
};

struct Layout {
  Kind kind = Kind::kGray;
  int bits = 8;
  int spp = 1;  // samples per pixel, extra samples included
  uint8_t palette[256][3] = {};
};

std::string extras_string(const std::vector<uint16_t>& ex) {
  std::string s = "(";
  for (size_t i = 0; i < ex.size(); ++i) s += (i ? ", " : "") + std::to_string(ex[i]);
  return s + ")";
}

bool all_zero(const std::vector<uint16_t>& ex, size_t from) {
  for (size_t i = from; i < ex.size(); ++i)
    if (ex[i] != 0) return false;
  return true;
}

// The OPEN_INFO lookup (TiffImagePlugin.py), for the modes convert('RGB') turns into pixels here.
Result<Layout> find_layout(TIFF* t, bool big_endian) {
  uint16_t photometric = 0, bits = 1, spp = 1, sample_format = 1, fill_order = 1, planar = 1, compression = 1;
  if (!TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &photometric)) photometric = 0;  // Pillow's default
  TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &sample_format);
  TIFFGetFieldDefaulted(t, TIFFTAG_FILLORDER, &fill_order);
  TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(t, TIFFTAG_COMPRESSION, &compression);
  uint16_t n_extra = 0;
  uint16_t* extra_ptr = nullptr;
  std::vector<uint16_t> ex;
  if (TIFFGetField(t, TIFFTAG_EXTRASAMPLES, &n_extra, &extra_ptr) && extra_ptr)
    ex.assign(extra_ptr, extra_ptr + n_extra);

  if (compression == COMPRESSION_JPEG || compression == COMPRESSION_OJPEG || photometric == PHOTOMETRIC_YCBCR)
    return unsupported(
        "JPEG-compressed or YCbCr TIFF (not supported; Pillow converts those through libtiff's "
        "RGBA interface)");
  if (planar != PLANARCONFIG_CONTIG)
    return unsupported("TIFF with separate colour planes (PlanarConfiguration 2; not supported)");
  if (fill_order != FILLORDER_MSB2LSB) return unsupported("TIFF with FillOrder 2 (not supported)");
  const std::string what = "TIFF with photometric " + std::to_string(photometric) + ", " +
                           std::to_string(spp) + " samples of " + std::to_string(bits) +
                           " bits, sample format " + std::to_string(sample_format) + ", extra samples " +
                           extras_string(ex);
  const auto refuse = [&]() -> Status {
    return unsupported(what + " (a layout Pillow does not read as an image, or not supported here)");
  };
  Layout L;
  L.bits = bits;
  L.spp = spp;
  const bool uint = sample_format == SAMPLEFORMAT_UINT;
  switch (photometric) {
    case PHOTOMETRIC_MINISWHITE:
    case PHOTOMETRIC_MINISBLACK: {
      const bool white = photometric == PHOTOMETRIC_MINISWHITE;
      if (spp == 1 && ex.empty() && (bits == 1 || bits == 2 || bits == 4 || bits == 8) &&
          (uint || (!white && bits == 8 && sample_format == SAMPLEFORMAT_INT))) {
        L.kind = white ? Kind::kGrayInverted : Kind::kGray;
        return L;
      }
      // "I;16" (little-endian MinIsWhite is read without inversion) and "I;16B" (big-endian MinIsBlack).
      if (spp == 1 && ex.empty() && bits == 16 && uint && (!white || !big_endian)) {
        L.kind = Kind::kGray16;
        return L;
      }
      if (!white && uint && spp == 2 && bits == 8 && ex.size() == 1 && (ex[0] == 0 || ex[0] == 2)) {
        L.kind = Kind::kGray;  // "LX", "LA"
        return L;
      }
      return refuse();
    }
    case PHOTOMETRIC_RGB: {
      if (!uint || spp < 3 || (bits != 8 && bits != 16)) return refuse();
      const bool missing_extra = ex.empty() && spp == 4;  // Pillow reads it as RGBA
      if (bits == 16 && spp > 4) return refuse();
      if (spp - 3 != int(ex.size()) && !missing_extra && !(spp == 3 && ex.empty())) return refuse();
      if (!ex.empty() && !all_zero(ex, 1)) return refuse();
      if (!ex.empty() && ex[0] != 0 && ex[0] != 1 && ex[0] != 2 && !(ex[0] == 999 && bits == 8 && spp == 4))
        return refuse();
      L.kind = (!ex.empty() && ex[0] == 1) ? Kind::kRgbAssociated : Kind::kRgb;
      return L;
    }
    case PHOTOMETRIC_PALETTE: {
      const bool plain = spp == 1 && ex.empty() && (bits == 1 || bits == 2 || bits == 4 || bits == 8);
      const bool with_extra = spp == 2 && bits == 8 && ex.size() == 1 && (ex[0] == 0 || ex[0] == 2);
      if (!uint || !(plain || with_extra)) return refuse();
      uint16_t *r = nullptr, *g = nullptr, *b = nullptr;
      if (!TIFFGetField(t, TIFFTAG_COLORMAP, &r, &g, &b) || !r || !g || !b)
        return bad_input("corrupt TIFF: palette image without a colormap");
      for (int i = 0; i < (1 << bits); ++i) {
        L.palette[i][0] = uint8_t(r[i] >> 8);
        L.palette[i][1] = uint8_t(g[i] >> 8);
        L.palette[i][2] = uint8_t(b[i] >> 8);
      }
      L.kind = Kind::kPalette;
      return L;
    }
    case PHOTOMETRIC_SEPARATED: {
      const bool ok8 = bits == 8 && spp >= 4 && spp <= 6 && int(ex.size()) == spp - 4 && all_zero(ex, 0);
      const bool ok16 = bits == 16 && spp == 4 && ex.empty();
      if (!uint || !(ok8 || ok16)) return refuse();
      L.kind = Kind::kCmyk;
      return L;
    }
    default:
      return refuse();
  }
}

// One span of `n` pixels starting byte-aligned at `src` (libtiff's decoded samples, 16-bit ones in native
// order), written as RGB.
void convert_span(const Layout& L, const uint8_t* src, size_t n, uint8_t* dst) {
  const auto u16 = [&](size_t sample) {
    uint16_t v;
    std::memcpy(&v, src + 2 * sample, 2);
    return v;
  };
  const auto packed = [&](size_t x) -> int {  // sample x of a 1/2/4/8-bit single-sample row, MSB first
    if (L.bits == 8) return src[x * size_t(L.spp)];
    const int per_byte = 8 / L.bits;
    const int shift = 8 - L.bits * (1 + int(x % size_t(per_byte)));
    return (src[x / size_t(per_byte)] >> shift) & ((1 << L.bits) - 1);
  };
  const size_t spp = size_t(L.spp);
  for (size_t x = 0; x < n; ++x) {
    uint8_t* o = dst + 3 * x;
    switch (L.kind) {
      case Kind::kGray:
      case Kind::kGrayInverted: {
        const int v = packed(x) * (255 / ((1 << L.bits) - 1));
        o[0] = o[1] = o[2] = uint8_t(L.kind == Kind::kGray ? v : 255 - v);
        break;
      }
      case Kind::kGray16: {
        const uint16_t v = u16(x);
        o[0] = o[1] = o[2] = uint8_t(v > 255 ? 255 : v);
        break;
      }
      case Kind::kRgb:
        for (int c = 0; c < 3; ++c)
          o[c] = L.bits == 8 ? src[x * spp + size_t(c)] : uint8_t(u16(x * spp + size_t(c)) >> 8);
        break;
      case Kind::kRgbAssociated: {
        int s[4];
        for (int c = 0; c < 4; ++c)
          s[c] = L.bits == 8 ? src[x * spp + size_t(c)] : u16(x * spp + size_t(c)) >> 8;
        for (int c = 0; c < 3; ++c) {
          const int v = s[3] == 0 ? 0 : (s[3] == 255 ? s[c] : s[c] * 255 / s[3]);
          o[c] = uint8_t(v > 255 ? 255 : v);
        }
        break;
      }
      case Kind::kPalette:
        std::memcpy(o, L.palette[packed(x)], 3);
        break;
      case Kind::kCmyk: {
        uint8_t ink[4];
        for (int c = 0; c < 4; ++c)
          ink[c] = L.bits == 8 ? src[x * spp + size_t(c)] : uint8_t(u16(x * spp + size_t(c)) >> 8);
        cmyk_to_rgb_pillow(ink, o);
        break;
      }
    }
  }
}

// Pillow's ImageOps.exif_transpose for Orientation 2..8 (TiffImageFile.load_end applies it).
DecodedImage apply_orientation(DecodedImage in, int orientation) {
  if (orientation < 2 || orientation > 8) return in;
  const size_t W = size_t(in.width), H = size_t(in.height);
  const bool swap = orientation >= 5;
  DecodedImage out;
  out.width = int(swap ? H : W);
  out.height = int(swap ? W : H);
  out.rgb.resize(in.rgb.size());
  const size_t ow = size_t(out.width), oh = size_t(out.height);
  for (size_t y = 0; y < oh; ++y) {
    for (size_t x = 0; x < ow; ++x) {
      size_t sx = x, sy = y;
      switch (orientation) {
        case 2:
          sx = W - 1 - x;
          break;  // FLIP_LEFT_RIGHT
        case 3:
          sx = W - 1 - x;
          sy = H - 1 - y;
          break;  // ROTATE_180
        case 4:
          sy = H - 1 - y;
          break;  // FLIP_TOP_BOTTOM
        case 5:
          sx = y;
          sy = x;
          break;  // TRANSPOSE
        case 6:
          sx = y;
          sy = H - 1 - x;
          break;  // ROTATE_270
        case 7:
          sx = W - 1 - y;
          sy = H - 1 - x;
          break;  // TRANSVERSE
        case 8:
          sx = W - 1 - y;
          sy = x;
          break;  // ROTATE_90
      }
      std::memcpy(&out.rgb[3 * (y * ow + x)], &in.rgb[3 * (sy * W + sx)], 3);
    }
  }
  return out;
}

}  // namespace

Result<DecodedImage> decode_tiff(const uint8_t* data, size_t size, const DecodeLimits& limits) {
  MemFile file{data, size, 0, {}};
  std::unique_ptr<TIFFOpenOptions, OptionsFree> options(TIFFOpenOptionsAlloc());
  if (!options) return out_of_memory("cannot allocate libtiff options");
  // libtiff's own allocations (directory arrays, codec state) stay well below this; pixels are ours, below.
  TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), tmsize_t(256) << 20);
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), on_error, &file);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), on_warning, &file);
  std::unique_ptr<TIFF, TiffCloser> t(TIFFClientOpenExt("TIFF", "r", &file, mem_read, mem_write, mem_seek,
                                                        mem_close, mem_size, mem_map, mem_unmap,
                                                        options.get()));
  const auto libtiff_error = [&](const std::string& what) {
    return bad_input(what + (file.error.empty() ? "" : " (" + file.error + ")"));
  };
  if (!t) return libtiff_error("corrupt or truncated TIFF");
  uint32_t w = 0, h = 0;
  if (!TIFFGetField(t.get(), TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(t.get(), TIFFTAG_IMAGELENGTH, &h))
    return bad_input("corrupt TIFF: missing ImageWidth or ImageLength");
  FIDCPP_RETURN_IF_ERROR(check_decode_size("TIFF", w, h, limits));
  FIDCPP_ASSIGN_OR_RETURN(const Layout layout, find_layout(t.get(), TIFFIsBigEndian(t.get()) != 0));
  uint16_t orientation = 1;
  TIFFGetFieldDefaulted(t.get(), TIFFTAG_ORIENTATION, &orientation);

  DecodedImage img;
  img.width = int(w);
  img.height = int(h);
  const uint64_t row_bytes = (uint64_t(w) * uint64_t(layout.spp) * uint64_t(layout.bits) + 7) / 8;
  const uint64_t image_bytes = row_bytes * h;
  std::vector<uint8_t> buf;
  try {
    img.rgb.resize(size_t(w) * size_t(h) * 3);
    if (TIFFIsTiled(t.get())) {
      uint32_t tw = 0, th = 0;
      TIFFGetField(t.get(), TIFFTAG_TILEWIDTH, &tw);
      TIFFGetField(t.get(), TIFFTAG_TILELENGTH, &th);
      const uint64_t tile_bytes = TIFFTileSize64(t.get());
      const uint64_t tile_row = TIFFTileRowSize64(t.get());
      // A tile far larger than the image is a memory bomb, not a layout a writer chooses.
      if (tw == 0 || th == 0 || tile_bytes == 0 || tile_bytes > 4 * image_bytes + (uint64_t(1) << 20))
        return bad_input("corrupt TIFF: tiles of " + std::to_string(tw) + "x" + std::to_string(th) +
                         " for a " + std::to_string(w) + "x" + std::to_string(h) + " image");
      buf.resize(size_t(tile_bytes));
      for (uint32_t y0 = 0; y0 < h; y0 += th) {
        for (uint32_t x0 = 0; x0 < w; x0 += tw) {
          const tmsize_t got = TIFFReadTile(t.get(), buf.data(), x0, y0, 0, 0);
          if (got < 0 || uint64_t(got) < tile_bytes)
            return libtiff_error("corrupt or truncated TIFF: tile at (" + std::to_string(x0) + ", " +
                                 std::to_string(y0) + ") does not decode");
          const size_t cols = std::min<size_t>(tw, w - x0);
          for (uint32_t r = 0; r < th && y0 + r < h; ++r)
            convert_span(layout, buf.data() + size_t(r) * size_t(tile_row), cols,
                         img.rgb.data() + (size_t(y0 + r) * w + x0) * 3);
        }
      }
    } else {
      uint32_t rows_per_strip = h;
      TIFFGetFieldDefaulted(t.get(), TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
      if (rows_per_strip == 0 || rows_per_strip > h) rows_per_strip = h;
      const uint64_t strip_bytes = row_bytes * rows_per_strip;
      buf.resize(size_t(strip_bytes));
      const uint32_t strips = TIFFNumberOfStrips(t.get());
      for (uint32_t s = 0; uint64_t(s) * rows_per_strip < h; ++s) {
        const uint32_t y0 = s * rows_per_strip;
        const uint32_t rows = std::min(rows_per_strip, h - y0);
        const tmsize_t want = tmsize_t(row_bytes * rows);
        const tmsize_t got = s < strips ? TIFFReadEncodedStrip(t.get(), s, buf.data(), want) : -1;
        if (got < want)
          return libtiff_error("corrupt or truncated TIFF: strip " + std::to_string(s) + " (rows " +
                               std::to_string(y0) + ".." + std::to_string(y0 + rows - 1) +
                               ") does not decode");
        for (uint32_t r = 0; r < rows; ++r)
          convert_span(layout, buf.data() + size_t(r) * size_t(row_bytes), w,
                       img.rgb.data() + size_t(y0 + r) * w * 3);
      }
    }
  } catch (const std::bad_alloc&) {
    return out_of_memory("cannot allocate the TIFF's pixels (" + std::to_string(image_bytes) + " bytes)");
  }
  return apply_orientation(std::move(img), orientation);
}

}  // namespace fidcpp
