// fold -> prepare -> forward, once (inception_network.h).
#include "model/inception_network.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <utility>

namespace fidcpp {

Result<InceptionNetwork> InceptionNetwork::load(Backend& backend, const TensorMap& weights,
                                                const InceptionNetworkOptions& options) {
  const bool logits = std::any_of(options.taps.begin(), options.taps.end(), [](InceptionTap t) {
    return t == InceptionTap::kLogits || t == InceptionTap::kLogitsUnbiased;
  });
  return finish(backend, prepare_inception(backend, weights, logits), options);
}

Result<InceptionNetwork> InceptionNetwork::load(Backend& backend, InceptionParams&& params,
                                                const InceptionNetworkOptions& options) {
  return finish(backend, prepare_inception(backend, std::move(params)), options);
}

Result<InceptionNetwork> InceptionNetwork::load(Backend& backend, const InceptionParams& params,
                                                const InceptionNetworkOptions& options) {
  return finish(backend, prepare_inception(backend, params), options);
}

Result<InceptionNetwork> InceptionNetwork::finish(Backend& backend, Result<PreparedInception> prepared,
                                                  const InceptionNetworkOptions& options) {
  if (!prepared.ok()) return prepared.status();
#ifdef __GLIBC__
  malloc_trim(0);  // the heap pages of loading's temporaries go back to the OS (docs/edge.md "Footprint")
#endif
  InceptionNetwork net;
  net.prepared_ = std::make_unique<PreparedInception>(std::move(prepared).value());
  int max_batch = options.max_batch;
  if (options.choose_batch) {
    FIDCPP_ASSIGN_OR_RETURN(max_batch, options.choose_batch(backend));
  }
  FIDCPP_ASSIGN_OR_RETURN(net.forward_,
                          InceptionForward::create(backend, *net.prepared_, options.taps, max_batch));
  return Result<InceptionNetwork>(std::move(net));
}

}  // namespace fidcpp
