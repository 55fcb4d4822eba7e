// AlignedBuffer<T>: a 64-byte aligned, owning, non-copyable array for activations, weights and packed panels.
// Buffers of 1 MiB and more are mapped straight from the OS (and unmapped when freed): the packed weights
// then never sit in the malloc heap between the temporaries of loading, whose holes the heap would keep
// resident (docs/edge.md "Footprint").
#pragma once

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define FIDCPP_ALIGNED_BUFFER_MMAP 1
#endif

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace fidcpp {

template <class T>
class AlignedBuffer {
 public:
  static constexpr size_t kAlignment = 64;
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t n) { resize(n); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  static constexpr size_t kMapBytes = size_t(1) << 20;
  AlignedBuffer(AlignedBuffer&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)), mapped_(std::exchange(o.mapped_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    if (this != &o) {
      release();
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
      mapped_ = std::exchange(o.mapped_, 0);
    }
    return *this;
  }
  ~AlignedBuffer() { release(); }

  // Discards the contents. Returns false if the allocation failed (buffer is then empty).
  bool resize(size_t n) {
    release();
    if (n == 0) return true;
    if (n > (~size_t(0) - kAlignment) / sizeof(T)) return false;
    size_t bytes = ((n * sizeof(T) + kAlignment - 1) / kAlignment) * kAlignment;
#ifdef FIDCPP_ALIGNED_BUFFER_MMAP
    if (bytes >= kMapBytes) {
      void* m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED) return false;
      p_ = static_cast<T*>(m);
      mapped_ = bytes;
      n_ = n;
      return true;
    }
#endif
    p_ = static_cast<T*>(std::aligned_alloc(kAlignment, bytes));
    if (!p_) return false;
    n_ = n;
    return true;
  }
  void zero() {
    if (p_) std::memset(static_cast<void*>(p_), 0, n_ * sizeof(T));
  }
  T* data() {
    return p_;
  }
  const T* data() const {
    return p_;
  }
  size_t size() const {
    return n_;
  }
  bool empty() const {
    return n_ == 0;
  }
  T& operator[](size_t i) {
    return p_[i];
  }
  const T& operator[](size_t i) const {
    return p_[i];
  }
  T* begin() {
    return p_;
  }
  T* end() {
    return p_ + n_;
  }
  const T* begin() const {
    return p_;
  }
  const T* end() const {
    return p_ + n_;
  }

 private:
  void release() {
#ifdef FIDCPP_ALIGNED_BUFFER_MMAP
    if (mapped_) ::munmap(static_cast<void*>(p_), mapped_);
#endif
    if (!mapped_) std::free(p_);
    p_ = nullptr;
    n_ = 0;
    mapped_ = 0;
  }
  T* p_ = nullptr;
  size_t n_ = 0;
  size_t mapped_ = 0;  // bytes mapped by mmap (0: from aligned_alloc)
};

}  // namespace fidcpp
