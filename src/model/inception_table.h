// The FID Inception-v3 parameter table, written once (docs/conventions.md §1.3–1.4, §1.8.2): the 94
// BasicConv2d units in module-definition order with their geometry, and the names of every tensor the weights
// file must hold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fidcpp {

struct ConvUnitSpec {
  const char* prefix;  // pytorch-fid state-dict prefix, e.g. "Mixed_6b.branch7x7_2"
  int cin, cout;
  int kh, kw;
  int stride;  // same in both axes for every unit of this network
  int ph, pw;
};

constexpr int kInceptionInputSize = 299;  // network input is 3 x 299 x 299
constexpr int kNumConvUnits = 94;
constexpr int kFcOut = 1008;
constexpr int kPool3Dim = 2048;
constexpr float kBnEps = 0.001f;  // docs/conventions.md §1.2

// All 94 units, module-definition order (= concatenation order of the branches).
const ConvUnitSpec* conv_units();
// The side of unit `unit`'s square input map at the network's 299 x 299 input (the stem shrinks it, each
// mixed block's branches start from the block's input), or 0 for an index out of range. Backends that keep
// one form of a layer's weights (the CPU's Winograd or direct panels) choose it from this.
int conv_unit_input_size(int unit);

// True for the pool branches' 1x1 units of the blocks that average-pool (Mixed_5b-5d, 6b-6e, 7b): the
// forward runs them on the block's input and pools their pre-activation (average pool and 1x1 convolution
// commute; docs/conventions.md §1.5), so they are prepared without their ReLU, which follows the pool.
bool conv_unit_pools_after(int unit);

// Index of a unit by prefix, or -1.
int conv_unit_index(const std::string& prefix);

struct ParamSpec {
  std::string name;  // e.g. "Mixed_5b.branch1x1.bn.running_var"
  std::vector<int64_t> shape;
};

// Every float tensor of the pytorch-fid state dict (94 x 5 conv/BN tensors, then fc.weight and fc.bias when
// with_fc). num_batches_tracked entries are not part of it: they are int64 and unused.
std::vector<ParamSpec> inception_param_specs(bool with_fc);

}  // namespace fidcpp
