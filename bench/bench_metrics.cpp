// Metrics benchmarks on synthetic SplitMix64 features (tools/bench_metrics.py regenerates the same features
// in numpy and times pytorch-fid, torch-fidelity and the float64 reference paths beside these numbers).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

#include "core/splitmix64.h"
#include "metrics/fid.h"
#include "metrics/kid.h"
#include "metrics/moments.h"
#include "metrics/prc.h"

namespace fidcpp {
namespace {

constexpr int64_t kDim = 2048;

int64_t bench_rows() {
  const char* e = std::getenv("FIDCPP_BENCH_ROWS");
  return e ? std::atoll(e) : 10000;
}

// Set 1: u; set 2: u·1.1 + 0.05, all in float32 (numpy computes the same values bit for bit).
const std::vector<float>& features(int which) {
  static std::vector<float> sets[2];
  std::vector<float>& f = sets[which];
  if (f.empty()) {
    const int64_t n = bench_rows();
    SplitMix64 g(static_cast<uint64_t>(which + 1));
    f.resize(static_cast<size_t>(n * kDim));
    for (float& v : f) {
      v = g.uniform_f32();
      if (which == 1) v = v * 1.1f + 0.05f;
    }
  }
  return f;
}

const GaussianStats& stats(int which) {
  static GaussianStats s[2];
  if (s[which].dim == 0)
    s[which] = gaussian_stats_two_pass(features(which).data(), bench_rows(), kDim).value();
  return s[which];
}

void BM_FidFromStats2048(benchmark::State& state) {
  const auto method = static_cast<SqrtTraceMethod>(state.range(0));
  const GaussianStats &a = stats(0), &b = stats(1);
  double fid = 0;
  for (auto _ : state) {
    fid = frechet_distance(a, b, method).value();
    benchmark::DoNotOptimize(fid);
  }
  state.counters["fid"] = fid;
}
BENCHMARK(BM_FidFromStats2048)
    ->Arg(static_cast<int>(SqrtTraceMethod::kCholesky))
    ->Arg(static_cast<int>(SqrtTraceMethod::kEigen))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Moments2048(benchmark::State& state) {
  const std::vector<float>& f = features(0);
  for (auto _ : state) {
    Moments m = Moments::create(kDim).value();
    benchmark::DoNotOptimize(m.add(f.data(), bench_rows()).ok());
  }
  state.SetItemsProcessed(state.iterations() * bench_rows());
}
BENCHMARK(BM_Moments2048)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_KidDefaults(benchmark::State& state) {
  KidOptions o;
  o.precision = static_cast<KidPrecision>(state.range(0));
  double kid = 0;
  for (auto _ : state) {
    kid =
        kernel_inception_distance(features(1).data(), bench_rows(), features(0).data(), bench_rows(), kDim, o)
            .value()
            .mean;
  }
  state.counters["kid"] = kid;
}
BENCHMARK(BM_KidDefaults)
    ->Arg(static_cast<int>(KidPrecision::kFloat64))
    ->Arg(static_cast<int>(KidPrecision::kFloat32Numpy))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

void BM_Prc(benchmark::State& state) {
  double p = 0;
  for (auto _ : state) {
    p = precision_recall(features(1).data(), bench_rows(), features(0).data(), bench_rows(), kDim)
            .value()
            .precision;
  }
  state.counters["precision"] = p;
}
BENCHMARK(BM_Prc)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace fidcpp

BENCHMARK_MAIN();
