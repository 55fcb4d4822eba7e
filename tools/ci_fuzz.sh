#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang + ASan + UBSan) in build-fuzz and runs each one for a bounded
# time from its seed corpus. Fails on any crash, leak, timeout, out-of-memory or sanitizer report, printing the
# reproducer. New inputs found go to build-fuzz/corpus/<target>/ (kept between local runs, never into the
# repository); a crash input becomes a regression test by copying it to tests/fuzz/regressions/<target>/ once
# fixed.
# Usage: tools/ci_fuzz.sh [target...]     (default: every target in tests/fuzz/targets.cmake)
# Environment: FIDCPP_FUZZ_SECONDS (per target, default 25; decode_webp and decode_tiff, whose parsing is
#              libwebp's and libtiff's, fuzzed upstream by OSS-Fuzz, run FIDCPP_FUZZ_LIBRARY_SECONDS, default 8,
#              covering our wrappers: limits, layout mapping, orientation), FIDCPP_FUZZ_BUILD_DIR (default build-fuzz),
#              FIDCPP_FUZZ_JOBS (build parallelism, default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${FIDCPP_FUZZ_BUILD_DIR:-build-fuzz}"
SECONDS_EACH="${FIDCPP_FUZZ_SECONDS:-25}"
SECONDS_LIBRARY="${FIDCPP_FUZZ_LIBRARY_SECONDS:-8}"
JOBS="${FIDCPP_FUZZ_JOBS:-$(nproc)}"

# clang and libFuzzer's runtime (Debian: clang-14 + libclang-rt-14-dev).
PKGS=(clang libclang-rt-14-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]] && command -v apt-get >/dev/null; then
  echo "ci_fuzz: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
CLANG_CXX="${CLANG_CXX:-$(command -v clang++ || command -v clang++-14)}"
CLANG_C="${CLANG_C:-$(command -v clang || command -v clang-14)}"

cmake -S . -B "$BUILD_DIR" -DCMAKE_C_COMPILER="$CLANG_C" -DCMAKE_CXX_COMPILER="$CLANG_CXX" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIDCPP_FUZZ=ON -DFIDCPP_WERROR=ON -DFIDCPP_BUILD_TESTS=OFF \
  -DFIDCPP_BUILD_BENCH=OFF -DFIDCPP_CUDA=OFF >/dev/null
cmake --build "$BUILD_DIR" --target fuzz_targets -j"$JOBS"

if [[ $# -gt 0 ]]; then
  TARGETS=("$@")
else
  read -r -a TARGETS <<<"$(sed -n '/^set(FIDCPP_FUZZ_TARGETS/,/)/p' tests/fuzz/targets.cmake |
                          sed -e 's/set(FIDCPP_FUZZ_TARGETS//' -e 's/)//' | tr '\n' ' ')"
fi

failed=()
for t in "${TARGETS[@]}"; do
  bin="$BUILD_DIR/fuzz/fuzz_$t"
  seeds="tests/fuzz/corpus/$t"
  work="$BUILD_DIR/corpus/$t"
  artifacts="$BUILD_DIR/artifacts/$t/"
  log="$BUILD_DIR/logs/$t.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  dict=()
  [[ -f "tests/fuzz/dict/$t.dict" ]] && dict=(-dict="tests/fuzz/dict/$t.dict")
  extra=()
  [[ -d "tests/fuzz/regressions/$t" ]] && extra=("tests/fuzz/regressions/$t")
  seconds="$SECONDS_EACH"
  [[ "$t" == decode_webp || "$t" == decode_tiff ]] && seconds="$SECONDS_LIBRARY"
  rm -f "$artifacts"*
  set +e
  # New inputs land in the first corpus folder ($work); the seeds and regressions are only read.
  "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "${dict[@]}" "$work" "$seeds" "${extra[@]}" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -o 'cov: [0-9]* ft: [0-9]*' || true)
  if [[ $rc -eq 0 ]]; then
    echo "ci_fuzz: $t ok: ${runs:-?} runs (${speed:-?}/s) in ${seconds} s, $cov"
  else
    echo "ci_fuzz: $t FAILED (exit $rc); log $log" >&2
    grep -E 'ERROR|SUMMARY|==[0-9]+==|runtime error|invariant|Test unit written|Base64' "$log" | head -n 40 >&2 || true
    for a in "$artifacts"*; do
      [[ -f "$a" ]] || continue
      echo "ci_fuzz: reproducer $a ($(stat -c %s "$a") bytes): $bin $a" >&2
      od -A x -t x1z -v "$a" | head -n 16 >&2
    done
    failed+=("$t")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "ci_fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "ci_fuzz: ${#TARGETS[@]} targets, no crashes"
