// numpy's add.reduce summation orders, reproduced so float32 results round exactly like the references':
// pairwise summation for contiguous reductions (8 accumulators, blocks of 128), plain sequential otherwise.
#pragma once

#include <cstdint>

namespace fidcpp {

// np.sum over a contiguous (or strided) 1-D run, accumulating in T like numpy's T_pairwise_sum.
template <class T>
T numpy_pairwise_sum(const T* a, int64_t n, int64_t stride = 1) {
  if (n < 8) {
    T r = T(0);
    for (int64_t i = 0; i < n; ++i) r += a[i * stride];
    return r;
  }
  if (n <= 128) {
    T r[8];
    for (int k = 0; k < 8; ++k) r[k] = a[k * stride];
    int64_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int k = 0; k < 8; ++k) r[k] += a[(i + k) * stride];
    }
    T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i * stride];
    return res;
  }
  int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise_sum(a, n2, stride) + numpy_pairwise_sum(a + n2 * stride, n - n2, stride);
}

}  // namespace fidcpp
