// The matrices of the 1-D Toom-Cook (Winograd) algorithm F(m, r) on N = m + r - 1 points: the finite points
// p_0 .. p_{N-2} and infinity. For a correlation y[i] = sum_k g[k] d[i + k] of one tile (i < m, k < r):
//     y = A^T [ (G g) (.) (B^T d) ]
// with, for a finite point p_j (j < N - 1),
//     B^T[j][l] = coefficient of x^l in prod_{q != j} (x - p_q),
//     G[j][k]   = p_j^k / prod_{q != j} (p_j - p_q),
//     A^T[i][j] = p_j^i,
// and for the point at infinity (j = N - 1): B^T[j][l] = coefficient of x^l in prod_q (x - p_q),
// G[j] = e_{r-1}, A^T[i][j] = [i == m - 1].
// Everything is formed in double at compile time; the transforms round B^T and A^T to float once, the weight
// transform rounds G g once. F(4x4, 3x3) and F(2x2, 5x5) (winograd_cpu.cpp) use it with 0, +-7/10, +-3/2,
// and 1-D F(4, 7) with 0, +-1/2, +-1, +-3/2, +-5/2 (vector_kernels.inc checks its factored transforms against
// these matrices at compile time).
// Products of a symmetric pair (x - p)(x + p) are formed consecutively, so their odd coefficients are exact
// zeros, which the transforms skip.
#pragma once

namespace fidcpp {

template <int M, int R>
struct ToomCook {
  static constexpr int kM = M, kR = R, kN = M + R - 1;
  double bt[kN][kN] = {};
  double g[kN][R] = {};
  double at[M][kN] = {};
};

// `points` are the N - 1 finite points, pairs (p, -p) next to each other.
template <int M, int R>
constexpr ToomCook<M, R> toom_cook(const double (&points)[M + R - 2]) {
  constexpr int n = M + R - 1;
  ToomCook<M, R> t;
  for (int j = 0; j < n; ++j) {
    // prod over the finite points except p_j (all of them for infinity), lowest power first.
    double poly[n] = {};
    poly[0] = 1.0;
    int degree = 0;
    for (int q = 0; q < n - 1; ++q) {
      if (q == j) continue;
      for (int l = degree + 1; l > 0; --l) poly[l] = poly[l - 1] - points[q] * poly[l];
      poly[0] = -points[q] * poly[0];
      ++degree;
    }
    for (int l = 0; l < n; ++l) t.bt[j][l] = poly[l];
    if (j == n - 1) {
      t.g[j][R - 1] = 1.0;
      t.at[M - 1][j] = 1.0;
      continue;
    }
    double f = 1.0;
    for (int q = 0; q < n - 1; ++q)
      if (q != j) f *= points[j] - points[q];
    double pk = 1.0;
    for (int k = 0; k < R; ++k, pk *= points[j]) t.g[j][k] = pk / f;
    double pi = 1.0;
    for (int i = 0; i < M; ++i, pi *= points[j]) t.at[i][j] = pi;
  }
  return t;
}

// F(4, 3) on 0, +-7/10, +-3/2: Lavin & Gray's choice for float32 (smaller transform coefficients than
// 0, +-1, +-2, so less rounding error; tools/winograd_accuracy.py measures both on the real network).
constexpr double kWino4Points[5] = {0.0, 0.7, -0.7, 1.5, -1.5};
constexpr ToomCook<4, 3> kWino4 = toom_cook<4, 3>(kWino4Points);
// F(2, 5) on the same points, for the 5x5 layers: the same B^T (it depends on the points only).
constexpr ToomCook<2, 5> kWino25 = toom_cook<2, 5>(kWino4Points);
// F(4, 7) for the 1x7 and 7x1 layers: of the point sets tools/winograd_accuracy.py tried, the most accurate
// on the real network. Every B^T and A^T coefficient is dyadic.
constexpr double kWino47Points[9] = {0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5};
constexpr ToomCook<4, 7> kWino47 = toom_cook<4, 7>(kWino47Points);

}  // namespace fidcpp
