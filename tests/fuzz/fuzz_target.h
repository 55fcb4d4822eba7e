// One libFuzzer target per reader of untrusted bytes (README.md, "Fuzzing").
//
// A target is written once with FIDCPP_FUZZ_TARGET(name) { ... } and built two ways:
//  - fuzz build (FIDCPP_FUZZ=ON, clang, tests/fuzz/fuzz.cmake): the body is LLVMFuzzerTestOneInput, one
//    executable per target, linked with -fsanitize=fuzzer,address,undefined;
//  - replay build (FIDCPP_FUZZ_REPLAY, the normal test suite, tests/fuzz/tests.cmake): every body registers
//    under its name in one test executable that runs it over tests/fuzz/corpus/<name>/ and
//    tests/fuzz/regressions/<name>/.
// A target calls fuzz_accepted() when the reader accepted the input, so the replay test can check that each
// seed corpus reaches the success path, and fuzz_check() for the invariants of an accepted result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace fidcpp::fuzz {

using TargetFn = int (*)(const uint8_t* data, size_t size);

// Inputs the reader accepted since the last reset (replay bookkeeping; harmless when fuzzing).
inline size_t& accepted_count() {
  static size_t n = 0;
  return n;
}
inline void fuzz_accepted() {
  ++accepted_count();
}

// An invariant of an accepted result: abort (a crash to libFuzzer, a failed test to the replay driver).
inline void fuzz_check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

#ifdef FIDCPP_FUZZ_REPLAY
bool register_target(const char* name, TargetFn fn);
#endif

}  // namespace fidcpp::fuzz

#define FIDCPP_FUZZ_CHECK(cond) ::fidcpp::fuzz::fuzz_check((cond), #cond)

#ifdef FIDCPP_FUZZ_REPLAY
#define FIDCPP_FUZZ_TARGET(name)                                     \
  static int fidcpp_fuzz_##name(const uint8_t* data, size_t size);   \
  [[maybe_unused]] static const bool fidcpp_fuzz_registered_##name = \
      ::fidcpp::fuzz::register_target(#name, fidcpp_fuzz_##name);    \
  static int fidcpp_fuzz_##name(const uint8_t* data, size_t size)
#else
#define FIDCPP_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
#endif
