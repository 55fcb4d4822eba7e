#!/usr/bin/env bash
# The full long-run measurement of README "Reliability": 20 000 images (every 97th unreadable) through the C
# API with --skip-bad semantics; prints processed/skipped counts and resident memory at image 1 000 and 20 000,
# and fails if the counts do not add up or memory grew by more than 10%. CI runs the same test with 2 000.
# usage: tools/soak.sh [BUILD_DIR] [IMAGES]   (default: build, 20000; needs the test_soak target built)
set -euo pipefail
build="${1:-build}"
images="${2:-20000}"
bin="$build/tests/test_soak"
[[ -x "$bin" ]] || { echo "soak: $bin not found: cmake --build $build --target test_soak" >&2; exit 2; }
FIDCPP_SOAK_IMAGES="$images" "$bin" --gtest_filter='Soak.*' | grep -E '^soak:|OK|FAILED|Failure' 
