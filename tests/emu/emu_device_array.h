// Helpers shared by the emulated kernel tests: a device array with RAII and a scope that sets the fiber
// order.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "cuda_compat.h"

namespace fidcpp {
namespace testing {

constexpr cudaemu::Order kAllOrders[] = {cudaemu::Order::Forward, cudaemu::Order::Reverse,
                                         cudaemu::Order::Random};

// Sets the emulator's fiber resume order for the scope and names it in failure messages.
class OrderScope {
 public:
  explicit OrderScope(cudaemu::Order o)
      : saved_(cudaemu::options().order),
        trace_(__FILE__, __LINE__,
               o == cudaemu::Order::Forward   ? "order=forward"
               : o == cudaemu::Order::Reverse ? "order=reverse"
                                              : "order=random") {
    cudaemu::options().order = o;
  }
  ~OrderScope() { cudaemu::options().order = saved_; }

 private:
  cudaemu::Order saved_;
  ::testing::ScopedTrace trace_;
};

template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(size_t n) : n_(n) {
    EXPECT_EQ(cudaMalloc(&p_, n * sizeof(T)), cudaSuccess);
    // NaN / all-ones bytes, so that elements a kernel fails to write stand out.
    EXPECT_EQ(cudaMemset(p_, 0xFF, n * sizeof(T)), cudaSuccess);
  }
  explicit DeviceArray(const std::vector<T>& v) : DeviceArray(v.size()) {
    EXPECT_EQ(cudaMemcpy(p_, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { cudaFree(p_); }
  T* get() { return p_; }
  size_t size() const { return n_; }
  std::vector<T> download() const {
    std::vector<T> v(n_);
    EXPECT_EQ(cudaMemcpy(v.data(), p_, n_ * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
    return v;
  }

 private:
  T* p_ = nullptr;
  size_t n_;
};

}  // namespace testing
}  // namespace fidcpp
