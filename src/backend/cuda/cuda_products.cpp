// create_cuda_matrix_products: host A, B -> device, one GEMM, C -> host. Compiled for the GPU and, unchanged,
// against the cudaemu shim.
#include "backend/cuda/cuda_products.h"

#include <climits>
#include <cstdint>
#include <mutex>
#include <string>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_raii.h"

FIDCPP_CUDA_NAMESPACE_BEGIN
namespace {

Status gemm(Linalg& la, int m, int n, int k, float alpha, const float* a, const float* b, float* c) {
  return la.sgemm(BlasOp::kT, BlasOp::kN, m, n, k, alpha, a, k, b, k, 0.0f, c, m);
}
Status gemm(Linalg& la, int m, int n, int k, double alpha, const double* a, const double* b, double* c) {
  return la.dgemm(BlasOp::kT, BlasOp::kN, m, n, k, alpha, a, k, b, k, 0.0, c, m);
}

class CudaMatrixProducts final : public MatrixProducts {
 public:
  CudaMatrixProducts(Linalg& la, cudaStream_t stream) : la_(la), stream_(stream) {}

  Status abt(int64_t m, int64_t n, int64_t k, float alpha, const float* a, const float* b, float* c,
             int64_t ldc) override {
    return run(m, n, k, alpha, a, b, c, ldc, &f_);
  }
  Status abt(int64_t m, int64_t n, int64_t k, double alpha, const double* a, const double* b, double* c,
             int64_t ldc) override {
    return run(m, n, k, alpha, a, b, c, ldc, &d_);
  }

 private:
  template <class T>
  struct Buffers {
    DeviceBuffer<T> a, b, c;
  };

  template <class T>
  Status run(int64_t m, int64_t n, int64_t k, T alpha, const T* a, const T* b, T* c, int64_t ldc,
             Buffers<T>* buf) {
    if (m < 0 || n < 0 || k < 0 || m > INT_MAX || n > INT_MAX || k > INT_MAX || ldc < n)
      return invalid_argument("matrix product: bad sizes m=" + std::to_string(m) + " n=" + std::to_string(n) +
                              " k=" + std::to_string(k) + " ldc=" + std::to_string(ldc));
    if (m == 0 || n == 0) return Status();
    if (!a || !b || !c) return invalid_argument("matrix product: null matrix");
    std::lock_guard<std::mutex> lock(mu_);
    const size_t sa = size_t(m) * size_t(k), sb = size_t(n) * size_t(k), sc = size_t(m) * size_t(n);
    if (buf->a.size() < sa) FIDCPP_RETURN_IF_ERROR(buf->a.allocate(sa));
    if (buf->b.size() < sb) FIDCPP_RETURN_IF_ERROR(buf->b.allocate(sb));
    if (buf->c.size() < sc) FIDCPP_RETURN_IF_ERROR(buf->c.allocate(sc));
    if (k > 0) {
      FIDCPP_CUDA_CHECK(cudaMemcpyAsync(buf->a.get(), a, sa * sizeof(T), cudaMemcpyHostToDevice, stream_));
      FIDCPP_CUDA_CHECK(cudaMemcpyAsync(buf->b.get(), b, sb * sizeof(T), cudaMemcpyHostToDevice, stream_));
    }
    // The row-major inputs are the column-major B' = Bᵀ (k x n) and A' = Aᵀ (k x m), and row-major C (m x n)
    // is the column-major C' = Cᵀ = B Aᵀ = B'ᵀ A' (n x m, leading dimension n).
    FIDCPP_RETURN_IF_ERROR(
        gemm(la_, int(n), int(m), int(k), alpha, buf->b.get(), buf->a.get(), buf->c.get()));
    FIDCPP_CUDA_CHECK(cudaMemcpy2DAsync(c, size_t(ldc) * sizeof(T), buf->c.get(), size_t(n) * sizeof(T),
                                        size_t(n) * sizeof(T), size_t(m), cudaMemcpyDeviceToHost, stream_));
    FIDCPP_CUDA_CHECK(cudaStreamSynchronize(stream_));
    return Status();
  }

  Linalg& la_;
  cudaStream_t stream_;
  std::mutex mu_;
  Buffers<float> f_;
  Buffers<double> d_;
};

}  // namespace

std::unique_ptr<MatrixProducts> create_cuda_matrix_products(Linalg& linalg, cudaStream_t stream) {
  return std::make_unique<CudaMatrixProducts>(linalg, stream);
}

FIDCPP_CUDA_NAMESPACE_END
