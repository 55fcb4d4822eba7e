// Shared by the emulated and the GPU tests: Backend::preprocess of every InputTransform against the CPU
// Preprocessor of the matching mode (preprocess/preprocess.h), bit for bit, on awkward shapes.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/splitmix64.h"
#include "preprocess/preprocess.h"

namespace fidcpp {
namespace testing {

struct TransformMode {
  InputTransform transform;
  PreprocessMode mode;
};
constexpr TransformMode kTransformModes[] = {
    {InputTransform::kTf1, PreprocessMode::kTorchFidelity},
    {InputTransform::kAaBilinear, PreprocessMode::kTorchmetrics},
    {InputTransform::kHalfPixelBilinear, PreprocessMode::kPytorchFid},
    {InputTransform::kPilBicubic, PreprocessMode::kCleanFid},
    {InputTransform::kGridSample, PreprocessMode::kCleanFidLegacyTf},
};

// Input h x w -> out x out: 1, primes, tails, down and up, unchanged axes, one axis growing while the other
// shrinks (Pillow's vertical-first case).
struct ResizeShape {
  int h, w, out;
};
constexpr ResizeShape kResizeShapes[] = {{1, 1, 7},  {13, 13, 13}, {37, 53, 17}, {5, 97, 11},
                                         {64, 3, 9}, {13, 29, 13}, {29, 13, 13}, {8, 8, 35}};

// n images of h x w with `pixel_stride` bytes per pixel, rows padded by 5 bytes and images by 3 (unaligned).
struct TestImages {
  int n, h, w, pixel_stride;
  size_t row_stride, image_stride;
  std::vector<uint8_t> bytes;
  TestImages(int n_, int h_, int w_, int ps, uint64_t seed)
      : n(n_),
        h(h_),
        w(w_),
        pixel_stride(ps),
        row_stride(size_t(w_) * ps + 5),
        image_stride(row_stride * h_ + 3),
        bytes(image_stride * n_) {
    SplitMix64 r(seed);
    for (auto& b : bytes) b = r.byte();
  }
  ImageBatch batch(const uint8_t* data) const {
    ImageBatch b;
    b.data = data, b.n = n, b.height = h, b.width = w;
    b.row_stride = row_stride, b.image_stride = image_stride, b.pixel_stride = pixel_stride;
    return b;
  }
  // The CPU path: Preprocessor::run per image.
  std::vector<float> cpu(PreprocessMode mode, int out) const {
    Preprocessor p(mode, out);
    const size_t per = size_t(3) * out * out;
    std::vector<float> v(per * n);
    for (int i = 0; i < n; ++i) {
      RgbImageView view;
      view.data = bytes.data() + i * image_stride;
      view.height = h, view.width = w, view.row_stride = ptrdiff_t(row_stride),
      view.pixel_stride = pixel_stride;
      const Status st = p.run(view, v.data() + per * i);
      EXPECT_TRUE(st.ok()) << st.to_string();
    }
    return v;
  }
};

// Runs `transform` on `images` (already in backend memory at `device_images`) into a fresh buffer and returns
// the host copy; NaN-initialised so unwritten elements fail.
inline std::vector<float> backend_preprocess(Backend& be, InputTransform transform, const TestImages& images,
                                             const uint8_t* device_images, int out) {
  const size_t count = size_t(images.n) * 3 * out * out;
  auto buf = be.allocate(count);
  EXPECT_TRUE(buf.ok());
  if (!buf.ok()) return {};
  std::vector<float> host(count, NAN);
  EXPECT_TRUE(be.upload(host.data(), count, buf.value()->data()).ok());
  const Status st = be.preprocess(transform, images.batch(device_images),
                                  make_view(buf.value()->data(), images.n, 3, out, out));
  EXPECT_TRUE(st.ok()) << st.to_string();
  EXPECT_TRUE(be.download(buf.value()->data(), count, host.data()).ok());
  return host;
}

// Bitwise comparison; names the first few differing elements.
inline void expect_bitwise_equal(const std::vector<float>& got, const std::vector<float>& want,
                                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0 && bad++ < 3)
      ADD_FAILURE() << what << ": element " << i << " got " << got[i] << ", CPU " << want[i];
  }
  EXPECT_EQ(bad, 0u) << what;
}

}  // namespace testing
}  // namespace fidcpp
