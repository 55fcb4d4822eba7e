// Scale-out costs (docs/scaling.md): merging the 2048-d statistics of one shard into another
// (Moments::merge, what `fidcpp merge` and rank 0 under MPI do per part) and the .npz round trip of a part.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "metrics/moments.h"
#include "metrics/stats_file.h"

namespace {

fidcpp::Moments make_part(int64_t n, uint64_t seed) {
  std::vector<float> f(size_t(n) * 2048);
  for (float& v : f) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    v = float(double(seed >> 40) / double(1 << 24));
  }
  fidcpp::Moments m = fidcpp::Moments::create(2048).value();
  if (!m.add(f.data(), n).ok()) std::abort();
  return m;
}

void BM_MergeMoments2048(benchmark::State& state) {
  const fidcpp::Moments part = make_part(64, 1);
  fidcpp::Moments acc = make_part(64, 2);
  for (auto _ : state) {
    if (!acc.merge(part).ok()) state.SkipWithError("merge failed");
    benchmark::DoNotOptimize(acc.sum().data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * 2048 * 2049 * 8);
}
BENCHMARK(BM_MergeMoments2048)->Unit(benchmark::kMillisecond);

// Write a part with `fidcpp stats --shard` and read it back in `fidcpp merge` (compressed .npz).
void BM_PartFileRoundTrip2048(benchmark::State& state) {
  const fidcpp::Moments part = make_part(64, 3);
  const std::string path = "/tmp/fidcpp_bench_scale_part.npz";
  for (auto _ : state) {
    if (!fidcpp::write_moments_npz(path, part, fidcpp::Overwrite::kAllow).ok()) state.SkipWithError("write");
    auto m = fidcpp::read_moments_npz(path);
    if (!m.ok()) state.SkipWithError("read");
    benchmark::DoNotOptimize(m);
  }
  std::remove(path.c_str());
}
BENCHMARK(BM_PartFileRoundTrip2048)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
