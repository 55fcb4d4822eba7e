#!/usr/bin/env bash
# CI: the minimal build (-DFIDCPP_MINIMAL=ON, docs/edge.md): library and CLI without libjpeg, libpng, zlib,
# libwebp or libtiff (JPEG/PNG through stb_image compiled in, WebP/TIFF refused as not supported in this build,
# .npz written stored, read stored or deflated). Configures
# build-minimal/, builds the CLI, the libraries and the io, decode, CLI and fuzz-replay test programs only, checks
# that `ldd fidcpp` lists nothing but libc/libstdc++/libm/libgcc_s/pthread and LAPACK/BLAS (with their
# gfortran/quadmath/openblas deps), then runs those tests. Skips count as failures, except the test that needs
# PIL-exact JPEG pixels, which skips in this build with the reason "minimal build: stb_image is not
# pixel-identical to PIL".
# Needs the packages of tools/setup.sh. Uses build/refdata (tools/run_tests.sh) when complete, else writes the
# decode references it needs (Pillow + numpy only). About 2 minutes on 2 cores.
# Usage: tools/ci_minimal.sh [--build-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build-minimal
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    *) echo "ci_minimal.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
t0=$(date +%s)
stamp() { echo "=== ci_minimal [$(( $(date +%s) - t0 )) s] $*"; }
JOBS=$(nproc)

# Every cache option tools/run_tests.sh sets, set here too, so a reused folder is brought back to this setup.
CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=Release -DFIDCPP_WERROR=ON -DFIDCPP_SANITIZE= -DFIDCPP_CUDA=OFF -DFIDCPP_MPI=OFF
            -DFIDCPP_FUZZ=OFF -DFIDCPP_BUILD_TESTS=ON -DFIDCPP_BUILD_BENCH=OFF -DFIDCPP_MINIMAL=ON)

# Python with numpy (+ Pillow): numpy reads our .npz and writes compressed ones (tests/io); Pillow writes the
# decode references when build/refdata is absent.
FIDCPP_PYTHON="$(bash tools/setup_python.sh --minimal | tail -n 1)"
export FIDCPP_PYTHON
if [[ -f build/refdata/.complete ]]; then
  REF_DIR="$(pwd)/build/refdata"
else
  REF_DIR="$(pwd)/$BUILD_DIR/refdata"
  stamp "decode references (Pillow) into $REF_DIR"
  mkdir -p "$REF_DIR"
  "$FIDCPP_PYTHON" tools/ref_preprocess.py --out "$REF_DIR" --only decode
fi

stamp "configure $BUILD_DIR"
cmake -S . -B "$BUILD_DIR" "${CMAKE_ARGS[@]}" -DFIDCPP_REF_DIR="$REF_DIR" >/dev/null
# fidcpp and fidcpp_shared: the packaging test installs them (find_package and pkg-config without the codecs).
# test_fuzz_replay: the fuzz seeds and regressions through the stb_image readers.
TEST_TARGETS=(fidcpp fidcpp_shared test_io test_image_decode test_image_source test_cli test_cli_surface
              test_small_samples test_fuzz_replay)
stamp "build fidcpp_cli ${TEST_TARGETS[*]}"
cmake --build "$BUILD_DIR" -j"$JOBS" --target fidcpp_cli "${TEST_TARGETS[@]}"

stamp "ldd $BUILD_DIR/fidcpp"
ldd_out=$(ldd "$BUILD_DIR/fidcpp")
echo "$ldd_out"
# Denied by name first (the point of this build), then anything not on the allowed list.
denied=$(grep -Ei 'libjpeg|libturbojpeg|libpng|libz\.|libstb|libwebp|libtiff|cuda|nvidia|libmpi|open-pal|open-rte|libucx' \
         <<<"$ldd_out" || true)
allowed='linux-vdso|/lib.*/ld-linux|ld-linux|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so'  # glibc
allowed+='|libstdc\+\+\.so|libgcc_s\.so'                                                       # C++ runtime
allowed+='|liblapack\.so|libblas\.so|libopenblas[a-z0-9_]*\.so|libgfortran\.so|libquadmath\.so|libgomp\.so'
unknown=$(grep -vE "^\s*($allowed)" <<<"$ldd_out" || true)
if [[ -n "$denied" || -n "$unknown" ]]; then
  echo "ci_minimal: the minimal CLI links libraries it must not:" >&2
  echo "${denied}${denied:+$'\n'}${unknown}" >&2
  exit 1
fi
echo "ci_minimal: $(wc -l <<<"$ldd_out") ldd lines, all allowed"

stamp "tests (labels unit|cli|fuzz of the programs built above)"
cd "$BUILD_DIR"
rm -f ctest-minimal.xml
# Programs not built above appear as *_NOT_BUILT placeholders without labels, so -L leaves them out.
ctest --output-on-failure --no-tests=error -j"$JOBS" --timeout 600 -L 'unit|cli|fuzz' --output-junit ctest-minimal.xml \
  2>&1 | tee ctest-minimal.log
# Each skipped test must carry the minimal build's PIL reason; any other skip (a missing fixture, reference or
# interpreter) fails here.
python3 - ctest-minimal.xml <<'EOF'
import sys
import xml.etree.ElementTree as ET
REASON = "minimal build: stb_image is not pixel-identical to PIL"
bad, ok = [], []
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    if case.find("skipped") is None and case.get("status") not in ("notrun", "disabled"):
        continue
    out = "".join(e.text or "" for e in case.iter("system-out"))
    (ok if REASON in out else bad).append(case.get("name"))
for name in ok:
    print(f"ci_minimal: skipped as expected ({REASON}): {name}")
if bad:
    print("ci_minimal: these tests skipped for another reason:\n  " + "\n  ".join(bad), file=sys.stderr)
    sys.exit(1)
if not ok:
    print("ci_minimal: expected the PIL-exact JPEG test to skip in the minimal build; it did not", file=sys.stderr)
    sys.exit(1)
EOF
cd - >/dev/null
stamp "minimal build passed"
