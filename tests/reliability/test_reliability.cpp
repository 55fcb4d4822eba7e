// Reliability (docs/reliability.md): hostile inputs the reader suites do not already cover, the image pixel
// limit and its override, interrupted runs (SIGINT) leaving no partial or temporary file, and bitwise
// determinism of the CLI across thread counts and batch sizes.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/file.h"
#include "core/splitmix64.h"
#include "io/image_decode.h"
#include "io/npy.h"
#include "io/pickle_vm.h"
#include "io/zip_reader.h"
#include "io/zip_writer.h"
#include "metrics/moments.h"
#include "synthetic_weights_file.h"
#include "cli/cli_runner.h"

namespace fidcpp {
namespace {

std::string tmp(const std::string& name) {
  // Per process: ctest may run this binary from several build trees at once.
  // Removed when the process ends (cli_runner.h TempFiles), so runs leave nothing in the temporary folder.
  static const cli_test::TempFiles files("rel");
  return files(name);
}

// Removes this process's temporary files after the last test.
class RemoveTemporaries : public ::testing::Environment {
 public:
  void TearDown() override { EXPECT_EQ(std::system(("rm -rf '" + tmp("") + "'*").c_str()), 0); }
};
::testing::Environment* const kRemoveTemporaries = ::testing::AddGlobalTestEnvironment(new RemoveTemporaries);

void sh(const std::string& cmd) {
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Names in `dir` that contain `needle`.
std::vector<std::string> entries_with(const std::string& dir, const std::string& needle) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::string(e->d_name).find(needle) != std::string::npos) out.push_back(e->d_name);
    ::closedir(d);
  }
  return out;
}

using cli_test::CliRun;

CliRun cli(const std::string& args, const std::string& env = "") {
  return cli_test::run_cli(args, tmp("stderr.txt"), env + " ");
}

const std::string& weights() {
  static std::string w = [] {
    std::string err;
    std::string p = write_synthetic_weights_file(tmp("weights.safetensors"), false, &err);
    EXPECT_FALSE(p.empty()) << err;
    return p;
  }();
  return w;
}

std::string ppm(int w, int h, uint64_t seed) {
  std::string b = "P6\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n";
  SplitMix64 rng(seed);
  for (int i = 0; i < w * h * 3; ++i) b.push_back(char(rng.next() & 0xFF));
  return b;
}

// A folder of n small PPM images of varying sizes.
std::string image_folder(const std::string& name, int n, uint64_t seed) {
  const std::string d = tmp(name);
  sh("rm -rf '" + d + "' && mkdir -p '" + d + "'");
  for (int i = 0; i < n; ++i) {
    char file[32];
    std::snprintf(file, sizeof file, "/im_%04d.ppm", i);
    const std::string b = ppm(30 + i % 13, 26 + i % 7, seed * 1000 + uint64_t(i));
    std::ofstream(d + file, std::ios::binary).write(b.data(), std::streamsize(b.size()));
  }
  return d;
}

Status decode_status(const std::string& bytes, const DecodeLimits& limits = {}) {
  auto r = decode_image_memory(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "x.img", limits);
  return r.ok() ? Status() : r.status();
}

void expect_error(const Status& s, const std::string& needle) {
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << needle;
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

void put_be32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s.push_back(char((v >> (8 * i)) & 0xFF));
}
void put_le16(std::string& s, unsigned v) {
  s.push_back(char(v & 0xFF));
  s.push_back(char((v >> 8) & 0xFF));
}

void put_png_chunk(std::string& s, const std::string& type_and_data) {
  put_be32(s, uint32_t(type_and_data.size() - 4));
  s += type_and_data;
  put_be32(s, zip_crc32(reinterpret_cast<const uint8_t*>(type_and_data.data()), type_and_data.size()));
}

// A PNG signature and IHDR chunk (valid CRCs) for a w x h 8-bit RGB image, then (with_idat) an IDAT holding
// an empty zlib stream, then IEND: a few dozen bytes claiming any size.
std::string png_header(uint32_t w, uint32_t h, bool with_idat) {
  std::string s = "\x89PNG\r\n\x1a\n";
  std::string ihdr = "IHDR";
  put_be32(ihdr, w);
  put_be32(ihdr, h);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  put_png_chunk(s, ihdr);
  if (with_idat) put_png_chunk(s, std::string("IDAT\x78\x9c\x03\x00\x00\x00\x00\x01", 12));
  put_png_chunk(s, "IEND");
  return s;
}

// ---- Image headers: limits are checked before any pixel buffer exists ----

TEST(Hostile, PnmHeaderDecompressionBomb) {
  const Status s = decode_status("P6\n100000 100000\n255\n" + std::string(64, '\0'));
  expect_error(s, "decompression bomb");
  EXPECT_EQ(s.code(), StatusCode::kOutOfMemory);
}

TEST(Hostile, PnmSideAboveLimit) {
  expect_error(decode_status("P5\n300000 1\n255\n" + std::string(64, '\0')), "per side");
}

TEST(Hostile, PnmTruncatedPixels) {
  const std::string b = ppm(8, 8, 1);
  expect_error(decode_status(b.substr(0, b.size() - 10)), "x.img");
}

TEST(Hostile, GifLogicalScreenBomb) {
  std::string g = "GIF89a";
  put_le16(g, 65535);
  put_le16(g, 65535);
  g += std::string("\x00\x00\x00", 3);  // no global palette
  g += ",";                             // image descriptor
  put_le16(g, 0), put_le16(g, 0), put_le16(g, 65535), put_le16(g, 65535);
  g += std::string("\x00\x02\x02\x44\x01\x00;", 7);  // a few bytes of LZW data
  const Status s = decode_status(g);
  expect_error(s, "decompression bomb");
  EXPECT_EQ(s.code(), StatusCode::kOutOfMemory);
}

TEST(Hostile, PngZeroWidth) {
  expect_error(decode_status(png_header(0, 16, true)), "x.img");
}

TEST(Hostile, PngHeaderWithoutPixelData) {
  expect_error(decode_status(png_header(16, 16, false)), "x.img");
}

TEST(Hostile, PngHeaderDecompressionBomb) {
  const Status s = decode_status(png_header(30000, 30000, true));
  expect_error(s, "decompression bomb");
  expect_error(s, "FIDCPP_MAX_IMAGE_PIXELS");  // the message says how to raise the limit
}

TEST(Hostile, JpegMarkersOnly) {
  expect_error(
      decode_status(std::string("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                                "\xff\xd9",
                                22)),
      "x.img");
}

TEST(Hostile, BmpZeroHeight) {
  std::string b = "BM";
  b += std::string(12, '\0');
  b += std::string("\x28\0\0\0", 4);  // BITMAPINFOHEADER
  b += std::string("\x10\0\0\0", 4);  // width 16
  b += std::string("\0\0\0\0", 4);    // height 0
  b += std::string("\x01\0\x18\0", 4);
  b += std::string(24 + 64, '\0');
  b[10] = 54;
  expect_error(decode_status(b), "x.img");
}

// ---- The pixel limit and its documented override ----

TEST(Reliability, ImagePixelLimitHasAnEnvironmentOverride) {
  const std::string img = ppm(20, 20, 7);  // 400 pixels
  ASSERT_EQ(::setenv("FIDCPP_MAX_IMAGE_PIXELS", "399", 1), 0);
  auto l = decode_limits_from_env();
  ASSERT_TRUE(l.ok()) << l.status().to_string();
  EXPECT_EQ(l->max_pixels, 399);
  expect_error(decode_status(img, *l), "exceeds the limit of 399 pixels");
  ASSERT_EQ(::setenv("FIDCPP_MAX_IMAGE_PIXELS", "400", 1), 0);
  l = decode_limits_from_env();
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(decode_status(img, *l).ok());
  // Raised above the default, a header the default refuses passes the size check (and fails later for
  // lack of pixel data, with another message).
  const std::string bomb = "P5\n20000 20000\n255\n" + std::string(64, '\0');
  ASSERT_EQ(::setenv("FIDCPP_MAX_IMAGE_PIXELS", "400000000", 1), 0);
  l = decode_limits_from_env();
  ASSERT_TRUE(l.ok());
  const Status raised = decode_status(bomb, *l);
  ASSERT_FALSE(raised.ok());
  EXPECT_EQ(raised.message().find("exceeds the limit"), std::string::npos) << raised.message();
  for (const char* bad : {"abc", "0", "-5", "12x"}) {
    ASSERT_EQ(::setenv("FIDCPP_MAX_IMAGE_PIXELS", bad, 1), 0);
    auto b = decode_limits_from_env();
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_NE(b.status().message().find("FIDCPP_MAX_IMAGE_PIXELS"), std::string::npos);
    EXPECT_NE(b.status().message().find(std::string("'") + bad + "'"), std::string::npos)
        << b.status().message();
  }
  ASSERT_EQ(::unsetenv("FIDCPP_MAX_IMAGE_PIXELS"), 0);
  l = decode_limits_from_env();
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->max_pixels, DecodeLimits().max_pixels);
  expect_error(decode_status(bomb, *l), "decompression bomb");
}

TEST(Reliability, CliPixelLimitOverrideNamesTheImage) {
  const std::string d = image_folder("limit", 3, 3);
  const std::string out = tmp("limit.npz");
  std::remove(out.c_str());
  CliRun r = cli("stats '" + d + "' -o '" + out + "' --tap 64 --quiet --weights '" + weights() + "'",
                 "FIDCPP_MAX_IMAGE_PIXELS=100");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("im_0000.ppm"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("FIDCPP_MAX_IMAGE_PIXELS"), std::string::npos) << r.err;
  EXPECT_FALSE(file_exists(out));
  r = cli("stats '" + d + "' -o '" + out + "' --tap 64 --quiet --weights '" + weights() + "'",
          "FIDCPP_MAX_IMAGE_PIXELS=junk");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("FIDCPP_MAX_IMAGE_PIXELS must be a positive integer"), std::string::npos) << r.err;
  r = cli("stats '" + d + "' -o '" + out + "' --tap 64 --quiet --weights '" + weights() + "'",
          "FIDCPP_MAX_IMAGE_PIXELS=100000");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(file_exists(out));
}

// ---- Pickle: only what a weights file needs ----

Status run_pickle(const std::string& bytes) {
  PickleVm vm("t.pkl");
  auto r = vm.run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return r.ok() ? Status() : r.status();
}

TEST(Hostile, PickleRefusesEveryOtherGlobalByName) {
  for (const char* g : {"os system", "posix system", "subprocess Popen", "builtins getattr",
                        "builtins __import__", "torch load", "numpy.core.multiarray _reconstruct",
                        "pickle loads", "collections defaultdict", "torch._utils _rebuild_qtensor"}) {
    std::string mod(g), name;
    name = mod.substr(mod.find(' ') + 1);
    mod = mod.substr(0, mod.find(' '));
    expect_error(run_pickle("\x80\x02"
                            "c" +
                            mod + "\n" + name + "\n."),
                 "refusing global '" + mod + "." + name + "'");
  }
  expect_error(run_pickle("\x80\x02"
                          "cos;x\nsystem\n."),
               "not a plain dotted name");
}

TEST(Hostile, PickleRefusesUnneededOpcodesByName) {
  expect_error(run_pickle("\x80\x02(ccollections\nOrderedDict\no."), "unsupported opcode OBJ");
  expect_error(run_pickle("\x80\x02\x82\x01."), "unsupported opcode EXT1");
  expect_error(run_pickle("\x80\x02"
                          "S'abc'\n."),
               "unsupported opcode STRING");
}

// ---- npz: member count limit ----

TEST(Hostile, NpzWithTooManyMembers) {
  ZipWriter w(false);
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
  header.resize(117, ' ');
  header += "\n";  // 10 + 118 bytes: the data starts 64-byte aligned
  const std::string npy = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + header + std::string(8, '\0');
  for (int i = 0; i < 1100; ++i)
    ASSERT_TRUE(w.add("m" + std::to_string(i) + ".npy", reinterpret_cast<const uint8_t*>(npy.data()),
                      npy.size(), false)
                    .ok());
  const std::vector<uint8_t> z = w.finish();
  auto r = parse_npz(z.data(), z.size(), "many.npz");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("1100 members, more than the limit of 1024"), std::string::npos)
      << r.status().message();
}

// ---- CLI arguments ----

TEST(Hostile, CliArgumentsOutOfRangeNameTheFlag) {
  const std::string d = image_folder("args", 2, 5);
  struct Case {
    std::string args, needle;
  };
  const Case cases[] = {
      {"stats '" + d + "' -o x.npz --tap 100", "--tap expects 64, 192, 768 or 2048"},
      {"stats '" + d + "' -o x.npz --batch-size 0", "--batch-size"},
      {"stats '" + d + "' -o x.npz --threads -3", "--threads"},
      {"stats '" + d + "' -o x.npz --batch-size 12abc", "'12abc'"},
      {"fid '" + d + "' '" + d + "' --shard 3/2", "--shard"},
      {"kid '" + d + "' '" + d + "' --kid-subsets nan", "--kid-subsets"},
      {"fid '" + d + "' '" + d + "' --mode tf", "--mode expects"},
      {"fid '" + d + "' '" + d + "' --frobnicate", "unknown option '--frobnicate'"},
      {"stats '" + d + "' -o", "-o needs a value"},
  };
  for (const Case& c : cases) {
    CliRun r = cli(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
  }
}

// ---- Nothing lost: interrupted runs ----

// Whether process `pid` has a handler for SIGINT (bit 1 of SigCgt in /proc/PID/status).
bool catches_sigint(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("SigCgt:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> (SIGINT - 1)) & 1;
  return false;
}

// SIGINT in the middle of a run: exit status 130, no output, no temporary file.
TEST(Reliability, SigintMidRunLeavesNoPartialOutput) {
  const std::string d = image_folder("sigint", 400, 11);
  const std::string outdir = tmp("sigint_out");
  sh("rm -rf '" + outdir + "' && mkdir -p '" + outdir + "'");
  const std::string out = outdir + "/stats.npz";
  const std::string w = weights();
  const std::string err_file = tmp("sigint_stderr.txt");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen(err_file.c_str(), "w", stderr);
    ::execl(FIDCPP_CLI_PATH, FIDCPP_CLI_PATH, "stats", d.c_str(), "-o", out.c_str(), "--weights", w.c_str(),
            "--quiet", "--threads", "1", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Interrupt once the CLI has installed its handler (SigCgt in /proc) and has had time to start working.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!catches_sigint(pid) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  ASSERT_TRUE(WIFEXITED(st)) << "killed by signal " << (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  EXPECT_EQ(WEXITSTATUS(st), 130) << slurp(err_file);
  EXPECT_NE(slurp(err_file).find("interrupted"), std::string::npos) << slurp(err_file);
  EXPECT_FALSE(file_exists(out));
  EXPECT_TRUE(entries_with(outdir, "stats.npz").empty());
}

// A signal while write_file_atomic is writing: the handler's remove_pending_temp_files() leaves neither the
// output nor its temporary file.
void on_usr1(int) {
  remove_pending_temp_files();
  ::_exit(42);
}

TEST(Reliability, SignalDuringAtomicWriteRemovesTheTemporaryFile) {
  const std::string dir = tmp("atomic");
  const std::string out = dir + "/big.bin";
  bool caught = false;
  for (int attempt = 0; attempt < 4 && !caught; ++attempt) {
    sh("rm -rf '" + dir + "' && mkdir -p '" + dir + "'");
    const size_t bytes = (size_t(64) << 20) << attempt;
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::signal(SIGUSR1, on_usr1);
      std::vector<uint8_t> data(bytes, 0x5A);
      const Status s = write_file_atomic(out, data.data(), data.size(), Overwrite::kRefuse);
      ::_exit(s.ok() ? 0 : 1);
    }
    // Wait for the temporary file to appear, then interrupt.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() < until) {
      seen = !entries_with(dir, "big.bin.tmp-").empty();
      if (!seen) {
        int st = 0;
        if (::waitpid(pid, &st, WNOHANG) == pid) break;  // finished before we saw it: try a bigger file
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
    if (seen) ::kill(pid, SIGUSR1);
    int st = 0;
    ::waitpid(pid, &st, 0);
    if (seen && WIFEXITED(st) && WEXITSTATUS(st) == 42) {
      caught = true;
      EXPECT_FALSE(file_exists(out));
      EXPECT_TRUE(entries_with(dir, "big.bin").empty()) << entries_with(dir, "big.bin")[0];
    }
  }
  EXPECT_TRUE(caught) << "never interrupted a write in progress";
  sh("rm -rf '" + dir + "'");
}

TEST(Reliability, ExistingOutputIsNeverOverwrittenWithoutForce) {
  const std::string d = image_folder("force", 3, 9);
  const std::string out = tmp("force.npz");
  { std::ofstream(out) << "precious"; }
  CliRun r = cli("stats '" + d + "' -o '" + out + "' --tap 64 --quiet --weights '" + weights() + "'");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("already exists (use --force"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out), "precious");
  r = cli("stats '" + d + "' -o '" + out + "' --tap 64 --quiet --force --weights '" + weights() + "'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(slurp(out), "precious");
}

// ---- Determinism ----

// Same inputs, weights and options: byte-identical statistics files and metrics for any --threads and
// --batch-size (CPU backend; docs/reliability.md documents the per-backend guarantee).
TEST(Reliability, CliBitwiseIdenticalAcrossThreadsAndBatchSizes) {
  const std::string a = image_folder("det_a", 23, 21), b = image_folder("det_b", 19, 22);
  struct Config {
    int threads, batch;
  };
  const Config configs[] = {{1, 1}, {2, 7}, {2, 16}, {1, 32}};
  std::string first_stats, first_json;
  for (const Config& c : configs) {
    // Tap 64 keeps the runs affordable; the whole network's bitwise independence of threads and batch size
    // is InceptionForward.BitwiseIdenticalForThreadsAndBatchSizes.
    const std::string opts = " --tap 64 --threads " + std::to_string(c.threads) + " --batch-size " +
                             std::to_string(c.batch) + " --quiet --weights '" + weights() + "'";
    const std::string out = tmp("det.npz");
    std::remove(out.c_str());
    CliRun s = cli("stats '" + a + "' -o '" + out + "'" + opts);
    ASSERT_EQ(s.code, 0) << s.err;
    CliRun m =
        cli("metrics '" + a + "' '" + b + "' --fid --kid --kid-subsets 5 --kid-subset-size 10 --json" + opts);
    ASSERT_EQ(m.code, 0) << m.err;
    // The JSON also echoes the inputs and options; compare the metric values.
    const size_t from = m.out.find("\"metrics\""), to = m.out.find("\"written\"");
    ASSERT_TRUE(from != std::string::npos && to != std::string::npos && from < to) << m.out;
    const std::string values = m.out.substr(from, to - from);
    ASSERT_NE(values.find("frechet_inception_distance"), std::string::npos) << values;
    if (first_stats.empty()) {
      first_stats = slurp(out);
      first_json = values;
      ASSERT_FALSE(first_stats.empty());
      continue;
    }
    EXPECT_TRUE(slurp(out) == first_stats)
        << "statistics differ at --threads " << c.threads << " --batch-size " << c.batch;
    EXPECT_EQ(values, first_json) << "--threads " << c.threads << " --batch-size " << c.batch;
  }
}

// The statistics' sums do not depend on how the rows were split over add() calls (the batch size), nor on
// a merge of shards being taken mid-block.
TEST(Reliability, MomentsBitwiseIndependentOfRowSplits) {
  const int64_t n = 700, dim = 33;
  std::vector<float> rows(size_t(n * dim));
  SplitMix64 rng(5);
  for (float& v : rows) v = float(int64_t(rng.next() % 2001) - 1000) * 1.37e-3f;
  std::vector<double> reference;
  for (int64_t chunk : {n, int64_t(1), int64_t(7), int64_t(255), int64_t(300)}) {
    auto m = Moments::create(dim);
    ASSERT_TRUE(m.ok());
    for (int64_t i = 0; i < n; i += chunk)
      ASSERT_TRUE(m->add(rows.data() + i * dim, std::min(chunk, n - i)).ok());
    const std::vector<double> outer = m->sum_outer();
    if (reference.empty()) {
      reference = outer;
      continue;
    }
    EXPECT_TRUE(outer == reference) << "rows added " << chunk << " at a time";
  }
  // Two shards merged: still the exact sums of their rows (equal to the reference up to rounding).
  auto a = Moments::create(dim), b = Moments::create(dim);
  ASSERT_TRUE(a->add(rows.data(), 300).ok());
  ASSERT_TRUE(b->add(rows.data() + 300 * dim, n - 300).ok());
  ASSERT_TRUE(a->merge(*b).ok());
  EXPECT_EQ(a->count(), n);
  const std::vector<double> merged = a->sum_outer();
  for (size_t i = 0; i < merged.size(); ++i)
    EXPECT_NEAR(merged[i], reference[i], 1e-9 * (1 + std::abs(reference[i])));
}

// docs/reliability.md "Hostile inputs tried" lists the hostile inputs tried; every test it names must exist,
// and there must be at least 40 cases.
TEST(Reliability, DocsTableNamesRealTests) {
  const std::string doc = slurp(std::string(FIDCPP_SOURCE_DIR) + "/docs/reliability.md");
  const size_t begin = doc.find("\n## Hostile inputs tried\n");
  ASSERT_NE(begin, std::string::npos) << "docs/reliability.md has no 'Hostile inputs tried' section";
  const size_t end = doc.find("\n## ", begin + 1);
  const std::string section = doc.substr(begin, end - begin);
  std::string sources;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(FIDCPP_SOURCE_DIR) + "/tests"))
    if (entry.path().extension() == ".cpp") sources += slurp(entry.path().string());
  int rows = 0;
  size_t pos = 0;
  while ((pos = section.find("\n| ", pos)) != std::string::npos) {
    ++pos;
    const std::string row = section.substr(pos, section.find('\n', pos) - pos);
    const size_t colon = row.find(": ", row.rfind("| `test_"));
    if (row.rfind("| `test_") == std::string::npos || colon == std::string::npos) continue;
    ++rows;
    // `binary: Suite.Test` and `Suite.Test` names after it.
    size_t p = row.rfind("| `test_");
    while ((p = row.find_first_of(":`", p + 1)) != std::string::npos) {
      if (row[p] == ':') continue;
      const size_t q = row.find('`', p + 1);
      if (q == std::string::npos) break;
      std::string name = row.substr(p + 1, q - p - 1);
      if (name.rfind("test_", 0) == 0) name = name.substr(name.find(": ") + 2);
      const size_t dot = name.find('.');
      ASSERT_NE(dot, std::string::npos) << row;
      const std::string decl = "TEST(" + name.substr(0, dot) + ", " + name.substr(dot + 1) + ")";
      EXPECT_NE(sources.find(decl), std::string::npos)
          << decl << " named in docs/reliability.md row: " << row;
      p = q;
    }
  }
  EXPECT_GE(rows, 40);
}

}  // namespace
}  // namespace fidcpp
