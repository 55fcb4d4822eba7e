// The `fidcpp` command line: metrics between folders / zips / lists / statistics, statistics files, weights
// tools. Uses the public API (include/fidcpp/fidcpp.hpp), core/ and the one internal facade library_tools.h
// (weights tools, bench timings, JSON strings).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "cli/cmd_bench.h"
#include "cli/cmd_weights.h"
#include "cli/exit_codes.h"
#include "cli/mpi_run.h"
#include "cli/named_values.h"
#include "cli/plot_svg.h"
#include "cli/sample_warnings.h"
#include "core/file.h"
#include "fidcpp/fidcpp.hpp"
#include "library_tools.h"

namespace {

using fidcpp_cli::kExitInternal;
using fidcpp_cli::kExitOk;
using fidcpp_cli::kExitUsage;

struct UsageError {
  std::string message;
};

const char* kMainHelp =
    "usage: fidcpp <command> [options]\n"
    "\n"
    "Metrics (A = real/reference, B = generated; each a folder, .zip, list file (.txt), .npz statistics or\n"
    ".npy N x D features):\n"
    "  fid A B            Frechet Inception Distance\n"
    "  kid A B            Kernel Inception Distance (mean, std)\n"
    "  is A               Inception Score of A (needs weights with the fc layer)\n"
    "  mifid A B          memorization-informed FID (torchmetrics)\n"
    "  prc A B            precision / recall / F-score (torch-fidelity, Inception features)\n"
    "  metrics A [B] --fid --kid --is --mifid --prc --dc   several metrics from one extraction pass\n"
    "  metrics A B1 B2 ... --fid ... [--plot F.svg]  one reference against several generated sets\n"
    "Statistics:\n"
    "  stats A -o a.npz   save statistics (pytorch-fid keys mu, sigma + mergeable n, sum, sum_outer)\n"
    "  merge a.npz b.npz ... -o all.npz   merge mergeable statistics (float64 sums, in argument order)\n"
    "  Scaling out: `stats A --shard K/N` + merge, or `mpirun -np P fidcpp ...` (FIDCPP_MPI builds; "
    "docs/scaling.md)\n"
    "Features:\n"
    "  features A -o f.npy [--logits]   per-image features (N x D float32 .npy, in input order)\n"
    "Weights:\n"
    "  weights convert|inspect|verify|fetch ...\n"
    "Benchmark:\n"
    "  bench              images/s of the network on synthetic images, time of FID and KID\n"
    "\n"
    "Run `fidcpp <command> --help` for the options of a command.\n"
    "Exit codes: 0 ok, 2 usage error, 3 bad input (missing/empty/unreadable input, too few images, an input\n"
    "over a size limit), 4 missing or bad weights, 5 internal error, 6 unsupported on this build/machine\n"
    "(e.g. --device cuda without a GPU), 130/143 interrupted (SIGINT/SIGTERM; no partial output left).\n";

const char* kCommonHelp =
    "Common options:\n"
    "  --tap 64|192|768|2048     feature layer (default 2048)\n"
    "  --mode M                  input conventions: torch-fidelity (default), torchmetrics, pytorch-fid,\n"
    "                            clean-fid, clean-fid-legacy-tf\n"
    "  --device cpu|cuda|auto    (default cpu)\n"
    "  --threads N               worker threads (default: all cores)\n"
    "  --batch-size N            images per forward pass (default 16 on cpu; from free memory on cuda)\n"
    "  --low-memory              cpu: one packed copy of each weight, no Winograd (less memory, slower)\n"
    "  --tf32                    cuda: TF32 tensor cores (faster; features move by about 2e-3)\n"
    "  --weights PATH            converted weights (default: $FIDCPP_WEIGHTS or "
    "weights/inception-2015-12-05.safetensors)\n"
    "  --skip-bad                skip undecodable images (counted and reported) instead of stopping;\n"
    "                            images over $FIDCPP_MAX_IMAGE_PIXELS (default 178956970) count as bad\n"
    "  --recursive               folders: also take the images of sub-folders\n"
    "  --cache DIR               reuse features/statistics of unchanged inputs from DIR (docs/cli.md "
    "\"Cache\")\n"
    "  --plot FILE.svg           metrics/fid with several generated sets: SVG chart of each metric per set\n"
    "  --save-stats PREFIX       also write PREFIX-a.npz (and PREFIX-b.npz) statistics\n"
    "  --force                   allow overwriting existing output files\n"
    "  --json                    machine-readable output (schema in docs/cli.md)\n"
    "  --quiet                   no progress bar\n"
    "Metric options:\n"
    "  --splits N                Inception Score splits (default 10)\n"
    "  --kid-subsets N           KID subsets (default 100)\n"
    "  --kid-subset-size N       KID subset size (default 1000)\n"
    "  --prc-neighborhood K      precision/recall k (default 3)\n"
    "  --dc                      metrics: density and coverage (prdc 0.2; docs/metrics-extra.md)\n"
    "  --dc-k K                  density/coverage nearest_k (default 5)\n"
    "  --mifid-eps E             MiFID cosine distance threshold (default 0.1)\n"
    "  --fid-inf                 metrics A B: FID extrapolated to infinitely many images "
    "(docs/metrics-extra.md)\n"
    "  --is-inf                  metrics A B: Inception Score of B extrapolated likewise\n"
    "  --inf-points N            FID/IS infinity subset sizes (default 15)\n"
    "  --inf-min N               FID/IS infinity smallest subset (default 5000; below B's count)\n"
    "  --ci LEVEL                metrics/fid/kid A B: bootstrap confidence interval of FID and KID at\n"
    "                            LEVEL in (0, 1), e.g. 0.95 (docs/metrics-extra.md)\n"
    "  --bootstrap N             --ci: bootstrap replicates (default 200)\n"
    "  --seed S                  FID/IS infinity subset and bootstrap resampling seed (default 2020)\n";

struct Args {
  std::string command;
  std::vector<std::string> inputs;
  std::string output;
  std::string save_stats;
  std::string weights;
  fidcpp_mode mode = fidcpp::Options{}.mode;
  fidcpp_device device = fidcpp::Options{}.device;
  int tap = fidcpp::Options{}.feature_dim;
  int threads = 0;
  int batch_size = 0;
  int splits = 10;
  int kid_subsets = 100;
  int kid_subset_size = 1000;
  int prc_k = 3;
  int dc_k = 5;
  double mifid_eps = 0.1;
  int inf_points = 15;
  int inf_min = 5000;
  int seed = 2020;
  double ci_level = 0;  // --ci; 0 = no interval
  int bootstrap = 0;    // --bootstrap; 0 = not given (200)
  bool want_fid_inf = false, want_is_inf = false;
  bool want_fid = false, want_kid = false, want_is = false, want_mifid = false, want_prc = false;
  bool want_dc = false;
  bool want_logits = false;  // `features --logits`
  bool json = false, quiet = false, force = false, skip_bad = false;
  bool recursive = false;
  bool low_memory = false;
  bool tf32 = false;
  std::string cache_dir, plot;
  int shard_index = -1, shard_count = 0;  // --shard K/N (K 1-based on the command line, stored 0-based)
};

int parse_int(const std::string& flag, const std::string& v, int lo, int hi) {
  char* end = nullptr;
  errno = 0;
  long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || errno || x < lo || x > hi)
    throw UsageError{flag + " expects an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "], got '" + v + "'"};
  return static_cast<int>(x);
}

double parse_double(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end || !std::isfinite(x)) throw UsageError{flag + " expects a number, got '" + v + "'"};
  return x;
}

// --shard K/N: shard K (1-based, 1 <= K <= N) of N.
void parse_shard(const std::string& flag, const std::string& v, Args* a) {
  const size_t slash = v.find('/');
  if (slash == std::string::npos)
    throw UsageError{flag + " expects K/N (shard K of N, 1 <= K <= N, e.g. 1/4), got '" + v + "'"};
  const std::string what = flag + " K/N (shard K of N, 1 <= K <= N)";
  a->shard_count = parse_int(what + ": N", v.substr(slash + 1), 1, 1 << 20);
  a->shard_index = parse_int(what + ": K", v.substr(0, slash), 1, a->shard_count) - 1;
}

Args parse_args(int argc, char** argv) {
  Args a;
  a.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string f = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError{f + " needs a value"};
      return argv[++i];
    };
    if (f == "--tap") {
      a.tap = parse_int(f, value(), 1, 4096);
      if (a.tap != 64 && a.tap != 192 && a.tap != 768 && a.tap != 2048)
        throw UsageError{"--tap expects 64, 192, 768 or 2048, got " + std::to_string(a.tap)};
    } else if (f == "--mode") {
      const std::string v = value();
      const auto mode = fidcpp_cli::parse_mode(v);
      if (!mode) throw UsageError{"--mode expects " + fidcpp_cli::mode_names_text() + ", got '" + v + "'"};
      a.mode = *mode;
    } else if (f == "--device") {
      const std::string v = value();
      const auto device = fidcpp_cli::parse_device(v);
      if (!device)
        throw UsageError{"--device expects " + fidcpp_cli::device_names_text() + ", got '" + v + "'"};
      a.device = *device;
    } else if (f == "--threads") {
      a.threads = parse_int(f, value(), 0, 1024);
    } else if (f == "--batch-size") {
      a.batch_size = parse_int(f, value(), 1, 1024);
    } else if (f == "--weights") {
      a.weights = value();
    } else if (f == "-o" || f == "--output") {
      a.output = value();
    } else if (f == "--save-stats") {
      a.save_stats = value();
    } else if (f == "--splits") {
      a.splits = parse_int(f, value(), 1, 1 << 20);
    } else if (f == "--kid-subsets") {
      a.kid_subsets = parse_int(f, value(), 1, 1 << 20);
    } else if (f == "--kid-subset-size") {
      a.kid_subset_size = parse_int(f, value(), 2, 1 << 24);
    } else if (f == "--prc-neighborhood") {
      a.prc_k = parse_int(f, value(), 1, 1 << 16);
    } else if (f == "--dc-k") {
      a.dc_k = parse_int(f, value(), 1, 1 << 16);
    } else if (f == "--mifid-eps") {
      a.mifid_eps = parse_double(f, value());
      if (!(a.mifid_eps > 0 && a.mifid_eps <= 1)) throw UsageError{"--mifid-eps must be in (0, 1]"};
    } else if (f == "--fid") {
      a.want_fid = true;
    } else if (f == "--kid") {
      a.want_kid = true;
    } else if (f == "--fid-inf") {
      a.want_fid_inf = true;
    } else if (f == "--is-inf") {
      a.want_is_inf = true;
    } else if (f == "--inf-points") {
      a.inf_points = parse_int(f, value(), 2, 1000);
    } else if (f == "--inf-min") {
      a.inf_min = parse_int(f, value(), 2, 1 << 30);
    } else if (f == "--seed") {
      a.seed = parse_int(f, value(), 0, 2147483647);
    } else if (f == "--ci") {
      const std::string v = value();
      char* end = nullptr;
      a.ci_level = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(a.ci_level > 0 && a.ci_level < 1))
        throw UsageError{"--ci expects a confidence level in (0, 1), e.g. 0.95, got '" + v + "'"};
    } else if (f == "--bootstrap") {
      a.bootstrap = parse_int(f, value(), 2, 100000);
    } else if (f == "--is" || f == "--isc") {
      a.want_is = true;
    } else if (f == "--mifid") {
      a.want_mifid = true;
    } else if (f == "--prc") {
      a.want_prc = true;
    } else if (f == "--dc") {
      a.want_dc = true;
    } else if (f == "--logits") {
      a.want_logits = true;
    } else if (f == "--shard") {
      parse_shard(f, value(), &a);
    } else if (f == "--json") {
      a.json = true;
    } else if (f == "--recursive" || f == "-r") {
      a.recursive = true;
    } else if (f == "--low-memory") {
      a.low_memory = true;
    } else if (f == "--tf32") {
      a.tf32 = true;
    } else if (f == "--cache") {
      a.cache_dir = value();
      if (a.cache_dir.empty()) throw UsageError{"--cache expects a directory, got ''"};
    } else if (f == "--plot") {
      a.plot = value();
      if (a.plot.empty()) throw UsageError{"--plot expects a file name (FILE.svg), got ''"};
    } else if (f == "--quiet" || f == "-q") {
      a.quiet = true;
    } else if (f == "--force") {
      a.force = true;
    } else if (f == "--skip-bad") {
      a.skip_bad = true;
    } else if (f.size() > 1 && f[0] == '-') {
      throw UsageError{"unknown option '" + f + "' (see fidcpp " + a.command + " --help)"};
    } else {
      a.inputs.push_back(f);
    }
  }
  return a;
}

// Progress bar on stderr when it is a terminal: images done/total, images/s, ETA.
struct Progress {
  const char* label = "";
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  static void callback(void* user, uint64_t done, uint64_t expected) {
    auto* p = static_cast<Progress*>(user);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - p->start).count();
    double rate = secs > 0 ? double(done) / secs : 0;
    if (expected > 0) {
      double eta = rate > 0 ? double(expected - std::min(done, expected)) / rate : 0;
      std::fprintf(stderr, "\r%s: %llu/%llu images  %.1f img/s  ETA %.0f s   ", p->label,
                   (unsigned long long)done, (unsigned long long)expected, rate, eta);
    } else {
      std::fprintf(stderr, "\r%s: %llu images  %.1f img/s   ", p->label, (unsigned long long)done, rate);
    }
    std::fflush(stderr);
  }
  // Reports an evaluator's progress on a terminal (not with --quiet or --json, and only on the reporting
  // rank); returns whether it does. The Progress must outlive the evaluator built from `o`.
  bool attach(fidcpp::Options& o, bool quiet, bool json, bool reporting_rank = true) {
    if (quiet || json || !reporting_rank || !isatty(STDERR_FILENO)) return false;
    o.progress = &Progress::callback;
    o.progress_user = this;
    return true;
  }
};

std::string json_string(const std::string& s) {
  return fidcpp::json_string_literal(s);
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// "hit" (served from --cache), "miss" (extracted and stored), "none" (no cache, or an input the cache does
// not hold: statistics/features files).
const char* cache_state(fidcpp::Evaluator& ev, fidcpp_side side, const Args& a) {
  if (a.cache_dir.empty()) return "none";
  const auto info = ev.cache_info(side);
  return info.first ? "hit" : info.second ? "miss" : "none";
}

// Evaluator options from the command line, shared by the one-set and several-sets metric paths.
fidcpp::Options evaluator_options(const Args& a, bool keep_features, bool keep_logits) {
  fidcpp::Options o;
  o.weights_path = a.weights;
  o.mode = a.mode;
  o.device = a.device;
  o.threads = a.threads;
  o.batch_size = a.batch_size;
  o.feature_dim = a.tap;
  o.keep_features = keep_features;
  o.keep_logits = keep_logits;
  o.skip_bad_images = a.skip_bad;
  o.recursive = a.recursive;
  o.low_memory = a.low_memory;
  o.tf32 = a.tf32;
  o.cache_dir = a.cache_dir;
  return o;
}

// `metrics A B1 B2 ...` / `fid A B1 B2 ...` / --plot: the reference is extracted once, then each generated
// set in turn (the generated side is reset between sets). Metrics per set, as a table or JSON "sets"; the
// Inception Score is that of each generated set.
int run_metrics_multi(const Args& a) {
  if (a.inputs.size() < 2)
    throw UsageError{"fidcpp " + a.command + " expects a reference and at least one generated set, got " +
                     std::to_string(a.inputs.size()) + " input(s)"};
  if (fidcpp_cli::mpi_world().size > 1)
    throw UsageError{"several generated sets and --plot are not supported under MPI"};
  if (a.want_fid_inf || a.want_is_inf)
    throw UsageError{
        "--fid-inf and --is-inf take one generated set (fidcpp metrics A B), not several or --plot"};
  if (a.ci_level > 0)
    throw UsageError{"--ci takes one generated set (fidcpp metrics A B), not several or --plot"};
  const bool fid = a.want_fid || a.command == "fid", kid = a.want_kid, is = a.want_is, mifid = a.want_mifid,
             prc = a.want_prc, dc = a.want_dc;
  if (!(fid || kid || is || mifid || prc || dc))
    throw UsageError{"fidcpp metrics: choose at least one of --fid --kid --is --mifid --prc --dc"};
  // Refused before any work: an existing plot is kept unless --force.
  if (!a.plot.empty() && !a.force && fidcpp::file_exists(a.plot))
    throw fidcpp::Error(FIDCPP_STATUS_INVALID_ARGUMENT,
                        "--plot: '" + a.plot + "' already exists (pass --force to overwrite it)");

  fidcpp::Options o = evaluator_options(a, kid || mifid || prc || dc, is);
  Progress progress;
  const bool show_progress = progress.attach(o, a.quiet, a.json);
  fidcpp::Evaluator ev(o);
  progress.label = "A";
  ev.add_path(FIDCPP_SIDE_REAL, a.inputs[0]);
  ev.flush();
  if (show_progress) std::fputc('\n', stderr);
  const std::string ref_cache = cache_state(ev, FIDCPP_SIDE_REAL, a);

  struct SetResult {
    std::string path, cache;
    uint64_t count = 0, skipped = 0;
    std::vector<std::pair<std::string, double>> metrics;
  };
  std::vector<SetResult> sets;
  std::vector<std::string> written, warnings;
  auto warn_small = [&](const std::string& label, uint64_t n) {  // covariance-based outputs only
    std::string w = fidcpp_cli::small_sample_warning(label, n, a.tap);
    if (!w.empty() && (fid || mifid || !a.save_stats.empty())) warnings.push_back(std::move(w));
  };
  warn_small("A", ev.count(FIDCPP_SIDE_REAL));
  if (!a.save_stats.empty()) {
    written.push_back(a.save_stats + "-a.npz");
    ev.save_stats(FIDCPP_SIDE_REAL, written.back(), a.force);
  }
  for (size_t i = 1; i < a.inputs.size(); ++i) {
    const std::string label = "B" + std::to_string(i);
    progress.label = label.c_str();
    progress.start = std::chrono::steady_clock::now();
    ev.reset(FIDCPP_SIDE_GENERATED);
    ev.add_path(FIDCPP_SIDE_GENERATED, a.inputs[i]);
    ev.flush();
    if (show_progress) std::fputc('\n', stderr);
    SetResult r;
    r.path = a.inputs[i];
    r.cache = cache_state(ev, FIDCPP_SIDE_GENERATED, a);
    r.count = ev.count(FIDCPP_SIDE_GENERATED);
    r.skipped = ev.skipped(FIDCPP_SIDE_GENERATED);
    warn_small(label, r.count);
    if (fid) r.metrics.emplace_back("frechet_inception_distance", ev.fid());
    if (kid) {
      auto k = ev.kid(a.kid_subsets, a.kid_subset_size);
      r.metrics.emplace_back("kernel_inception_distance_mean", k.mean);
      r.metrics.emplace_back("kernel_inception_distance_std", k.std);
    }
    if (is) {
      auto k = ev.inception_score(FIDCPP_SIDE_GENERATED, a.splits);
      r.metrics.emplace_back("inception_score_mean", k.mean);
      r.metrics.emplace_back("inception_score_std", k.std);
    }
    if (mifid)
      r.metrics.emplace_back("memorization_informed_frechet_inception_distance", ev.mifid(a.mifid_eps));
    if (prc) {
      auto k = ev.prc(a.prc_k);
      r.metrics.emplace_back("precision", k.precision);
      r.metrics.emplace_back("recall", k.recall);
      r.metrics.emplace_back("f_score", k.f_score);
    }
    if (dc) {
      auto k = ev.dc(a.dc_k);
      r.metrics.emplace_back("density", k.density);
      r.metrics.emplace_back("coverage", k.coverage);
    }
    if (!a.save_stats.empty()) {
      written.push_back(a.save_stats + "-b" + std::to_string(i) + ".npz");
      ev.save_stats(FIDCPP_SIDE_GENERATED, written.back(), a.force);
    }
    sets.push_back(std::move(r));
  }

  if (!a.plot.empty()) {
    std::vector<std::string> names;
    for (const auto& r : sets) names.push_back(r.path);
    std::vector<fidcpp::PlotMetric> series;
    for (size_t m = 0; m < sets[0].metrics.size(); ++m) {
      fidcpp::PlotMetric pm;
      pm.name = sets[0].metrics[m].first;
      for (const auto& r : sets) pm.values.push_back(r.metrics[m].second);
      series.push_back(std::move(pm));
    }
    const std::string svg =
        fidcpp::render_metrics_svg("fidcpp metrics against " + a.inputs[0], names, series);
    fidcpp::Status st = fidcpp::write_file_atomic(
        a.plot, svg.data(), svg.size(), a.force ? fidcpp::Overwrite::kAllow : fidcpp::Overwrite::kRefuse);
    if (!st.ok())
      throw fidcpp::Error(static_cast<fidcpp_status>(static_cast<int>(st.code())), "--plot: " + st.message());
    written.push_back(a.plot);
  }
  for (const auto& w : warnings)
    std::fprintf(stderr, "fidcpp %s: warning: %s\n", a.command.c_str(), w.c_str());

  if (a.json) {
    std::printf("{\n  \"fidcpp_version\": \"%d.%d.%d\",\n  \"mode\": \"%s\",\n  \"tap\": %d,\n",
                FIDCPP_VERSION_MAJOR, FIDCPP_VERSION_MINOR, FIDCPP_VERSION_PATCH, fidcpp_mode_name(a.mode),
                a.tap);
    std::printf("  \"reference\": {\"path\": %s, \"count\": %llu, \"skipped\": %llu, \"cache\": \"%s\"},\n",
                json_string(a.inputs[0]).c_str(), (unsigned long long)ev.count(FIDCPP_SIDE_REAL),
                (unsigned long long)ev.skipped(FIDCPP_SIDE_REAL), ref_cache.c_str());
    std::printf("  \"sets\": [");
    for (size_t i = 0; i < sets.size(); ++i) {
      const SetResult& r = sets[i];
      std::printf(
          "%s\n    {\"path\": %s, \"count\": %llu, \"skipped\": %llu, \"cache\": \"%s\", \"metrics\": {",
          i ? "," : "", json_string(r.path).c_str(), (unsigned long long)r.count,
          (unsigned long long)r.skipped, r.cache.c_str());
      for (size_t m = 0; m < r.metrics.size(); ++m)
        std::printf("%s\"%s\": %s", m ? ", " : "", r.metrics[m].first.c_str(),
                    json_number(r.metrics[m].second).c_str());
      std::printf("}}");
    }
    std::printf("\n  ],\n  \"warnings\": %s,\n  \"written\": [", fidcpp_cli::json_warnings(warnings).c_str());
    for (size_t i = 0; i < written.size(); ++i)
      std::printf("%s%s", i ? ", " : "", json_string(written[i]).c_str());
    std::printf("]\n}\n");
  } else {
    std::fprintf(stderr, "A: %llu images from %s%s\n", (unsigned long long)ev.count(FIDCPP_SIDE_REAL),
                 a.inputs[0].c_str(), ref_cache == "hit" ? " (cache hit)" : "");
    static const std::map<std::string, std::string> kShort = {
        {"frechet_inception_distance", "fid"},
        {"kernel_inception_distance_mean", "kid_mean"},
        {"kernel_inception_distance_std", "kid_std"},
        {"inception_score_mean", "is_mean"},
        {"inception_score_std", "is_std"},
        {"memorization_informed_frechet_inception_distance", "mifid"}};
    size_t w = 3;
    for (const auto& r : sets) w = std::max(w, r.path.size());
    std::printf("%-*s %8s", int(w), "set", "images");
    for (const auto& m : sets[0].metrics) {
      auto it = kShort.find(m.first);
      std::printf(" %14s", (it != kShort.end() ? it->second : m.first).c_str());
    }
    std::printf("\n");
    for (const auto& r : sets) {
      std::printf("%-*s %8llu", int(w), r.path.c_str(), (unsigned long long)r.count);
      for (const auto& m : r.metrics) std::printf(" %14.6g", m.second);
      std::printf("\n");
    }
    for (auto& f : written) std::fprintf(stderr, "wrote %s\n", f.c_str());
  }
  return kExitOk;
}

int run_metrics(const Args& a) {
  if ((a.command == "metrics" || a.command == "fid") && (a.inputs.size() > 2 || !a.plot.empty()))
    return run_metrics_multi(a);
  if (!a.plot.empty()) throw UsageError{"--plot applies to `fidcpp metrics` and `fidcpp fid` only"};
  const bool single = a.command == "is" || a.command == "stats";
  size_t need = single ? 1 : 2;
  if (a.command == "metrics") need = a.inputs.size() == 1 ? 1 : 2;
  if (a.inputs.size() != need)
    throw UsageError{"fidcpp " + a.command + " expects " + std::to_string(need) + " input(s), got " +
                     std::to_string(a.inputs.size())};
  bool fid = a.want_fid, kid = a.want_kid, is = a.want_is, mifid = a.want_mifid, prc = a.want_prc,
       dc = a.want_dc;
  const bool fid_inf = a.want_fid_inf, is_inf = a.want_is_inf;
  if ((fid_inf || is_inf) && !(a.command == "metrics" && need == 2))
    throw UsageError{"--fid-inf and --is-inf apply to `fidcpp metrics A B` (two inputs)"};
  if (a.command == "fid") fid = true;
  if (a.command == "kid") kid = true;
  if (a.command == "is") is = true;
  if (a.command == "mifid") mifid = true;
  if (a.command == "prc") prc = true;
  if (a.command == "metrics" && !(fid || kid || is || mifid || prc || dc || fid_inf || is_inf))
    throw UsageError{
        "fidcpp metrics: choose at least one of --fid --kid --is --mifid --prc --dc --fid-inf --is-inf"};
  if (a.command == "metrics" && need == 1 && (fid || kid || mifid || prc || dc))
    throw UsageError{"fidcpp metrics with one input can only compute --is"};
  const bool ci = a.ci_level > 0;
  if (a.bootstrap > 0 && !ci)
    throw UsageError{"--bootstrap N sets the replicates of --ci LEVEL; give --ci too"};
  if (ci && !(fid || kid))
    throw UsageError{
        "--ci gives intervals for FID and KID: add --fid or --kid (or use `fidcpp fid` / `fidcpp kid`)"};
  if (a.command == "stats" && a.output.empty()) throw UsageError{"fidcpp stats needs -o FILE.npz"};
  const fidcpp_cli::MpiWorld& world = fidcpp_cli::mpi_world();
  if (a.shard_count > 0 && a.command != "stats")
    throw UsageError{"--shard applies to `fidcpp stats` only (combine the parts with `fidcpp merge`)"};
  if (a.shard_count > 0 && world.size > 1)
    throw UsageError{"--shard cannot be combined with an MPI launch (the ranks already split the inputs)"};

  fidcpp::Options o = evaluator_options(a, kid || mifid || prc || dc || fid_inf || ci, is || is_inf);
  Progress progress;
  const bool show_progress = progress.attach(o, a.quiet, a.json, world.rank == 0);
  fidcpp::Evaluator ev(o);
  const fidcpp_side sides[2] = {FIDCPP_SIDE_REAL, FIDCPP_SIDE_GENERATED};
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    progress.label = i == 0 ? "A" : "B";
    progress.start = std::chrono::steady_clock::now();
    if (a.shard_count > 0)
      ev.add_path_shard(sides[i], a.inputs[i], a.shard_index, a.shard_count);
    else if (world.size > 1)  // under mpirun: rank r takes shard r of size (docs/scaling.md)
      ev.add_path_shard(sides[i], a.inputs[i], world.rank, world.size);
    else
      ev.add_path(sides[i], a.inputs[i]);
    ev.flush();
    if (show_progress) std::fputc('\n', stderr);
  }
  // Under MPI, rank 0 receives every other rank's partial state in rank order and reports alone.
  const std::vector<uint64_t> skipped = fidcpp_cli::mpi_combine(
      ev, std::vector<fidcpp_side>(sides, sides + a.inputs.size()), o.keep_features, o.keep_logits);
  if (world.rank != 0) return kExitOk;

  std::vector<std::pair<std::string, double>> results;
  if (fid) results.emplace_back("frechet_inception_distance", ev.fid());
  if (kid) {
    auto r = ev.kid(a.kid_subsets, a.kid_subset_size);
    results.emplace_back("kernel_inception_distance_mean", r.mean);
    results.emplace_back("kernel_inception_distance_std", r.std);
  }
  if (is) {
    auto r = ev.inception_score(FIDCPP_SIDE_REAL, a.splits);
    results.emplace_back("inception_score_mean", r.mean);
    results.emplace_back("inception_score_std", r.std);
  }
  if (mifid) results.emplace_back("memorization_informed_frechet_inception_distance", ev.mifid(a.mifid_eps));
  if (prc) {
    auto r = ev.prc(a.prc_k);
    results.emplace_back("precision", r.precision);
    results.emplace_back("recall", r.recall);
    results.emplace_back("f_score", r.f_score);
  }
  if (dc) {
    auto r = ev.dc(a.dc_k);
    results.emplace_back("density", r.density);
    results.emplace_back("coverage", r.coverage);
  }
  // FID∞ / IS∞: the value among the metrics, the fitted points under "infinity_points" in --json.
  std::vector<std::pair<std::string, fidcpp::InfinityResult>> inf;
  if (fid_inf) inf.emplace_back("fid", ev.fid_infinity(a.inf_points, a.inf_min, uint32_t(a.seed)));
  if (is_inf) inf.emplace_back("is", ev.is_infinity(a.inf_points, a.inf_min, uint32_t(a.seed)));
  for (const auto& r : inf) results.emplace_back(r.first + "_infinity", r.second.value);
  // Bootstrap intervals, keyed by the metric they qualify ("confidence_intervals" in --json).
  std::vector<std::pair<std::string, fidcpp::BootstrapResult>> intervals;
  const int replicates = a.bootstrap > 0 ? a.bootstrap : 200;
  if (ci && fid)
    intervals.emplace_back("frechet_inception_distance",
                           ev.fid_bootstrap(a.ci_level, replicates, uint32_t(a.seed)));
  if (ci && kid)
    intervals.emplace_back(
        "kernel_inception_distance_mean",
        ev.kid_bootstrap(a.kid_subsets, a.kid_subset_size, a.ci_level, replicates, uint32_t(a.seed)));

  std::vector<std::string> written;
  if (a.command == "stats") {
    ev.save_stats(FIDCPP_SIDE_REAL, a.output, a.force);
    written.push_back(a.output);
  }
  if (!a.save_stats.empty()) {
    for (size_t i = 0; i < a.inputs.size(); ++i) {
      std::string p = a.save_stats + (i == 0 ? "-a.npz" : "-b.npz");
      ev.save_stats(sides[i], p, a.force);
      written.push_back(p);
    }
  }
  std::vector<std::string> warnings;  // covariance-based outputs only
  for (size_t i = 0; i < a.inputs.size() && (fid || mifid || !written.empty()); ++i) {
    std::string w = fidcpp_cli::small_sample_warning(i == 0 ? "A" : "B", ev.count(sides[i]), a.tap);
    if (!w.empty()) warnings.push_back(std::move(w));
  }
  // A percentile interval that misses the estimate: resampling repeats images, which adds the metric's own
  // small-sample bias a second time (docs/metrics-extra.md "Bootstrap confidence intervals").
  for (const auto& iv : intervals) {
    for (const auto& r : results) {
      if (r.first != iv.first || (r.second >= iv.second.low && r.second <= iv.second.high)) continue;
      char buf[400];
      std::snprintf(
          buf, sizeof buf,
          "%s %.6g lies outside its bootstrap interval [%.6g, %.6g]: the resamples' small-sample bias "
          "dominates at %llu and %llu images (docs/metrics-extra.md)",
          r.first.c_str(), r.second, iv.second.low, iv.second.high, (unsigned long long)ev.count(sides[0]),
          (unsigned long long)ev.count(sides[1]));
      warnings.push_back(buf);
    }
  }
  for (const auto& w : warnings)
    std::fprintf(stderr, "fidcpp %s: warning: %s\n", a.command.c_str(), w.c_str());

  if (a.json) {
    std::printf("{\n  \"fidcpp_version\": \"%d.%d.%d\",\n  \"mode\": \"%s\",\n  \"tap\": %d,\n",
                FIDCPP_VERSION_MAJOR, FIDCPP_VERSION_MINOR, FIDCPP_VERSION_PATCH, fidcpp_mode_name(a.mode),
                a.tap);
    std::printf("  \"inputs\": [");
    for (size_t i = 0; i < a.inputs.size(); ++i)
      std::printf("%s{\"path\": %s, \"count\": %llu, \"skipped\": %llu, \"cache\": \"%s\"}", i ? ", " : "",
                  json_string(a.inputs[i]).c_str(), (unsigned long long)ev.count(sides[i]),
                  (unsigned long long)skipped[i], cache_state(ev, sides[i], a));
    std::printf("],\n  \"metrics\": {");
    for (size_t i = 0; i < results.size(); ++i)
      std::printf("%s\n    \"%s\": %s", i ? "," : "", results[i].first.c_str(),
                  json_number(results[i].second).c_str());
    std::printf("%s},\n", results.empty() ? "" : "\n  ");
    if (!inf.empty()) {
      std::printf("  \"infinity_points\": {");
      for (size_t i = 0; i < inf.size(); ++i) {
        std::printf("%s\n    \"%s\": {\"n\": [", i ? "," : "", inf[i].first.c_str());
        for (size_t k = 0; k < inf[i].second.sizes.size(); ++k)
          std::printf("%s%lld", k ? ", " : "", (long long)inf[i].second.sizes[k]);
        std::printf("], \"values\": [");
        for (size_t k = 0; k < inf[i].second.values.size(); ++k)
          std::printf("%s%s", k ? ", " : "", json_number(inf[i].second.values[k]).c_str());
        std::printf("]}");
      }
      std::printf("\n  },\n");
    }
    if (!intervals.empty()) {
      std::printf("  \"confidence_intervals\": {");
      for (size_t i = 0; i < intervals.size(); ++i) {
        const fidcpp::BootstrapResult& r = intervals[i].second;
        std::printf(
            "%s\n    \"%s\": {\"level\": %s, \"low\": %s, \"high\": %s, \"replicates\": %lld, "
            "\"seed\": %u}",
            i ? "," : "", intervals[i].first.c_str(), json_number(r.level).c_str(),
            json_number(r.low).c_str(), json_number(r.high).c_str(), (long long)r.replicates,
            unsigned(r.seed));
      }
      std::printf("\n  },\n");
    }
    std::printf("  \"warnings\": %s,\n  \"written\": [", fidcpp_cli::json_warnings(warnings).c_str());
    for (size_t i = 0; i < written.size(); ++i)
      std::printf("%s%s", i ? ", " : "", json_string(written[i]).c_str());
    std::printf("]\n}\n");
  } else {
    for (size_t i = 0; i < a.inputs.size(); ++i) {
      uint64_t sk = skipped[i];
      std::fprintf(stderr, "%s: %llu images%s from %s\n", i == 0 ? "A" : "B",
                   (unsigned long long)ev.count(sides[i]),
                   sk ? (" (" + std::to_string(sk) + " skipped)").c_str() : "", a.inputs[i].c_str());
    }
    if (a.command == "fid" && results.size() == 1) {
      std::printf("%.6f\n", results[0].second);
    } else {
      for (auto& r : results) std::printf("%s: %.9g\n", r.first.c_str(), r.second);
    }
    for (const auto& iv : intervals)
      std::printf("%s: %g%% interval [%.9g, %.9g] (%lld bootstrap replicates, seed %u)\n", iv.first.c_str(),
                  100.0 * iv.second.level, iv.second.low, iv.second.high, (long long)iv.second.replicates,
                  unsigned(iv.second.seed));
    for (auto& w : written) std::fprintf(stderr, "wrote %s\n", w.c_str());
  }
  return kExitOk;
}

// `features A -o f.npy [--logits]`: the per-image features of A (N x D float32, input order), and with
// --logits its logits (N x 1008 float32) into f.logits.npy. Both outputs are checked before any work (an
// existing one is kept unless --force) and written atomically.
std::string logits_path_for(const std::string& features_path) {
  return features_path.substr(0, features_path.size() - 4) + ".logits.npy";
}

int run_features(const Args& a) {
  if (a.inputs.size() != 1)
    throw UsageError{"fidcpp features expects 1 input (a folder, .zip, list file or .npy), got " +
                     std::to_string(a.inputs.size())};
  if (a.output.empty()) throw UsageError{"fidcpp features needs -o FILE.npy"};
  if (a.output.size() < 5 || a.output.compare(a.output.size() - 4, 4, ".npy") != 0)
    throw UsageError{"-o: fidcpp features writes a .npy file, got '" + a.output + "'"};
  if (a.shard_count > 0) throw UsageError{"--shard applies to `fidcpp stats` only"};
  if (!a.plot.empty()) throw UsageError{"--plot applies to `fidcpp metrics` and `fidcpp fid` only"};
  if (!a.save_stats.empty()) throw UsageError{"--save-stats does not apply to `fidcpp features`"};
  if (a.want_fid || a.want_kid || a.want_is || a.want_mifid || a.want_prc || a.want_dc || a.want_fid_inf ||
      a.want_is_inf || a.ci_level > 0)
    throw UsageError{"fidcpp features computes no metric (--fid, --kid, ... apply to `fidcpp metrics`)"};
  if (fidcpp_cli::mpi_world().size > 1) throw UsageError{"fidcpp features is not supported under MPI"};
  std::vector<std::string> outputs = {a.output};
  if (a.want_logits) outputs.push_back(logits_path_for(a.output));
  for (const auto& out : outputs)  // refused before any work
    if (!a.force && fidcpp::file_exists(out))
      throw fidcpp::Error(FIDCPP_STATUS_INVALID_ARGUMENT,
                          "-o: '" + out + "' already exists (pass --force to overwrite it)");

  fidcpp::Options o = evaluator_options(a, true, a.want_logits);
  Progress progress;
  const bool show_progress = progress.attach(o, a.quiet, a.json);
  fidcpp::Evaluator ev(o);
  progress.label = "A";
  ev.add_path(FIDCPP_SIDE_REAL, a.inputs[0]);
  ev.flush();
  if (show_progress) std::fputc('\n', stderr);
  const uint64_t n = ev.count(FIDCPP_SIDE_REAL);
  const std::vector<float> features = ev.features(FIDCPP_SIDE_REAL);
  if (features.size() != n * uint64_t(a.tap))
    throw fidcpp::Error(
        FIDCPP_STATUS_INVALID_ARGUMENT,
        "'" + a.inputs[0] + "' holds statistics, not per-image features; give images or a .npy");
  std::vector<float> logits;
  if (a.want_logits) {
    logits = ev.logits(FIDCPP_SIDE_REAL);
    if (logits.size() != n * 1008u)
      throw fidcpp::Error(
          FIDCPP_STATUS_INVALID_ARGUMENT,
          "--logits: '" + a.inputs[0] + "' has no logits (features or statistics input); give images");
  }
  const auto write = [&](const std::string& path, const std::vector<float>& v, int64_t dim) {
    fidcpp::Status st = fidcpp::write_features_npy(path, v, dim, a.force);
    if (!st.ok())
      throw fidcpp::Error(static_cast<fidcpp_status>(static_cast<int>(st.code())), "-o: " + st.message());
  };
  write(outputs[0], features, a.tap);
  if (a.want_logits) write(outputs[1], logits, 1008);

  if (a.json) {
    std::printf("{\n  \"fidcpp_version\": \"%d.%d.%d\",\n  \"mode\": \"%s\",\n  \"tap\": %d,\n",
                FIDCPP_VERSION_MAJOR, FIDCPP_VERSION_MINOR, FIDCPP_VERSION_PATCH, fidcpp_mode_name(a.mode),
                a.tap);
    std::printf("  \"inputs\": [{\"path\": %s, \"count\": %llu, \"skipped\": %llu, \"cache\": \"%s\"}],\n",
                json_string(a.inputs[0]).c_str(), (unsigned long long)n,
                (unsigned long long)ev.skipped(FIDCPP_SIDE_REAL), cache_state(ev, FIDCPP_SIDE_REAL, a));
    std::printf("  \"metrics\": {},\n  \"warnings\": [],\n  \"written\": [");
    for (size_t i = 0; i < outputs.size(); ++i)
      std::printf("%s%s", i ? ", " : "", json_string(outputs[i]).c_str());
    std::printf("]\n}\n");
  } else {
    const uint64_t sk = ev.skipped(FIDCPP_SIDE_REAL);
    std::fprintf(stderr, "A: %llu images%s from %s\n", (unsigned long long)n,
                 sk ? (" (" + std::to_string(sk) + " skipped)").c_str() : "", a.inputs[0].c_str());
    std::fprintf(stderr, "wrote %s (%llu x %d float32)\n", outputs[0].c_str(), (unsigned long long)n, a.tap);
    if (a.want_logits)
      std::fprintf(stderr, "wrote %s (%llu x 1008 float32)\n", outputs[1].c_str(), (unsigned long long)n);
  }
  return kExitOk;
}

int run_merge(const Args& a) {
  if (a.inputs.size() < 1) throw UsageError{"fidcpp merge expects one or more .npz files"};
  if (a.output.empty()) throw UsageError{"fidcpp merge needs -o FILE.npz"};
  fidcpp::Options o;
  o.weights_path = a.weights;
  o.feature_dim = a.tap;
  o.threads = 1;
  fidcpp::Evaluator ev(o);
  for (const auto& in : a.inputs) ev.load_stats(FIDCPP_SIDE_REAL, in);
  ev.save_stats(FIDCPP_SIDE_REAL, a.output, a.force);
  if (a.json) {
    std::printf("{\"written\": %s, \"count\": %llu}\n", json_string(a.output).c_str(),
                (unsigned long long)ev.count(FIDCPP_SIDE_REAL));
  } else {
    std::fprintf(stderr, "merged %zu files (%llu images) into %s\n", a.inputs.size(),
                 (unsigned long long)ev.count(FIDCPP_SIDE_REAL), a.output.c_str());
  }
  return kExitOk;
}

// "rank R: " in messages of a multi-rank MPI run, empty otherwise.
std::string mpi_rank_prefix() {
  const fidcpp_cli::MpiWorld& w = fidcpp_cli::mpi_world();
  return w.size > 1 ? "rank " + std::to_string(w.rank) + ": " : std::string();
}

void print_command_help(const std::string& cmd) {
  std::map<std::string, std::string> usage = {
      {"fid",
       "usage: fidcpp fid A B [B2 ...] [--plot F.svg] [options]\n"
       "example: fidcpp fid data/real data/generated --json\n"},
      {"kid",
       "usage: fidcpp kid A B [options]\n"
       "example: fidcpp kid real/ gen/ --kid-subsets 100 --kid-subset-size 1000\n"},
      {"is",
       "usage: fidcpp is A [options]\n"
       "example: fidcpp is gen/ --splits 10  (needs weights with the fc layer)\n"},
      {"mifid", "usage: fidcpp mifid A B [options]\nexample: fidcpp mifid real/ gen/ --mifid-eps 0.1\n"},
      {"prc", "usage: fidcpp prc A B [options]\nexample: fidcpp prc real/ gen/ --prc-neighborhood 3\n"},
      {"metrics",
       "usage: fidcpp metrics A [B ...] --fid --kid --is --mifid --prc --dc [--plot F.svg] [options]\n"
       "example: fidcpp metrics real/ gen/ --fid --kid --prc --json\n"
       "example: fidcpp metrics real/ ckpt_1/ ckpt_2/ ckpt_3/ --fid --kid --plot progress.svg\n"
       "  With several generated sets (or --plot) the reference is extracted once and each set compared to\n"
       "  it: a table (one row per set), JSON \"sets\" (docs/cli.md), --is scores each generated set.\n"},
      {"stats",
       "usage: fidcpp stats A -o a.npz [--shard K/N] [options]\n"
       "example: fidcpp stats real/ -o real.npz --tap 2048\n"
       "  --shard K/N               only shard K (1-based, 1 <= K <= N) of N: a contiguous 1/N of the "
       "sorted\n"
       "                            inputs; `fidcpp merge` the N parts (docs/scaling.md)\n"},
      {"features",
       "usage: fidcpp features A -o f.npy [--logits] [options]\n"
       "example: fidcpp features real/ -o real_feats.npy --tap 2048\n"
       "  -o FILE.npy               per-image features of A, N x D float32 in input order (a .npy that "
       "numpy\n"
       "                            and fidcpp's own .npy input read); an existing file is kept unless "
       "--force\n"
       "  --logits                  also write the logits (N x 1008 float32) to FILE.logits.npy (needs "
       "weights\n"
       "                            with the fc layer)\n"},
      {"merge",
       "usage: fidcpp merge a.npz b.npz ... -o all.npz [--force] [--tap D]\n"
       "example: fidcpp merge part_0.npz part_1.npz -o all.npz\n"},
  };
  auto it = usage.find(cmd);
  std::fputs(it != usage.end() ? it->second.c_str() : kMainHelp, stdout);
  if (it != usage.end()) std::fputs(kCommonHelp, stdout);
}

// SIGINT/SIGTERM: remove the temporary files of outputs being written (their final names never hold a
// partial file, core/file.h) and exit with 128 + signal (130 for Ctrl-C), as shells report it.
void on_interrupt(int sig) {
  fidcpp::remove_pending_temp_files();
  static const char kMsg[] = "fidcpp: interrupted; no partial output left behind\n";
  const ssize_t ignored = ::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
  (void)ignored;
  ::_exit(128 + sig);
}

void install_interrupt_handlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  install_interrupt_handlers();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kMainHelp, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const std::string cmd = argv[1];
  // Under mpirun / mpiexec (FIDCPP_MPI builds): MPI lives until main returns; otherwise nothing happens.
  fidcpp_cli::MpiSession mpi(&argc, &argv);
  const bool rank0 = fidcpp_cli::mpi_world().rank == 0;
  if (cmd == "--version" || cmd == "version") {
    std::printf("fidcpp %d.%d.%d\n", FIDCPP_VERSION_MAJOR, FIDCPP_VERSION_MINOR, FIDCPP_VERSION_PATCH);
    return kExitOk;
  }
  if (cmd == "weights") return fidcpp::cmd_weights(argc - 1, argv + 1);
  if (cmd == "bench") return fidcpp::cmd_bench(argc - 1, argv + 1);
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      print_command_help(cmd);
      return kExitOk;
    }
  }
  static const char* kMetricCommands[] = {"fid", "kid", "is", "mifid", "prc", "metrics", "stats", "features"};
  bool known = cmd == "merge";
  for (const char* c : kMetricCommands) known = known || cmd == c;
  if (!known) {
    std::fprintf(stderr, "fidcpp: unknown command '%s'\n\n%s", cmd.c_str(), kMainHelp);
    return kExitUsage;
  }
  try {
    Args a = parse_args(argc, argv);
    if (a.want_logits && cmd != "features") throw UsageError{"--logits applies to `fidcpp features` only"};
    if (cmd == "merge") return rank0 ? run_merge(a) : kExitOk;  // under mpirun: one writer
    if (cmd == "features") return run_features(a);
    return run_metrics(a);
  } catch (const UsageError& e) {
    // Every rank parses the same arguments, so all fail alike before any communication: rank 0 reports.
    if (rank0) std::fprintf(stderr, "fidcpp %s: %s\n", cmd.c_str(), e.message.c_str());
    return kExitUsage;
  } catch (const fidcpp::Error& e) {
    std::fprintf(stderr, "fidcpp %s: %s%s\n", cmd.c_str(), mpi_rank_prefix().c_str(), e.what());
    fidcpp_cli::mpi_abort(
        fidcpp_cli::exit_code_for(e.status()));  // the other ranks must not wait for this one
    return fidcpp_cli::exit_code_for(e.status());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fidcpp %s: %sinternal error: %s\n", cmd.c_str(), mpi_rank_prefix().c_str(),
                 e.what());
    fidcpp_cli::mpi_abort(kExitInternal);
    return kExitInternal;
  }
}
