// CPU backend benchmarks: micro-kernel peak (the roofline the network is measured against), single conv
// layers, and the whole Inception-v3 forward (images/s, GFLOP/s) at several batch sizes and thread counts.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/gemm_kernel.h"
#include "core/aligned_buffer.h"
#include "core/parallel.h"
#include "model/inception_forward.h"
#include "model/inception_network.h"
#include "model/inception_table.h"
#include "model/synthetic_weights.h"

namespace fidcpp {
namespace {

// Output spatial size of each conv unit at 299 x 299 input (docs/conventions.md §1.3–1.4).
int unit_out_size(const ConvUnitSpec& u) {
  const std::string p = u.prefix;
  if (p == "Conv2d_1a_3x3") return 149;
  if (p == "Conv2d_2a_3x3" || p == "Conv2d_2b_3x3") return 147;
  if (p == "Conv2d_3b_1x1") return 73;
  if (p == "Conv2d_4a_3x3") return 71;
  if (p.rfind("Mixed_5", 0) == 0) return 35;
  if (p == "Mixed_6a.branch3x3" || p == "Mixed_6a.branch3x3dbl_3") return 17;
  if (p.rfind("Mixed_6a", 0) == 0) return 35;
  if (p.rfind("Mixed_6", 0) == 0) return 17;
  if (p == "Mixed_7a.branch3x3_2" || p == "Mixed_7a.branch7x7x3_4") return 8;
  if (p.rfind("Mixed_7a", 0) == 0) return 17;
  return 8;
}
int unit_in_size(const ConvUnitSpec& u) {
  const int o = unit_out_size(u);
  return (o - 1) * u.stride + u.kh - 2 * u.ph;
}
double unit_flops(const ConvUnitSpec& u) {
  const double o = unit_out_size(u);
  return 2.0 * u.cout * u.cin * u.kh * u.kw * o * o;
}
double network_flops() {
  double f = 2.0 * kPool3Dim * kFcOut;
  for (int i = 0; i < kNumConvUnits; ++i) f += unit_flops(conv_units()[i]);
  return f;
}

// The kernels' instruction set: $FIDCPP_ISA (avx512, avx2, neon, portable) forces one, else the best this CPU
// has.
const char* bench_isa() {
  const char* isa = std::getenv("FIDCPP_ISA");
  return isa && *isa ? isa : nullptr;
}

// Peak of the selected micro-kernel with L1-resident panels, on `threads` workers at once.
void BM_MicroKernelPeak(benchmark::State& state) {
  const int threads = int(state.range(0));
  GemmMicroKernel k;
  if (!select_gemm_micro_kernel(bench_isa(), &k)) {
    state.SkipWithError("no kernel for $FIDCPP_ISA on this CPU");
    return;
  }
  constexpr int kKc = 256;
  ThreadPool pool(threads);
  const size_t nt = static_cast<size_t>(threads);
  std::vector<AlignedBuffer<float>> a(nt), b(nt), c(nt);
  for (int t = 0; t < threads; ++t) {
    (void)a[size_t(t)].resize(size_t(kKc) * k.mr);
    (void)b[size_t(t)].resize(size_t(kKc) * k.nr);
    (void)c[size_t(t)].resize(size_t(k.mr) * k.nr);
    for (auto& v : a[size_t(t)]) v = 0.001f;
    for (auto& v : b[size_t(t)]) v = 0.002f;
    c[size_t(t)].zero();
  }
  constexpr int kCalls = 4000;
  for (auto _ : state) {
    pool.run_on_all([&](int w) {
      for (int i = 0; i < kCalls; ++i)
        k.fn(kKc, a[size_t(w)].data(), b[size_t(w)].data(), c[size_t(w)].data(), k.nr, k.mr, k.nr, true,
             nullptr, false);
    });
  }
  const double flops = 2.0 * k.mr * k.nr * kKc * kCalls * threads;
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(k.isa) + " " + std::to_string(k.mr) + "x" + std::to_string(k.nr));
}
BENCHMARK(BM_MicroKernelPeak)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// One conv unit of the network at batch range(1), threads range(2); range(0) indexes the table.
void BM_ConvLayer(benchmark::State& state) {
  const ConvUnitSpec& u = conv_units()[state.range(0)];
  const int n = int(state.range(1));
  CpuBackendOptions o;
  o.isa = bench_isa();
  o.threads = int(state.range(2));
  auto be = create_cpu_backend(o);
  if (!be.ok()) {
    state.SkipWithError(be.status().to_string().c_str());
    return;
  }
  const std::vector<float> w =
      synthetic_tensor(std::string(u.prefix) + ".conv.weight", {u.cout, u.cin, u.kh, u.kw});
  const std::vector<float> bias(size_t(u.cout), 0.01f);
  auto prep = (*be)->prepare_conv(
      ConvDesc{u.cin, u.cout, u.kh, u.kw, u.stride, u.ph, u.pw, true, w.data(), bias.data()});
  const int hi = unit_in_size(u), ho = unit_out_size(u);
  std::vector<float> x(size_t(n) * u.cin * hi * hi, 0.5f), y(size_t(n) * u.cout * ho * ho);
  for (auto _ : state) {
    Status s =
        (*be)->conv2d(**prep, make_view(x.data(), n, u.cin, hi, hi), make_view(y.data(), n, u.cout, ho, ho));
    if (!s.ok()) state.SkipWithError(s.to_string().c_str());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(unit_flops(u) * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(u.prefix);
}
void conv_layer_args(benchmark::internal::Benchmark* b) {
  for (const char* p :
       {"Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
        "Mixed_5b.branch1x1", "Mixed_5b.branch5x5_2", "Mixed_5b.branch3x3dbl_2", "Mixed_6a.branch3x3",
        "Mixed_6b.branch1x1", "Mixed_6e.branch7x7_2", "Mixed_6e.branch7x7_3", "Mixed_7a.branch3x3_2",
        "Mixed_7b.branch3x3dbl_2", "Mixed_7c.branch1x1", "Mixed_7c.branch3x3_2a"})
    for (int n : {1, 8})
      for (int threads : {1, 2}) b->Args({conv_unit_index(p), n, threads});
}
BENCHMARK(BM_ConvLayer)->Apply(conv_layer_args)->UseRealTime()->Unit(benchmark::kMillisecond);
// Every conv unit of the network, 2 threads, batch 1 and 8: where the forward's time goes, layer by layer
// (run with --benchmark_filter=BM_ConvUnit; tools/bench_cpu_layers.py groups the units by algorithm). One
// family per batch, so that neither holds more than the 100 argument sets Google Benchmark takes quietly.
const bool kConvUnitsRegistered = [] {
  for (const int n : {1, 8}) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark("BM_ConvUnit", BM_ConvLayer);
    for (int i = 0; i < kNumConvUnits; ++i) b->Args({i, n, 2});
    b->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(0.2);
  }
  return true;
}();

// The whole network on uint8 299 x 299 images (normalisation included, as in torch-fidelity), 2048 tap.
// range(0) = batch per call, range(1) = threads.
void BM_Network(benchmark::State& state) {
  const int n = int(state.range(0));
  CpuBackendOptions o;
  o.isa = bench_isa();
  o.threads = int(state.range(1));
  auto be = create_cpu_backend(o);
  if (!be.ok()) {
    state.SkipWithError(be.status().to_string().c_str());
    return;
  }
  auto params = fold_inception_params(synthetic_inception_weights(true), true);
  if (!params.ok()) {
    state.SkipWithError(params.status().to_string().c_str());
    return;
  }
  InceptionNetworkOptions no;
  no.max_batch = std::min(n, 8);
  auto net = InceptionNetwork::load(**be, std::move(*params), no);  // host copies freed as units are prepared
  if (!net.ok()) {
    state.SkipWithError(net.status().to_string().c_str());
    return;
  }
  InceptionForward& f = net->forward();
  std::vector<std::vector<uint8_t>> imgs;
  for (int i = 0; i < n; ++i) imgs.push_back(synthetic_image_u8(i));
  std::vector<float> x, feats(size_t(n) * kPool3Dim);
  for (auto _ : state) {
    x.clear();
    for (const auto& im : imgs) append_normalised_chw(im, &x);
    Status s = f.run(x.data(), n, {feats.data()});
    if (!s.ok()) state.SkipWithError(s.to_string().c_str());
    benchmark::DoNotOptimize(feats.data());
  }
  state.counters["images/s"] = benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(network_flops() * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel((*be)->name());
}
// Batches: 16 is the CLI's default, 50 and 64 are pytorch-fid's and torch-fidelity's.
BENCHMARK(BM_Network)
    ->ArgsProduct({{1, 8, 16, 32, 50, 64}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);

}  // namespace
}  // namespace fidcpp

BENCHMARK_MAIN();
