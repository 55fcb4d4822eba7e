// Helpers of the scale-out tests (tests/cli/test_shards.cpp, tests/mpi/test_mpi.cpp): running the CLI, image
// folders of rendered frames, synthetic weights, and comparing mergeable statistics against the documented
// bound (docs/scaling.md).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "metrics/moments.h"
#include "metrics/stats_file.h"
#include "renderer_frames.h"
#include "synthetic_weights_file.h"
#include "cli/cli_runner.h"

namespace fidcpp {
namespace scale_test {

using cli_test::CliRun;

inline std::string tmp(const std::string& name) {
  // Per process: concurrently running tests (ctest -j) and other build trees must not share files.
  // Removed when the process ends (cli_runner.h TempFiles), so runs leave nothing in the temporary folder.
  static const cli_test::TempFiles files("scale");
  return files(name);
}

// Runs `prefix FIDCPP_CLI_PATH args` (prefix: e.g. an mpirun command line).
inline CliRun run_cli(const std::string& args, const std::string& prefix = "") {
  return cli_test::run_cli(args, tmp("stderr.txt"), prefix);
}

inline const std::string& synthetic_weights() {
  static const std::string w = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(tmp("synthetic.safetensors"), true, &err);
    EXPECT_FALSE(p.empty()) << err;
    return p;
  }();
  return w;
}

// --tap 64 keeps the network short (the scale-out logic does not depend on the tap; the 2048-d merge is
// covered with feature files).
inline std::string common_flags() {
  return " --weights '" + synthetic_weights() + "' --tap 64 --quiet --threads 1";
}

// Writes n PNG frames of `scene` into a fresh folder (names sort as img_00, img_01, ...).
std::string image_folder(const std::string& name, int scene, int n);

inline Moments read_moments(const std::string& path) {
  auto m = read_moments_npz(path);
  EXPECT_TRUE(m.ok()) << m.status().to_string();
  return m.ok() ? *m : Moments();
}

// Every entry of the sums of `got` is within the README bound of `want`: |got - want| <= 2 n u S_abs with
// u = 2^-53 and S_abs the sums of absolute values (|f| and |f_i f_j|) of the same features; for the
// non-negative Inception features S_abs = want. n is compared exactly.
inline void expect_sums_within_bound(const Moments& got, const Moments& want, const std::string& what) {
  ASSERT_EQ(got.count(), want.count()) << what;
  ASSERT_EQ(got.dim(), want.dim()) << what;
  const double tol = 2.0 * double(want.count()) * std::ldexp(1.0, -53);
  size_t bad = 0;
  for (size_t i = 0; i < want.sum().size(); ++i)
    if (std::fabs(got.sum()[i] - want.sum()[i]) > tol * std::fabs(want.sum()[i])) ++bad;
  const std::vector<double> a = got.sum_outer(), b = want.sum_outer();
  for (size_t i = 0; i < b.size(); ++i)
    if (std::fabs(a[i] - b[i]) > tol * std::fabs(b[i])) ++bad;
  EXPECT_EQ(bad, 0u) << what << ": entries outside the bound 2*n*2^-53 relative";
}

}  // namespace scale_test
}  // namespace fidcpp
