#!/usr/bin/env bash
# CI: ThreadSanitizer build of the C API tests and a run of the concurrency tests (several evaluators on
# parallel threads, alone and sharing one --cache directory), then the thread pool's own tests (its spinning
# and sleeping job hand-offs). Any race report fails the run: the tests are
# built with -fno-sanitize-recover=all, and TSAN_OPTIONS makes TSan exit non-zero on a report as well.
# Usage: tools/ci_tsan.sh [source dir]   (build dir: build-tsan under the source dir; JOBS=2 by default)
set -euo pipefail
SRC=$(cd "${1:-$(dirname "$0")/..}" && pwd)
JOBS=${JOBS:-2}
T="$SRC/build-tsan"

cmake -S "$SRC" -B "$T" -DFIDCPP_SANITIZE=thread -DFIDCPP_CUDA=OFF -DFIDCPP_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$T" --target test_c_api test_core -j"$JOBS"
log="$T/tsan_concurrency.log"
rc=0
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
  "$T/tests/test_c_api" --gtest_filter='CApi.Concurrent*' 2>&1 | tee "$log" || rc=$?
if [ "$rc" != 0 ] || grep -q "WARNING: ThreadSanitizer" "$log"; then
  echo "ci_tsan: the concurrency tests failed or ThreadSanitizer reported a race (exit $rc, log $log)"
  exit 1
fi
# The thread pool's spinning and sleeping hand-offs on their own.
pool_log="$T/tsan_pool.log"
TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}" "$T/tests/test_core" --gtest_filter='ThreadPool.*' \
  2>&1 | tee "$pool_log" || rc=$?
if [ "$rc" != 0 ] || grep -q "WARNING: ThreadSanitizer" "$pool_log" || ! grep -q "\[  PASSED  \] [4-9] test" "$pool_log"; then
  echo "ci_tsan: the thread pool tests failed, did not run, or ThreadSanitizer reported a race (exit $rc, log $pool_log)"
  exit 1
fi
# The filter must have selected the tests (a renamed test would otherwise pass vacuously).
if ! grep -q "\[  PASSED  \] [2-9] test" "$log"; then
  echo "ci_tsan: expected at least 2 concurrency tests to run and pass (log $log)"
  exit 1
fi
echo "ci_tsan: no races in the concurrency tests"
