// Fréchet distance between two Gaussians (FID) and the trace of the matrix square root tr((Σ₁Σ₂)^{1/2}).
// docs/conventions.md §3; agrees with pytorch-fid (scipy sqrtm), torch-fidelity and torchmetrics (eigvals) to
// ≤1e-6 relative.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "metrics/moments.h"

namespace fidcpp {

enum class SqrtTraceMethod {
  // Σ₁ = LLᵀ (Cholesky; pivoted Cholesky when Σ₁ and Σ₂ are both singular), then the eigenvalues only of the
  // symmetric LᵀΣ₂L, which is similar to Σ₁Σ₂. One O(D³/3) factorisation, two triangular products, one
  // eigenvalue-only solve: the fast default.
  kCholesky,
  // Eigendecomposition Σ₁ = VΛVᵀ, then the eigenvalues of Λ^{1/2}VᵀΣ₂VΛ^{1/2} (docs/conventions.md §3).
  // Slower.
  kEigen,
};

// tr((Σ₁Σ₂)^{1/2}) = Σ √λ over the eigenvalues λ of Σ₁Σ₂, negative round-off clamped to 0. Both matrices are
// D×D row-major and must be symmetric positive semi-definite (finite values are checked).
Result<double> trace_sqrt_product(const double* sigma1, const double* sigma2, int64_t dim,
                                  SqrtTraceMethod method = SqrtTraceMethod::kCholesky);

// FID = ‖μ₁−μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr((Σ₁Σ₂)^{1/2}) (docs/conventions.md §3.1).
Result<double> frechet_distance(const GaussianStats& a, const GaussianStats& b,
                                SqrtTraceMethod method = SqrtTraceMethod::kCholesky);

}  // namespace fidcpp
