// Image decoding: every fixture in tests/data/images/ decodes to exactly Pillow's convert('RGB') pixels
// (written by tools/ref_preprocess.py --only decode), plus truncated, corrupted, oversized and zip-member
// inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/file.h"
#include "core/splitmix64.h"
#include "io/image_decode.h"
#include "io/image_source.h"
#include "io/zip_reader.h"

namespace fidcpp {
namespace {

namespace fs = std::filesystem;

const std::string kImages = std::string(FIDCPP_TEST_DATA_DIR) + "/images";
const std::string kRefDecode = std::string(FIDCPP_REF_DIR) + "/preprocess/decode";
constexpr const char* kRegenerate =
    "reference pixels missing; run: $PY tools/ref_preprocess.py --out <build>/refdata --only decode";

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kImages))
    if (e.is_regular_file() && has_image_extension(e.path().filename().string()))
      names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<uint8_t> bytes_of(const std::string& path) {
  auto r = read_file(path, uint64_t(1) << 26);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : std::vector<uint8_t>();
}

bool is_jpeg(const std::string& name) {
  const std::string ext = name.substr(name.rfind('.') + 1);
  return ext == "jpg" || ext == "jpeg";
}

// WebP and TIFF: libwebp and libtiff, absent from the minimal build.
bool is_webp_or_tiff(const std::string& name) {
  const std::string ext = name.substr(name.rfind('.') + 1);
  return ext == "webp" || ext == "tif" || ext == "tiff";
}

// The differences between our decode of one fixture and Pillow's pixels.
struct PixelDiff {
  size_t mismatches = 0, first = 0, count = 0;
  int max_abs = 0;
  double mean_abs = 0;
};

void diff_against_pillow(const std::string& name, PixelDiff* out) {
  const std::string ref_path = kRefDecode + "/" + name + ".rgb";
  ASSERT_TRUE(fs::exists(ref_path)) << kRegenerate;
  const std::vector<uint8_t> ref = bytes_of(ref_path);
  ASSERT_GE(ref.size(), 8u);
  int32_t hw[2];
  std::memcpy(hw, ref.data(), 8);
  auto img = decode_image_file(kImages + "/" + name);
  ASSERT_TRUE(img.ok()) << img.status().to_string();
  ASSERT_EQ(img->height, hw[0]);
  ASSERT_EQ(img->width, hw[1]);
  ASSERT_EQ(ref.size() - 8, img->rgb.size());
  PixelDiff d;
  double sum = 0;
  for (size_t i = 0; i < img->rgb.size(); ++i) {
    const int v = std::abs(int(img->rgb[i]) - int(ref[8 + i]));
    if (v && !d.mismatches++) d.first = i;
    d.max_abs = std::max(d.max_abs, v);
    sum += v;
  }
  d.count = img->rgb.size();
  d.mean_abs = d.count ? sum / double(d.count) : 0;
  const RgbImageView view = img->view();
  EXPECT_EQ(view.data, img->rgb.data());
  EXPECT_EQ(view.row_stride, img->width * 3);
  EXPECT_EQ(view.pixel_stride, 3);
  *out = d;
}

// PNG, GIF, BMP and PNM: exactly Pillow's pixels in every build (the minimal build's stb_image PNG path
// included: PNG is lossless, so it must equal libpng's decode, which equals Pillow's). WebP (lossy too: its
// decoder is exact integer arithmetic) and TIFF in the full build; the minimal build refuses them
// (WebpAndTiffAreRefusedInTheMinimalBuild).
TEST(ImageDecode, EveryLosslessFixtureMatchesPillowExactly) {
  if (!fs::exists(kRefDecode)) GTEST_SKIP() << kRegenerate << " (looked in " << kRefDecode << ")";
  const auto names = fixture_names();
  ASSERT_GE(names.size(), 56u) << "tests/data/images/ lost fixtures; rerun tools/make_image_fixtures.py";
  size_t webp_tiff = 0;
  for (const std::string& name : names) {
    if (is_jpeg(name)) continue;
#ifdef FIDCPP_MINIMAL
    if (is_webp_or_tiff(name)) continue;
#endif
    webp_tiff += is_webp_or_tiff(name);
    SCOPED_TRACE(name);
    PixelDiff d;
    ASSERT_NO_FATAL_FAILURE(diff_against_pillow(name, &d));
    EXPECT_EQ(d.mismatches, 0u) << "max diff " << d.max_abs << ", first at pixel " << d.first / 3
                                << " channel " << d.first % 3;
  }
#ifndef FIDCPP_MINIMAL
  EXPECT_GE(webp_tiff, 26u) << "WebP/TIFF fixtures missing; rerun tools/make_image_fixtures.py";
#endif
}

#ifdef FIDCPP_MINIMAL
TEST(ImageDecode, WebpAndTiffAreRefusedInTheMinimalBuild) {
  size_t n = 0;
  for (const std::string& name : fixture_names()) {
    if (!is_webp_or_tiff(name)) continue;
    ++n;
    auto r = decode_image_file(kImages + "/" + name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kUnsupported) << r.status().to_string();
    EXPECT_NE(r.status().message().find(name), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("not supported in this build"), std::string::npos)
        << r.status().message();
  }
  EXPECT_GE(n, 26u);
}
#endif

// JPEG through libjpeg-turbo with Pillow's settings: exactly Pillow's pixels.
TEST(ImageDecode, EveryJpegFixtureMatchesPillowExactly) {
#ifdef FIDCPP_MINIMAL
  GTEST_SKIP() << "minimal build: stb_image is not pixel-identical to PIL (JpegFixturesWithinStbTolerance "
                  "bounds the difference)";
#endif
  if (!fs::exists(kRefDecode)) GTEST_SKIP() << kRegenerate << " (looked in " << kRefDecode << ")";
  size_t jpegs = 0;
  for (const std::string& name : fixture_names()) {
    if (!is_jpeg(name)) continue;
    SCOPED_TRACE(name);
    ++jpegs;
    PixelDiff d;
    ASSERT_NO_FATAL_FAILURE(diff_against_pillow(name, &d));
    EXPECT_EQ(d.mismatches, 0u) << "max diff " << d.max_abs << ", first at pixel " << d.first / 3
                                << " channel " << d.first % 3;
  }
  EXPECT_GE(jpegs, 8u);
}

#ifdef FIDCPP_MINIMAL
// The minimal build decodes JPEG with stb_image (its own IDCT, upsampling and colour conversion), so its
// pixels differ from libjpeg's/Pillow's by a few levels. The bounds are the measured worst case over the
// fixtures with a margin (docs/edge.md "Minimal build" lists the measured values per file).
TEST(ImageDecode, JpegFixturesWithinStbTolerance) {
  if (!fs::exists(kRefDecode)) GTEST_SKIP() << kRegenerate << " (looked in " << kRefDecode << ")";
  constexpr int kMaxAbs = 16;       // measured 11 (jpeg_422.jpg: stb upsamples 4:2:2 chroma differently)
  constexpr double kMeanAbs = 0.5;  // measured 0.24 (jpeg_422.jpg); the others 0.006 to 0.08
  size_t jpegs = 0;
  for (const std::string& name : fixture_names()) {
    if (!is_jpeg(name)) continue;
    SCOPED_TRACE(name);
    ++jpegs;
    PixelDiff d;
    ASSERT_NO_FATAL_FAILURE(diff_against_pillow(name, &d));
    std::printf("stb vs Pillow %-28s max |d| %3d  mean |d| %.4f  differing %5.1f%%\n", name.c_str(),
                d.max_abs, d.mean_abs, 100.0 * double(d.mismatches) / double(std::max<size_t>(d.count, 1)));
    EXPECT_LE(d.max_abs, kMaxAbs);
    EXPECT_LE(d.mean_abs, kMeanAbs);
  }
  EXPECT_GE(jpegs, 8u);
}
#endif

TEST(ImageDecode, CmykConversionMatchesPillowTable) {
  const std::string path = kRefDecode + "/cmyk_table.rgb";
  if (!fs::exists(path)) GTEST_SKIP() << kRegenerate;
  const std::vector<uint8_t> t = bytes_of(path);
  const size_t n = 16 * 256;
  ASSERT_EQ(t.size(), n * 7);
  size_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    uint8_t rgb[3];
    cmyk_to_rgb_pillow(&t[4 * i], rgb);
    for (int c = 0; c < 3; ++c) bad += rgb[c] != t[4 * n + 3 * i + size_t(c)];
  }
  EXPECT_EQ(bad, 0u);
}

TEST(ImageDecode, SixteenBitGrayClampsLikePillow) {
  // Independent of the reference files: png_gray16.png's first row starts 0, 255, 256, 65535 (see
  // tools/make_image_fixtures.py); Pillow's I;16 -> RGB clamps to 255.
  // The same values in 16-bit gray TIFF, little-endian (I;16), deflated and big-endian (I;16B).
  std::vector<std::string> names = {"png_gray16.png"};
#ifndef FIDCPP_MINIMAL
  names.insert(names.end(), {"tiff_gray16.tif", "tiff_gray16_deflate.tif", "tiff_gray16_be.tif"});
#endif
  for (const std::string& name : names) {
    auto img = decode_image_file(kImages + "/" + name);
    ASSERT_TRUE(img.ok()) << img.status().to_string();
    const uint8_t expect[4] = {0, 255, 255, 255};
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) EXPECT_EQ(img->rgb[size_t(3 * x + c)], expect[x]) << name << " " << x;
  }
}

TEST(ImageDecode, TruncatedFilesFailNamingTheFile) {
  for (const std::string& name : fixture_names()) {
    SCOPED_TRACE(name);
    const std::vector<uint8_t> full = bytes_of(kImages + "/" + name);
    for (size_t cut : {size_t(0), size_t(1), size_t(5), size_t(12), full.size() / 3, full.size() / 2,
                       full.size() * 3 / 4}) {
      auto r = decode_image_memory(full.data(), cut, name, {});
      ASSERT_FALSE(r.ok()) << "cut at " << cut << " of " << full.size() << " decoded";
      EXPECT_NE(r.status().message().find("image '" + name + "'"), std::string::npos) << r.status().message();
    }
    // Cutting the last bytes may legitimately leave a decodable file (GIF trailer, PNG IEND, which Pillow
    // does not read either); it must still never crash and, when it fails, name the file.
    for (size_t back = 1; back <= 16 && back < full.size(); ++back) {
      auto r = decode_image_memory(full.data(), full.size() - back, name, {});
      if (!r.ok()) {
        EXPECT_NE(r.status().message().find(name), std::string::npos);
      }
    }
  }
}

TEST(ImageDecode, CorruptedBytesNeverCrash) {
  SplitMix64 rng(20240601);
  int failures = 0, total = 0;
  for (const std::string& name : fixture_names()) {
    const std::vector<uint8_t> full = bytes_of(kImages + "/" + name);
    for (int trial = 0; trial < 60; ++trial) {
      std::vector<uint8_t> b = full;
      const int flips = 1 + int(rng.next() % 4);
      // Headers hold the interesting fields: bias half of the flips into the first 64 bytes.
      for (int f = 0; f < flips; ++f) {
        const size_t span = (trial % 2) ? b.size() : std::min<size_t>(b.size(), 64);
        b[rng.next() % span] ^= uint8_t(1u << (rng.next() % 8));
      }
      DecodeLimits small;
      small.max_pixels = 1 << 20;  // corrupted sizes must not allocate gigabytes
      auto r = decode_image_memory(b.data(), b.size(), name, small);
      ++total;
      if (!r.ok()) {
        ++failures;
        EXPECT_NE(r.status().message().find(name), std::string::npos) << r.status().message();
      } else {
        EXPECT_EQ(r->rgb.size(), size_t(r->width) * size_t(r->height) * 3);
      }
    }
  }
  EXPECT_GT(failures, 0) << "no corruption was ever detected in " << total << " trials";
}

TEST(ImageDecode, SizeLimitsRefuseBeforeDecoding) {
  const std::string path = kImages + "/png_rgb.png";  // 64 x 48
  DecodeLimits pixels;
  pixels.max_pixels = 64 * 48 - 1;
  auto r = decode_image_file(path, pixels);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfMemory);
  EXPECT_NE(r.status().message().find("exceeds the limit of 3071 pixels"), std::string::npos)
      << r.status().message();
  DecodeLimits side;
  side.max_side = 63;
  r = decode_image_file(path, side);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("per side"), std::string::npos) << r.status().message();
  pixels.max_pixels = 64 * 48;
  EXPECT_TRUE(decode_image_file(path, pixels).ok());
  std::vector<std::string> others = {"jpeg_420.jpg", "gif_palette.gif", "bmp_rgb.bmp", "ppm_rgb.ppm"};
#ifndef FIDCPP_MINIMAL
  others.insert(others.end(), {"webp_lossy.webp", "webp_animated.webp", "tiff_rgb.tif", "tiff_tiled.tif"});
#endif
  for (const std::string& name : others) {
    DecodeLimits tiny;
    tiny.max_pixels = 100;
    auto t = decode_image_file(kImages + "/" + name, tiny);
    EXPECT_FALSE(t.ok()) << name;
    EXPECT_EQ(t.status().code(), StatusCode::kOutOfMemory) << t.status().to_string();
  }
}

TEST(ImageDecode, DecompressionBombHeaderIsRefusedByDefault) {
  // A PNG whose IHDR claims 20000 x 20000 (400 M pixels > 2 * 89478485, PIL's DecompressionBombError) over a
  // few bytes of data: the default limits must refuse it without allocating.
  std::vector<uint8_t> png = bytes_of(kImages + "/png_gray.png");
  ASSERT_GT(png.size(), 33u);
  const uint32_t side = 20000;
  for (int k = 0; k < 2; ++k)
    for (int i = 0; i < 4; ++i) png[size_t(16 + 4 * k + i)] = uint8_t(side >> (24 - 8 * i));
  const uint32_t crc = zip_crc32(&png[12], 17);
  for (int i = 0; i < 4; ++i) png[size_t(29 + i)] = uint8_t(crc >> (24 - 8 * i));
  auto r = decode_image_memory(png.data(), png.size(), "bomb.png");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfMemory) << r.status().to_string();
  EXPECT_NE(r.status().message().find("decompression bomb"), std::string::npos) << r.status().message();
  // A BMP claiming a 2^20-pixel side.
  std::vector<uint8_t> bmp = bytes_of(kImages + "/bmp_rgb.bmp");
  bmp[18] = 0, bmp[19] = 0, bmp[20] = 0x10, bmp[21] = 0;
  r = decode_image_memory(bmp.data(), bmp.size(), "wide.bmp");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfMemory) << r.status().to_string();
}

TEST(ImageDecode, ErrorsNameTheFileAndReason) {
  auto missing = decode_image_file(kImages + "/does_not_exist.png");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("does_not_exist.png"), std::string::npos);
  const uint8_t text[] = "hello, not an image";
  auto unknown = decode_image_memory(text, sizeof(text), "notes.png");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("image 'notes.png': unknown image format"), std::string::npos)
      << unknown.status().message();
  auto empty = decode_image_memory(nullptr, 0, "empty.jpg");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty.jpg"), std::string::npos);
  const char pnm16[] = "P5 2 2 65535\n\0\0\0\0\0\0\0\0";
  auto p16 = decode_image_memory(reinterpret_cast<const uint8_t*>(pnm16), sizeof(pnm16) - 1, "deep.pgm");
  ASSERT_FALSE(p16.ok());
  EXPECT_EQ(p16.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(p16.status().message().find("maxval 65535"), std::string::npos) << p16.status().message();
}

TEST(ImageDecode, ZipMemberDecodesLikeTheFile) {
  const std::string zip = kImages + "/images.zip";
  for (const auto& [member, plain] :
       std::vector<std::pair<std::string, std::string>>{{"sub/png_gray.png", "png_gray.png"},
                                                        {"jpeg_gray.jpg", "jpeg_gray.jpg"},
                                                        {"B.PNG", "png_rgb.png"}}) {
    SCOPED_TRACE(member);
    auto a = decode_image_file(zip + "::" + member);
    auto b = decode_image_file(kImages + "/" + plain);
    ASSERT_TRUE(a.ok()) << a.status().to_string();
    ASSERT_TRUE(b.ok()) << b.status().to_string();
    EXPECT_EQ(a->width, b->width);
    EXPECT_EQ(a->height, b->height);
    EXPECT_EQ(a->rgb, b->rgb);
  }
  auto missing = decode_image_file(zip + "::nope.png");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope.png"), std::string::npos);
  auto not_image = decode_image_file(zip + "::notes.txt");
  ASSERT_FALSE(not_image.ok());
  EXPECT_NE(not_image.status().message().find("notes.txt"), std::string::npos);
  auto no_zip = decode_image_file(kImages + "/absent.zip::a.png");
  ASSERT_FALSE(no_zip.ok());
  EXPECT_NE(no_zip.status().message().find("absent.zip"), std::string::npos);
}

}  // namespace
}  // namespace fidcpp
