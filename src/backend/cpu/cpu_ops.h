// CPU implementations of the backend ops (used by CpuBackend in cpu_backend.cpp; tests reach them through the
// Backend interface). Every op partitions work over output tiles/planes only, so results are independent of
// the number of threads and of the batch size.
#pragma once

#include <vector>

#include "backend/backend.h"
#include "backend/cpu/gemm_kernel.h"
#include "backend/cpu/vector_kernels.h"
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
  // Winograd F(2x2, 3x3) weights U = G g G^T for 3x3 stride-1 layers, packed like packed_a once per point of
  // the 4x4 transform domain: [16][m_panels][cin][MR]; or F(4, 7) weights for 1x7 / 7x1 layers, [10][...];
  // empty otherwise. See winograd_cpu.cpp.
  AlignedBuffer<float> packed_u;
  // F(4x4, 3x3) or F(2x2, 5x5) weights U = G g G^T for the layers they apply to, [36][m_panels][cin][MR].
  AlignedBuffer<float> packed_u36;
  // F(2x2, 3x3) may run with U formed from packed_a on the fly (winograd_fly_applies); false in the
  // low-memory mode, which runs the direct panels as they are.
  bool winograd_fly = false;
};

// How conv2d_cpu splits a layer into parallel tasks: col_blocks runs of column panels times m_chunks runs
// of output-channel panels.
struct ConvTaskGrid {
  int64_t col_blocks = 1, m_chunks = 1;
};
// Blocks hold at most max_panels_per_block panels.
ConvTaskGrid balance_conv_tasks(int64_t panels, int m_panels, int workers, int64_t max_panels_per_block);

// allow_winograd false: the direct/GEMM panels only, whatever the layer (the low-memory mode).
Status pack_conv_weights(const GemmMicroKernel& kernel, const ConvDesc& desc, CpuConvWeights* out,
                         bool allow_winograd = true);

// Per-worker scratch for packed B blocks (kGemmKc x kGemmPanelsPerBlock x NR floats each).
Status make_gemm_scratch(const GemmMicroKernel& kernel, int workers,
                         std::vector<AlignedBuffer<float>>* scratch);
// Grows every worker's scratch to at least `floats` (a layer that needs more, e.g. Winograd, at prepare
// time).
Status grow_gemm_scratch(size_t floats, std::vector<AlignedBuffer<float>>* scratch);

// Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions on maps of at least kWinogradMinOut x kWinogradMinOut
// outputs (the choice depends on the layer's geometry only, so results stay bitwise independent of batch
// size and threads), where F(4x4, 3x3) below does not apply. winograd_pack_weights fills w->packed_u;
// winograd_scratch_floats is the per-worker scratch every Winograd path needs for a layer of cin channels.
// The network's 8 x 8 layers (Mixed_7b/7c.branch3x3dbl_2, 448 -> 384) keep no transformed weights: F(2x2)'s
// 16/9 would keep 9.6 MB more resident, and that memory went to F(4, 7) below (the default's footprint
// budget, docs/edge.md). They run F(2x2, 3x3) "on the fly" instead: each task forms U = G g G^T of an
// output-channel panel from its direct panel (VectorKernels::wino_filter, the same bits as the packed U) just
// before that panel's GEMMs, on maps of kWinogradFlyMinOut up to kWinogradMinOut - 1 outputs each way.
// kWinogradMaxCin bounds the per-worker scratch (16 x cin x NR floats: the input channels are one K block;
// on the fly another 16 x cin x MR for U).
constexpr int kWinogradMinOut = 9;
constexpr int kWinogradFlyMinOut = 8;
constexpr int kWinogradMaxCin = 1024;
bool winograd_applies(const ConvDesc& d);
bool winograd_applies(const ConvDesc& d, int out_h, int out_w);
Status winograd_pack_weights(const GemmMicroKernel& kernel, const ConvDesc& desc, CpuConvWeights* w);
size_t winograd_scratch_floats(const GemmMicroKernel& kernel, int cin);
Status conv2d_winograd_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                           std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                           const TensorView& in, const TensorView& out);
bool winograd_fly_applies(const ConvDesc& d, int out_h, int out_w);
// F(2x2, 3x3) with U formed from w.packed_a panel by panel: the bits of conv2d_winograd_cpu on packed_u.
Status conv2d_winograd_fly_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                               std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                               const TensorView& in, const TensorView& out);

// 1-D Winograd F(4, 7) for the "same"-padded stride-1 1x7 and 7x1 convolutions on maps of at least
// kWinograd7MinOut in both directions (Mixed_6b..6e, Mixed_7a at 17 x 17): 10 multiplies per four outputs
// instead of 28. Its float32 error on the real network is 1.4x PyTorch's own, inside the accuracy budget of
// 2x (tools/winograd_accuracy.py, docs/precision.md). The weights share CpuConvWeights::packed_u
// ([10][m_panels][cin][MR]) and the F(2x2, 3x3) scratch.
constexpr int kWinograd7MinOut = 12;
bool winograd7_applies(const ConvDesc& d);
bool winograd7_applies(const ConvDesc& d, int out_h, int out_w);
Status winograd7_pack_weights(const GemmMicroKernel& kernel, const ConvDesc& desc, CpuConvWeights* w);
Status conv2d_winograd7_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                            std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                            const TensorView& in, const TensorView& out);

// Winograd F(4x4, 3x3) for the 3x3 stride-1 layers with at most kWinograd4MaxCin input channels on maps of
// at least kWinograd4MinOut outputs each way (Conv2d_2a/2b/4a, the 35 x 35 layers of Mixed_5b..6a): 36
// multiplies per 16 outputs instead of 64 (F(2x2)) or 144 (direct); those layers keep F(2x2) elsewhere.
// Its error per layer is about five times the direct convolution's; on the real network's features it stays
// within PyTorch float32's own (docs/precision.md). The 36 transformed input blocks of a panel (36 x cin x NR
// floats) must stay in a core's L2, hence the cin bound. Weights: CpuConvWeights::packed_u36.
constexpr int kWinograd4MinOut = 24;
constexpr int kWinograd4MaxCin = 128;
bool winograd4_applies(const ConvDesc& d);
bool winograd4_applies(const ConvDesc& d, int out_h, int out_w);
// Packs packed_u36 for F(4x4, 3x3) or F(2x2, 5x5), whichever applies to the layer (nothing otherwise).
Status winograd4_pack_weights(const GemmMicroKernel& kernel, const ConvDesc& desc, CpuConvWeights* w);
Status conv2d_winograd4_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                            std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                            const TensorView& in, const TensorView& out);

// Winograd F(2x2, 5x5) on the same six points for the "same"-padded 5x5 stride-1 layers (Mixed_5b..5d
// branch5x5_2 at 35 x 35), under the same channel and map bounds as F(4x4, 3x3): 36 multiplies per 4 outputs
// instead of 100. Weights: CpuConvWeights::packed_u36.
bool winograd25_applies(const ConvDesc& d);
bool winograd25_applies(const ConvDesc& d, int out_h, int out_w);
Status conv2d_winograd25_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                             std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                             const TensorView& in, const TensorView& out);

Status conv2d_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                  std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w, const TensorView& in,
                  const TensorView& out);
// Several convolutions of one input, each into its own output, with the results of conv2d_cpu on each in
// turn (bitwise). Where all are 1x1 stride-1 layers they run as one GEMM with their output channels stacked
// (the opening 1x1 branches of an Inception block), so the input is packed once instead of once a layer and
// the threads share one larger M.
constexpr int kMaxSiblings = 4;
Status conv2d_siblings_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                           std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights* const* ws,
                           const TensorView* outs, int count, const TensorView& in);
Status max_pool_cpu(ThreadPool& pool, const VectorKernels& vk, const PoolDesc& p, const TensorView& in,
                    const TensorView& out);
Status avg_pool_cpu(ThreadPool& pool, const VectorKernels& vk, const PoolDesc& p, const TensorView& in,
                    const TensorView& out);
Status global_mean_cpu(ThreadPool& pool, const TensorView& in, const TensorView& out);
Status linear_cpu(ThreadPool& pool, int in_features, int out_features, const float* weight, const float* bias,
                  const TensorView& in, const TensorView& out, bool add_bias);

}  // namespace fidcpp
