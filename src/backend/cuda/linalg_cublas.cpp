// The GPU Linalg: cuBLAS (CUBLAS_DEFAULT_MATH unless TF32 is opted in) and cuSOLVER syevd with devInfo
// checked.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include <string>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_raii.h"
#include "backend/cuda/linalg.h"

#define FIDCPP_CUBLAS_CHECK(expr)                                                                      \
  do {                                                                                                 \
    cublasStatus_t fidcpp_st_ = (expr);                                                                \
    if (fidcpp_st_ != CUBLAS_STATUS_SUCCESS)                                                           \
      return ::fidcpp::internal_error(std::string("cuBLAS error ") + cublasGetStatusName(fidcpp_st_) + \
                                      " in `" #expr "` at " __FILE__ ":" + std::to_string(__LINE__));  \
  } while (0)
#define FIDCPP_CUSOLVER_CHECK(expr)                                                                      \
  do {                                                                                                   \
    cusolverStatus_t fidcpp_st_ = (expr);                                                                \
    if (fidcpp_st_ != CUSOLVER_STATUS_SUCCESS)                                                           \
      return ::fidcpp::internal_error(std::string("cuSOLVER error ") + std::to_string(int(fidcpp_st_)) + \
                                      " in `" #expr "` at " __FILE__ ":" + std::to_string(__LINE__));    \
  } while (0)

namespace fidcpp {
namespace {

cublasOperation_t op(BlasOp o) {
  return o == BlasOp::kN ? CUBLAS_OP_N : CUBLAS_OP_T;
}
cublasFillMode_t fill_mode(BlasFill f) {
  return f == BlasFill::kUpper ? CUBLAS_FILL_MODE_UPPER : CUBLAS_FILL_MODE_LOWER;
}

class CublasLinalg final : public Linalg {
 public:
  ~CublasLinalg() override {
    if (solver_) cusolverDnDestroy(solver_);
    if (blas_) cublasDestroy(blas_);
  }

  Status init(cudaStream_t stream, const LinalgOptions& options) {
    stream_ = stream;
    FIDCPP_CUBLAS_CHECK(cublasCreate(&blas_));
    FIDCPP_CUBLAS_CHECK(cublasSetStream(blas_, stream));
    // A workspace of our own, so that cuBLAS never allocates inside a stream capture (CUDA graphs of the
    // forward); 32 MiB is NVIDIA's recommendation for Hopper.
    FIDCPP_RETURN_IF_ERROR(workspace_.allocate(size_t(32) << 20));
    FIDCPP_CUBLAS_CHECK(cublasSetWorkspace(blas_, workspace_.get(), workspace_.size()));
    FIDCPP_CUBLAS_CHECK(
        cublasSetMathMode(blas_, options.allow_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
    FIDCPP_CUSOLVER_CHECK(cusolverDnCreate(&solver_));
    FIDCPP_CUSOLVER_CHECK(cusolverDnSetStream(solver_, stream));
    return Status();
  }

  Status sgemm(BlasOp ta, BlasOp tb, int m, int n, int k, float alpha, const float* a, int lda,
               const float* b, int ldb, float beta, float* c, int ldc) override {
    FIDCPP_CUBLAS_CHECK(cublasSgemm(blas_, op(ta), op(tb), m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc));
    return Status();
  }
  Status dgemm(BlasOp ta, BlasOp tb, int m, int n, int k, double alpha, const double* a, int lda,
               const double* b, int ldb, double beta, double* c, int ldc) override {
    FIDCPP_CUBLAS_CHECK(cublasDgemm(blas_, op(ta), op(tb), m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc));
    return Status();
  }
  Status dsyrk(BlasFill fill, BlasOp trans, int n, int k, double alpha, const double* a, int lda, double beta,
               double* c, int ldc) override {
    FIDCPP_CUBLAS_CHECK(cublasDsyrk(blas_, fill_mode(fill), op(trans), n, k, &alpha, a, lda, &beta, c, ldc));
    return Status();
  }
  Status dsyevd(bool vectors, BlasFill fill, int n, double* a, int lda, double* w) override {
    const cusolverEigMode_t jobz = vectors ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
    int lwork = 0;
    FIDCPP_CUSOLVER_CHECK(cusolverDnDsyevd_bufferSize(solver_, jobz, fill_mode(fill), n, a, lda, w, &lwork));
    DeviceBuffer<double> work;
    DeviceBuffer<int> info;
    FIDCPP_RETURN_IF_ERROR(work.allocate(static_cast<size_t>(lwork > 0 ? lwork : 1)));
    FIDCPP_RETURN_IF_ERROR(info.allocate(1));
    FIDCPP_CUSOLVER_CHECK(
        cusolverDnDsyevd(solver_, jobz, fill_mode(fill), n, a, lda, w, work.get(), lwork, info.get()));
    int host_info = 0;
    FIDCPP_CUDA_CHECK(cudaMemcpyAsync(&host_info, info.get(), sizeof(int), cudaMemcpyDeviceToHost, stream_));
    FIDCPP_CUDA_CHECK(cudaStreamSynchronize(stream_));
    if (host_info < 0)
      return internal_error("cusolverDnDsyevd: parameter " + std::to_string(-host_info) + " is wrong");
    if (host_info > 0)
      return internal_error("cusolverDnDsyevd: " + std::to_string(host_info) +
                            " off-diagonal elements did not converge to zero");
    return Status();
  }

 private:
  cudaStream_t stream_ = nullptr;
  DeviceBuffer<unsigned char> workspace_;
  cublasHandle_t blas_ = nullptr;
  cusolverDnHandle_t solver_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Linalg>> create_cublas_linalg(CUstream_st* stream, const LinalgOptions& options) {
  auto l = std::make_unique<CublasLinalg>();
  FIDCPP_RETURN_IF_ERROR(l->init(stream, options));
  return std::unique_ptr<Linalg>(std::move(l));
}

}  // namespace fidcpp
