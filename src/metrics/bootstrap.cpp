// Bootstrap intervals: per replicate a numpy-compatible resample of both sides, the metric of the resample
// (FID through multiplicity-weighted two-pass statistics, KID through row maps), then numpy's linear
// quantiles of the replicates.
#include "metrics/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "metrics/fid.h"
#include "metrics/moments.h"

namespace fidcpp {

namespace {

// The metric of one replicate from its resampled row indices (real, generated).
using ReplicateFn = std::function<Result<double>(const std::vector<int64_t>&, const std::vector<int64_t>&)>;

Status check_sides(const std::string& m, int64_t n_real, int64_t n_gen, int64_t smallest) {
  for (int i = 0; i < 2; ++i) {
    const int64_t n = i == 0 ? n_real : n_gen;
    if (n < smallest)
      return invalid_argument(m + ": the " + (i == 0 ? "real" : "generated") + " side has " +
                              std::to_string(n) + " feature rows; at least " + std::to_string(smallest) +
                              " are needed to resample");
    if (n > INT32_MAX)
      return invalid_argument(m + ": more than 2^31-1 " + (i == 0 ? "real" : "generated") + " feature rows");
  }
  return Status();
}

Result<BootstrapResult> run_bootstrap(const std::string& metric, int64_t n_real, int64_t n_gen,
                                      const BootstrapOptions& o, const ReplicateFn& replicate) {
  const std::vector<uint32_t> seeds = bootstrap_replicate_seeds(o.seed, o.replicates);
  const size_t count = seeds.size();
  std::vector<double> values(count, 0.0);
  std::vector<Status> errors(count);
  ThreadPool pool(o.threads);
  // Static chunks of consecutive replicates; every replicate's draws and arithmetic are the same whichever
  // worker runs it.
  pool.parallel_for(count, [&](size_t b0, size_t b1, int) {
    std::vector<int64_t> real_rows, gen_rows;
    for (size_t b = b0; b < b1; ++b) {
      try {
        NumpyRandomState rng(seeds[b]);
        bootstrap_draw(rng, n_real, real_rows);
        bootstrap_draw(rng, n_gen, gen_rows);
        Result<double> v = replicate(real_rows, gen_rows);
        if (v.ok()) {
          values[b] = *v;
        } else {
          errors[b] = v.status();
        }
      } catch (const std::bad_alloc&) {
        errors[b] = out_of_memory(metric + " bootstrap: out of memory");
      }
    }
  });
  for (size_t b = 0; b < count; ++b) {
    if (!errors[b].ok())
      return errors[b].with_context(metric + " bootstrap replicate " + std::to_string(b) + " of " +
                                    std::to_string(count));
  }
  BootstrapResult r;
  r.level = o.level;
  r.replicates = o.replicates;
  r.seed = o.seed;
  r.values = values;
  std::sort(values.begin(), values.end());
  r.low = numpy_quantile_sorted(values, (1.0 - o.level) / 2.0);
  r.high = numpy_quantile_sorted(values, (1.0 + o.level) / 2.0);
  return r;
}

}  // namespace

Status check_bootstrap_options(const BootstrapOptions& o, const char* metric) {
  const std::string m = metric;
  if (!(o.level > 0.0 && o.level < 1.0))
    return invalid_argument(m + " bootstrap: the confidence level must be in (0, 1) (e.g. 0.95), got " +
                            std::to_string(o.level));
  if (o.replicates < 2 || o.replicates > kMaxBootstrapReplicates)
    return invalid_argument(m + " bootstrap: the number of replicates must be in [2, " +
                            std::to_string(kMaxBootstrapReplicates) + "], got " +
                            std::to_string(o.replicates));
  return Status();
}

std::vector<uint32_t> bootstrap_replicate_seeds(uint32_t seed, int64_t replicates) {
  // randint over the full uint32 range is numpy's raw 32-bit draw (Lemire's method does not apply to it).
  NumpyRandomState master(seed);
  std::vector<uint32_t> seeds(replicates > 0 ? static_cast<size_t>(replicates) : 0);
  for (uint32_t& s : seeds) s = master.next_u32();
  return seeds;
}

void bootstrap_draw(NumpyRandomState& rng, int64_t n, std::vector<int64_t>& rows) {
  // Legacy randint with a range below 2^32 is masked rejection on 32-bit draws: RandomState.interval.
  rows.resize(n > 0 ? static_cast<size_t>(n) : 0);
  for (int64_t& r : rows) r = static_cast<int64_t>(rng.interval(static_cast<uint64_t>(n - 1)));
}

double numpy_quantile_sorted(const std::vector<double>& v, double q) {
  if (v.empty()) return std::nan("");
  // numpy _quantile, method 'linear': virtual index (n−1)·q, then _lerp, which interpolates from the upper
  // neighbour when the fraction is at least 0.5.
  const double virtual_index = static_cast<double>(v.size() - 1) * q;
  const double below = std::floor(virtual_index);
  const size_t lo = std::min(static_cast<size_t>(std::max(below, 0.0)), v.size() - 1);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  const double t = virtual_index - below;
  const double a = v[lo], b = v[hi], diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

Result<BootstrapResult> fid_bootstrap(const float* real, int64_t n_real, const float* generated,
                                      int64_t n_gen, int64_t dim, const BootstrapOptions& options) {
  FIDCPP_RETURN_IF_ERROR(check_bootstrap_options(options, "FID"));
  FIDCPP_RETURN_IF_ERROR(check_sides("FID bootstrap", n_real, n_gen, 2));
  if (real == nullptr || generated == nullptr) return invalid_argument("FID bootstrap: null features");
  if (dim < 1 || dim > kMaxFeatureDim)
    return invalid_argument("FID bootstrap: feature dimension " + std::to_string(dim) + " is outside [1, " +
                            std::to_string(kMaxFeatureDim) + "]");
  FIDCPP_RETURN_IF_ERROR(check_finite_features(real, n_real, dim, "FID bootstrap real features"));
  FIDCPP_RETURN_IF_ERROR(check_finite_features(generated, n_gen, dim, "FID bootstrap generated features"));
  return run_bootstrap(
      "FID", n_real, n_gen, options,
      [&](const std::vector<int64_t>& real_rows, const std::vector<int64_t>& gen_rows) -> Result<double> {
        // Multiplicities instead of gathered copies: memory O(n) per worker, not O(n·D).
        std::vector<uint32_t> counts(static_cast<size_t>(n_real), 0);
        for (int64_t r : real_rows) ++counts[static_cast<size_t>(r)];
        FIDCPP_ASSIGN_OR_RETURN(GaussianStats a, gaussian_stats_weighted(real, counts.data(), n_real, dim));
        counts.assign(static_cast<size_t>(n_gen), 0);
        for (int64_t r : gen_rows) ++counts[static_cast<size_t>(r)];
        FIDCPP_ASSIGN_OR_RETURN(GaussianStats b,
                                gaussian_stats_weighted(generated, counts.data(), n_gen, dim));
        return frechet_distance(a, b);
      });
}

Result<BootstrapResult> kid_bootstrap(const float* generated, int64_t n_gen, const float* real,
                                      int64_t n_real, int64_t dim, const KidOptions& kid,
                                      const BootstrapOptions& options) {
  FIDCPP_RETURN_IF_ERROR(check_bootstrap_options(options, "KID"));
  FIDCPP_RETURN_IF_ERROR(check_sides("KID bootstrap", n_real, n_gen, 2));
  KidOptions one = kid;
  one.threads = 1;
  // The plain KID's checks once, up front, rather than in every replicate's context.
  FIDCPP_RETURN_IF_ERROR(check_kid_inputs(generated, n_gen, real, n_real, dim, one));
  return run_bootstrap(
      "KID", n_real, n_gen, options,
      [&](const std::vector<int64_t>& real_rows, const std::vector<int64_t>& gen_rows) -> Result<double> {
        KidRowMaps maps;
        maps.rows1 = gen_rows.data();
        maps.rows2 = real_rows.data();
        FIDCPP_ASSIGN_OR_RETURN(KidResult r,
                                kernel_inception_distance(generated, n_gen, real, n_real, dim, one, maps));
        return r.mean;
      });
}

}  // namespace fidcpp
