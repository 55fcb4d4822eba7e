// Sets cudaemu's stream order (cudaemu::Options::streams) for a scope. Declare it before the backend or
// evaluator whose streams it should govern, so that they are destroyed, their queues run, before it restores
// the previous order.
#pragma once

#include "cuda_compat.h"

namespace fidcpp {
namespace testing {

class StreamOrder {
 public:
  explicit StreamOrder(cudaemu::Options::Streams order) : saved_(cudaemu::options().streams) {
    cudaemu::options().streams = order;
  }
  StreamOrder(const StreamOrder&) = delete;
  StreamOrder& operator=(const StreamOrder&) = delete;
  ~StreamOrder() { cudaemu::options().streams = saved_; }

  static const char* name(cudaemu::Options::Streams order) {
    switch (order) {
      case cudaemu::Options::Streams::kDeferOthersFirst:
        return "deferred streams, others first";
      case cudaemu::Options::Streams::kDeferAwaitedFirst:
        return "deferred streams, awaited first";
      default:
        return "immediate streams";
    }
  }

 private:
  cudaemu::Options::Streams saved_;
};

}  // namespace testing
}  // namespace fidcpp
