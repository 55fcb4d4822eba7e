"""SplitMix64, an exact port of src/core/splitmix64.h, shared by the reference generators and the C++ tests.

Scalar methods mirror the C++ class call for call; the *_array helpers return the next n outputs at once
(vectorised with numpy, identical to n successive scalar calls) and advance the state accordingly.
"""
import numpy as np

_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB


class SplitMix64:
    def __init__(self, seed):
        self.s = int(seed) & _MASK

    def next(self):
        self.s = (self.s + _GAMMA) & _MASK
        z = self.s
        z = ((z ^ (z >> 30)) * _M1) & _MASK
        z = ((z ^ (z >> 27)) * _M2) & _MASK
        return z ^ (z >> 31)

    def uniform_f32(self):
        """Uniform in [0, 1) with 24 random bits (exact in float32), returned as a Python float."""
        return float(self.next() >> 40) * (1.0 / 16777216.0)

    def uniform_f64(self):
        return float(self.next() >> 11) * (1.0 / 9007199254740992.0)

    def byte(self):
        return self.next() >> 56

    # --- vectorised: the next n outputs -------------------------------------------------------------------
    def next_array(self, n):
        n = int(n)
        with np.errstate(over="ignore"):
            k = np.arange(1, n + 1, dtype=np.uint64)
            z = np.uint64(self.s) + k * np.uint64(_GAMMA)  # uint64 arithmetic wraps like C++
            z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
            z = z ^ (z >> np.uint64(31))
        self.s = (self.s + n * _GAMMA) & _MASK
        return z

    def uniform_f32_array(self, n):
        """float32 array; each value equals the C++ uniform_f32()."""
        return ((self.next_array(n) >> np.uint64(40)).astype(np.float32) * np.float32(1.0 / 16777216.0))

    def byte_array(self, n):
        return (self.next_array(n) >> np.uint64(56)).astype(np.uint8)


def _self_test():
    a, b = SplitMix64(1234567), SplitMix64(1234567)
    arr = a.next_array(5)
    assert [int(v) for v in arr] == [b.next() for _ in range(5)]
    assert a.s == b.s
    # Known answer for seed 0 (first output of the reference splitmix64.c by Vigna).
    assert SplitMix64(0).next() == 0xE220A8397B1DCDAF


if __name__ == "__main__":
    _self_test()
    print("splitmix64 self-test ok")
