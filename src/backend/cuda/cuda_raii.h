// RAII owners for CUDA resources (device/pinned buffers, streams), so that no error path needs a cleanup
// chain.
#pragma once

#include <cstddef>
#include <utility>

#include "backend/cuda/cuda_check.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  ~DeviceBuffer() { reset(); }

  // Discards the contents; exact size so that the emulated build's ASan sees overruns.
  Status allocate(size_t n) {
    reset();
    if (n == 0) return Status();
    FIDCPP_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T)));
    n_ = n;
    return Status();
  }
  void reset() {
    if (p_) (void)cudaFree(p_);
    p_ = nullptr;
    n_ = 0;
  }
  T* get() const { return p_; }
  size_t size() const { return n_; }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
};

class CudaStream {
 public:
  CudaStream() = default;
  CudaStream(const CudaStream&) = delete;
  CudaStream& operator=(const CudaStream&) = delete;
  ~CudaStream() {
    if (s_) (void)cudaStreamDestroy(s_);
  }
  Status create() {
    FIDCPP_CUDA_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking));
    return Status();
  }
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_ = nullptr;
};

// Page-locked host memory (cudaHostAlloc), the source of asynchronous uploads.
template <class T>
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() { reset(); }
  Status allocate(size_t n) {
    reset();
    if (n == 0) return Status();
    FIDCPP_CUDA_CHECK(cudaHostAlloc(reinterpret_cast<void**>(&p_), n * sizeof(T), cudaHostAllocDefault));
    n_ = n;
    return Status();
  }
  void reset() {
    if (p_) (void)cudaFreeHost(p_);
    p_ = nullptr;
    n_ = 0;
  }
  T* get() const { return p_; }
  size_t size() const { return n_; }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
};

// An instantiated CUDA graph.
class CudaGraphExec {
 public:
  CudaGraphExec() = default;
  CudaGraphExec(const CudaGraphExec&) = delete;
  CudaGraphExec& operator=(const CudaGraphExec&) = delete;
  CudaGraphExec(CudaGraphExec&& o) noexcept : g_(std::exchange(o.g_, nullptr)) {}
  ~CudaGraphExec() {
    if (g_) (void)cudaGraphExecDestroy(g_);
  }
  // Instantiates `graph` and destroys it.
  Status instantiate(cudaGraph_t graph) {
    const cudaError_t e = cudaGraphInstantiate(&g_, graph, 0);
    (void)cudaGraphDestroy(graph);
    FIDCPP_CUDA_CHECK(e);
    return Status();
  }
  cudaGraphExec_t get() const { return g_; }

 private:
  cudaGraphExec_t g_ = nullptr;
};

// An event for ordering work across streams (no timing).
class CudaEvent {
 public:
  CudaEvent() = default;
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  ~CudaEvent() {
    if (e_) (void)cudaEventDestroy(e_);
  }
  Status create() {
    FIDCPP_CUDA_CHECK(cudaEventCreateWithFlags(&e_, cudaEventDisableTiming));
    return Status();
  }
  cudaEvent_t get() const { return e_; }

 private:
  cudaEvent_t e_ = nullptr;
};

FIDCPP_CUDA_NAMESPACE_END
