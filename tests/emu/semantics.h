// Probe kernels for the execution model (barriers, shuffles, votes, atomics): run through cudaemu in
// tests/emu and through nvcc on a GPU in tests/gpu, so the emulator's semantics can be checked against
// hardware.
#pragma once

#include <cuda_runtime.h>

namespace semantics {

// Sum of x[0..n) into *out (zeroed by the caller): shared-memory tree per block, then one atomicAdd per
// block.
void launch_reduce_smem(const float* x, int n, float* out, int threads, cudaStream_t s);
// Same with warp shuffles; threads must be a multiple of 32.
void launch_reduce_shfl(const float* x, int n, float* out, int threads, cudaStream_t s);
// C[m x n] = A[m x k] B[k x n], row-major, 16x16 shared tiles; with_second_barrier=false "forgets" the
// barrier that protects the tiles from being overwritten while other threads still read them.
void launch_sgemm_tiled(const float* a, const float* b, float* c, int m, int n, int k,
                        bool with_second_barrier, cudaStream_t s);
// out[32 * op + lane] for one warp of blockDim threads: op 0..3 = shfl idx/up/down/xor with the given width
// and argument (value = 100 + lane), 4 = ballot(lane odd), 5 = any(lane == 3), 6 = all(lane < 40), 7 =
// syncthreads_count(lane odd).
void launch_warp_probe(int* out, int width, int arg, int threads, cudaStream_t s);
// if (threadIdx.x < 16) __syncthreads();  (kind 0) or different barriers in if/else (kind 1).
void launch_divergent_barrier(int* out, int kind, cudaStream_t s);
// Histogram of values into 16 bins with global atomics, many blocks.
void launch_histogram(const int* v, int n, unsigned* bins, cudaStream_t s);
// Raw launch with a caller-chosen configuration (for launch-validation tests).
void launch_fill(int* out, int value, dim3 grid, dim3 block, size_t smem, cudaStream_t s);

}  // namespace semantics
