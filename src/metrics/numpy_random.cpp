// numpy legacy RandomState: MT19937 (Matsumoto & Nishimura) and numpy's legacy interval/shuffle
// (docs/conventions.md §5.4).
#include "metrics/numpy_random.h"

#include <string>
#include <utility>

namespace fidcpp {

namespace {
constexpr int kN = 624;
constexpr int kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfu;
constexpr uint32_t kUpperMask = 0x80000000u;
constexpr uint32_t kLowerMask = 0x7fffffffu;
}  // namespace

NumpyRandomState::NumpyRandomState(uint32_t seed) {
  mt_[0] = seed;
  for (int i = 1; i < kN; ++i) {
    mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<uint32_t>(i);
  }
  pos_ = kN;
}

void NumpyRandomState::regenerate() {
  for (int i = 0; i < kN; ++i) {
    const uint32_t y = (mt_[i] & kUpperMask) | (mt_[(i + 1) % kN] & kLowerMask);
    mt_[i] = mt_[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
  }
  pos_ = 0;
}

uint32_t NumpyRandomState::next_u32() {
  if (pos_ >= kN) regenerate();
  uint32_t y = mt_[pos_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

uint64_t NumpyRandomState::next_u64() {
  // numpy's legacy MT19937 64-bit draw: high word first.
  const uint64_t hi = next_u32();
  const uint64_t lo = next_u32();
  return (hi << 32) | lo;
}

uint64_t NumpyRandomState::interval(uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  uint64_t value;
  if (max <= 0xffffffffull) {
    do {
      value = next_u32() & mask;
    } while (value > max);
  } else {
    do {
      value = next_u64() & mask;
    } while (value > max);
  }
  return value;
}

std::vector<int64_t> NumpyRandomState::permutation(int64_t n) {
  std::vector<int64_t> a(n > 0 ? static_cast<size_t>(n) : 0);
  for (int64_t i = 0; i < n; ++i) a[static_cast<size_t>(i)] = i;
  for (int64_t i = n - 1; i >= 1; --i) {
    const uint64_t j = interval(static_cast<uint64_t>(i));
    std::swap(a[static_cast<size_t>(i)], a[static_cast<size_t>(j)]);
  }
  return a;
}

void NumpyRandomState::shuffle(std::vector<int64_t>& a) {
  for (int64_t i = static_cast<int64_t>(a.size()) - 1; i >= 1; --i) {
    const uint64_t j = interval(static_cast<uint64_t>(i));
    std::swap(a[static_cast<size_t>(i)], a[static_cast<size_t>(j)]);
  }
}

Result<std::vector<int64_t>> NumpyRandomState::choice_without_replacement(int64_t n, int64_t m) {
  if (n < 0 || m < 0 || m > n) {
    return invalid_argument("choice without replacement: cannot take " + std::to_string(m) + " of " +
                            std::to_string(n) + " items");
  }
  std::vector<int64_t> p = permutation(n);
  p.resize(static_cast<size_t>(m));
  return p;
}

}  // namespace fidcpp
