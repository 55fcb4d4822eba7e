// Binding the FID Inception-v3 weights: exact name/shape validation of a TensorMap (pytorch-fid names), BN
// folded into conv weights + bias (docs/conventions.md §1.2), and the result prepared (packed/uploaded) once
// for a backend.
#pragma once

#include <memory>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "io/tensor_map.h"
#include "model/inception_table.h"

namespace fidcpp {

// One BasicConv2d with BN folded: weight' = weight * scale, bias' = beta - mean * scale,
// scale = gamma / sqrt(var + 0.001), computed in double and rounded once to float.
struct FoldedConv {
  const ConvUnitSpec* spec = nullptr;
  std::vector<float> weight;  // [cout, cin, kh, kw]
  std::vector<float> bias;    // [cout]
};

struct InceptionParams {
  std::vector<FoldedConv> convs;  // kNumConvUnits, in inception_table.h order
  bool has_fc = false;
  std::vector<float> fc_weight;  // [1008, 2048] when has_fc
  std::vector<float> fc_bias;    // [1008] when has_fc
};

// Validates every tensor (presence, shape, finite values, var + eps > 0) and folds BN. The fc layer is loaded
// when present; require_fc makes its absence an error that names the missing tensor.
Result<InceptionParams> fold_inception_params(const TensorMap& weights, bool require_fc);

// The parameters prepared for one backend (must outlive nothing but the backend it was prepared on).
struct PreparedInception {
  std::vector<std::unique_ptr<PreparedConv>> convs;  // kNumConvUnits, table order
  std::unique_ptr<PreparedLinear> fc;                // null when the weights have no fc layer
};

// Folds and prepares unit by unit straight from the weights, dropping each unit's pages of a mapped file once
// it is prepared: loading holds the prepared weights plus one unit, never a folded copy of the whole network.
Result<PreparedInception> prepare_inception(Backend& backend, const TensorMap& weights, bool require_fc);
Result<PreparedInception> prepare_inception(Backend& backend, const InceptionParams& params);
// Consumes the parameters, freeing each unit's host copy once it is prepared (lower peak memory).
Result<PreparedInception> prepare_inception(Backend& backend, InceptionParams&& params);

}  // namespace fidcpp
