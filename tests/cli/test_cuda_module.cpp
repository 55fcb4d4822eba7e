// The CUDA backend as a run-time module (src/backend/cuda_module.h, docs/cuda.md "The CUDA module"): what the
// loader refuses and how it says so, `--device cuda` end to end through a loaded module (a stand-in that
// creates the CPU backend, so this runs without CUDA), the device checked before the weights, and the build's
// own module found next to the CLI.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "backend_registry.h"
#include "cli/cli_runner.h"
#include "renderer_frames.h"
#include "synthetic_weights_file.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace fidcpp {
namespace {

using cli_test::CliRun;

const cli_test::TempFiles tmp("cuda_module");

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

CliRun run(const std::string& args, const std::string& env = "") {
  return cli_test::run_cli(args, tmp("stderr.txt"), env);
}

std::string module_env(const std::string& path) {
  return "FIDCPP_CUDA_MODULE='" + path + "' ";
}

const std::string& weights() {
  static std::string w = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(tmp("synthetic.safetensors"), false, &err);
    EXPECT_FALSE(p.empty()) << err;
    return p;
  }();
  return w;
}

std::string folder(const std::string& name, int scene, int n) {
  std::string d = tmp(name);
  EXPECT_EQ(std::system(("rm -rf '" + d + "' && mkdir -p '" + d + "'").c_str()), 0);
  for (int i = 0; i < n; ++i) {
    Frame f = render_frame(scene, i);
    std::string p = d + "/img_" + std::to_string(i) + ".png";
    EXPECT_TRUE(stbi_write_png(p.c_str(), f.width, f.height, 4, f.rgba.data(), int(f.row_stride)));
  }
  return d;
}

void expect_refused(const std::string& path, const std::string& why) {
  auto opened = open_cuda_module_at(path);
  ASSERT_FALSE(opened.ok()) << path;
  EXPECT_EQ(opened.status().code(), StatusCode::kUnsupported) << opened.status().to_string();
  EXPECT_TRUE(has(opened.status().message(), path)) << opened.status().message();
  EXPECT_TRUE(has(opened.status().message(), why)) << opened.status().message();
}

TEST(CudaModule, TheLoaderRefusesWhatIsNotThisBuildsModule) {
  expect_refused("/no/such/dir/libfidcpp-cuda.so", "does not exist");
  const std::string junk = tmp("junk.so");
  std::ofstream(junk) << "not a shared object\n";
  expect_refused(junk, "cannot load the CUDA module");
  expect_refused(FIDCPP_SHARED_LIBRARY, "is not a fidcpp CUDA module");
  expect_refused(FIDCPP_FAKE_CUDA_wrong_id, "built from other fidcpp sources");
  expect_refused(FIDCPP_FAKE_CUDA_wrong_abi, "table version");
  auto ok = open_cuda_module_at(FIDCPP_FAKE_CUDA_ok);
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  auto backend = (*ok)->create_backend(0, false);
  ASSERT_TRUE(backend.ok()) << backend.status().to_string();
  EXPECT_TRUE(has((*backend)->name(), "cpu")) << (*backend)->name();
}

// --device cuda through a module that creates the CPU backend gives the CPU's FID to the last digit: the
// evaluator really ran the backend the module created.
TEST(CudaModule, DeviceCudaRunsTheBackendTheModuleCreates) {
  const std::string a = folder("a", 0, 3), b = folder("b", 1, 3);
  const std::string args =
      "fid '" + a + "' '" + b + "' --weights '" + weights() + "' --threads 1 --tap 64 --json";
  CliRun cpu = run(args + " --device cpu");
  ASSERT_EQ(cpu.code, 0) << cpu.err;
  const std::string mark = tmp("created.txt");
  std::remove(mark.c_str());
  CliRun mod =
      run(args + " --device cuda", module_env(FIDCPP_FAKE_CUDA_ok) + "FIDCPP_FAKE_CUDA_MARK='" + mark + "' ");
  ASSERT_EQ(mod.code, 0) << mod.err;
  EXPECT_EQ(cli_test::slurp(mark), "created\n") << "the module's create_backend was not called";
  auto fid = [](const std::string& json) {
    const size_t at = json.find("\"frechet_inception_distance\": ");
    return at == std::string::npos ? std::string("missing") : json.substr(at, 50);
  };
  EXPECT_EQ(fid(mod.out), fid(cpu.out));
  EXPECT_NE(fid(cpu.out), "missing") << cpu.out;
}

// Refusals exit 6 (unsupported) and name the module; the device is checked before the weights are read.
TEST(CudaModule, RefusalsNameTheModuleAndComeBeforeTheWeights) {
  const std::string a = folder("r", 0, 2);
  const std::string args = "fid '" + a + "' '" + a + "' --device cuda --weights /no/such/weights.safetensors";
  CliRun r = run(args, module_env(FIDCPP_FAKE_CUDA_wrong_id));
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_TRUE(has(r.err, "FIDCPP_CUDA_MODULE")) << r.err;
  EXPECT_TRUE(has(r.err, "built from other fidcpp sources")) << r.err;
  r = run(args, module_env("/no/such/libfidcpp-cuda.so"));
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_TRUE(has(r.err, "'/no/such/libfidcpp-cuda.so' does not exist")) << r.err;
  // auto never fails for want of CUDA: it falls back to the CPU (here: to the weights error).
  r = run("fid '" + a + "' '" + a + "' --device auto --weights /no/such/weights.safetensors",
          module_env("/no/such/libfidcpp-cuda.so"));
  EXPECT_EQ(r.code, 4) << r.err;  // the weights error's exit code (test_cli)
  EXPECT_TRUE(has(r.err, "/no/such/weights.safetensors")) << r.err;
}

// The build's own libfidcpp-cuda.so is found next to the CLI without FIDCPP_CUDA_MODULE and accepted: on a
// machine without a GPU the error is the runtime's "no CUDA device", never "not found" or a refusal.
TEST(CudaModule, TheBuiltModuleIsFoundNextToTheCli) {
  const std::string real = FIDCPP_REAL_CUDA_MODULE;
  if (real.empty()) GTEST_SKIP() << "skipped: this build has no CUDA module (no nvcc)";
  auto opened = open_cuda_module_at(real);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  const std::string a = folder("m", 0, 3), b = folder("n", 1, 3);
  const std::string args = "fid '" + a + "' '" + b + "' --tap 64 --json --weights '" + weights() + "'";
  CliRun r = run(args + " --device cuda", "env -u FIDCPP_CUDA_MODULE ");
  if (r.code != 0) {
    EXPECT_EQ(r.code, 6) << r.err;
    EXPECT_TRUE(has(r.err, "no CUDA device")) << r.err;
    return;
  }
  // A GPU ran it (tools/gpu_check.sh): the same FID as the CPU within the device's float32 differences.
  CliRun cpu = run(args + " --device cpu");
  ASSERT_EQ(cpu.code, 0) << cpu.err;
  auto fid = [](const std::string& json) {
    const size_t at = json.find("\"frechet_inception_distance\": ");
    return at == std::string::npos ? -1.0 : std::strtod(json.c_str() + at + 30, nullptr);
  };
  EXPECT_GT(fid(cpu.out), 0.0) << cpu.out;
  EXPECT_NEAR(fid(r.out), fid(cpu.out), 1e-3 * fid(cpu.out)) << r.out;
}

}  // namespace
}  // namespace fidcpp
