// create_cuda_moments: pending block of 256 float64 rows on the device, Σf / Σffᵀ accumulators, dsyrk per
// full block. Compiled for the GPU and, unchanged, against the cudaemu shim.
#include "backend/cuda/cuda_moments.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_raii.h"
#include "kernels.h"

FIDCPP_CUDA_NAMESPACE_BEGIN
namespace {

constexpr int kBlockRows = 256;  // metrics/moments.cpp's kBlockRows

class CudaMoments final : public BackendMoments {
 public:
  CudaMoments(Linalg& la, cudaStream_t stream, int dim) : la_(la), stream_(stream), dim_(dim) {}
  Status init() {
    const size_t d = size_t(dim_);
    FIDCPP_RETURN_IF_ERROR(pending_.allocate(size_t(kBlockRows) * d));
    FIDCPP_RETURN_IF_ERROR(sum_.allocate(d));
    FIDCPP_RETURN_IF_ERROR(outer_.allocate(d * d));
    return clear();
  }

  Status add(const float* rows, int64_t n, int64_t row_stride) override {
    if (n < 0 || (n > 0 && !rows) || row_stride < dim_ || row_stride > INT32_MAX)
      return invalid_argument("moments: bad rows (n " + std::to_string(n) + ", row stride " +
                              std::to_string(row_stride) + " for dimension " + std::to_string(dim_) + ")");
    for (int64_t done = 0; done < n;) {
      const int take = static_cast<int>(std::min<int64_t>(kBlockRows - n_pending_, n - done));
      FIDCPP_CUDA_CHECK_LAUNCH(
          launch_widen_rows_f64(rows + done * row_stride, take, dim_, static_cast<int>(row_stride),
                                pending_.get() + size_t(n_pending_) * dim_, sum_.get(), stream_));
      n_pending_ += take;
      done += take;
      if (n_pending_ == kBlockRows) {
        FIDCPP_RETURN_IF_ERROR(syrk(kBlockRows));
        n_pending_ = 0;
      }
    }
    count_ += n;
    return Status();
  }

  Status take(int64_t* count, std::vector<double>* sum, std::vector<double>* sum_outer) override {
    if (!count || !sum || !sum_outer) return invalid_argument("moments: null output");
    if (n_pending_ > 0) FIDCPP_RETURN_IF_ERROR(syrk(n_pending_));
    n_pending_ = 0;
    const size_t d = size_t(dim_);
    sum->resize(d);
    sum_outer->resize(d * d);
    FIDCPP_CUDA_CHECK(
        cudaMemcpyAsync(sum->data(), sum_.get(), d * sizeof(double), cudaMemcpyDeviceToHost, stream_));
    FIDCPP_CUDA_CHECK(cudaMemcpyAsync(sum_outer->data(), outer_.get(), d * d * sizeof(double),
                                      cudaMemcpyDeviceToHost, stream_));
    FIDCPP_CUDA_CHECK(cudaStreamSynchronize(stream_));
    // Column-major lower triangle = row-major upper triangle: mirror it into the lower one.
    double* o = sum_outer->data();
    for (size_t i = 0; i < d; ++i)
      for (size_t j = 0; j < i; ++j) o[i * d + j] = o[j * d + i];
    *count = count_;
    return clear();
  }

 private:
  // outer += P^T P for the first `rows` pending rows: P (rows x dim, row-major) is column-major dim x rows
  // with leading dimension dim, so C (dim x dim) += A A^T with A = that matrix.
  Status syrk(int rows) {
    return la_.dsyrk(BlasFill::kLower, BlasOp::kN, dim_, rows, 1.0, pending_.get(), dim_, 1.0, outer_.get(),
                     dim_);
  }
  Status clear() {
    const size_t d = size_t(dim_);
    FIDCPP_CUDA_CHECK(cudaMemsetAsync(sum_.get(), 0, d * sizeof(double), stream_));
    FIDCPP_CUDA_CHECK(cudaMemsetAsync(outer_.get(), 0, d * d * sizeof(double), stream_));
    count_ = 0;
    n_pending_ = 0;
    return Status();
  }

  Linalg& la_;
  cudaStream_t stream_;
  int dim_;
  int n_pending_ = 0;
  int64_t count_ = 0;
  DeviceBuffer<double> pending_, sum_, outer_;
};

}  // namespace

Result<std::unique_ptr<BackendMoments>> create_cuda_moments(Linalg& linalg, cudaStream_t stream,
                                                            int64_t dim) {
  if (dim <= 0 || dim > 16384) return invalid_argument("moments: bad dimension " + std::to_string(dim));
  auto m = std::make_unique<CudaMoments>(linalg, stream, static_cast<int>(dim));
  FIDCPP_RETURN_IF_ERROR(m->init());
  return std::unique_ptr<BackendMoments>(std::move(m));
}

FIDCPP_CUDA_NAMESPACE_END
