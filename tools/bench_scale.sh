#!/usr/bin/env bash
# Scale-out benchmark (README "Scaling out"): images/s of `fidcpp stats` as one process using all cores vs
# `mpirun -np 2` (one core each), and the cost of merging 2048-d statistics (`fidcpp merge` of two parts,
# plus bench_scale's in-memory merge and .npz round trip).
# Usage: tools/bench_scale.sh [--build-dir DIR] [--images DIR] [--count N]
# Needs a build with -DFIDCPP_MPI=ON (tools/run_tests.sh makes one) and the real weights.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build
IMAGES=build/images/real_a
COUNT=48
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --images) IMAGES="$2"; shift 2 ;;
    --count) COUNT="$2"; shift 2 ;;
    *) echo "bench_scale.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
FIDCPP="$BUILD_DIR/fidcpp"
[[ -x "$FIDCPP" ]] || { echo "bench_scale.sh: no $FIDCPP (build first)" >&2; exit 2; }
[[ -d "$IMAGES" ]] || { echo "bench_scale.sh: no image folder $IMAGES (tools/fetch_images.sh)" >&2; exit 2; }
command -v mpirun >/dev/null || { echo "bench_scale.sh: mpirun not found (apt-get install openmpi-bin)" >&2; exit 2; }
CORES=$(nproc)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The first COUNT images of the folder, as a list file (sorted like the folder itself).
find "$(cd "$IMAGES" && pwd)" -maxdepth 1 -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \) |
  LC_ALL=C sort | head -n "$COUNT" > "$WORK/list.txt"
N=$(wc -l < "$WORK/list.txt")
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)

seconds() {  # runs "$@", prints its wall time in seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}

echo "bench_scale: $N images from $IMAGES, $CORES cores, $("$FIDCPP" --version)"
t1=$(seconds "$FIDCPP" stats "$WORK/list.txt" -o "$WORK/one.npz" --quiet --threads "$CORES")
echo "1 process x $CORES threads: $t1 s, $(awk -v n="$N" -v t="$t1" 'BEGIN { printf "%.2f", n / t }') images/s"
t2=$(seconds "${MPIRUN[@]}" -np 2 "$FIDCPP" stats "$WORK/list.txt" -o "$WORK/two.npz" --quiet \
       --threads $(( CORES / 2 > 0 ? CORES / 2 : 1 )))
echo "mpirun -np 2 x $(( CORES / 2 > 0 ? CORES / 2 : 1 )) threads: $t2 s, $(awk -v n="$N" -v t="$t2" 'BEGIN { printf "%.2f", n / t }') images/s (speed-up $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", a / b }')x)"
for k in 1 2; do
  "$FIDCPP" stats "$WORK/list.txt" --shard "$k/2" -o "$WORK/part_$k.npz" --quiet 2>/dev/null
done
tm=$(seconds "$FIDCPP" merge "$WORK/part_1.npz" "$WORK/part_2.npz" -o "$WORK/merged.npz")
echo "fidcpp merge of 2 parts (2048-d, read + merge + write .npz): $tm s"
if [[ -x "$BUILD_DIR/bench/bench_scale" ]]; then
  "$BUILD_DIR/bench/bench_scale" --benchmark_min_time=1 2>/dev/null | grep -E '^BM_'
fi
