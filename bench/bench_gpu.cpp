// CUDA backend benchmark: the measured FP32 peak of this device (cuBLAS SGEMM through the project's Linalg,
// no TF32) as the roofline; whole-network images/s at batch 1, 32 and 128 (CUDA-graph replay, synthetic
// weights); and per-layer time against that peak. Exits 77 with "no CUDA device" where there is none.
// --tf32: the convolutions and the fc layer on TF32 tensor cores (the opt-in), the roofline still FP32.
// Usage: bench_gpu [--batches 1,32,128] [--iters 10] [--layers-batch 32] [--tf32]
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/linalg.h"
#include "core/splitmix64.h"
#include "model/inception_forward.h"
#include "model/inception_network.h"
#include "model/inception_weights.h"
#include "model/synthetic_weights.h"

namespace fidcpp {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void die(const std::string& what) {
  std::fprintf(stderr, "bench_gpu: %s\n", what.c_str());
  std::exit(1);
}
template <class T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) die(std::string(what) + ": " + r.status().to_string());
  return std::move(r).value();
}
void must(const Status& s, const char* what) {
  if (!s.ok()) die(std::string(what) + ": " + s.to_string());
}
#define BENCH_CUDA(expr)                                                            \
  do {                                                                              \
    const cudaError_t e_ = (expr);                                                  \
    if (e_ != cudaSuccess) die(std::string(#expr) + ": " + cudaGetErrorString(e_)); \
  } while (0)

// cuBLAS SGEMM n^3 (strict FP32) through Linalg on its own stream: best of `reps`, in GFLOP/s.
double sgemm_peak_gflops(int n, int reps) {
  cudaStream_t stream;
  BENCH_CUDA(cudaStreamCreate(&stream));
  auto la = must(create_cublas_linalg(stream), "cuBLAS");
  float *a, *b, *c;
  const size_t bytes = size_t(n) * n * sizeof(float);
  BENCH_CUDA(cudaMalloc(&a, bytes));
  BENCH_CUDA(cudaMalloc(&b, bytes));
  BENCH_CUDA(cudaMalloc(&c, bytes));
  BENCH_CUDA(cudaMemset(a, 0, bytes));
  BENCH_CUDA(cudaMemset(b, 0, bytes));
  cudaEvent_t t0, t1;
  BENCH_CUDA(cudaEventCreate(&t0));
  BENCH_CUDA(cudaEventCreate(&t1));
  double best = 0;
  for (int r = 0; r < reps + 1; ++r) {  // the first is a warm-up
    BENCH_CUDA(cudaEventRecord(t0, stream));
    must(la->sgemm(BlasOp::kN, BlasOp::kN, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n), "sgemm");
    BENCH_CUDA(cudaEventRecord(t1, stream));
    BENCH_CUDA(cudaEventSynchronize(t1));
    float ms = 0;
    BENCH_CUDA(cudaEventElapsedTime(&ms, t0, t1));
    if (r > 0) best = std::max(best, 2.0 * n * double(n) * n / (ms * 1e6));
  }
  cudaEventDestroy(t0);
  cudaEventDestroy(t1);
  cudaFree(a);
  cudaFree(b);
  cudaFree(c);
  la.reset();
  cudaStreamDestroy(stream);
  return best;
}

// A Backend that forwards every op to the CUDA backend and times each one (synchronising around it), for the
// per-layer table. Recording is not forwarded, so the forward runs op by op.
class TimingBackend final : public Backend {
 public:
  struct Op {
    std::string what;
    double seconds = 0, flops = 0;
  };
  explicit TimingBackend(Backend& inner) : in_(inner) {}
  std::vector<Op> ops;

  const char* name() const override { return in_.name(); }
  Result<std::unique_ptr<BackendBuffer>> allocate(size_t n) override { return in_.allocate(n); }
  Status upload(const float* h, size_t n, float* d) override { return in_.upload(h, n, d); }
  Status download(const float* d, size_t n, float* h) override { return in_.download(d, n, h); }
  Status synchronize() override { return in_.synchronize(); }
  Result<std::unique_ptr<PreparedConv>> prepare_conv(const ConvDesc& d) override {
    return in_.prepare_conv(d);
  }
  Result<std::unique_ptr<PreparedLinear>> prepare_linear(const LinearDesc& d) override {
    return in_.prepare_linear(d);
  }
  Status conv2d(const PreparedConv& c, const TensorView& i, const TensorView& o) override {
    const ConvDesc& d = c.desc();
    char what[96];
    std::snprintf(what, sizeof(what), "conv %dx%d/%d %4d->%-4d %3dx%-3d", d.kh, d.kw, d.stride, d.cin, d.cout,
                  o.h, o.w);
    return timed(what, 2.0 * o.n * d.cout * d.cin * d.kh * d.kw * double(o.h) * o.w,
                 [&] { return in_.conv2d(c, i, o); });
  }
  Status max_pool(const PoolDesc& p, const TensorView& i, const TensorView& o) override {
    return timed("max_pool " + std::to_string(o.c) + "x" + std::to_string(o.h), 0,
                 [&] { return in_.max_pool(p, i, o); });
  }
  Status avg_pool(const PoolDesc& p, const TensorView& i, const TensorView& o) override {
    return timed("avg_pool " + std::to_string(o.c) + "x" + std::to_string(o.h), 0,
                 [&] { return in_.avg_pool(p, i, o); });
  }
  Status global_mean(const TensorView& i, const TensorView& o) override {
    return timed("global_mean", 0, [&] { return in_.global_mean(i, o); });
  }
  Status preprocess(InputTransform t, const ImageBatch& im, const TensorView& o) override {
    return in_.preprocess(t, im, o);
  }
  Status linear(const PreparedLinear& l, const TensorView& i, const TensorView& o, bool b) override {
    return timed("linear", 2.0 * o.n * l.in() * l.out(), [&] { return in_.linear(l, i, o, b); });
  }

 private:
  template <class F>
  Status timed(const std::string& what, double flops, F&& op) {
    FIDCPP_RETURN_IF_ERROR(in_.synchronize());
    const auto t = Clock::now();
    FIDCPP_RETURN_IF_ERROR(op());
    FIDCPP_RETURN_IF_ERROR(in_.synchronize());
    ops.push_back(Op{what, seconds_since(t), flops});
    return Status();
  }
  Backend& in_;
};

std::vector<int> parse_list(const char* s) {
  std::vector<int> v;
  for (const char* p = s; *p;) {
    v.push_back(std::atoi(p));
    while (*p && *p != ',') ++p;
    if (*p == ',') ++p;
  }
  return v;
}

int run(int argc, char** argv) {
  std::vector<int> batches{1, 32, 128};
  int iters = 10, layers_batch = 32;
  bool tf32 = false;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--tf32"))
      tf32 = true;
    else if (!std::strcmp(argv[i], "--batches") && has_value)
      batches = parse_list(argv[++i]);
    else if (!std::strcmp(argv[i], "--iters") && has_value)
      iters = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--layers-batch") && has_value)
      layers_batch = std::max(1, std::atoi(argv[++i]));
    else
      die(std::string("unknown option or missing value: ") + argv[i]);
  }
  CudaBackendOptions options;
  options.allow_tf32 = tf32;
  auto backend_r = create_cuda_backend(options);
  if (!backend_r.ok()) {
    std::fprintf(stderr, "bench_gpu: %s\n", backend_r.status().message().c_str());  // "no CUDA device: ..."
    return 77;
  }
  Backend& be = *backend_r.value();
  std::printf("device: %s\n", be.name());
  const double peak = sgemm_peak_gflops(8192, 5);
  std::printf("roofline: cuBLAS SGEMM 8192^3, FP32 without TF32: %.0f GFLOP/s (best of 5)\n", peak);

  const InceptionParams params =
      must(fold_inception_params(synthetic_inception_weights(false), false), "synthetic weights");
  const PreparedInception w = must(prepare_inception(be, params), "prepare");
  const int max_batch = *std::max_element(batches.begin(), batches.end());
  std::vector<float> input(size_t(max_batch) * 3 * 299 * 299);
  SplitMix64 rng(1);
  for (float& v : input) v = float(int(rng.next() % 256) - 128) / 128.0f;

  // Per-layer table (op by op, synchronised): also the network's FLOPs per image.
  double flops_per_image = 0;
  {
    TimingBackend tb(be);
    InceptionNetworkOptions timed;
    timed.max_batch = layers_batch;
    InceptionNetwork net = must(InceptionNetwork::load(tb, params, timed), "network (timing)");
    InceptionForward* f = &net.forward();
    // Each forward moves to the other input buffer (two on CUDA): fill both.
    for (int i = 0; i < 2; ++i) {
      must(tb.upload(input.data(), size_t(layers_batch) * 3 * 299 * 299, f->input_view(layers_batch).data),
           "upload");
      must(f->forward(layers_batch), "warm-up");
    }
    tb.ops.clear();
    must(f->forward(layers_batch), "forward");
    double total = 0;
    std::printf("\nper layer, batch %d (each op synchronised; %% of the SGEMM roofline):\n", layers_batch);
    for (size_t i = 0; i < tb.ops.size(); ++i) {
      const auto& op = tb.ops[i];
      total += op.seconds;
      flops_per_image += op.flops / layers_batch;
      if (op.flops > 0)
        std::printf("%3zu %-34s %8.3f ms %8.0f GFLOP/s %5.1f%%\n", i, op.what.c_str(), op.seconds * 1e3,
                    op.flops / op.seconds / 1e9, 100 * op.flops / op.seconds / 1e9 / peak);
      else
        std::printf("%3zu %-34s %8.3f ms\n", i, op.what.c_str(), op.seconds * 1e3);
    }
    std::printf("sum of ops: %.2f ms; network: %.3f GFLOP per image\n", total * 1e3, flops_per_image / 1e9);
  }

  std::printf("\nwhole network (tap 2048, CUDA graph replay after the first two batches):\n");
  for (int b : batches) {
    auto f = must(InceptionForward::create(be, w, {InceptionTap::k2048}, b), "forward");
    for (int i = 0; i < 6; ++i) {  // per input buffer: direct, direct, record; both buffers filled first
      if (i < 2) must(be.upload(input.data(), size_t(b) * 3 * 299 * 299, f->input_view(b).data), "upload");
      must(f->forward(b), "warm-up");
    }
    must(be.synchronize(), "sync");
    const auto t = Clock::now();
    for (int i = 0; i < iters; ++i) must(f->forward(b), "forward");
    must(be.synchronize(), "sync");
    const double s = seconds_since(t) / iters;
    const double gflops = flops_per_image * b / s / 1e9;
    std::printf("batch %4d: %9.1f images/s  %7.2f ms/batch  %8.0f GFLOP/s  %5.1f%% of SGEMM peak\n", b, b / s,
                s * 1e3, gflops, 100 * gflops / peak);
  }
  return 0;
}

}  // namespace
}  // namespace fidcpp

int main(int argc, char** argv) {
  return fidcpp::run(argc, argv);
}
