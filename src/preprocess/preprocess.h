// Preprocessing modes: how each reference turns an 8-bit RGB image into the 3x299x299 float32 network input
// (docs/conventions.md §2.1-2.7), and the torchmetrics normalize=True float -> uint8 conversion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "model/inception_table.h"
#include "preprocess/image_view.h"

namespace fidcpp {

// Numbered as the C API's fidcpp_mode (c_api.cpp checks it), so that mapping is the identity. The names are
// spelled once, in preprocess.cpp's table; the CLI and the C API take them from there.
enum class PreprocessMode {
  kTorchFidelity = 0,    // "torch-fidelity" (default): TF1 legacy bilinear on 0..255, (v-128)/128      §2.2
  kTorchmetrics = 1,     // "torchmetrics": PyTorch antialiased bilinear on 0..255, (v-128)/128        §2.3
  kPytorchFid = 2,       // "pytorch-fid": PyTorch half-pixel bilinear on v/255, 2x-1                  §2.4
  kCleanFid = 3,         // "clean-fid": Pillow 'F' bicubic per channel, clip [0,255], (v-128)/128      §2.5
  kCleanFidLegacyTf = 4  // "clean-fid-legacy-tf": NVIDIA's grid_sample TF1 emulation, (v-128)/128     §2.6
};

constexpr PreprocessMode kDefaultPreprocessMode = PreprocessMode::kTorchFidelity;

// The mode's name; nullptr for a value that is not a mode.
const char* preprocess_mode_name(PreprocessMode mode);
// Accepts exactly the names above; the error lists them.
Result<PreprocessMode> parse_preprocess_mode(const std::string& name);
// The mode numbered `value`, or an error for a number that is not a mode.
Result<PreprocessMode> preprocess_mode_from_value(int value);

// Reusable per-thread preprocessor: caches the per-axis weights of the last input size and the scratch
// buffer, so a stream of same-sized images allocates nothing. Not thread-safe; use one per worker.
class Preprocessor {
 public:
  explicit Preprocessor(PreprocessMode mode, int out_size = kInceptionInputSize);
  ~Preprocessor();
  Preprocessor(Preprocessor&&) noexcept;
  Preprocessor& operator=(Preprocessor&&) noexcept;

  PreprocessMode mode() const { return mode_; }
  int out_size() const { return out_size_; }

  // Writes 3 * out_size * out_size floats (CHW) into `out`: the network input of the mode.
  Status run(const RgbImageView& image, float* out);
  // The same, stopping after the resize: values on the mode's input scale (0..255, or 0..1 for pytorch-fid;
  // clipped for clean-fid), before normalisation. Used by tests and diagnostics.
  Status resize_only(const RgbImageView& image, float* out);

 private:
  struct Plans;
  Status resize(const RgbImageView& image, float* out);
  PreprocessMode mode_;
  int out_size_;
  std::unique_ptr<Plans> plans_;
};

// torchmetrics normalize=True (§2.7): byte = truncate(float32(x * 255)). The reference does not clamp and its
// conversion of out-of-range values is unspecified, so here a value whose product is not in (-1, 256)
// (including NaN and infinities) is an error naming its index and value. `what` names the input in the
// message.
Status float_to_uint8_torchmetrics(const float* src, size_t n, uint8_t* dst, const std::string& what);

}  // namespace fidcpp
