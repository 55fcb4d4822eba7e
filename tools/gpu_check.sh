#!/usr/bin/env bash
# One-shot GPU check, for a GPU machine lent for a few minutes (docs/cuda.md, "One-shot GPU check").
#
#   tools/gpu_check.sh --prepare     here, where apt works: downloads the Debian packages the build needs
#                                    (LAPACK/BLAS, libjpeg, libpng, zlib, stb, GoogleTest) and unpacks them into
#                                    .gpu-deps/root, which travels with the tree (the GPU machine has nvcc, CMake,
#                                    ninja, PyTorch and compute-sanitizer, but no apt and no network).
#   tools/gpu_check.sh [--out DIR]   on the GPU machine: builds only the CUDA targets for sm_90 (test_gpu,
#                                    bench_gpu), then runs ctest -L gpu, compute-sanitizer memcheck and racecheck
#                                    on the GPU kernel tests, bench_gpu at batch 1/32/128 (and with --tf32 at
#                                    32/128) and the PyTorch + cuDNN baseline of the same network (TF32 off and
#                                    on), and writes DIR/gpu_check.json
#                                    (default DIR: build-gpu/check). Without a device it stops after building with
#                                    "no CUDA device" and exit code 77.
# Budget: about 8 minutes on 16 cores; every step has its own timeout so a hang costs that step only.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
DEPS="$SRC/.gpu-deps"
B="$SRC/build-gpu"
OUT="$B/check"
PREPARE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --prepare) PREPARE=1; shift ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "gpu_check.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

if [[ $PREPARE == 1 ]]; then
  set -e
  pkgs=(liblapack3 liblapack-dev libblas3 libblas-dev libgfortran5 libquadmath0 libjpeg62-turbo
        libjpeg62-turbo-dev libpng16-16 libpng-dev zlib1g zlib1g-dev libstb-dev libgtest-dev)
  mkdir -p "$DEPS/debs"
  (cd "$DEPS/debs" && apt-get download "${pkgs[@]}" >/dev/null)
  rm -rf "$DEPS/root"
  mkdir -p "$DEPS/root"
  for d in "$DEPS"/debs/*.deb; do dpkg-deb -x "$d" "$DEPS/root"; done
  # Debian reaches LAPACK/BLAS through update-alternatives links that dpkg-deb -x does not create.
  lib="$DEPS/root/usr/lib/x86_64-linux-gnu"
  for l in lapack blas; do
    for f in "$lib/$l"/lib$l.so*; do ln -sf "$l/$(basename "$f")" "$lib/$(basename "$f")"; done
  done
  # Absolute links (libz.so -> /lib/...) would point outside the prefix on the GPU machine.
  find "$DEPS/root" -type l | while read -r l; do
    t=$(readlink "$l")
    if [[ $t == /* && -e "$DEPS/root$t" ]]; then
      ln -sfn "$(realpath -s --relative-to="$(dirname "$l")" "$DEPS/root$t")" "$l"
    fi
  done
  # Only what the build links: no documentation, no static archives but GoogleTest's, no libstb library (the
  # project compiles stb's header itself).
  rm -rf "$DEPS/debs" "$DEPS/root/usr/share"
  find "$DEPS/root" \( -name '*.a' ! -name 'libgtest*.a' \) -delete
  find "$DEPS/root" -name 'libstb*' -delete
  echo "gpu_check: $(du -sh "$DEPS/root" | cut -f1) of build dependencies in $DEPS/root (carry .gpu-deps)"
  exit 0
fi

mkdir -p "$OUT"
T0=$(date +%s)
STEPS="$OUT/steps.tsv"
: >"$STEPS"
# step NAME TIMEOUT CMD...: runs CMD with its output in OUT/NAME.log; records rc and seconds.
step() {
  local name=$1 limit=$2
  shift 2
  local t=$(date +%s)
  echo "== [$(( t - T0 )) s] $name"
  timeout --kill-after=10 "$limit" "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  printf '%s\t%s\t%s\n' "$name" "$rc" "$(( $(date +%s) - t ))" >>"$STEPS"
  tail -n 5 "$OUT/$name.log"
  return $rc
}
summary() {
  python3 - "$OUT" "$1" <<'PY'
import json, os, re, sys
out, verdict = sys.argv[1], sys.argv[2]
def read(name):
    p = os.path.join(out, name)
    return open(p, errors="replace").read() if os.path.exists(p) else ""
steps = [dict(zip(("step", "rc", "seconds"), l.split("\t"))) for l in read("steps.tsv").splitlines()]
for s in steps:
    s["rc"], s["seconds"] = int(s["rc"]), int(s["seconds"])
res = {"verdict": verdict, "steps": steps, "device": read("device.log").strip().splitlines()[:4]}
ct = read("ctest_gpu.log")
m = re.search(r"(\d+)% tests passed, (\d+) tests failed out of (\d+)", ct)
if m:
    res["ctest_gpu"] = {"failed": int(m.group(2)), "total": int(m.group(3)),
                        "skipped": len(re.findall(r"\*\*\*Skipped|Not Run", ct))}
for tool in ("memcheck", "racecheck"):
    t = read(f"sanitizer_{tool}.log")
    m = re.search(r"ERROR SUMMARY: (\d+) error", t) or re.search(r"RACECHECK SUMMARY: (\d+) hazard", t)
    res[f"compute_sanitizer_{tool}"] = int(m.group(1)) if m else None
bench = read("bench_gpu.log")
res["bench_gpu"] = {int(b): float(r) for b, r in re.findall(r"batch\s+(\d+):\s+([\d.]+) images/s", bench)}
res["bench_gpu_tf32"] = {int(b): float(r) for b, r in
                         re.findall(r"batch\s+(\d+):\s+([\d.]+) images/s", read("bench_gpu_tf32.log"))}
m = re.search(r"roofline: .*?: (\d+) GFLOP/s", bench)
res["sgemm_fp32_gflops"] = int(m.group(1)) if m else None
try:
    res["pytorch"] = json.loads(read("torch.json"))
except ValueError:
    res["pytorch"] = None
if res["pytorch"] and res["bench_gpu"]:
    ratios = {}
    for r in res["pytorch"]["rows"]:
        if not r["tf32"] and r["config"] == "eager" and r["batch"] in res["bench_gpu"]:
            ratios[r["batch"]] = round(res["bench_gpu"][r["batch"]] / r["img_per_s"], 3)
    res["fidcpp_over_pytorch_strict_fp32"] = ratios
    tf32 = {}
    for r in res["pytorch"]["rows"]:
        if r["tf32"] and r["config"] == "eager" and r["batch"] in res["bench_gpu_tf32"]:
            tf32[r["batch"]] = round(res["bench_gpu_tf32"][r["batch"]] / r["img_per_s"], 3)
    res["fidcpp_over_pytorch_tf32"] = tf32
text = json.dumps(res, indent=1)
open(os.path.join(out, "gpu_check.json"), "w").write(text + "\n")
print(text)
PY
}

# 1. Build: only the GPU targets, sm_90, Ninja when there is one, the carried dependencies when present.
args=(-DCMAKE_BUILD_TYPE=Release -DFIDCPP_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DFIDCPP_BUILD_TESTS=ON
      -DFIDCPP_BUILD_BENCH=ON -DFIDCPP_MPI=OFF -DFIDCPP_FUZZ=OFF -DFIDCPP_SANITIZE= -DFIDCPP_WERROR=OFF)
command -v ninja >/dev/null && args+=(-G Ninja)
if [[ -d "$DEPS/root/usr" ]]; then
  args+=(-DCMAKE_PREFIX_PATH="$DEPS/root/usr" -DCMAKE_LIBRARY_ARCHITECTURE=x86_64-linux-gnu
         -DCMAKE_INCLUDE_PATH="$DEPS/root/usr/include")
  export LD_LIBRARY_PATH="$DEPS/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
JOBS=$(nproc)
step configure 120 cmake -S "$SRC" -B "$B" "${args[@]}" || { summary configure-failed; exit 1; }
step build 360 cmake --build "$B" --target test_gpu bench_gpu fidcpp_cli fidcpp_cuda_module test_cuda_module \
  -j"$JOBS" || { summary build-failed; exit 1; }

# 2. Is there a device? bench_gpu exits 77 with "no CUDA device" where there is none.
step device 60 sh -c "nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader;
                      nvcc --version | tail -n 2"
"$B/bench/bench_gpu" --batches 1 --iters 1 >"$OUT/probe.log" 2>&1
if [[ $? == 77 ]]; then
  echo "gpu_check: no CUDA device ($(grep -m1 'no CUDA device' "$OUT/probe.log"))"
  summary no-cuda-device >/dev/null
  exit 77
fi

# 3. Tests, sanitizers, speed. A failing step is recorded and the rest still run.
fail=0
step ctest_gpu 240 ctest --test-dir "$B" -L gpu --output-on-failure || fail=1
# The CLI's --device cuda through the run-time module (libfidcpp-cuda.so next to it) against --device cpu.
step cli_module 60 "$B/tests/test_cuda_module" --gtest_filter='CudaModule.TheBuiltModule*' || fail=1
# Every GPU test but the 450-image evaluator one, which the sanitizers would slow tenfold.
kernel_tests='-GpuEvaluator.*'
step sanitizer_memcheck 150 compute-sanitizer --tool memcheck --error-exitcode 1 \
  "$B/tests/test_gpu" --gtest_filter="$kernel_tests" || fail=1
step sanitizer_racecheck 150 compute-sanitizer --tool racecheck --error-exitcode 1 \
  "$B/tests/test_gpu" --gtest_filter="$kernel_tests" || fail=1
step bench_gpu 150 "$B/bench/bench_gpu" --batches 1,32,128 --iters 10 || fail=1
step bench_gpu_tf32 90 "$B/bench/bench_gpu" --batches 32,128 --iters 10 --tf32 || fail=1
step torch_baseline 150 python3 "$SRC/tools/torch_inception_gpu.py" --batches 1,32,128 --json "$OUT/torch.json" ||
  fail=1
summary "$([[ $fail == 0 ]] && echo passed || echo failed)"
echo "gpu_check: $(( $(date +%s) - T0 )) s; summary in $OUT/gpu_check.json"
exit $fail
