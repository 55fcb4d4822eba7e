#!/usr/bin/env bash
# CI: the AArch64 NEON kernels, proven under emulation on an x86-64 Debian/Ubuntu machine (docs/edge.md).
#   1. installs, when missing, the cross compiler, qemu-user and the arm64 multiarch -dev packages the library
#      and the tests link (needs root or sudo; apt keeps the downloaded .debs in its cache);
#   2. cross-compiles the library, the op tests and fidcpp_dump_features into build-arm64/
#      (tools/cmake/aarch64-linux-gnu.cmake);
#   3. under qemu-aarch64: (a) the op tests of tests/ops, which compare every op of every ISA of the machine
#      (neon and portable here) with the float64 references of ops_ref.h, exactly as on x86;
#      (b) the whole network on synthetic weights and ARM64_IMAGES images (default 2), compared with the
#      x86-64 build's features of the same inputs (HOST_BUILD_DIR, default build/; configured here when
#      missing) within the network's tolerance of docs/precision.md (2e-6 relative per image and tap);
#      (c) fails unless the kernels that ran were the NEON ones (a silent fallback to the portable kernel
#      fails).
# Usage: tools/ci_arm64.sh   (JOBS=2 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
JOBS=${JOBS:-2}
IMAGES=${ARM64_IMAGES:-2}
HOST_BUILD_DIR=${HOST_BUILD_DIR:-build}
B="$SRC/build-arm64"
t0=$(date +%s)
stamp() { echo "=== ci_arm64 [$(($(date +%s) - t0)) s] $*"; }

# --- 1. tools and arm64 libraries -------------------------------------------------------------------------
stamp "packages"
PKGS=(g++-aarch64-linux-gnu qemu-user file libc6-dev:arm64 libjpeg62-turbo-dev:arm64 libpng-dev:arm64
      libwebp-dev:arm64 libtiff-dev:arm64 zlib1g-dev:arm64 liblapack-dev:arm64 libblas-dev:arm64 libgtest-dev:arm64)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "ci_arm64: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $SUDO dpkg --add-architecture arm64
  fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    -o APT::Keep-Downloaded-Packages=true "${missing[@]}"
fi
# The cross toolchain's loader and libc (as tools/cmake/aarch64-linux-gnu.cmake, which says why the guest's
# LD_LIBRARY_PATH is set too); the other arm64 libraries come from the multiarch packages.
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
run_arm64() { qemu-aarch64 -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib "$@"; }

# --- 2. the cross build -------------------------------------------------------------------------------------
stamp "cross build (build-arm64)"
cmake -S "$SRC" -B "$B" -DCMAKE_TOOLCHAIN_FILE="$SRC/tools/cmake/aarch64-linux-gnu.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DFIDCPP_WERROR=ON -DFIDCPP_CUDA=OFF -DFIDCPP_MPI=OFF -DFIDCPP_BUILD_BENCH=OFF \
  >/dev/null
cmake --build "$B" --target test_cpu_ops fidcpp_dump_features -j"$JOBS"
file "$B/tests/test_cpu_ops" | grep -q "ARM aarch64" || { echo "ci_arm64: test_cpu_ops is not an AArch64 binary"; exit 1; }

# --- 3a. op tests, NEON and portable, against the float64 references ------------------------------------------
stamp "op tests under qemu-aarch64"
ops_log="$B/ops.log"
rc=0
run_arm64 "$B/tests/test_cpu_ops" 2>&1 | tee "$ops_log" || rc=$?
if [[ $rc -ne 0 ]] || ! grep -q "^\[  PASSED  \] [1-9][0-9]* tests" "$ops_log" || grep -q "SKIPPED\|FAILED" "$ops_log"; then
  echo "ci_arm64: the op tests failed or did not all run (exit $rc, log $ops_log)"
  exit 1
fi
# (c) The tests iterate over the ISAs this CPU has; DefaultIsaIsTheBestOfThisArchitecture prints them and
# checks that neon is the default and among them. Checked here as well, so a build that quietly lost the
# NEON kernels (only portable tested) cannot pass.
grep "^ISAs tested:" "$ops_log" | grep -q " neon .*default micro-kernel neon " ||
  { echo "ci_arm64: the op tests did not run the NEON kernels"; exit 1; }

# --- 3b/c. the whole network against the x86-64 build ---------------------------------------------------------
stamp "x86-64 features ($HOST_BUILD_DIR)"
if [[ ! -f "$HOST_BUILD_DIR/CMakeCache.txt" ]]; then
  cmake -S "$SRC" -B "$HOST_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DFIDCPP_CUDA=OFF -DFIDCPP_MPI=OFF \
    -DFIDCPP_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$HOST_BUILD_DIR" --target fidcpp_dump_features -j"$JOBS"
x86_feats="$B/features_x86_64.f32"
"$HOST_BUILD_DIR/tests/fidcpp_dump_features" --images "$IMAGES" --out "$x86_feats"

stamp "AArch64 features under qemu-aarch64, compared"
# Two threads: the thread pool and the parallel GEMM driver run under emulation too.
run_arm64 "$B/tests/fidcpp_dump_features" --images "$IMAGES" --threads 2 --expect-isa neon --compare "$x86_feats"

stamp "passed: NEON kernels match the references and the x86-64 build"
