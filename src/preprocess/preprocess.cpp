// The per-mode preprocessing pipeline (docs/conventions.md §2.1-2.7): resize kernels from src/backend/cpu
// plus each reference's normalisation.
#include "preprocess/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "preprocess/resize_aa_bilinear.h"
#include "preprocess/resize_bilinear.h"
#include "preprocess/resize_grid_sample.h"
#include "preprocess/resize_pil_bicubic.h"
#include "preprocess/resize_tf1.h"
#include "core/aligned_buffer.h"

namespace fidcpp {

namespace {

struct ModeName {
  PreprocessMode mode;
  const char* name;
};
constexpr ModeName kModeNames[] = {
    {PreprocessMode::kTorchFidelity, "torch-fidelity"},
    {PreprocessMode::kTorchmetrics, "torchmetrics"},
    {PreprocessMode::kPytorchFid, "pytorch-fid"},
    {PreprocessMode::kCleanFid, "clean-fid"},
    {PreprocessMode::kCleanFidLegacyTf, "clean-fid-legacy-tf"},
};

// pytorch-fid's ToTensor: float32(v) / 255 with one rounding.
const float* unit_level_table() {
  static const struct Table {
    float v[256];
    Table() {
      for (int i = 0; i < 256; ++i) v[i] = static_cast<float>(i) / 255.0f;
    }
  } table;
  return table.v;
}

}  // namespace

const char* preprocess_mode_name(PreprocessMode mode) {
  for (const ModeName& m : kModeNames)
    if (m.mode == mode) return m.name;
  return nullptr;
}

Result<PreprocessMode> preprocess_mode_from_value(int value) {
  for (const ModeName& m : kModeNames)
    if (static_cast<int>(m.mode) == value) return m.mode;
  return invalid_argument("preprocessing mode " + std::to_string(value) + " is not a mode");
}

Result<PreprocessMode> parse_preprocess_mode(const std::string& name) {
  std::string all;
  for (const ModeName& m : kModeNames) {
    if (name == m.name) return m.mode;
    all += all.empty() ? "" : ", ";
    all += m.name;
  }
  return invalid_argument("unknown preprocessing mode '" + name + "' (expected one of: " + all + ")");
}

// Weights for the last seen input size, per mode; rebuilt only when the size changes.
struct Preprocessor::Plans {
  int in_h = -1, in_w = -1;
  Tf1Axis tf1_y, tf1_x;
  BilinearAxis bl_y, bl_x;
  AaAxis aa_y, aa_x;
  PilBicubicAxis pil_y, pil_x;
  GridSampleAxis gs_y, gs_x;
  AlignedBuffer<float> scratch;
};

Preprocessor::Preprocessor(PreprocessMode mode, int out_size)
    : mode_(mode), out_size_(out_size), plans_(std::make_unique<Plans>()) {}
Preprocessor::~Preprocessor() = default;
Preprocessor::Preprocessor(Preprocessor&&) noexcept = default;
Preprocessor& Preprocessor::operator=(Preprocessor&&) noexcept = default;

Status Preprocessor::resize(const RgbImageView& im, float* out) {
  if (!im.data || !out) return invalid_argument("preprocess: null image or output pointer");
  if (im.height < 1 || im.width < 1 || im.height > kMaxPreprocessSide || im.width > kMaxPreprocessSide)
    return invalid_argument("preprocess: image size " + std::to_string(im.width) + "x" +
                            std::to_string(im.height) + " is outside 1.." +
                            std::to_string(kMaxPreprocessSide) + " per side");
  if (im.pixel_stride < 3 || im.row_stride < static_cast<ptrdiff_t>(im.width) * im.pixel_stride)
    return invalid_argument("preprocess: pixel stride " + std::to_string(im.pixel_stride) + " / row stride " +
                            std::to_string(im.row_stride) + " too small for width " +
                            std::to_string(im.width));
  if (out_size_ < 1 || out_size_ > kMaxPreprocessSide)
    return invalid_argument("preprocess: output size " + std::to_string(out_size_) + " out of range");
  Plans& p = *plans_;
  const int n = out_size_;
  if (p.in_h != im.height || p.in_w != im.width) {
    p.in_h = p.in_w = -1;
    switch (mode_) {
      case PreprocessMode::kTorchFidelity:
        p.tf1_y = make_tf1_axis(im.height, n);
        p.tf1_x = make_tf1_axis(im.width, n);
        break;
      case PreprocessMode::kPytorchFid:
        p.bl_y = make_bilinear_axis(im.height, n);
        p.bl_x = make_bilinear_axis(im.width, n);
        break;
      case PreprocessMode::kTorchmetrics:
        p.aa_y = make_aa_axis(im.height, n);
        p.aa_x = make_aa_axis(im.width, n);
        break;
      case PreprocessMode::kCleanFid:
        p.pil_y = make_pil_bicubic_axis(im.height, n);
        p.pil_x = make_pil_bicubic_axis(im.width, n);
        break;
      case PreprocessMode::kCleanFidLegacyTf:
        p.gs_y = make_grid_sample_axis(im.height, n);
        p.gs_x = make_grid_sample_axis(im.width, n);
        break;
    }
    if (mode_ == PreprocessMode::kTorchmetrics || mode_ == PreprocessMode::kCleanFid) {
      const size_t need = mode_ == PreprocessMode::kCleanFid
                              ? pil_bicubic_scratch_size(im.height, im.width, n, n)
                              : static_cast<size_t>(im.height) * n;
      if (p.scratch.size() < need && !p.scratch.resize(need))
        return out_of_memory("preprocess: cannot allocate " + std::to_string(need * sizeof(float)) +
                             " bytes of resize scratch");
    }
    p.in_h = im.height;
    p.in_w = im.width;
  }
  const size_t plane = static_cast<size_t>(n) * n;
  for (int c = 0; c < 3; ++c) {
    ResizeSource src;
    src.pixels = im.data + c;
    src.height = im.height;
    src.width = im.width;
    src.row_stride = im.row_stride;
    src.pixel_stride = im.pixel_stride;
    src.lut = mode_ == PreprocessMode::kPytorchFid ? unit_level_table() : identity_level_table();
    float* dst = out + c * plane;
    switch (mode_) {
      case PreprocessMode::kTorchFidelity:
        resize_tf1(src, p.tf1_y, p.tf1_x, dst);
        break;
      case PreprocessMode::kPytorchFid:
        resize_bilinear(src, p.bl_y, p.bl_x, dst);
        break;
      case PreprocessMode::kTorchmetrics:
        resize_aa_bilinear(src, p.aa_y, p.aa_x, p.scratch.data(), dst);
        break;
      case PreprocessMode::kCleanFid:
        resize_pil_bicubic(src, p.pil_y, p.pil_x, p.scratch.data(), dst);
        // clean-fid clips the bicubic overshoot and keeps the float values (no re-quantisation).
        for (size_t k = 0; k < plane; ++k) dst[k] = std::min(255.0f, std::max(dst[k], 0.0f));
        break;
      case PreprocessMode::kCleanFidLegacyTf:
        resize_grid_sample(src, p.gs_y, p.gs_x, dst);
        break;
    }
  }
  return Status::ok_status();
}

Status Preprocessor::resize_only(const RgbImageView& image, float* out) {
  return resize(image, out);
}

Status Preprocessor::run(const RgbImageView& image, float* out) {
  FIDCPP_RETURN_IF_ERROR(resize(image, out));
  const size_t total = 3 * static_cast<size_t>(out_size_) * out_size_;
  if (mode_ == PreprocessMode::kPytorchFid) {
    for (size_t k = 0; k < total; ++k) out[k] = 2.0f * out[k] - 1.0f;
  } else {
    // Dividing by 128 equals multiplying by 2^-7 exactly, which is what the TF graph does.
    for (size_t k = 0; k < total; ++k) out[k] = (out[k] - 128.0f) * 0.0078125f;
  }
  return Status::ok_status();
}

Status float_to_uint8_torchmetrics(const float* src, size_t n, uint8_t* dst, const std::string& what) {
  for (size_t i = 0; i < n; ++i) {
    const float v = src[i] * 255.0f;
    // Truncation toward zero is defined for (-1, 256); NaN fails both comparisons.
    if (!(v > -1.0f && v < 256.0f)) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(src[i]));
      return invalid_argument(
          what + ": value " + buf + " at index " + std::to_string(i) +
          " is outside the range torchmetrics' (x * 255).byte() converts (expected [0, 1])");
    }
    dst[i] = static_cast<uint8_t>(static_cast<int>(v));
  }
  return Status::ok_status();
}

}  // namespace fidcpp
