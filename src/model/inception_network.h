// One way to build the network on a backend: weights folded (BN into the convolutions), prepared on the
// backend, and the forward driver for the requested taps. The evaluator, the tests and the benches use it
// instead of each repeating fold -> prepare -> forward.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "io/tensor_map.h"
#include "model/inception_forward.h"
#include "model/inception_weights.h"

namespace fidcpp {

struct InceptionNetworkOptions {
  std::vector<InceptionTap> taps = {InceptionTap::k2048};
  int max_batch = 16;
  // Called once the weights are on the backend, before the forward driver allocates its activations: returns
  // the max_batch to use (the evaluator sizes it from free device memory). Empty: max_batch as given.
  std::function<Result<int>(Backend&)> choose_batch;
};

class InceptionNetwork {
 public:
  // Validated weights (load_inception_weights), folded with the fc layer when a tap needs the logits.
  static Result<InceptionNetwork> load(Backend& backend, const TensorMap& weights,
                                       const InceptionNetworkOptions& options);
  // Folded parameters; their host copies are freed as the units are prepared.
  static Result<InceptionNetwork> load(Backend& backend, InceptionParams&& params,
                                       const InceptionNetworkOptions& options);
  static Result<InceptionNetwork> load(Backend& backend, const InceptionParams& params,
                                       const InceptionNetworkOptions& options);

  InceptionForward& forward() { return *forward_; }
  const PreparedInception& prepared() const { return *prepared_; }

 private:
  static Result<InceptionNetwork> finish(Backend& backend, Result<PreparedInception> prepared,
                                         const InceptionNetworkOptions& options);
  // Heap-allocated: the forward driver refers to the prepared weights, which must not move with the network.
  std::unique_ptr<PreparedInception> prepared_;
  std::unique_ptr<InceptionForward> forward_;
};

}  // namespace fidcpp
