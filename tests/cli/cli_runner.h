// Running the built `fidcpp` binary from a test: one helper for every suite that drives the CLI (tests/cli,
// tests/mpi, tests/reliability).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace fidcpp {
namespace cli_test {

struct CliRun {
  int code = -1;    // exit status, -1 when the process did not exit normally
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Runs `prefix binary args` through the shell (prefix: environment assignments or an mpirun command line).
// stdout is captured through the pipe, stderr through err_file, which the caller names per process.
inline CliRun run_binary(const std::string& binary, const std::string& args, const std::string& err_file,
                         const std::string& prefix = "") {
  const std::string cmd = prefix + binary + " " + args + " 2>'" + err_file + "'";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
  const int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(err_file);
  return r;
}

#ifdef FIDCPP_CLI_PATH  // test programs built by fidcpp_test (tests/CMakeLists.txt)
// run_binary of the built `fidcpp` (FIDCPP_CLI_PATH).
inline CliRun run_cli(const std::string& args, const std::string& err_file, const std::string& prefix = "") {
  return run_binary(FIDCPP_CLI_PATH, args, err_file, prefix);
}
#endif

// The temporary files of one CLI test process (ctest runs each test as its own process, so nothing is shared
// between them), all named `<TempDir>fidcpp_<tag>_<pid>_<name>` and removed when the process ends (a weights
// file alone is ~95 MB). Declare one at namespace scope and call it for a path: tmp("a.npz").
class TempFiles {
 public:
  explicit TempFiles(const std::string& tag)
      : prefix_(::testing::TempDir() + "fidcpp_" + tag + "_" + std::to_string(getpid()) + "_") {}
  TempFiles(const TempFiles&) = delete;
  TempFiles& operator=(const TempFiles&) = delete;
  ~TempFiles() {
    const std::string cmd = "rm -rf '" + prefix_ + "'*";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s*\n", prefix_.c_str());
  }
  std::string operator()(const std::string& name) const { return prefix_ + name; }

 private:
  std::string prefix_;
};

}  // namespace cli_test
}  // namespace fidcpp
