// cudaemu: runs unmodified .cu kernels on the CPU (blocks on worker threads, CUDA threads as fibers) so that
// they can be tested with GoogleTest and sanitizers on machines without a GPU. Design: docs/cuda.md.
#pragma once

#if defined(__CUDACC__)
#error "cudaemu.h is for the emulated (g++/clang++) build only; nvcc uses the real runtime"
#endif

// The real CUDA headers keep decorations that are already defined (crt/host_defines.h), so defining them
// first gives the emulated build NVIDIA's exact types and enum values. __shared__ is one copy per OS thread,
// and all fibers of a block run on one OS thread while concurrent blocks run on different ones.
#define __global__
#define __device__
#define __host__
#define __constant__
#define __managed__
#define __shared__ static thread_local
#include <cuda_runtime.h>
// An occupancy hint for nvcc's register allocator; nothing to emulate.
#if !defined(__launch_bounds__)
#define __launch_bounds__(...)
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#if !defined(FIDCPP_CUDA_EMULATED)
#define FIDCPP_CUDA_EMULATED 1
#endif

namespace cudaemu {

enum class Order { Forward, Reverse, Random };

struct Options {
  unsigned workers = 0;                     // OS threads running blocks; 0 = env CUDAEMU_WORKERS or all cores
  size_t stack_size = 256 << 10;            // per CUDA thread
  Order order = Order::Forward;             // resume order of ready fibers in each scheduling round
  unsigned seed = 1;                        // for Order::Random
  bool strict = true;                       // divergent / mismatched barriers and deadlocks throw KernelError
  bool poison_dynamic_smem = true;          // refill dynamic shared memory with 0xFF (NaN) for every block
  size_t device_memory = size_t(16) << 30;  // what cudaMemGetInfo reports as total
  // How streams run. kImmediate: every operation runs when it is issued (streams only record captures). The
  // others queue the operations of created streams and run them only when the host waits (a stream, event or
  // device synchronise, a blocking copy or free, the legacy stream); then, while the awaited stream or event
  // is not done, kDeferOthersFirst runs every other stream as far as its event waits allow before the awaited
  // stream moves one operation on, and kDeferAwaitedFirst the awaited stream first, others only when it is
  // blocked. These are the most hostile orders a real device may choose: under the first, a copy on a second
  // stream that lacks an event wait runs ahead of the kernels still reading its destination; under the
  // second, kernels that lack a wait for a copy run before it. Either way host memory reused before its event
  // has completed is read only after it was overwritten. Set it before creating streams, not while work is
  // queued.
  enum class Streams { kImmediate, kDeferOthersFirst, kDeferAwaitedFirst };
  Streams streams = Streams::kImmediate;
};
// Process-wide; set before launching, not while a launch runs.
Options& options();

// Thrown by a launch when a kernel breaks the execution model (strict mode) or throws itself.
struct KernelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Stats {
  uint64_t blocks = 0, threads = 0, switches = 0, barriers = 0, warp_ops = 0, undefined_shfl_reads = 0;
};
// Of the last completed launch.
Stats last_stats();
// Number of cudaMalloc allocations not yet freed (tests check for leaks with it).
size_t live_allocations();

namespace detail {

// Built-in variables: the scheduler rewrites them before resuming each fiber. uint3 (a POD) instead of dim3
// keeps thread_local access free of the dynamic-initialisation wrapper.
inline thread_local uint3 t_threadIdx;
inline thread_local uint3 t_blockIdx;
inline thread_local uint3 t_blockDim;
inline thread_local uint3 t_gridDim;

enum BarrierKind : int { kSyncThreads = 0, kSyncCount = 1, kSyncAnd = 2, kSyncOr = 3 };
enum WarpKind : int { kShflIdx = 0, kShflUp, kShflDown, kShflXor, kBallot, kAny, kAll, kSyncWarp };

int block_barrier(int kind, int pred, const char* file, int line);
uint64_t warp_collective(int kind, unsigned mask, uint64_t bits, int arg, int width, const char* file,
                         int line);
void* dynamic_smem();

struct LaunchConfig {
  dim3 grid, block;
  size_t smem;
  cudaStream_t stream;
  const void* kernel;  // identity only (cudaFuncSetAttribute lookups)
};
// Validates the configuration like the driver; on error records it as the last error and runs nothing. When
// the stream is being captured the body is recorded for graph replay instead of run.
void launch(const LaunchConfig& cfg, std::function<void()> body);

template <class T>
uint64_t to_bits(T v) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value,
                "warp collectives move up to 8 bytes");
  uint64_t b = 0;
  std::memcpy(&b, &v, sizeof(T));
  return b;
}
template <class T>
T from_bits(uint64_t b) {
  T v;
  std::memcpy(&v, &b, sizeof(T));
  return v;
}

}  // namespace detail

// Returned by CUDA_LAUNCH(...): copies the arguments converted to the kernel's parameter types, as a launch
// does.
template <class... P>
struct Launcher {
  void (*kernel)(P...);
  detail::LaunchConfig cfg;
  template <class... A>
  void operator()(A&&... args) const {
    static_assert(sizeof...(A) == sizeof...(P), "wrong number of kernel arguments");
    auto params = std::make_shared<std::tuple<std::decay_t<P>...>>(std::forward<A>(args)...);
    auto k = kernel;
    detail::launch(cfg, [k, params]() {
      // Each CUDA thread gets its own copy of the parameters, as on the device.
      std::tuple<std::decay_t<P>...> mine = *params;
      std::apply(k, mine);
    });
  }
};
template <class... P>
Launcher<P...> launcher(dim3 grid, dim3 block, size_t smem, cudaStream_t stream, void (*k)(P...)) {
  return Launcher<P...>{k, detail::LaunchConfig{grid, block, smem, stream, reinterpret_cast<const void*>(k)}};
}

}  // namespace cudaemu

// ---- built-in variables
// -------------------------------------------------------------------------------------
#define threadIdx (static_cast<const uint3&>(::cudaemu::detail::t_threadIdx))
#define blockIdx (static_cast<const uint3&>(::cudaemu::detail::t_blockIdx))
#define blockDim (static_cast<const uint3&>(::cudaemu::detail::t_blockDim))
#define gridDim (static_cast<const uint3&>(::cudaemu::detail::t_gridDim))
constexpr int warpSize = 32;

// ---- synchronisation: park the fiber; the call site is recorded for diagnostics
// --------------------------------
#define CUDAEMU_SITE const char *file = __builtin_FILE(), int line = __builtin_LINE()

inline void __syncthreads(CUDAEMU_SITE) {
  ::cudaemu::detail::block_barrier(0, 0, file, line);
}
inline int __syncthreads_count(int pred, CUDAEMU_SITE) {
  return ::cudaemu::detail::block_barrier(1, pred, file, line);
}
inline int __syncthreads_and(int pred, CUDAEMU_SITE) {
  return ::cudaemu::detail::block_barrier(2, pred, file, line);
}
inline int __syncthreads_or(int pred, CUDAEMU_SITE) {
  return ::cudaemu::detail::block_barrier(3, pred, file, line);
}
inline void __syncwarp(unsigned mask = 0xffffffffu, CUDAEMU_SITE) {
  ::cudaemu::detail::warp_collective(::cudaemu::detail::kSyncWarp, mask, 0, 0, 32, file, line);
}
template <class T>
T __shfl_sync(unsigned mask, T v, int src, int width = 32, CUDAEMU_SITE) {
  return ::cudaemu::detail::from_bits<T>(::cudaemu::detail::warp_collective(
      ::cudaemu::detail::kShflIdx, mask, ::cudaemu::detail::to_bits(v), src, width, file, line));
}
template <class T>
T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32, CUDAEMU_SITE) {
  return ::cudaemu::detail::from_bits<T>(
      ::cudaemu::detail::warp_collective(::cudaemu::detail::kShflUp, mask, ::cudaemu::detail::to_bits(v),
                                         static_cast<int>(delta), width, file, line));
}
template <class T>
T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32, CUDAEMU_SITE) {
  return ::cudaemu::detail::from_bits<T>(
      ::cudaemu::detail::warp_collective(::cudaemu::detail::kShflDown, mask, ::cudaemu::detail::to_bits(v),
                                         static_cast<int>(delta), width, file, line));
}
template <class T>
T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32, CUDAEMU_SITE) {
  return ::cudaemu::detail::from_bits<T>(::cudaemu::detail::warp_collective(
      ::cudaemu::detail::kShflXor, mask, ::cudaemu::detail::to_bits(v), lane_mask, width, file, line));
}
inline unsigned __ballot_sync(unsigned mask, int pred, CUDAEMU_SITE) {
  return static_cast<unsigned>(
      ::cudaemu::detail::warp_collective(::cudaemu::detail::kBallot, mask, pred != 0, 0, 32, file, line));
}
inline int __any_sync(unsigned mask, int pred, CUDAEMU_SITE) {
  return static_cast<int>(
      ::cudaemu::detail::warp_collective(::cudaemu::detail::kAny, mask, pred != 0, 0, 32, file, line));
}
inline int __all_sync(unsigned mask, int pred, CUDAEMU_SITE) {
  return static_cast<int>(
      ::cudaemu::detail::warp_collective(::cudaemu::detail::kAll, mask, pred != 0, 0, 32, file, line));
}
// Lanes of the current warp that have not exited (not the "converged" set of real hardware).
unsigned __activemask();
inline void __threadfence() {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
inline void __threadfence_block() {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

// ---- atomics: real atomics (blocks on different workers run concurrently), relaxed as in CUDA
// ------------------
template <class T>
inline T cudaemu_atomic_add_int(T* p, T v) {
  return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
inline int atomicAdd(int* p, int v) {
  return cudaemu_atomic_add_int(p, v);
}
inline unsigned atomicAdd(unsigned* p, unsigned v) {
  return cudaemu_atomic_add_int(p, v);
}
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
  return cudaemu_atomic_add_int(p, v);
}
inline float atomicAdd(float* p, float v) {
  uint32_t cur = __atomic_load_n(reinterpret_cast<uint32_t*>(p), __ATOMIC_RELAXED);
  for (;;) {
    float f;
    std::memcpy(&f, &cur, 4);
    float n = f + v;
    uint32_t nb;
    std::memcpy(&nb, &n, 4);
    if (__atomic_compare_exchange_n(reinterpret_cast<uint32_t*>(p), &cur, nb, true, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED))
      return f;
  }
}
inline double atomicAdd(double* p, double v) {
  uint64_t cur = __atomic_load_n(reinterpret_cast<uint64_t*>(p), __ATOMIC_RELAXED);
  for (;;) {
    double f;
    std::memcpy(&f, &cur, 8);
    double n = f + v;
    uint64_t nb;
    std::memcpy(&nb, &n, 8);
    if (__atomic_compare_exchange_n(reinterpret_cast<uint64_t*>(p), &cur, nb, true, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED))
      return f;
  }
}
inline int atomicSub(int* p, int v) {
  return __atomic_fetch_sub(p, v, __ATOMIC_RELAXED);
}
inline unsigned atomicSub(unsigned* p, unsigned v) {
  return __atomic_fetch_sub(p, v, __ATOMIC_RELAXED);
}
inline int atomicExch(int* p, int v) {
  return __atomic_exchange_n(p, v, __ATOMIC_RELAXED);
}
inline unsigned atomicExch(unsigned* p, unsigned v) {
  return __atomic_exchange_n(p, v, __ATOMIC_RELAXED);
}
template <class T>
inline T cudaemu_atomic_cas(T* p, T cmp, T v) {
  __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  return cmp;  // holds the old value whether or not the exchange happened
}
inline int atomicCAS(int* p, int c, int v) {
  return cudaemu_atomic_cas(p, c, v);
}
inline unsigned atomicCAS(unsigned* p, unsigned c, unsigned v) {
  return cudaemu_atomic_cas(p, c, v);
}
inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long c, unsigned long long v) {
  return cudaemu_atomic_cas(p, c, v);
}
template <class T>
inline T cudaemu_atomic_minmax(T* p, T v, bool want_max) {
  T cur = __atomic_load_n(p, __ATOMIC_RELAXED);
  while ((want_max ? v > cur : v < cur) &&
         !__atomic_compare_exchange_n(p, &cur, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  return cur;
}
inline int atomicMax(int* p, int v) {
  return cudaemu_atomic_minmax(p, v, true);
}
inline unsigned atomicMax(unsigned* p, unsigned v) {
  return cudaemu_atomic_minmax(p, v, true);
}
inline int atomicMin(int* p, int v) {
  return cudaemu_atomic_minmax(p, v, false);
}
inline unsigned atomicMin(unsigned* p, unsigned v) {
  return cudaemu_atomic_minmax(p, v, false);
}
inline int atomicAnd(int* p, int v) {
  return __atomic_fetch_and(p, v, __ATOMIC_RELAXED);
}
inline int atomicOr(int* p, int v) {
  return __atomic_fetch_or(p, v, __ATOMIC_RELAXED);
}
inline unsigned atomicOr(unsigned* p, unsigned v) {
  return __atomic_fetch_or(p, v, __ATOMIC_RELAXED);
}
inline int atomicXor(int* p, int v) {
  return __atomic_fetch_xor(p, v, __ATOMIC_RELAXED);
}

// ---- intrinsics and CUDA's global math overloads (one line each; a missing one is a compile error)
// ------------- Plain float operations: the emulated build is compiled with -ffp-contract=off, so each one
// rounds once, which is exactly what the _rn intrinsics promise on the device.
inline float __fadd_rn(float a, float b) {
  return a + b;
}
inline float __fsub_rn(float a, float b) {
  return a - b;
}
inline float __fmul_rn(float a, float b) {
  return a * b;
}
inline float __fdiv_rn(float a, float b) {
  return a / b;
}
inline double __dadd_rn(double a, double b) {
  return a + b;
}
inline double __dmul_rn(double a, double b) {
  return a * b;
}
inline float __fmaf_rn(float a, float b, float c) {
  return std::fma(a, b, c);
}
inline float __int_as_float(int x) {
  return ::cudaemu::detail::from_bits<float>(static_cast<uint32_t>(x));
}
inline int __float_as_int(float x) {
  return static_cast<int>(static_cast<uint32_t>(::cudaemu::detail::to_bits(x)));
}
inline int __float2int_rd(float x) {
  return static_cast<int>(std::floor(x));
}
inline int __float2int_rz(float x) {
  return static_cast<int>(x);
}
inline float rsqrtf(float x) {
  return 1.0f / std::sqrt(x);
}
inline int __popc(unsigned x) {
  return __builtin_popcount(x);
}
inline int __ffs(int x) {
  return __builtin_ffs(x);
}
inline int __clz(int x) {
  return x == 0 ? 32 : __builtin_clz(static_cast<unsigned>(x));
}
template <class T>
inline T __ldg(const T* p) {
  return *p;
}
inline int min(int a, int b) {
  return a < b ? a : b;
}
inline unsigned min(unsigned a, unsigned b) {
  return a < b ? a : b;
}
inline long long min(long long a, long long b) {
  return a < b ? a : b;
}
inline unsigned long long min(unsigned long long a, unsigned long long b) {
  return a < b ? a : b;
}
inline float min(float a, float b) {
  return std::fmin(a, b);
}
inline double min(double a, double b) {
  return std::fmin(a, b);
}
inline int max(int a, int b) {
  return a > b ? a : b;
}
inline unsigned max(unsigned a, unsigned b) {
  return a > b ? a : b;
}
inline long long max(long long a, long long b) {
  return a > b ? a : b;
}
inline unsigned long long max(unsigned long long a, unsigned long long b) {
  return a > b ? a : b;
}
inline float max(float a, float b) {
  return std::fmax(a, b);
}
inline double max(double a, double b) {
  return std::fmax(a, b);
}

// ---- launch spellings (cuda_compat.h maps CUDA_LAUNCH / CUDA_DYNAMIC_SHARED here)
// ------------------------------
#define CUDAEMU_LAUNCH(g, b, smem, stream, ...) ::cudaemu::launcher(g, b, smem, stream, __VA_ARGS__)
#define CUDAEMU_DYNAMIC_SHARED(T, name) T* name = static_cast<T*>(::cudaemu::detail::dynamic_smem())

// ---- runtime API subset
// --------------------------------------------------------------------------------------- Renamed with macros
// rather than defined as the extern "C" symbols, so that an emulated object and the real libcudart can live
// in one binary (the test executables also link the real CUDA backend when it is built). A function missing
// here resolves to the real cudart and fails at run time with cudaErrorInsufficientDriver.
cudaError_t cudaemu_cudaMalloc(void** p, size_t bytes);
template <class T>
cudaError_t cudaemu_cudaMalloc(T** p, size_t bytes) {
  return cudaemu_cudaMalloc(reinterpret_cast<void**>(p), bytes);
}
cudaError_t cudaemu_cudaFree(void* p);
cudaError_t cudaemu_cudaMallocHost(void** p, size_t bytes);
template <class T>
cudaError_t cudaemu_cudaMallocHost(T** p, size_t bytes) {
  return cudaemu_cudaMallocHost(reinterpret_cast<void**>(p), bytes);
}
cudaError_t cudaemu_cudaHostAlloc(void** p, size_t bytes, unsigned flags);
cudaError_t cudaemu_cudaFreeHost(void* p);
cudaError_t cudaemu_cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaemu_cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                                    cudaStream_t stream = 0);
cudaError_t cudaemu_cudaMemcpy2DAsync(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width,
                                      size_t height, cudaMemcpyKind kind, cudaStream_t stream = 0);
cudaError_t cudaemu_cudaMemset(void* p, int value, size_t bytes);
cudaError_t cudaemu_cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t stream = 0);
cudaError_t cudaemu_cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);
cudaError_t cudaemu_cudaPointerGetAttributes(cudaPointerAttributes* attr, const void* p);
cudaError_t cudaemu_cudaGetDeviceCount(int* n);
cudaError_t cudaemu_cudaGetDevice(int* d);
cudaError_t cudaemu_cudaSetDevice(int d);
cudaError_t cudaemu_cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device);
cudaError_t cudaemu_cudaDriverGetVersion(int* v);
cudaError_t cudaemu_cudaRuntimeGetVersion(int* v);
cudaError_t cudaemu_cudaGetLastError();
cudaError_t cudaemu_cudaPeekAtLastError();
const char* cudaemu_cudaGetErrorString(cudaError_t e);
const char* cudaemu_cudaGetErrorName(cudaError_t e);
cudaError_t cudaemu_cudaDeviceSynchronize();
cudaError_t cudaemu_cudaStreamCreate(cudaStream_t* s);
cudaError_t cudaemu_cudaStreamCreateWithFlags(cudaStream_t* s, unsigned flags);
cudaError_t cudaemu_cudaStreamDestroy(cudaStream_t s);
cudaError_t cudaemu_cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaemu_cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode mode);
cudaError_t cudaemu_cudaStreamEndCapture(cudaStream_t s, cudaGraph_t* g);
cudaError_t cudaemu_cudaStreamIsCapturing(cudaStream_t s, cudaStreamCaptureStatus* st);
cudaError_t cudaemu_cudaGraphInstantiate(cudaGraphExec_t* e, cudaGraph_t g, unsigned long long flags = 0);
cudaError_t cudaemu_cudaGraphLaunch(cudaGraphExec_t e, cudaStream_t s);
cudaError_t cudaemu_cudaGraphExecDestroy(cudaGraphExec_t e);
cudaError_t cudaemu_cudaGraphDestroy(cudaGraph_t g);
cudaError_t cudaemu_cudaEventCreate(cudaEvent_t* e);
cudaError_t cudaemu_cudaEventCreateWithFlags(cudaEvent_t* e, unsigned flags);
cudaError_t cudaemu_cudaEventDestroy(cudaEvent_t e);
cudaError_t cudaemu_cudaEventRecord(cudaEvent_t e, cudaStream_t s = 0);
cudaError_t cudaemu_cudaEventSynchronize(cudaEvent_t e);
cudaError_t cudaemu_cudaEventElapsedTime(float* ms, cudaEvent_t a, cudaEvent_t b);
cudaError_t cudaemu_cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned flags = 0);
// Runs fn(user_data) in stream order (now, or at replay when the stream is being captured).
cudaError_t cudaemu_cudaLaunchHostFunc(cudaStream_t s, cudaHostFn_t fn, void* user_data);
cudaError_t cudaemu_cudaFuncSetAttribute(const void* f, cudaFuncAttribute attr, int value);
template <class... P>
cudaError_t cudaemu_cudaFuncSetAttribute(void (*f)(P...), cudaFuncAttribute attr, int value) {
  return cudaemu_cudaFuncSetAttribute(reinterpret_cast<const void*>(f), attr, value);
}
cudaError_t cudaemu_cudaMemcpyToSymbol_impl(void* symbol, const void* src, size_t bytes, size_t offset);
cudaError_t cudaemu_cudaMemcpyFromSymbol_impl(void* dst, const void* symbol, size_t bytes, size_t offset);
template <class T>
cudaError_t cudaemu_cudaMemcpyToSymbol(T& symbol, const void* src, size_t bytes, size_t offset = 0,
                                       cudaMemcpyKind = cudaMemcpyHostToDevice) {
  if (offset + bytes > sizeof(T)) return cudaErrorInvalidValue;
  return cudaemu_cudaMemcpyToSymbol_impl(static_cast<void*>(&symbol), src, bytes, offset);
}
template <class T>
cudaError_t cudaemu_cudaMemcpyFromSymbol(void* dst, const T& symbol, size_t bytes, size_t offset = 0,
                                         cudaMemcpyKind = cudaMemcpyDeviceToHost) {
  if (offset + bytes > sizeof(T)) return cudaErrorInvalidValue;
  return cudaemu_cudaMemcpyFromSymbol_impl(dst, static_cast<const void*>(&symbol), bytes, offset);
}

#define cudaMalloc cudaemu_cudaMalloc
#define cudaFree cudaemu_cudaFree
#define cudaMallocHost cudaemu_cudaMallocHost
#define cudaHostAlloc cudaemu_cudaHostAlloc
#define cudaFreeHost cudaemu_cudaFreeHost
#define cudaMemcpy cudaemu_cudaMemcpy
#define cudaMemcpyAsync cudaemu_cudaMemcpyAsync
#define cudaMemcpy2DAsync cudaemu_cudaMemcpy2DAsync
#define cudaMemset cudaemu_cudaMemset
#define cudaMemsetAsync cudaemu_cudaMemsetAsync
#define cudaMemGetInfo cudaemu_cudaMemGetInfo
#define cudaPointerGetAttributes cudaemu_cudaPointerGetAttributes
#define cudaGetDeviceCount cudaemu_cudaGetDeviceCount
#define cudaGetDevice cudaemu_cudaGetDevice
#define cudaSetDevice cudaemu_cudaSetDevice
#define cudaDeviceGetAttribute cudaemu_cudaDeviceGetAttribute
#define cudaDriverGetVersion cudaemu_cudaDriverGetVersion
#define cudaRuntimeGetVersion cudaemu_cudaRuntimeGetVersion
#define cudaGetLastError cudaemu_cudaGetLastError
#define cudaPeekAtLastError cudaemu_cudaPeekAtLastError
#define cudaGetErrorString cudaemu_cudaGetErrorString
#define cudaGetErrorName cudaemu_cudaGetErrorName
#define cudaDeviceSynchronize cudaemu_cudaDeviceSynchronize
#define cudaStreamCreate cudaemu_cudaStreamCreate
#define cudaStreamCreateWithFlags cudaemu_cudaStreamCreateWithFlags
#define cudaStreamDestroy cudaemu_cudaStreamDestroy
#define cudaStreamSynchronize cudaemu_cudaStreamSynchronize
#define cudaStreamBeginCapture cudaemu_cudaStreamBeginCapture
#define cudaStreamEndCapture cudaemu_cudaStreamEndCapture
#define cudaStreamIsCapturing cudaemu_cudaStreamIsCapturing
#define cudaGraphInstantiate cudaemu_cudaGraphInstantiate
#define cudaGraphLaunch cudaemu_cudaGraphLaunch
#define cudaGraphExecDestroy cudaemu_cudaGraphExecDestroy
#define cudaGraphDestroy cudaemu_cudaGraphDestroy
#define cudaEventCreate cudaemu_cudaEventCreate
#define cudaEventCreateWithFlags cudaemu_cudaEventCreateWithFlags
#define cudaEventDestroy cudaemu_cudaEventDestroy
#define cudaEventRecord cudaemu_cudaEventRecord
#define cudaEventSynchronize cudaemu_cudaEventSynchronize
#define cudaEventElapsedTime cudaemu_cudaEventElapsedTime
#define cudaStreamWaitEvent cudaemu_cudaStreamWaitEvent
#define cudaLaunchHostFunc cudaemu_cudaLaunchHostFunc
#define cudaFuncSetAttribute cudaemu_cudaFuncSetAttribute
#define cudaMemcpyToSymbol cudaemu_cudaMemcpyToSymbol
#define cudaMemcpyFromSymbol cudaemu_cudaMemcpyFromSymbol
