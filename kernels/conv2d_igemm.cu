// Convolution as one implicit GEMM per layer over the whole batch, with the bias + ReLU epilogue stored
// straight into the output's channel slice. No im2col matrix is ever written: each block gathers its B tile
// from the input image(s) through a per-block table of tap offsets.
//
//   C[m][col] = sum_k W[m][k] * X[k][col],   m < cout, k < cin*kh*kw, col < n*ho*wo (all images at once)
//
// Tiles: BM x 128 outputs per block of 256 threads, K in steps of 8, each thread an (BM/16) x 8 register tile
// whose rows are ty + 16i and columns tx + 16j, so shared-memory reads are broadcasts (A) or consecutive (B)
// and the epilogue's stores are coalesced along the output pixels. The next K step's tiles are fetched into
// registers while the current one is multiplied (two shared buffers, one barrier per step).
//
// Every output element is one thread's chain of fmaf over k = 0, 1, ..., K-1 from 0, then + bias, then ReLU:
// the same operations in the same order as the CPU backend's GEMM path (src/backend/cpu/gemm_kernel.h), so
// the result does not depend on the batch size, the tile it falls in or the launch configuration.
//
// Indices are 32-bit: the launcher splits the batch so that no launch addresses 2^31 floats or more.
//
// TF32 (an opt-in, launch_conv2d_igemm's tf32): the same tiles, staged rounded to TF32 (10-bit mantissa), are
// multiplied by tensor cores through wmma, 16 x 16 x 8 fragments, each warp a 32 x (kBN / warps along N)
// piece of the block tile; the accumulators go through shared memory, a 16 x 16 fragment at a time per warp,
// to the same bias + ReLU epilogue. Products of TF32 values are exact and sums are float32, but the order is
// the tensor core's: results depend on TF32's rounding of the inputs (about 2^-11 relative each), not the
// batch.
#include "kernels.h"

#include <climits>

#if defined(FIDCPP_CUDA_EMULATED)
#include "emu/cudaemu_wmma.h"
#else
#include <mma.h>
#endif

FIDCPP_CUDA_NAMESPACE_BEGIN

namespace {

constexpr int kBN = 128, kBK = 8, kThreads = 256;

struct ConvArgs {
  const float* src;  // image 0, channel 0 of the batch's first image in this launch
  const float* wt;   // K x cout row-major (transposed OIHW)
  const float* bias;
  float* dst;  // image 0, first channel of the output slice
  int src_image_stride, dst_image_stride;
  int n, cin, h, w, cout, kh, kw, stride, ph, pw, ho, wo;
  int relu;
};

// The K loop both variants share: fetch(k0) gathers the K step at k0 into registers, stage(buf) stores them
// into shared buffer buf, multiply(buf, k0) consumes that buffer. The next step is fetched before the current
// one is multiplied; one barrier per step.
template <class Fetch, class Stage, class Multiply>
__device__ __forceinline__ void k_loop(int K, Fetch& fetch, Stage& stage, Multiply&& multiply) {
  __syncthreads();  // the tap table
  fetch(0);
  stage(0);
  __syncthreads();
  int buf = 0;
  for (int k0 = 0; k0 < K; k0 += kBK) {
    const bool more = k0 + kBK < K;
    if (more) fetch(k0 + kBK);
    multiply(buf, k0);
    if (more) {
      // The other buffer was last read in the previous step, which every thread finished before the
      // barrier that ended it.
      stage(buf ^ 1);
      __syncthreads();
      buf ^= 1;
    }
  }
}

__device__ __forceinline__ float to_tf32(float v) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
  return v;
#else
  return nvcuda::wmma::__float_to_tf32(v);
#endif
}

// The TF32 variant's K loop and epilogue (see the top of the file): fetch(k0) gathers the K step at k0 into
// registers and stage(buf) stores them, rounded to TF32, into shared buffer buf.
template <int BM, class Fetch, class Stage>
__device__ void tf32_main_loop(const ConvArgs& a, int K, int ncols, int hwo, int m0, int n0,
                               float (&As)[2][kBK][BM], float (&Bs)[2][kBK][kBN], Fetch& fetch,
                               Stage& stage) {
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800
  namespace wmma = nvcuda::wmma;
  constexpr int kWarps = kThreads / 32, kWarpsM = BM / 32, kWarpsN = kWarps / kWarpsM;
  constexpr int kWN = kBN / kWarpsN, FM = 2, FN = kWN / 16;
  static_assert(kWarpsM * kWarpsN == kWarps && kWarpsN * kWN == kBN, "warp tiling");
  static_assert(2 * kBK * kBN >= kWarps * 256, "the epilogue's per-warp 16 x 16 scratch fits in Bs");
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int wm0 = (warp % kWarpsM) * 32, wn0 = (warp / kWarpsM) * kWN;
  wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[FM][FN];
#pragma unroll
  for (int i = 0; i < FM; ++i)
#pragma unroll
    for (int j = 0; j < FN; ++j) wmma::fill_fragment(acc[i][j], 0.f);

  // A partial last step multiplies the zeros staged past K.
  k_loop(K, fetch, stage, [&](int buf, int) {
    wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::col_major> fa[FM];
    wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fb[FN];
#pragma unroll
    for (int i = 0; i < FM; ++i) wmma::load_matrix_sync(fa[i], &As[buf][0][wm0 + 16 * i], BM);
#pragma unroll
    for (int j = 0; j < FN; ++j) wmma::load_matrix_sync(fb[j], &Bs[buf][0][wn0 + 16 * j], kBN);
#pragma unroll
    for (int i = 0; i < FM; ++i)
#pragma unroll
      for (int j = 0; j < FN; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
  });

  __syncthreads();  // every warp is done with the tiles: Bs becomes the epilogue's scratch
  float* scratch = &Bs[0][0][0] + warp * 256;
#pragma unroll
  for (int i = 0; i < FM; ++i)
#pragma unroll
    for (int j = 0; j < FN; ++j) {
      wmma::store_matrix_sync(scratch, acc[i][j], 16, wmma::mem_row_major);
      __syncwarp();
#pragma unroll
      for (int t = 0; t < 8; ++t) {
        const int e = lane + 32 * t, r = e / 16, c = e % 16;
        const int m = m0 + wm0 + 16 * i + r, col = n0 + wn0 + 16 * j + c;
        if (m < a.cout && col < ncols) {
          const int img = col / hwo, p = col - img * hwo;
          const float v = __fadd_rn(scratch[e], a.bias[m]);
          a.dst[img * a.dst_image_stride + m * hwo + p] = (a.relu && v < 0.f) ? 0.f : v;
        }
      }
      __syncwarp();  // the warp has read the fragment before the next one overwrites it
    }
#endif
}

template <int BM, bool kTf32>
__global__ void __launch_bounds__(kThreads) conv2d_igemm_kernel(ConvArgs a) {
  constexpr int TM = BM / 16, TN = kBN / 16;
  constexpr int kAPer = kBK * BM / kThreads;   // A elements each thread stages per K step
  constexpr int kBPer = kBK * kBN / kThreads;  // B elements each thread stages per K step
  // 32-byte aligned: wmma loads and stores need 256-bit aligned addresses.
  __shared__ __align__(32) float As[2][kBK][BM];
  __shared__ __align__(32) float Bs[2][kBK][kBN];
  // tab[k]: offset of tap k from a column's top-left input pixel; tab[K + k]: (ky << 16) | kx for the
  // bounds test. Built once per block: the only integer divisions of the kernel are here and per column.
  CUDA_DYNAMIC_SHARED(int, tab);

  const int tid = threadIdx.x;
  const int taps = a.kh * a.kw, K = a.cin * taps, plane = a.h * a.w;
  for (int k = tid; k < K; k += kThreads) {
    const int ci = k / taps, t = k - ci * taps, ky = t / a.kw, kx = t - ky * a.kw;
    tab[k] = ci * plane + ky * a.w + kx;
    tab[K + k] = (ky << 16) | kx;
  }

  const int hwo = a.ho * a.wo, ncols = a.n * hwo;
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * kBN;

  // The one output column this thread gathers B values for, and the rows it stages.
  const int b_col = n0 + tid % kBN, b_row = (tid / kBN) * kBPer;
  const bool b_ok = b_col < ncols;
  int iy0 = 0, ix0 = 0, b_base = 0;
  if (b_ok) {
    const int img = b_col / hwo, p = b_col - img * hwo, oy = p / a.wo, ox = p - oy * a.wo;
    iy0 = oy * a.stride - a.ph;
    ix0 = ox * a.stride - a.pw;
    b_base = img * a.src_image_stride + iy0 * a.w + ix0;  // may be negative; every read adds an offset
  }
  const int a_m = tid % BM, a_row = (tid / BM) * kAPer;
  const bool a_ok = m0 + a_m < a.cout;

  float ra[kAPer], rb[kBPer];
  auto fetch = [&](int k0) {
#pragma unroll
    for (int r = 0; r < kAPer; ++r) {
      const int k = k0 + a_row + r;
      ra[r] = (a_ok && k < K) ? a.wt[k * a.cout + m0 + a_m] : 0.f;
    }
#pragma unroll
    for (int r = 0; r < kBPer; ++r) {
      const int k = k0 + b_row + r;
      float v = 0.f;
      if (b_ok && k < K) {
        const int kyx = tab[K + k];
        const int iy = iy0 + (kyx >> 16), ix = ix0 + (kyx & 0xffff);
        if (static_cast<unsigned>(iy) < static_cast<unsigned>(a.h) &&
            static_cast<unsigned>(ix) < static_cast<unsigned>(a.w))
          v = a.src[b_base + tab[k]];
      }
      rb[r] = v;
    }
  };
  auto stage = [&](int buf) {
#pragma unroll
    for (int r = 0; r < kAPer; ++r) As[buf][a_row + r][a_m] = kTf32 ? to_tf32(ra[r]) : ra[r];
#pragma unroll
    for (int r = 0; r < kBPer; ++r) Bs[buf][b_row + r][tid % kBN] = kTf32 ? to_tf32(rb[r]) : rb[r];
  };
  if constexpr (kTf32) {
    tf32_main_loop<BM>(a, K, ncols, hwo, m0, n0, As, Bs, fetch, stage);
    return;
  }

  const int tx = tid % 16, ty = tid / 16;
  float acc[TM][TN];
#pragma unroll
  for (int i = 0; i < TM; ++i)
#pragma unroll
    for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;
  auto step = [&](int buf, int kk) {
    float av[TM], bv[TN];
#pragma unroll
    for (int i = 0; i < TM; ++i) av[i] = As[buf][kk][ty + 16 * i];
#pragma unroll
    for (int j = 0; j < TN; ++j) bv[j] = Bs[buf][kk][tx + 16 * j];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
      for (int j = 0; j < TN; ++j) acc[i][j] = __fmaf_rn(av[i], bv[j], acc[i][j]);
  };

  k_loop(K, fetch, stage, [&](int buf, int k0) {
    if (K - k0 >= kBK) {
#pragma unroll
      for (int kk = 0; kk < kBK; ++kk) step(buf, kk);
    } else {
      for (int kk = 0; kk < K - k0; ++kk) step(buf, kk);
    }
  });

#pragma unroll
  for (int j = 0; j < TN; ++j) {
    const int col = n0 + tx + 16 * j;
    if (col >= ncols) continue;
    const int img = col / hwo, p = col - img * hwo;
    float* out = a.dst + img * a.dst_image_stride + p;
#pragma unroll
    for (int i = 0; i < TM; ++i) {
      const int m = m0 + ty + 16 * i;
      if (m >= a.cout) continue;
      const float v = __fadd_rn(acc[i][j], a.bias[m]);
      out[m * hwo] = (a.relu && v < 0.f) ? 0.f : v;  // NaN propagates, as in torch.relu
    }
  }
}

// Tile height for cout output channels: 128 when that wastes at most 1/8 of the rows, else 64.
int tile_rows(int cout) {
  const int waste128 = (cout + 127) / 128 * 128 - cout;
  return waste128 * 8 <= cout ? 128 : 64;
}

}  // namespace

int conv2d_igemm_max_k() {
  // Shared memory: the two staged tiles of the BM = 128 variant (16 KiB) plus the tap table (8 bytes a tap)
  // stay within the 48 KiB a block gets without opting in.
  return (48 * 1024 - 2 * kBK * (128 + kBN) * int(sizeof(float))) / (2 * int(sizeof(int)));
}

bool launch_conv2d_igemm(const float* src, size_t src_image_stride, const float* weight_kxc,
                         const float* bias, bool relu, float* dst, size_t dst_image_stride, int n, int cin,
                         int h, int w, int cout, int kh, int kw, int stride, int ph, int pw, bool tf32,
                         cudaStream_t stream) {
  const int ho = (h + 2 * ph - kh) / stride + 1, wo = (w + 2 * pw - kw) / stride + 1;
  const long long K = static_cast<long long>(cin) * kh * kw;
  const long long hwo = static_cast<long long>(ho) * wo;
  const size_t per_image = src_image_stride > dst_image_stride ? src_image_stride : dst_image_stride;
  if (n <= 0 || ho <= 0 || wo <= 0 || K <= 0 || K > conv2d_igemm_max_k() || per_image == 0 ||
      per_image > size_t(INT_MAX) || K * cout > INT_MAX)
    return false;
  // 32-bit indices: each launch covers at most this many images.
  const int images_per_launch = static_cast<int>(size_t(INT_MAX) / per_image);
  const int bm = tile_rows(cout);
  const size_t smem = size_t(2) * size_t(K) * sizeof(int);
  for (int i0 = 0; i0 < n; i0 += images_per_launch) {
    ConvArgs a;
    a.n = n - i0 < images_per_launch ? n - i0 : images_per_launch;
    a.src = src + size_t(i0) * src_image_stride;
    a.dst = dst + size_t(i0) * dst_image_stride;
    a.wt = weight_kxc, a.bias = bias, a.relu = relu ? 1 : 0;
    a.src_image_stride = static_cast<int>(src_image_stride);
    a.dst_image_stride = static_cast<int>(dst_image_stride);
    a.cin = cin, a.h = h, a.w = w, a.cout = cout, a.kh = kh, a.kw = kw, a.stride = stride, a.ph = ph,
    a.pw = pw;
    a.ho = ho, a.wo = wo;
    const long long cols = static_cast<long long>(a.n) * hwo;
    const dim3 grid(static_cast<unsigned>((cols + kBN - 1) / kBN),
                    static_cast<unsigned>((cout + bm - 1) / bm));
    if (bm == 128 && tf32)
      CUDA_LAUNCH(grid, dim3(kThreads), smem, stream, conv2d_igemm_kernel<128, true>)(a);
    else if (bm == 128)
      CUDA_LAUNCH(grid, dim3(kThreads), smem, stream, conv2d_igemm_kernel<128, false>)(a);
    else if (tf32)
      CUDA_LAUNCH(grid, dim3(kThreads), smem, stream, conv2d_igemm_kernel<64, true>)(a);
    else
      CUDA_LAUNCH(grid, dim3(kThreads), smem, stream, conv2d_igemm_kernel<64, false>)(a);
  }
  return true;
}

FIDCPP_CUDA_NAMESPACE_END
