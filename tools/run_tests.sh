#!/usr/bin/env bash
# The README's test command: sets everything up on a fresh machine (packages, build, reference venv, real
# weights, real images, reference outputs) and runs the whole test suite with CTest.
# Usage: tools/run_tests.sh [--sanitize address,undefined|thread] [--build-dir DIR] [--label-exclude RE]
#                           [--exclude RE]   (test names to leave out, ctest -E)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build
SANITIZE=""
LABEL_EXCLUDE=""
EXCLUDE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) SANITIZE="$2"; shift 2 ;;
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --label-exclude) LABEL_EXCLUDE="$2"; shift 2 ;;
    --exclude) EXCLUDE="$2"; shift 2 ;;
    *) echo "run_tests.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
# Every relevant CMake cache option is set explicitly on each run, so a build folder that another command
# configured differently (tools/run_demo.sh leaves the tests out; a sanitizer run in the same folder) is brought
# back to this configuration instead of silently keeping the old one.
# The plain build: the same flags as tools/run_demo.sh (keep the two lists in step), plus the tests and benches.
# It runs the `mpi` tests (mpirun on this machine, tests/mpi).
PLAIN_ARGS=(-DCMAKE_BUILD_TYPE=Release -DFIDCPP_WERROR=ON -DFIDCPP_SANITIZE= -DFIDCPP_CUDA=AUTO -DFIDCPP_MPI=ON
            -DFIDCPP_FUZZ=OFF -DFIDCPP_MINIMAL=OFF -DFIDCPP_BUILD_TESTS=ON -DFIDCPP_BUILD_BENCH=ON)
if [[ -n "$SANITIZE" ]]; then
  # The nvcc-built backend links NVIDIA's static runtime, which is not sanitizer-instrumented; the CUDA kernels are
  # sanitized through the emulation build instead (tests/emu, tools/ci_cuda.sh). Open MPI's runtime is not
  # sanitizer-clean, so the sanitizer build leaves MPI out.
  CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIDCPP_WERROR=ON -DFIDCPP_SANITIZE="$SANITIZE" -DFIDCPP_CUDA=OFF
              -DFIDCPP_MPI=OFF -DFIDCPP_FUZZ=OFF -DFIDCPP_MINIMAL=OFF -DFIDCPP_BUILD_TESTS=ON
              -DFIDCPP_BUILD_BENCH=OFF)
else
  CMAKE_ARGS=("${PLAIN_ARGS[@]}")
fi
bash tools/setup.sh --build-dir "$BUILD_DIR" -- "${CMAKE_ARGS[@]}"
# The weights converter is the (unsanitized or sanitized) CLI of this build.
FIDCPP_BIN="$BUILD_DIR/fidcpp" bash tools/fetch_weights.sh
# A second build (e.g. the sanitizer one) reuses the first build's images and reference outputs.
if [[ "$BUILD_DIR" != build && -f build/refdata/.complete && ! -e "$BUILD_DIR/refdata" ]]; then
  ln -s "$(pwd)/build/refdata" "$BUILD_DIR/refdata"
  ln -s "$(pwd)/build/images" "$BUILD_DIR/images"
fi
bash tools/fetch_images.sh "$BUILD_DIR/images"
if [[ ! -f "$BUILD_DIR/refdata/.complete" ]]; then
  FIDCPP_IMAGES="$BUILD_DIR/images" bash tools/make_references.sh "$BUILD_DIR"
  touch "$BUILD_DIR/refdata/.complete"
fi
# Tests that call the Python tools directly (numpy reading our .npz, zipfile reading our zips).
FIDCPP_PYTHON="$(tools/setup_python.sh | tail -n 1)"
export FIDCPP_PYTHON
cd "$BUILD_DIR"
# --no-tests=error: a build folder without tests (e.g. configured with FIDCPP_BUILD_TESTS=OFF) fails here.
args=(--output-on-failure --no-tests=error -j2 --timeout 1500)
[[ -n "$LABEL_EXCLUDE" ]] && args+=(-LE "$LABEL_EXCLUDE")
[[ -n "$EXCLUDE" ]] && args+=(-E "$EXCLUDE")
set -o pipefail
ctest "${args[@]}" 2>&1 | tee ctest.log
# Everything was set up above, so only the GPU tests (no device here) may report skipped: a skip anywhere else
# means a missing fixture or reference, which must fail loudly instead of passing silently.
unexpected=$(sed -n '/The following tests did not run:/,$p' ctest.log | grep -E '^\s+[0-9]+ - ' |
             grep -vE 'Gpu|GPU|gpu|Cuda' || true)
if [[ -n "$unexpected" ]]; then
  echo "run_tests: these tests were skipped although everything was set up:" >&2
  echo "$unexpected" >&2
  exit 1
fi
