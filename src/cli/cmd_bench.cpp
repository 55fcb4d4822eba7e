// `fidcpp bench`: images/s of the Inception network on synthetic 299x299 RGB8 images through the public API
// (the same path as `fidcpp fid` after decoding), and the time of FID and KID on random features.
#include "cli/cmd_bench.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/named_values.h"
#include "core/splitmix64.h"
#include "fidcpp/fidcpp.h"
#include "library_tools.h"

namespace fidcpp {

namespace {

const char* kBenchHelp =
    "usage: fidcpp bench [options]\n"
    "Measures the network's images/s on synthetic 299x299 RGB8 images (after one warm-up batch, which also\n"
    "loads the weights) and the time of FID (two D-d statistics of 2000 random features each) and KID (S\n"
    "subsets of 1000 of the same features).\n"
    "example: fidcpp bench --images 256 --batch-size 32 --json\n"
    "Options:\n"
    "  --images N        timed images (default 64)\n"
    "  --batch-size N    images per forward pass (default 16)\n"
    "  --threads N       worker threads (default: all cores)\n"
    "  --device cpu|cuda|auto   (default cpu)\n"
    "  --weights PATH    converted weights (default: $FIDCPP_WEIGHTS or "
    "weights/inception-2015-12-05.safetensors)\n"
    "  --metric-dim D    feature dimension for the metric timings (default 2048)\n"
    "  --kid-subsets S   KID subsets timed (default 10; the metric default is 100, ~10x this time)\n"
    "  --no-metrics      only the network\n"
    "  --no-network      only the metrics (no weights needed)\n"
    "  --json            machine-readable output\n"
    "Exit codes: 0 ok, 2 usage error, 4 missing or bad weights, 5 internal error, 6 device unsupported.\n";

struct BenchUsage {
  std::string message;
};

int parse_count(const std::string& flag, const char* v, int lo, int hi) {
  char* end = nullptr;
  errno = 0;
  long x = std::strtol(v, &end, 10);
  if (!*v || *end || errno || x < lo || x > hi)
    throw BenchUsage{flag + " expects an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "], got '" + v + "'"};
  return static_cast<int>(x);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A failed C API call: its status and message.
struct ApiError {
  fidcpp_status status;
  std::string message;
};

void check(fidcpp_status s, fidcpp_evaluator* e) {
  if (s != FIDCPP_STATUS_OK) throw ApiError{s, e ? fidcpp_evaluator_last_error(e) : fidcpp_last_error()};
}

struct EvaluatorHandle {
  fidcpp_evaluator* e = nullptr;
  ~EvaluatorHandle() { fidcpp_evaluator_destroy(e); }
};

}  // namespace

int cmd_bench(int argc, char** argv) {
  int images = 64, batch = 16, threads = 0, metric_dim = 2048, kid_subsets = 10;
  fidcpp_device device = FIDCPP_DEVICE_CPU;
  std::string weights, device_name = fidcpp_device_name(device);
  bool json = false, network = true, metrics = true;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string f = argv[i];
      auto value = [&]() -> const char* {
        if (i + 1 >= argc) throw BenchUsage{f + " needs a value"};
        return argv[++i];
      };
      if (f == "--help" || f == "-h") {
        std::fputs(kBenchHelp, stdout);
        return fidcpp_cli::kExitOk;
      } else if (f == "--images") {
        images = parse_count(f, value(), 1, 1 << 20);
      } else if (f == "--batch-size") {
        batch = parse_count(f, value(), 1, 1024);
      } else if (f == "--threads") {
        threads = parse_count(f, value(), 0, 1024);
      } else if (f == "--device") {
        device_name = value();
        const auto d = fidcpp_cli::parse_device(device_name);
        if (!d)
          throw BenchUsage{"--device expects " + fidcpp_cli::device_names_text() + ", got '" + device_name +
                           "'"};
        device = *d;
      } else if (f == "--weights") {
        weights = value();
      } else if (f == "--json") {
        json = true;
      } else if (f == "--metric-dim") {
        metric_dim = parse_count(f, value(), 2, 4096);
      } else if (f == "--kid-subsets") {
        kid_subsets = parse_count(f, value(), 1, 1000);
      } else if (f == "--no-metrics") {
        metrics = false;
      } else if (f == "--no-network") {
        network = false;
      } else {
        throw BenchUsage{"unknown argument '" + f + "' (see fidcpp bench --help)"};
      }
    }
    if (!network && !metrics) throw BenchUsage{"--no-network and --no-metrics leave nothing to measure"};
  } catch (const BenchUsage& e) {
    std::fprintf(stderr, "fidcpp bench: %s\n", e.message.c_str());
    return fidcpp_cli::kExitUsage;
  }

  struct Row {
    std::string name;
    double seconds;
    double per_second;  // images/s, or NaN
  };
  std::vector<Row> rows;
  constexpr int kSize = 299;
  try {
    if (network) {
      fidcpp_options o;
      fidcpp_options_default(&o);
      o.weights_path = weights.empty() ? nullptr : weights.c_str();
      o.device = device;
      o.threads = threads;
      o.batch_size = batch;
      EvaluatorHandle ev;
      check(fidcpp_evaluator_create(&o, &ev.e), nullptr);
      auto add = [&](fidcpp_side side, const uint8_t* p) {
        check(fidcpp_evaluator_add_image(ev.e, side, p, kSize, kSize, kSize * 3, FIDCPP_PIXEL_RGB8), ev.e);
      };
      std::vector<uint8_t> pixels(size_t(kSize) * kSize * 3 * 4);  // 4 distinct synthetic images
      SplitMix64 rng(2026);
      for (auto& p : pixels) p = rng.byte();
      auto image = [&](int i) { return pixels.data() + size_t(i % 4) * kSize * kSize * 3; };
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < batch; ++i) add(FIDCPP_SIDE_REAL, image(i));
      check(fidcpp_evaluator_flush(ev.e), ev.e);
      rows.push_back({"load + warm-up batch", seconds_since(t0), double(batch) / seconds_since(t0)});
      t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < images; ++i) add(FIDCPP_SIDE_GENERATED, image(i));
      check(fidcpp_evaluator_flush(ev.e), ev.e);
      const double s = seconds_since(t0);
      rows.push_back({"network (" + std::to_string(images) + " images)", s, double(images) / s});
    }
    if (metrics) {
      auto timings = time_metrics(metric_dim, kid_subsets, threads);
      if (!timings.ok()) throw std::runtime_error(timings.status().message());
      for (const MetricTiming& t : *timings) rows.push_back({t.name, t.seconds, NAN});
    }
  } catch (const ApiError& e) {
    std::fprintf(stderr, "fidcpp bench: %s\n", e.message.c_str());
    return fidcpp_cli::exit_code_for(e.status);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fidcpp bench: internal error: %s\n", e.what());
    return fidcpp_cli::kExitInternal;
  }

  if (json) {
    std::printf("{\n  \"device\": \"%s\",\n  \"batch_size\": %d,\n  \"threads\": %d,\n  \"results\": [",
                device_name.c_str(), batch, threads);
    for (size_t i = 0; i < rows.size(); ++i) {
      std::printf("%s\n    {\"name\": \"%s\", \"seconds\": %.9g", i ? "," : "", rows[i].name.c_str(),
                  rows[i].seconds);
      if (std::isfinite(rows[i].per_second)) std::printf(", \"images_per_second\": %.9g", rows[i].per_second);
      std::printf("}");
    }
    std::printf("\n  ]\n}\n");
  } else {
    std::printf("%-36s %12s %12s\n", "benchmark", "seconds", "images/s");
    for (const Row& r : rows) {
      if (std::isfinite(r.per_second))
        std::printf("%-36s %12.4f %12.2f\n", r.name.c_str(), r.seconds, r.per_second);
      else
        std::printf("%-36s %12.4f %12s\n", r.name.c_str(), r.seconds, "-");
    }
  }
  return fidcpp_cli::kExitOk;
}

}  // namespace fidcpp
