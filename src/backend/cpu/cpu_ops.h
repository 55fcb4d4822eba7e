// CPU implementations of the backend ops (used by CpuBackend in cpu_backend.cpp; tests reach them through the
// Backend interface). Every op partitions work over output tiles/planes only, so results are independent of
// the number of threads and of the batch size.
#pragma once

#include <vector>

#include "backend/backend.h"
#include "backend/cpu/gemm_kernel.h"
#include "core/aligned_buffer.h"
#include "core/parallel.h"
#include "core/status.h"

namespace fidcpp {

// K block of the GEMM (rows of a packed B block) and column panels per packed B block.
constexpr int kGemmKc = 256;
constexpr int kGemmPanelsPerBlock = 8;

// Conv weights packed for one micro-kernel: MR-row panels of A = W[cout, cin*kh*kw] stored [panel][k][MR],
// zero rows past cout; bias padded with zeros to a multiple of MR.
struct CpuConvWeights {
  ConvDesc desc;  // geometry (weight/bias pointers cleared)
  int k = 0;      // cin * kh * kw
  int m_panels = 0;
  AlignedBuffer<float> packed_a;
  AlignedBuffer<float> bias;
};

Status pack_conv_weights(const GemmMicroKernel& kernel, const ConvDesc& desc, CpuConvWeights* out);

// Per-worker scratch for packed B blocks (kGemmKc x kGemmPanelsPerBlock x NR floats each).
Status make_gemm_scratch(const GemmMicroKernel& kernel, int workers,
                         std::vector<AlignedBuffer<float>>* scratch);

Status check_view(const TensorView& v, const char* what);

Status conv2d_cpu(const GemmMicroKernel& kernel, ThreadPool& pool, std::vector<AlignedBuffer<float>>& scratch,
                  const CpuConvWeights& w, const TensorView& in, const TensorView& out);
Status max_pool_cpu(ThreadPool& pool, const PoolDesc& p, const TensorView& in, const TensorView& out);
Status avg_pool_cpu(ThreadPool& pool, const PoolDesc& p, const TensorView& in, const TensorView& out);
Status global_mean_cpu(ThreadPool& pool, const TensorView& in, const TensorView& out);
Status linear_cpu(ThreadPool& pool, int in_features, int out_features, const float* weight, const float* bias,
                  const TensorView& in, const TensorView& out, bool add_bias);

}  // namespace fidcpp
