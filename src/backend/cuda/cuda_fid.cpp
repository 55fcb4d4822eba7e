// cuda_trace_sqrt_product: S1 = V L V^T (dsyevd), C = V L^{1/2}, M = C^T S2 C (two dgemms), eigenvalues of M.
// M is similar to S1 S2, so its eigenvalues are those of S1 S2.
#include "backend/cuda/cuda_fid.h"

#include <cmath>
#include <string>
#include <vector>

#include "backend/cuda/cuda_raii.h"
#include "kernels.h"

FIDCPP_CUDA_NAMESPACE_BEGIN

Result<double> cuda_trace_sqrt_product(Linalg& la, cudaStream_t stream, const double* sigma1,
                                       const double* sigma2, int64_t dim) {
  if (dim <= 0 || dim > 65535 || !sigma1 || !sigma2)
    return invalid_argument("cuda_trace_sqrt_product: bad dimension " + std::to_string(dim));
  const int n = static_cast<int>(dim);
  const size_t nn = size_t(n) * n;
  DeviceBuffer<double> v, s2, t, w;
  FIDCPP_RETURN_IF_ERROR(v.allocate(nn));
  FIDCPP_RETURN_IF_ERROR(s2.allocate(nn));
  FIDCPP_RETURN_IF_ERROR(t.allocate(nn));
  FIDCPP_RETURN_IF_ERROR(w.allocate(size_t(n)));
  // Symmetric: row-major and column-major are the same matrix.
  FIDCPP_CUDA_CHECK(cudaMemcpyAsync(v.get(), sigma1, nn * sizeof(double), cudaMemcpyHostToDevice, stream));
  FIDCPP_CUDA_CHECK(cudaMemcpyAsync(s2.get(), sigma2, nn * sizeof(double), cudaMemcpyHostToDevice, stream));
  FIDCPP_RETURN_IF_ERROR(la.dsyevd(true, BlasFill::kLower, n, v.get(), n, w.get()));
  FIDCPP_CUDA_CHECK_LAUNCH(launch_scale_columns_sqrt(v.get(), n, n, n, w.get(), stream));  // C = V L^{1/2}
  FIDCPP_RETURN_IF_ERROR(
      la.dgemm(BlasOp::kN, BlasOp::kN, n, n, n, 1.0, s2.get(), n, v.get(), n, 0.0, t.get(), n));  // S2 C
  FIDCPP_RETURN_IF_ERROR(
      la.dgemm(BlasOp::kT, BlasOp::kN, n, n, n, 1.0, v.get(), n, t.get(), n, 0.0, s2.get(), n));  // C^T S2 C
  FIDCPP_RETURN_IF_ERROR(la.dsyevd(false, BlasFill::kLower, n, s2.get(), n, w.get()));
  std::vector<double> lambda(static_cast<size_t>(n));
  FIDCPP_CUDA_CHECK(
      cudaMemcpyAsync(lambda.data(), w.get(), size_t(n) * sizeof(double), cudaMemcpyDeviceToHost, stream));
  FIDCPP_CUDA_CHECK(cudaStreamSynchronize(stream));
  double sum = 0;
  for (double l : lambda) sum += l > 0 ? std::sqrt(l) : 0.0;
  return sum;
}

Result<double> cuda_frechet_distance(Linalg& la, cudaStream_t stream, const double* mu1, const double* sigma1,
                                     const double* mu2, const double* sigma2, int64_t dim) {
  if (!mu1 || !mu2) return invalid_argument("cuda_frechet_distance: null mean");
  FIDCPP_ASSIGN_OR_RETURN(double tr_sqrt, cuda_trace_sqrt_product(la, stream, sigma1, sigma2, dim));
  double diff2 = 0, tr1 = 0, tr2 = 0;
  for (int64_t i = 0; i < dim; ++i) {
    const double d = mu1[i] - mu2[i];
    diff2 += d * d;
    tr1 += sigma1[i * dim + i];
    tr2 += sigma2[i * dim + i];
  }
  return diff2 + tr1 + tr2 - 2.0 * tr_sqrt;
}

FIDCPP_CUDA_NAMESPACE_END
