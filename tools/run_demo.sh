#!/usr/bin/env bash
# The README's main job: sets everything up on a fresh machine (packages, build, real weights, two folders of
# real photographs) and prints the FID between the two folders.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --build-dir build -- -DFIDCPP_BUILD_TESTS=OFF -DFIDCPP_BUILD_BENCH=OFF >/dev/null
FIDCPP_BIN=build/fidcpp bash tools/fetch_weights.sh
bash tools/fetch_images.sh build/images
echo "FID (torch-fidelity conventions, 2048-d pool3, CPU) between build/images/real_a and build/images/real_b:"
build/fidcpp fid build/images/real_a build/images/real_b
