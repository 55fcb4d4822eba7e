// The emulated build's Linalg: naive loops with cuBLAS/cuSOLVER's column-major, leading-dimension and
// transpose semantics (see linalg.h), double accumulation, and a cyclic Jacobi eigensolver standing in for
// syevd.
#include <algorithm>
#include <functional>
#include <memory>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "backend/cuda/linalg.h"
#include "cuda_compat.h"

namespace fidcpp {
namespace {

Status check_dims(const char* fn, int m, int n, int k, int lda, int a_rows, int ldb, int b_rows, int ldc,
                  int c_rows) {
  if (m < 0 || n < 0 || k < 0) return invalid_argument(std::string(fn) + ": negative dimension");
  if (lda < std::max(1, a_rows) || ldb < std::max(1, b_rows) || ldc < std::max(1, c_rows))
    return invalid_argument(std::string(fn) + ": leading dimension smaller than the number of rows");
  return Status();
}

template <class T>
Status gemm(const char* fn, BlasOp ta, BlasOp tb, int m, int n, int k, T alpha, const T* a, int lda,
            const T* b, int ldb, T beta, T* c, int ldc) {
  const int a_rows = ta == BlasOp::kN ? m : k, b_rows = tb == BlasOp::kN ? k : n;
  FIDCPP_RETURN_IF_ERROR(check_dims(fn, m, n, k, lda, a_rows, ldb, b_rows, ldc, m));
  auto A = [&](int i, int p) { return ta == BlasOp::kN ? a[i + size_t(p) * lda] : a[p + size_t(i) * lda]; };
  auto B = [&](int p, int j) { return tb == BlasOp::kN ? b[p + size_t(j) * ldb] : b[j + size_t(p) * ldb]; };
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) {
      double s = 0;
      for (int p = 0; p < k; ++p) s += double(A(i, p)) * double(B(p, j));
      T& out = c[i + size_t(j) * ldc];
      // BLAS: beta == 0 means C is not read (it may hold NaN).
      out = static_cast<T>(beta == T(0) ? double(alpha) * s : double(alpha) * s + double(beta) * double(out));
    }
  return Status();
}

Status check_gemm(const char* fn, BlasOp ta, BlasOp tb, int m, int n, int k, int lda, int ldb, int ldc) {
  return check_dims(fn, m, n, k, lda, ta == BlasOp::kN ? m : k, ldb, tb == BlasOp::kN ? k : n, ldc, m);
}

class EmulatedLinalg final : public Linalg {
 public:
  explicit EmulatedLinalg(cudaStream_t stream) : stream_(stream) {}

  Status sgemm(BlasOp ta, BlasOp tb, int m, int n, int k, float alpha, const float* a, int lda,
               const float* b, int ldb, float beta, float* c, int ldc) override {
    FIDCPP_RETURN_IF_ERROR(check_gemm("sgemm", ta, tb, m, n, k, lda, ldb, ldc));
    return in_stream_order(
        [=] { (void)gemm("sgemm", ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); });
  }
  Status dgemm(BlasOp ta, BlasOp tb, int m, int n, int k, double alpha, const double* a, int lda,
               const double* b, int ldb, double beta, double* c, int ldc) override {
    FIDCPP_RETURN_IF_ERROR(after_earlier_work());
    return gemm("dgemm", ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  Status dsyrk(BlasFill fill, BlasOp trans, int n, int k, double alpha, const double* a, int lda, double beta,
               double* c, int ldc) override {
    const int a_rows = trans == BlasOp::kN ? n : k;
    FIDCPP_RETURN_IF_ERROR(check_dims("dsyrk", n, n, k, lda, a_rows, 1, 1, ldc, n));
    FIDCPP_RETURN_IF_ERROR(after_earlier_work());
    auto A = [&](int i, int p) {
      return trans == BlasOp::kN ? a[i + size_t(p) * lda] : a[p + size_t(i) * lda];
    };
    for (int j = 0; j < n; ++j) {
      const int i0 = fill == BlasFill::kUpper ? 0 : j, i1 = fill == BlasFill::kUpper ? j + 1 : n;
      for (int i = i0; i < i1; ++i) {
        double s = 0;
        for (int p = 0; p < k; ++p) s += A(i, p) * A(j, p);
        double& out = c[i + size_t(j) * ldc];
        out = beta == 0.0 ? alpha * s : alpha * s + beta * out;
      }
    }
    return Status();
  }
  Status dsyevd(bool vectors, BlasFill fill, int n, double* a, int lda, double* w) override {
    if (n < 0 || lda < std::max(1, n)) return invalid_argument("dsyevd: bad n or lda");
    FIDCPP_RETURN_IF_ERROR(after_earlier_work());
    // Full symmetric copy from the referenced triangle only: reading the other one would hide a fill mix-up.
    std::vector<double> m(size_t(n) * n), v(size_t(n) * n, 0.0);
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const bool stored = fill == BlasFill::kUpper ? i <= j : i >= j;
        m[i + size_t(j) * n] = stored ? a[i + size_t(j) * lda] : a[j + size_t(i) * lda];
      }
    for (int i = 0; i < n; ++i) v[i + size_t(i) * n] = 1.0;
    auto M = [&](int i, int j) -> double& { return m[i + size_t(j) * n]; };
    bool converged = n <= 1;
    for (int sweep = 0; sweep < 100 && !converged; ++sweep) {
      double off = 0, total = 0;
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) (i == j ? total : off) += M(i, j) * M(i, j);
      if (off <= 1e-30 * (total + off) || off == 0.0) {
        converged = true;
        break;
      }
      for (int p = 0; p < n - 1; ++p)
        for (int q = p + 1; q < n; ++q) {
          if (M(p, q) == 0.0) continue;
          const double theta = (M(q, q) - M(p, p)) / (2 * M(p, q));
          const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
          const double cs = 1 / std::sqrt(t * t + 1), sn = t * cs;
          for (int r = 0; r < n; ++r) {  // M <- M J
            const double mp = M(r, p), mq = M(r, q);
            M(r, p) = cs * mp - sn * mq;
            M(r, q) = sn * mp + cs * mq;
          }
          for (int r = 0; r < n; ++r) {  // M <- J^T M
            const double mp = M(p, r), mq = M(q, r);
            M(p, r) = cs * mp - sn * mq;
            M(q, r) = sn * mp + cs * mq;
          }
          for (int r = 0; r < n; ++r) {  // V <- V J
            double& vp = v[r + size_t(p) * n];
            double& vq = v[r + size_t(q) * n];
            const double a0 = vp, b0 = vq;
            vp = cs * a0 - sn * b0;
            vq = sn * a0 + cs * b0;
          }
        }
    }
    if (!converged) return internal_error("dsyevd (emulated): Jacobi iteration did not converge");
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int x, int y) { return M(x, x) < M(y, y); });
    for (int j = 0; j < n; ++j) {
      w[j] = M(order[size_t(j)], order[size_t(j)]);
      if (vectors)
        for (int i = 0; i < n; ++i) a[i + size_t(j) * lda] = v[i + size_t(order[size_t(j)]) * n];
    }
    return Status();
  }

 private:
  // cuBLAS work is stream-ordered, so a captured stream (CUDA graph) records it. The emulated GEMMs run on
  // the host: on a capturing stream they become host-function nodes of the graph (owned here, since a graph
  // may replay them many times); otherwise they run now, once the stream's earlier work has (with
  // cudaemu's deferred streams it may still be queued). The forward only captures the sgemms.
  template <class F>
  Status in_stream_order(F&& op) {
    cudaStreamCaptureStatus st = cudaStreamCaptureStatusNone;
    if (stream_ && cudaStreamIsCapturing(stream_, &st) == cudaSuccess &&
        st == cudaStreamCaptureStatusActive) {
      captured_.push_back(std::make_unique<std::function<void()>>(std::forward<F>(op)));
      if (cudaLaunchHostFunc(stream_, &run_captured, captured_.back().get()) != cudaSuccess)
        return internal_error("emulated linalg: cudaLaunchHostFunc failed while capturing");
      return Status();
    }
    FIDCPP_RETURN_IF_ERROR(after_earlier_work());
    op();
    return Status();
  }
  Status after_earlier_work() {
    if (stream_ && cudaStreamSynchronize(stream_) != cudaSuccess)
      return internal_error("emulated linalg: the stream's earlier work failed");
    return Status();
  }
  static void run_captured(void* op) { (*static_cast<std::function<void()>*>(op))(); }

  cudaStream_t stream_;
  std::vector<std::unique_ptr<std::function<void()>>> captured_;
};

}  // namespace

std::unique_ptr<Linalg> create_emulated_linalg(CUstream_st* stream) {
  return std::make_unique<EmulatedLinalg>(stream);
}

}  // namespace fidcpp
