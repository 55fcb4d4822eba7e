// SplitMix64: the seeded PRNG shared by the C++ tests and tools/*.py reference generators, so large synthetic
// inputs (random weights, images) are regenerated on both sides instead of being committed.
#pragma once

#include <cstdint>

namespace fidcpp {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 24 random bits: exactly representable in float32, identical in numpy.
  float uniform_f32() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform_f64() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  uint8_t byte() { return static_cast<uint8_t>(next() >> 56); }

 private:
  uint64_t s_;
};

}  // namespace fidcpp
