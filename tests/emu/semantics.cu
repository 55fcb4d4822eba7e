// Probe kernels for the execution model; see semantics.h. Plain CUDA apart from the cuda_compat.h launch
// spellings.
#include "cuda_compat.h"
#include "emu/semantics.h"

namespace semantics {

__global__ void reduce_smem_kernel(const float* x, int n, float* out) {
  CUDA_DYNAMIC_SHARED(float, s);
  const int tid = threadIdx.x;
  float v = 0.f;
  for (int i = blockIdx.x * blockDim.x + tid; i < n; i += gridDim.x * blockDim.x) v += x[i];
  s[tid] = v;
  __syncthreads();
  // blockDim need not be a power of two: fold the tail into the largest power of two below it first.
  int p = 1;
  while (p * 2 <= static_cast<int>(blockDim.x)) p *= 2;
  if (tid >= p) s[tid - p] += s[tid];
  __syncthreads();
  for (int stride = p / 2; stride > 0; stride /= 2) {
    if (tid < stride) s[tid] += s[tid + stride];
    __syncthreads();
  }
  if (tid == 0) atomicAdd(out, s[0]);
}

__global__ void reduce_shfl_kernel(const float* x, int n, float* out) {
  __shared__ float warp_sums[32];
  const int tid = threadIdx.x;
  float v = 0.f;
  for (int i = blockIdx.x * blockDim.x + tid; i < n; i += gridDim.x * blockDim.x) v += x[i];
  for (int o = 16; o > 0; o /= 2) v += __shfl_down_sync(0xffffffffu, v, o);
  if ((tid & 31) == 0) warp_sums[tid >> 5] = v;
  __syncthreads();
  if (tid < 32) {
    const int nwarps = blockDim.x / 32;
    float w = tid < nwarps ? warp_sums[tid] : 0.f;
    for (int o = 16; o > 0; o /= 2) w += __shfl_xor_sync(0xffffffffu, w, o);
    if (tid == 0) atomicAdd(out, w);
  }
}

template <bool kSecondBarrier>
__global__ void sgemm_tiled_kernel(const float* a, const float* b, float* c, int m, int n, int k) {
  __shared__ float ta[16][16];
  __shared__ float tb[16][16];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int row = blockIdx.y * 16 + ty, col = blockIdx.x * 16 + tx;
  float acc = 0.f;
  for (int t = 0; t < k; t += 16) {
    ta[ty][tx] = (row < m && t + tx < k) ? a[row * k + t + tx] : 0.f;
    tb[ty][tx] = (col < n && t + ty < k) ? b[(t + ty) * n + col] : 0.f;
    __syncthreads();
    for (int i = 0; i < 16; ++i) acc += ta[ty][i] * tb[i][tx];
    if (kSecondBarrier) __syncthreads();
  }
  if (row < m && col < n) c[row * n + col] = acc;
}

__global__ void warp_probe_kernel(int* out, int width, int arg) {
  const int lane = threadIdx.x;
  const int v = 100 + lane;
  int r0 = __shfl_sync(0xffffffffu, v, arg, width);
  int r1 = __shfl_up_sync(0xffffffffu, v, arg, width);
  int r2 = __shfl_down_sync(0xffffffffu, v, arg, width);
  int r3 = __shfl_xor_sync(0xffffffffu, v, arg, width);
  unsigned r4 = __ballot_sync(0xffffffffu, lane & 1);
  int r5 = __any_sync(0xffffffffu, lane == 3);
  int r6 = __all_sync(0xffffffffu, lane < 40);
  int r7 = __syncthreads_count(lane & 1);
  out[0 * 32 + lane] = r0;
  out[1 * 32 + lane] = r1;
  out[2 * 32 + lane] = r2;
  out[3 * 32 + lane] = r3;
  out[4 * 32 + lane] = static_cast<int>(r4);
  out[5 * 32 + lane] = r5;
  out[6 * 32 + lane] = r6;
  out[7 * 32 + lane] = r7;
}

__global__ void divergent_barrier_kernel(int* out, int kind) {
  const int t = threadIdx.x;
  if (kind == 0) {
    if (t < 16) __syncthreads();
  } else {
    if (t < 16) {
      __syncthreads();
    } else {
      __syncthreads();
    }
  }
  out[t] = t;
}

__global__ void histogram_kernel(const int* v, int n, unsigned* bins) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) atomicAdd(&bins[v[i] & 15], 1u);
}

__global__ void fill_kernel(int* out, int value) {
  const int i = (blockIdx.x * blockDim.x + threadIdx.x);
  out[i] = value;
}

void launch_reduce_smem(const float* x, int n, float* out, int threads, cudaStream_t s) {
  const int blocks = (n + threads - 1) / threads < 64 ? (n + threads - 1) / threads : 64;
  CUDA_LAUNCH(dim3(blocks > 0 ? blocks : 1), dim3(threads), threads * sizeof(float), s, reduce_smem_kernel)
  (x, n, out);
}
void launch_reduce_shfl(const float* x, int n, float* out, int threads, cudaStream_t s) {
  const int blocks = (n + threads - 1) / threads < 64 ? (n + threads - 1) / threads : 64;
  CUDA_LAUNCH(dim3(blocks > 0 ? blocks : 1), dim3(threads), 0, s, reduce_shfl_kernel)(x, n, out);
}
void launch_sgemm_tiled(const float* a, const float* b, float* c, int m, int n, int k,
                        bool with_second_barrier, cudaStream_t s) {
  const dim3 grid((n + 15) / 16, (m + 15) / 16), block(16, 16);
  if (with_second_barrier)
    CUDA_LAUNCH(grid, block, 0, s, sgemm_tiled_kernel<true>)(a, b, c, m, n, k);
  else
    CUDA_LAUNCH(grid, block, 0, s, sgemm_tiled_kernel<false>)(a, b, c, m, n, k);
}
void launch_warp_probe(int* out, int width, int arg, int threads, cudaStream_t s) {
  CUDA_LAUNCH(dim3(1), dim3(threads), 0, s, warp_probe_kernel)(out, width, arg);
}
void launch_divergent_barrier(int* out, int kind, cudaStream_t s) {
  CUDA_LAUNCH(dim3(1), dim3(32), 0, s, divergent_barrier_kernel)(out, kind);
}
void launch_histogram(const int* v, int n, unsigned* bins, cudaStream_t s) {
  CUDA_LAUNCH(dim3((n + 127) / 128), dim3(128), 0, s, histogram_kernel)(v, n, bins);
}
void launch_fill(int* out, int value, dim3 grid, dim3 block, size_t smem, cudaStream_t s) {
  CUDA_LAUNCH(grid, block, smem, s, fill_kernel)(out, value);
}

}  // namespace semantics
