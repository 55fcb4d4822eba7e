// The dense linear algebra the CUDA backend needs, with cuBLAS/cuSOLVER semantics exactly: column-major
// matrices, leading dimensions, op(A) transposes. Two implementations: cuBLAS/cuSOLVER (GPU) and a naive CPU
// one for the emulated build, which shares these semantics so that row/column-major mistakes show up in CPU
// tests.
#pragma once

#include <memory>

#include "core/status.h"

struct CUstream_st;  // cudaStream_t without pulling CUDA headers into every includer

namespace fidcpp {

enum class BlasOp { kN, kT };
enum class BlasFill { kUpper, kLower };

class Linalg {
 public:
  virtual ~Linalg() = default;
  // C = alpha op(A) op(B) + beta C; C is m x n, op(A) m x k, op(B) k x n.
  virtual Status sgemm(BlasOp ta, BlasOp tb, int m, int n, int k, float alpha, const float* a, int lda,
                       const float* b, int ldb, float beta, float* c, int ldc) = 0;
  virtual Status dgemm(BlasOp ta, BlasOp tb, int m, int n, int k, double alpha, const double* a, int lda,
                       const double* b, int ldb, double beta, double* c, int ldc) = 0;
  // C = alpha op(A) op(A)^T + beta C on the `fill` triangle of the n x n matrix C; op(A) is n x k
  // (trans kN: A is n x k; kT: A is k x n). The other triangle is not touched.
  virtual Status dsyrk(BlasFill fill, BlasOp trans, int n, int k, double alpha, const double* a, int lda,
                       double beta, double* c, int ldc) = 0;
  // Eigenvalues (ascending) of the symmetric n x n matrix A, of which only the `fill` triangle is read, into
  // w; with vectors, A is overwritten by the orthonormal eigenvectors (column j belongs to w[j]). Pointers
  // are device pointers. A failure to converge is an error Status (cuSOLVER's devInfo > 0).
  virtual Status dsyevd(bool vectors, BlasFill fill, int n, double* a, int lda, double* w) = 0;
};

struct LinalgOptions {
  // Opt-in only (docs/cuda.md): sgemm may use TF32 tensor cores. Default: strict float32.
  bool allow_tf32 = false;
};

// cuBLAS + cuSOLVER on `stream` (defined only in the CUDA build; needs a device).
Result<std::unique_ptr<Linalg>> create_cublas_linalg(CUstream_st* stream, const LinalgOptions& options = {});
// Naive CPU implementation for the emulated build, where device pointers are host pointers. With a stream,
// the GEMMs are stream-ordered through the emulator (recorded as host nodes while the stream is being
// captured).
std::unique_ptr<Linalg> create_emulated_linalg(CUstream_st* stream = nullptr);

}  // namespace fidcpp
