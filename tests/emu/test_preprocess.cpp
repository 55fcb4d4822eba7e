// Device-side preprocessing (kernels/resize_*.cu through CudaBackend::preprocess) on the emulator against the
// CPU Preprocessor of every mode: bit for bit, on awkward shapes, RGB and RGBA, in forward, reverse and
// random fiber orders.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backend/cuda/cuda_backend_impl.h"
#include "emu/emu_device_array.h"
#include "emu/preprocess_parity.h"
#include "preprocess/preprocess.h"

namespace {

using fidcpp::testing::DeviceArray;
using fidcpp::testing::kAllOrders;
using fidcpp::testing::kResizeShapes;
using fidcpp::testing::kTransformModes;
using fidcpp::testing::OrderScope;
using fidcpp::testing::TestImages;

std::unique_ptr<fidcpp::Backend> emulated_backend() {
  auto r = fidcpp::create_emulated_cuda_backend();
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(EmuPreprocess, EveryModeIsBitIdenticalToTheCpuPreprocessor) {
  auto be = emulated_backend();
  ASSERT_TRUE(be);
  for (auto order : kAllOrders) {
    OrderScope scope(order);
    for (const auto& tm : kTransformModes) {
      for (const auto& s : kResizeShapes) {
        for (int ps : {3, 4}) {
          const TestImages im(2, s.h, s.w, ps, uint64_t(s.h * 131 + s.w * 7 + ps));
          DeviceArray<uint8_t> dev(im.bytes);
          const std::string what = std::string(fidcpp::preprocess_mode_name(tm.mode)) + " " +
                                   std::to_string(s.h) + "x" + std::to_string(s.w) + " -> " +
                                   std::to_string(s.out) + " ps " + std::to_string(ps);
          fidcpp::testing::expect_bitwise_equal(
              fidcpp::testing::backend_preprocess(*be, tm.transform, im, dev.get(), s.out),
              im.cpu(tm.mode, s.out), what);
        }
      }
    }
  }
}

// The network's own size, up and down, once per mode (forward order only: these are large for the emulator).
TEST(EmuPreprocess, To299IsBitIdenticalToTheCpuPreprocessor) {
  auto be = emulated_backend();
  ASSERT_TRUE(be);
  for (const auto& tm : kTransformModes) {
    for (const auto& hw : {std::pair<int, int>{61, 331}, std::pair<int, int>{299, 299}}) {
      const TestImages im(1, hw.first, hw.second, 3, 5);
      DeviceArray<uint8_t> dev(im.bytes);
      fidcpp::testing::expect_bitwise_equal(
          fidcpp::testing::backend_preprocess(*be, tm.transform, im, dev.get(), 299), im.cpu(tm.mode, 299),
          std::string(fidcpp::preprocess_mode_name(tm.mode)) + " " + std::to_string(hw.first) + "x" +
              std::to_string(hw.second));
    }
  }
}

// A mode must change the result (an option that does nothing would pass the parity test with one kernel).
TEST(EmuPreprocess, ModesDiffer) {
  auto be = emulated_backend();
  ASSERT_TRUE(be);
  const TestImages im(1, 37, 53, 3, 9);
  DeviceArray<uint8_t> dev(im.bytes);
  std::vector<std::vector<float>> outs;
  for (const auto& tm : kTransformModes)
    outs.push_back(fidcpp::testing::backend_preprocess(*be, tm.transform, im, dev.get(), 17));
  for (size_t a = 0; a < outs.size(); ++a)
    for (size_t b = a + 1; b < outs.size(); ++b) EXPECT_NE(outs[a], outs[b]) << a << " vs " << b;
}

TEST(EmuPreprocess, BadBatchesAreAStatus) {
  auto be = emulated_backend();
  ASSERT_TRUE(be);
  const TestImages im(2, 5, 7, 3, 1);
  DeviceArray<uint8_t> dev(im.bytes);
  auto buf = be->allocate(2 * 3 * 9 * 9);
  ASSERT_TRUE(buf.ok());
  const auto out = fidcpp::make_view(buf.value()->data(), 2, 3, 9, 9);
  auto b = im.batch(dev.get());
  b.pixel_stride = 2;
  EXPECT_EQ(be->preprocess(fidcpp::InputTransform::kTf1, b, out).code(),
            fidcpp::StatusCode::kInvalidArgument);
  b = im.batch(dev.get());
  b.row_stride = 20;  // < 7 * 3
  EXPECT_EQ(be->preprocess(fidcpp::InputTransform::kTf1, b, out).code(),
            fidcpp::StatusCode::kInvalidArgument);
  b = im.batch(nullptr);
  EXPECT_EQ(be->preprocess(fidcpp::InputTransform::kTf1, b, out).code(),
            fidcpp::StatusCode::kInvalidArgument);
  EXPECT_EQ(be->preprocess(fidcpp::InputTransform::kTf1, im.batch(dev.get()),
                           fidcpp::make_view(buf.value()->data(), 2, 6, 3, 3).slice(0, 3))
                .code(),
            fidcpp::StatusCode::kInvalidArgument);
}

// The CPU backend takes host images only and says so.
// The CPU backend's Backend::preprocess (host images) is the host Preprocessor batched over its pool: bitwise
// equal for every mode, shape and pixel stride, so host and device images take one route to the same bits; a
// non-square output, which the Preprocessor has no plan for, is refused.
TEST(EmuPreprocess, CpuBackendIsTheCpuPreprocessor) {
  auto cpu = fidcpp::create_cpu_backend();
  ASSERT_TRUE(cpu.ok());
  for (const auto& tm : kTransformModes) {
    for (const auto& s : kResizeShapes) {
      for (int ps : {3, 4}) {
        const TestImages im(3, s.h, s.w, ps, uint64_t(s.h * 17 + s.w + ps));
        fidcpp::testing::expect_bitwise_equal(
            fidcpp::testing::backend_preprocess(**cpu, tm.transform, im, im.bytes.data(), s.out),
            im.cpu(tm.mode, s.out),
            std::string("cpu backend ") + fidcpp::preprocess_mode_name(tm.mode) + " " + std::to_string(s.h) +
                "x" + std::to_string(s.w) + " ps " + std::to_string(ps));
      }
    }
  }
  const TestImages im(1, 5, 7, 3, 1);
  std::vector<float> out(3 * 9 * 8);
  const auto st = cpu.value()->preprocess(fidcpp::InputTransform::kTf1, im.batch(im.bytes.data()),
                                          fidcpp::make_view(out.data(), 1, 3, 9, 8));
  EXPECT_EQ(st.code(), fidcpp::StatusCode::kUnsupported) << st.to_string();
}

}  // namespace

namespace {

// A host pointer where device memory is expected is refused (on a GPU the kernel would fault).
TEST(EmuPreprocess, HostPointerIsRefused) {
  auto be = emulated_backend();
  ASSERT_TRUE(be);
  const TestImages im(1, 5, 7, 3, 1);
  auto buf = be->allocate(3 * 9 * 9);
  ASSERT_TRUE(buf.ok());
  const auto st = be->preprocess(fidcpp::InputTransform::kTf1, im.batch(im.bytes.data()),
                                 fidcpp::make_view(buf.value()->data(), 1, 3, 9, 9));
  EXPECT_EQ(st.code(), fidcpp::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("not CUDA device memory"), std::string::npos) << st.message();
}

}  // namespace
