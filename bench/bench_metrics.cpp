// Metrics benchmarks on synthetic SplitMix64 features (tools/bench_metrics.py regenerates the same features
// in numpy and times pytorch-fid, torch-fidelity and the float64 reference paths beside these numbers).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/splitmix64.h"
#include "metrics/fid.h"
#include "metrics/kid.h"
#include "metrics/moments.h"
#include "metrics/prc.h"

namespace fidcpp {
namespace {

constexpr int64_t kDim = 2048;

// Results travel in the label as "name=value" (tools/bench_metrics.py parses it).
void set_result(benchmark::State& state, const char* name, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s=%.17g", name, v);
  state.SetLabel(buf);
}

int64_t bench_rows() {
  const char* e = std::getenv("FIDCPP_BENCH_ROWS");
  return e ? std::atoll(e) : 10000;
}

// Inception-like spectrum, in float32 operations numpy reproduces bit for bit: x_ij = u_ij·s_j + r_i·w_j with
// s_j = 1/(1 + j/64) and a shared rank-one component; set 2 scales u by 1.1 and shifts by 0.05. SplitMix64
// seed 1 (set 1) or 2 (set 2) draws u (n·D values), then r (n), then w (D).
const std::vector<float>& features(int which) {
  static std::vector<float> sets[2];
  std::vector<float>& f = sets[which];
  if (f.empty()) {
    const int64_t n = bench_rows();
    SplitMix64 g(static_cast<uint64_t>(which + 1));
    f.resize(static_cast<size_t>(n * kDim));
    for (float& v : f) v = g.uniform_f32();
    std::vector<float> r(static_cast<size_t>(n)), w(static_cast<size_t>(kDim));
    for (float& v : r) v = g.uniform_f32();
    for (float& v : w) v = g.uniform_f32();
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < kDim; ++j) {
        float u = f[static_cast<size_t>(i * kDim + j)];
        if (which == 1) u = u * 1.1f + 0.05f;
        const float s = 1.0f / (1.0f + static_cast<float>(j) / 64.0f);
        f[static_cast<size_t>(i * kDim + j)] = u * s + r[static_cast<size_t>(i)] * w[static_cast<size_t>(j)];
      }
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
    // No DoNotOptimize(double): libbenchmark 1.7's "+m,r" asm constraint corrupts doubles under GCC 12, and
    // a call into LAPACK cannot be optimised away anyway.
    fid = frechet_distance(a, b, method).value();
  }
  set_result(state, "fid", fid);
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
    if (!m.add(f.data(), bench_rows()).ok()) state.SkipWithError("Moments::add failed");
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
  set_result(state, "kid", kid);
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
  set_result(state, "precision", p);
}
BENCHMARK(BM_Prc)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace fidcpp

BENCHMARK_MAIN();
