// The whole Inception-v3 (synthetic weights, full 299 x 299 network) through the emulated CUDA backend
// against the CPU backend: device-side preprocessing of 8-bit images straight into the forward's input, then
// every layer's kernels and the emulated Linalg. Slow under emulation, hence two images and its own
// executable.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "api/synthetic_weights_file.h"
#include "backend/cuda/cuda_backend_impl.h"
#include "backend/cuda/cuda_fid.h"
#include "backend/cuda/linalg.h"
#include "emu/emu_device_array.h"
#include "emu/stream_order.h"
#include "evaluator.h"
#include "fidcpp/fidcpp.h"
#include "gpu/evaluator_parity.h"
#include "metrics/dc.h"
#include "metrics/fid.h"
#include "metrics/kid.h"
#include "metrics/prc.h"
#include "model/inception_forward.h"
#include "model/inception_network.h"
#include "model/inception_weights.h"
#include "preprocess/preprocess.h"
#include "model/synthetic_weights.h"

namespace {

using namespace fidcpp;  // NOLINT: test brevity
using fidcpp::testing::DeviceArray;

constexpr int kImages = 2;
// A 211 x 257 window of each 299 x 299 synthetic image, read in place (row stride 299 * 3): the resize and a
// row stride that is not width * 3 are both exercised.
constexpr int kH = 211, kW = 257, kStride = 299 * 3;

// Relative to the largest magnitude of the tap. The CUDA convolution performs the CPU GEMM path's operations
// in the same order, so the two backends differ where the CPU takes other routes: its Winograd layers
// (F(4x4, 3x3), F(2x2, 5x5), F(4, 7)) and the fc layer's summation order (the emulated Linalg accumulates in
// double). That moved pool3 by 5.5e-7 and the logits by 5.0e-7 of their largest value (measured 2026-12-07;
// 4.2e-7 and 3.5e-7 with F(2, 7)); the bounds leave 7x.
constexpr double kPool3Tol = 4e-6, kLogitsTol = 4e-6;

struct NetRun {
  std::vector<float> input, pool3, logits;
};

NetRun run_network(Backend& be, const InceptionParams& params, const std::vector<uint8_t>& pixels,
                   bool device) {
  NetRun r;
  InceptionNetworkOptions options;
  options.taps = {InceptionTap::k2048, InceptionTap::kLogitsUnbiased};
  options.max_batch = kImages;
  auto net = InceptionNetwork::load(be, params, options);
  EXPECT_TRUE(net.ok()) << net.status().to_string();
  if (!net.ok()) return r;
  InceptionForward& fw = net->forward();
  const size_t per = size_t(3) * kInceptionInputSize * kInceptionInputSize;
  r.input.assign(per * kImages, NAN);
  r.pool3.assign(size_t(kImages) * 2048, NAN);
  r.logits.assign(size_t(kImages) * kFcOut, NAN);
  if (device) {
    DeviceArray<uint8_t> dev(pixels);
    ImageBatch b;
    b.data = dev.get(), b.n = kImages, b.height = kH, b.width = kW;
    b.row_stride = kStride, b.image_stride = size_t(299) * kStride, b.pixel_stride = 3;
    const TensorView in = fw.input_view(kImages);
    Status st = be.preprocess(InputTransform::kAaBilinear, b, in);
    EXPECT_TRUE(st.ok()) << st.to_string();
    EXPECT_TRUE(be.download(in.data, r.input.size(), r.input.data()).ok());
    st = fw.forward(kImages);
    EXPECT_TRUE(st.ok()) << st.to_string();
    st = fw.download_taps(kImages, {r.pool3.data(), r.logits.data()});
    EXPECT_TRUE(st.ok()) << st.to_string();
  } else {
    Preprocessor p(PreprocessMode::kTorchmetrics);
    for (int i = 0; i < kImages; ++i) {
      RgbImageView v;
      v.data = pixels.data() + size_t(i) * 299 * kStride;
      v.height = kH, v.width = kW, v.row_stride = kStride, v.pixel_stride = 3;
      EXPECT_TRUE(p.run(v, r.input.data() + per * i).ok());
    }
    const Status st = fw.run(r.input.data(), kImages, {r.pool3.data(), r.logits.data()});
    EXPECT_TRUE(st.ok()) << st.to_string();
  }
  return r;
}

double max_rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double scale = 0, diff = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    scale = std::max(scale, std::fabs(double(b[i])));
    diff = std::max(diff, std::fabs(double(a[i]) - double(b[i])));
    if (std::isnan(a[i]) || std::isnan(b[i])) return INFINITY;
  }
  return scale > 0 ? diff / scale : diff;
}

TEST(EmuNetwork, FullInceptionMatchesCpuBackend) {
  auto params = fold_inception_params(synthetic_inception_weights(true), true);
  ASSERT_TRUE(params.ok()) << params.status().to_string();
  std::vector<uint8_t> pixels;
  for (int i = 0; i < kImages; ++i) {
    const auto img = synthetic_image_u8(100 + i);
    pixels.insert(pixels.end(), img.begin(), img.end());
  }
  auto cuda = create_emulated_cuda_backend();
  ASSERT_TRUE(cuda.ok()) << cuda.status().to_string();
  auto cpu = create_cpu_backend();
  ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
  const NetRun got = run_network(**cuda, *params, pixels, true);
  const NetRun want = run_network(**cpu, *params, pixels, false);
  ASSERT_EQ(got.input.size(), want.input.size());
  EXPECT_TRUE(got.input == want.input) << "device preprocessing differs from the CPU Preprocessor";
  const double d_pool3 = max_rel_diff(got.pool3, want.pool3),
               d_logits = max_rel_diff(got.logits, want.logits);
  RecordProperty("pool3_max_rel_diff", std::to_string(d_pool3));
  RecordProperty("logits_max_rel_diff", std::to_string(d_logits));
  std::printf("pool3 max diff / max |value| = %.3g, logits %.3g\n", d_pool3, d_logits);
  EXPECT_LE(d_pool3, kPool3Tol);
  EXPECT_LE(d_logits, kLogitsTol);
  EXPECT_GT(d_pool3 + d_logits, 0.0) << "bitwise equal: the CUDA path may not have run at all";
}

// InceptionForward on a recording backend: the first batch of a size runs directly, the second is recorded
// into a CUDA graph and replayed, later ones replay; every pass gives bitwise the same features, and a replay
// reads the current input (not the one seen while recording).
TEST(EmuNetwork, GraphReplayEqualsDirectForward) {
  auto params = fold_inception_params(synthetic_inception_weights(false), false);
  ASSERT_TRUE(params.ok()) << params.status().to_string();
  auto be = create_emulated_cuda_backend();
  ASSERT_TRUE(be.ok());
  InceptionNetworkOptions options;
  options.max_batch = 1;
  auto net = InceptionNetwork::load(**be, *params, options);
  ASSERT_TRUE(net.ok()) << net.status().to_string();
  InceptionForward& f = net->forward();
  std::vector<float> a, b;
  append_normalised_chw(synthetic_image_u8(7), &a);
  append_normalised_chw(synthetic_image_u8(8), &b);
  std::vector<std::vector<float>> feats;
  for (const auto* x : {&a, &a, &b, &a}) {  // direct, record + replay, replay, replay
    std::vector<float> out(2048, NAN);
    const Status st = f.run(x->data(), 1, {out.data()});
    ASSERT_TRUE(st.ok()) << st.to_string();
    feats.push_back(out);
  }
  EXPECT_TRUE(feats[1] == feats[0]) << "recorded pass differs from the direct one";
  EXPECT_TRUE(feats[3] == feats[0]) << "replay differs from the direct pass";
  EXPECT_FALSE(feats[2] == feats[0]) << "replay did not read the new input";
}

// The evaluator's device-pointer input (fidcpp_evaluator_add_images_device underneath) on the emulated CUDA
// backend gives bitwise the features of the host-pointer path: the device preprocessing is bit-identical to
// the CPU Preprocessor and the network is the same code on the same backend.
TEST(EmuNetwork, DevicePointerInputEqualsHostPointerInput) {
  std::string err;
  const std::string weights =
      write_synthetic_weights_file(::testing::TempDir() + "fidcpp_emu_synthetic.safetensors", false, &err);
  ASSERT_FALSE(weights.empty()) << err;
  constexpr int kN = 2, kFh = 45, kFw = 38, kRow = kFw * 4 + 12;  // RGBA frames with padded rows
  std::vector<uint8_t> frames(size_t(kN) * kFh * kRow);
  for (int i = 0; i < kN; ++i) {
    const auto img = synthetic_image_u8(200 + i);
    for (int y = 0; y < kFh; ++y)
      for (int x = 0; x < kFw; ++x)
        for (int c = 0; c < 4; ++c)
          frames[(size_t(i) * kFh + y) * kRow + size_t(x) * 4 + c] =
              c < 3 ? img[(size_t(y) * 299 + x * 7) * 3 + c] : uint8_t(x * 5);  // alpha must be ignored
  }
  EvaluatorConfig config;
  config.weights_path = weights;
  config.mode = PreprocessMode::kCleanFid;
  config.batch_size = kN;
  config.keep_features = true;
  config.make_backend = [] { return create_emulated_cuda_backend(); };
  std::vector<float> feats[2];
  for (int device = 0; device < 2; ++device) {
    auto ev = EvaluatorCore::create(config);
    ASSERT_TRUE(ev.ok()) << ev.status().to_string();
    if (device) {
      DeviceArray<uint8_t> dev(frames);
      ImageBatch b;
      b.data = dev.get(), b.n = kN, b.height = kFh, b.width = kFw;
      b.row_stride = kRow, b.image_stride = size_t(kFh) * kRow, b.pixel_stride = 4;
      const Status st = (*ev)->add_images_device(Side::kReal, b);
      ASSERT_TRUE(st.ok()) << st.to_string();
    } else {
      for (int i = 0; i < kN; ++i) {
        RgbImageView v;
        v.data = frames.data() + size_t(i) * kFh * kRow;
        v.height = kFh, v.width = kFw, v.row_stride = kRow, v.pixel_stride = 4;
        ASSERT_TRUE((*ev)->add_image(Side::kReal, v).ok());
      }
      ASSERT_TRUE((*ev)->flush().ok());
    }
    EXPECT_STREQ((*ev)->backend_name(), "cuda (emulated on the CPU)");
    EXPECT_EQ((*ev)->count(Side::kReal), uint64_t(kN));
    feats[device] = (*ev)->features(Side::kReal);
  }
  ASSERT_EQ(feats[0].size(), size_t(kN) * 2048);
  EXPECT_TRUE(feats[0] == feats[1]) << "device-pointer features differ from the host-pointer path";
}

// Host images on an asynchronous (CUDA) backend: process_pending() leaves the batch running on the device and
// returns so the next one can be decoded meanwhile; its features arrive when the next batch, flush() or a
// reader needs them. Checked: a full batch is not yet counted (it is in flight), sides interleave in order,
// reset() drops an in-flight batch of its side, and every row equals the CPU backend's for the same image.
TEST(EmuNetwork, HostBatchesOverlapDecodingAndKeepTheirOrder) {
  std::string err;
  const std::string weights =
      write_synthetic_weights_file(::testing::TempDir() + "fidcpp_emu_async.safetensors", false, &err);
  ASSERT_FALSE(weights.empty()) << err;
  std::vector<std::vector<uint8_t>> imgs;
  for (int i = 0; i < 4; ++i) imgs.push_back(synthetic_image_u8(300 + i));
  const auto view = [&](int i) {
    RgbImageView v;
    v.data = imgs[size_t(i)].data(), v.height = 299, v.width = 299, v.row_stride = 299 * 3;
    v.pixel_stride = 3;
    return v;
  };
  EvaluatorConfig config;
  config.weights_path = weights;
  config.batch_size = 1;
  config.keep_features = true;
  config.device = DeviceKind::kCpu;
  auto cpu = EvaluatorCore::create(config);
  ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
  config.make_backend = [] { return create_emulated_cuda_backend(); };
  auto dev = EvaluatorCore::create(config);
  ASSERT_TRUE(dev.ok()) << dev.status().to_string();
  EvaluatorCore& ev = **dev;

  ASSERT_TRUE(ev.add_image(Side::kReal, view(0)).ok());
  EXPECT_EQ(ev.count(Side::kReal), 0u) << "the full batch should still be running on the device";
  EXPECT_FALSE(ev.stats(Side::kReal).ok()) << "statistics must not be read with a batch in flight";
  ASSERT_TRUE(ev.add_image(Side::kGenerated, view(1)).ok());
  EXPECT_EQ(ev.count(Side::kReal), 1u) << "the next batch collects the one in flight";
  EXPECT_EQ(ev.count(Side::kGenerated), 0u);
  ASSERT_TRUE(ev.add_image(Side::kReal, view(2)).ok());
  ASSERT_TRUE(ev.flush().ok());
  EXPECT_EQ(ev.count(Side::kReal), 2u);
  EXPECT_EQ(ev.count(Side::kGenerated), 1u);
  ASSERT_TRUE(ev.add_image(Side::kGenerated, view(3)).ok());
  ASSERT_TRUE(ev.reset(Side::kGenerated).ok());
  ASSERT_TRUE(ev.flush().ok());
  EXPECT_EQ(ev.count(Side::kGenerated), 0u) << "reset must drop the batch in flight";
  EXPECT_TRUE(ev.features(Side::kGenerated).empty());
  EXPECT_EQ(ev.count(Side::kReal), 2u);

  for (int i : {0, 2}) ASSERT_TRUE((*cpu)->add_image(Side::kReal, view(i)).ok());
  ASSERT_TRUE((*cpu)->flush().ok());
  const std::vector<float>& got = ev.features(Side::kReal);
  const std::vector<float>& want = (*cpu)->features(Side::kReal);
  ASSERT_EQ(got.size(), size_t(2) * 2048);
  ASSERT_EQ(want.size(), got.size());
  for (size_t row = 0; row < 2; ++row) {
    const std::vector<float> g(got.begin() + ptrdiff_t(row * 2048),
                               got.begin() + ptrdiff_t((row + 1) * 2048));
    const std::vector<float> w(want.begin() + ptrdiff_t(row * 2048),
                               want.begin() + ptrdiff_t((row + 1) * 2048));
    EXPECT_LE(max_rel_diff(g, w), kPool3Tol) << "row " << row;
  }
}

// With no batch size given, a device backend's batch comes from its free memory (the emulator's
// cudaMemGetInfo: a fixed total minus what is allocated); the CPU keeps the default of 16.
TEST(EmuNetwork, BatchSizeFromFreeDeviceMemory) {
  std::string err;
  const std::string weights =
      write_synthetic_weights_file(::testing::TempDir() + "fidcpp_emu_batch.safetensors", false, &err);
  ASSERT_FALSE(weights.empty()) << err;
  const std::vector<uint8_t> pixel(3, 100);
  RgbImageView one;
  one.data = pixel.data(), one.height = 1, one.width = 1, one.row_stride = 3, one.pixel_stride = 3;
  const size_t saved = cudaemu::options().device_memory;
  int batch[3];
  int i = 0;
  for (size_t gib : {size_t(16), size_t(2), size_t(0)}) {
    cudaemu::options().device_memory = gib << 30;
    EvaluatorConfig config;
    config.weights_path = weights;
    if (gib) config.make_backend = [] { return create_emulated_cuda_backend(); };
    auto ev = EvaluatorCore::create(config);
    ASSERT_TRUE(ev.ok());
    ASSERT_TRUE((*ev)->add_image(Side::kReal, one).ok());  // loads the network; the batch is not full
    batch[i++] = (*ev)->batch_size();
  }
  cudaemu::options().device_memory = saved;
  EXPECT_EQ(batch[0], 128);  // 16 GiB: capped
  // 2 GiB: (2 GiB - ~95 MB of weights - 1 GiB reserve) / 16 MiB per image
  EXPECT_GE(batch[1], 54);
  EXPECT_LE(batch[1], 60);
  EXPECT_EQ(batch[2], 16);  // CPU backend
}

// Without CUDA (the CPU device, or a build without it) the C API says so instead of reading a device pointer.
// With --device cuda the evaluator's FID goes through the backend's cuSOLVER path (emulated here): bitwise
// the device routine on the evaluator's own statistics, not the CPU's Cholesky route, and within round-off of
// it. The 64-d tap keeps the emulated forward short.
TEST(EmuNetwork, EvaluatorFidRunsOnTheDevice) {
  std::string err;
  const std::string weights =
      write_synthetic_weights_file(::testing::TempDir() + "fidcpp_emu_fid.safetensors", false, &err);
  ASSERT_FALSE(weights.empty()) << err;
  EvaluatorConfig config;
  config.weights_path = weights;
  config.tap = InceptionTap::k64;
  config.batch_size = 3;
  config.make_backend = [] { return create_emulated_cuda_backend(); };
  auto ev = EvaluatorCore::create(config);
  ASSERT_TRUE(ev.ok()) << ev.status().to_string();
  for (int i = 0; i < 6; ++i) {
    std::vector<uint8_t> px(size_t(12) * 9 * 3);
    for (size_t j = 0; j < px.size(); ++j) px[j] = static_cast<uint8_t>((j * (7 + i) + 31 * i) % 256);
    RgbImageView v;
    v.data = px.data(), v.height = 9, v.width = 12, v.row_stride = 36, v.pixel_stride = 3;
    ASSERT_TRUE((*ev)->add_image(i < 3 ? Side::kReal : Side::kGenerated, v).ok());
  }
  ASSERT_TRUE((*ev)->flush().ok());
  EXPECT_TRUE((*ev)->moments_on_backend()) << "the feature sums were accumulated on the host";
  auto fid = (*ev)->fid();
  ASSERT_TRUE(fid.ok()) << fid.status().to_string();
  auto a = (*ev)->stats(Side::kReal), b = (*ev)->stats(Side::kGenerated);
  ASSERT_TRUE(a.ok() && b.ok());
  auto linalg = create_emulated_linalg();
  auto device = cuda_frechet_distance(*linalg, nullptr, a->mu.data(), a->sigma.data(), b->mu.data(),
                                      b->sigma.data(), a->dim);
  ASSERT_TRUE(device.ok()) << device.status().to_string();
  auto cpu = frechet_distance(*a, *b);
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(std::memcmp(&*fid, &*device, sizeof(double)), 0) << *fid << " vs the device routine " << *device;
  EXPECT_NE(std::memcmp(&*fid, &*cpu, sizeof(double)), 0)
      << "bitwise the CPU Cholesky result: not the device path";
  EXPECT_NEAR(*fid, *cpu, 1e-9 * std::fabs(*cpu));
  EXPECT_GT(*fid, 0.0);
}

// KID, precision/recall and density/coverage of a CUDA evaluator run their products on the device: KID with
// float32 Gram matrices (where the emulated device's sgemm and the CPU BLAS round differently) is bitwise
// the device products' result and not the CPU BLAS's, and all three agree with the CPU path.
TEST(EmuNetwork, EvaluatorKidAndPrcRunOnTheDevice) {
  std::string err;
  const std::string weights =
      write_synthetic_weights_file(::testing::TempDir() + "fidcpp_emu_kid.safetensors", false, &err);
  ASSERT_FALSE(weights.empty()) << err;
  EvaluatorConfig config;
  config.weights_path = weights;
  config.tap = InceptionTap::k64;
  config.batch_size = 8;
  config.keep_features = true;
  config.make_backend = [] { return create_emulated_cuda_backend(); };
  auto ev = EvaluatorCore::create(config);
  ASSERT_TRUE(ev.ok()) << ev.status().to_string();
  for (int side = 0; side < 2; ++side) {
    for (int i = 0; i < 8; ++i) {
      int w = 0, h = 0;
      const auto px = fidcpp::testing::parity_image(i, side == 1, &w, &h);
      RgbImageView v;
      v.data = px.data(), v.width = w, v.height = h, v.row_stride = size_t(w) * 3, v.pixel_stride = 3;
      ASSERT_TRUE((*ev)->add_image(side ? Side::kGenerated : Side::kReal, v).ok());
    }
  }
  ASSERT_TRUE((*ev)->flush().ok());
  const std::vector<float>& real = (*ev)->features(Side::kReal);
  const std::vector<float>& gen = (*ev)->features(Side::kGenerated);
  ASSERT_EQ(real.size(), size_t(8) * 64);
  auto device = create_emulated_cuda_backend();
  ASSERT_TRUE(device.ok());
  KidOptions ko;
  ko.subsets = 3;
  ko.subset_size = 6;
  ko.precision = KidPrecision::kFloat32Numpy;
  auto kid = (*ev)->kid(ko);
  ASSERT_TRUE(kid.ok()) << kid.status().to_string();
  auto cpu = kernel_inception_distance(gen.data(), 8, real.data(), 8, 64, ko);
  ko.products = (*device)->matrix_products();
  auto dev = kernel_inception_distance(gen.data(), 8, real.data(), 8, 64, ko);
  ASSERT_TRUE(cpu.ok() && dev.ok());
  EXPECT_EQ(std::memcmp(&kid->mean, &dev->mean, sizeof(double)), 0) << kid->mean << " vs " << dev->mean;
  EXPECT_NE(std::memcmp(&kid->mean, &cpu->mean, sizeof(double)), 0)
      << "bitwise the CPU BLAS result: not the device path";
  EXPECT_NEAR(kid->mean, cpu->mean, 5e-5 * std::fabs(cpu->mean));
  auto prc = (*ev)->prc(PrcOptions{});
  auto prc_cpu = precision_recall(gen.data(), 8, real.data(), 8, 64, PrcOptions{});
  ASSERT_TRUE(prc.ok() && prc_cpu.ok());
  EXPECT_EQ(prc->precision, prc_cpu->precision);
  EXPECT_EQ(prc->recall, prc_cpu->recall);
  auto dc = (*ev)->dc(DcOptions{});
  auto dc_cpu = density_coverage(real.data(), 8, gen.data(), 8, 64, DcOptions{});
  ASSERT_TRUE(dc.ok() && dc_cpu.ok());
  EXPECT_EQ(dc->density, dc_cpu->density);
  EXPECT_EQ(dc->coverage, dc_cpu->coverage);
}

// The emulated twin of the gpu test GpuEvaluator.ThreeHundredImagesMatchTheCpu (same code; a few images and
// the 64-d tap, which keeps the emulated forward short): CPU vs CUDA through the evaluator, partial last
// batches, two device runs bitwise equal.
TEST(EmuNetwork, EvaluatorMatchesTheCpuWithPartialBatches) {
  std::string err;
  const std::string weights =
      write_synthetic_weights_file(::testing::TempDir() + "fidcpp_emu_parity.safetensors", false, &err);
  ASSERT_FALSE(weights.empty()) << err;
  fidcpp::testing::expect_evaluator_parity([] { return create_emulated_cuda_backend(); }, weights,
                                           InceptionTap::k64, 64, 5, 3, 2, 1e-5, 1e-6);
}

// The same through deferred streams in their two hostile orders (cudaemu::Options::streams), one image a
// batch so that every batch's upload overlaps the previous forward: others first runs each upload's copy
// before the forward still in flight, which must read the other input buffer; awaited first runs each forward
// as early as its waits allow, which must include its copy.
TEST(EmuNetwork, EvaluatorOverlapsUploadsWithTheForwardInHostileStreamOrders) {
  std::string err;
  const std::string weights =
      write_synthetic_weights_file(::testing::TempDir() + "fidcpp_emu_streams.safetensors", false, &err);
  ASSERT_FALSE(weights.empty()) << err;
  using S = cudaemu::Options::Streams;
  for (S order : {S::kDeferOthersFirst, S::kDeferAwaitedFirst}) {
    SCOPED_TRACE(fidcpp::testing::StreamOrder::name(order));
    fidcpp::testing::StreamOrder guard(order);
    fidcpp::testing::expect_evaluator_parity([] { return create_emulated_cuda_backend(); }, weights,
                                             InceptionTap::k64, 64, 3, 2, 1, 1e-5, 1e-6);
  }
}

TEST(EmuNetwork, DevicePointerInputOnTheCpuIsUnsupported) {
  fidcpp_options o;
  fidcpp_options_default(&o);
  o.device = FIDCPP_DEVICE_CPU;
  o.weights_path = "/nonexistent/weights.safetensors";  // refused before the network would be loaded
  fidcpp_evaluator* e = nullptr;
  ASSERT_EQ(fidcpp_evaluator_create(&o, &e), FIDCPP_STATUS_OK) << fidcpp_last_error();
  const uint8_t dummy[12] = {};
  EXPECT_EQ(
      fidcpp_evaluator_add_images_device(e, FIDCPP_SIDE_REAL, dummy, 1, 2, 2, 6, FIDCPP_PIXEL_RGB8, nullptr),
      FIDCPP_STATUS_UNSUPPORTED);
  EXPECT_NE(std::string(fidcpp_evaluator_last_error(e)).find("CUDA"), std::string::npos)
      << fidcpp_evaluator_last_error(e);
  EXPECT_EQ(fidcpp_evaluator_add_images_device(e, FIDCPP_SIDE_REAL, dummy, 1, 2, 2, 6, FIDCPP_PIXEL_MAX_ENUM,
                                               nullptr),
            FIDCPP_STATUS_INVALID_ARGUMENT);
  fidcpp_evaluator_destroy(e);
}

}  // namespace
