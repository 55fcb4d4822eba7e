#!/usr/bin/env bash
# The README's main job: sets everything up on a fresh machine (packages, build, real weights, two folders of
# real photographs) and prints the FID between the two folders.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every cache option that run_tests.sh also sets is passed explicitly, with the same values, so the two README
# commands work in either order on the same build/ folder and compile the library and CLI with identical flags
# (CI compiles each object once). Only the test and benchmark programs are left out here; run_tests.sh turns
# them back on. Keep this list in step with PLAIN_ARGS in tools/run_tests.sh.
CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=Release -DFIDCPP_WERROR=ON -DFIDCPP_SANITIZE= -DFIDCPP_CUDA=AUTO -DFIDCPP_MPI=ON
            -DFIDCPP_FUZZ=OFF -DFIDCPP_MINIMAL=OFF -DFIDCPP_BUILD_TESTS=OFF -DFIDCPP_BUILD_BENCH=OFF)
bash tools/setup.sh --build-dir build -- "${CMAKE_ARGS[@]}" >/dev/null
FIDCPP_BIN=build/fidcpp bash tools/fetch_weights.sh
bash tools/fetch_images.sh build/images
echo "FID (torch-fidelity conventions, 2048-d pool3, CPU) between build/images/real_a and build/images/real_b:"
build/fidcpp fid build/images/real_a build/images/real_b
