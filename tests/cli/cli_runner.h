// Running the built `fidcpp` binary from a test: one helper for every suite that drives the CLI (tests/cli,
// tests/mpi, tests/reliability).
#pragma once

#include <sys/wait.h>

#include <cstdio>
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

// run_binary of the built `fidcpp` (FIDCPP_CLI_PATH).
inline CliRun run_cli(const std::string& args, const std::string& err_file, const std::string& prefix = "") {
  return run_binary(FIDCPP_CLI_PATH, args, err_file, prefix);
}

}  // namespace cli_test
}  // namespace fidcpp
