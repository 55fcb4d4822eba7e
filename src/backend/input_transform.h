// The one pairing of preprocessing modes (preprocess/preprocess.h) and backend input transforms
// (backend/backend.h): the evaluator maps a mode to the transform a backend runs, the CPU backend maps a
// transform back to the Preprocessor of its mode.
#pragma once

#include "backend/backend.h"
#include "preprocess/preprocess.h"

namespace fidcpp {

struct ModeTransform {
  PreprocessMode mode;
  InputTransform transform;
};
constexpr ModeTransform kModeTransforms[] = {
    {PreprocessMode::kTorchFidelity, InputTransform::kTf1},
    {PreprocessMode::kTorchmetrics, InputTransform::kAaBilinear},
    {PreprocessMode::kPytorchFid, InputTransform::kHalfPixelBilinear},
    {PreprocessMode::kCleanFid, InputTransform::kPilBicubic},
    {PreprocessMode::kCleanFidLegacyTf, InputTransform::kGridSample},
};

inline InputTransform input_transform(PreprocessMode mode) {
  for (const auto& p : kModeTransforms)
    if (p.mode == mode) return p.transform;
  return InputTransform::kTf1;
}
inline PreprocessMode preprocess_mode_of(InputTransform transform) {
  for (const auto& p : kModeTransforms)
    if (p.transform == transform) return p.mode;
  return PreprocessMode::kTorchFidelity;
}

}  // namespace fidcpp
