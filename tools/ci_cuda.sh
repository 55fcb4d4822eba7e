#!/usr/bin/env bash
# CI for the CUDA backend on machines without a GPU: nvcc build of the CUDA targets (all architectures, -Werror
# all-warnings, ptxas report: 0 spills), bench_gpu and the gpu tests (which say 'no CUDA device' / skip here),
# and a TSan build of a small-shape emulated subset. The emulated tests themselves (label emu) run in the plain
# test stage (tools/run_tests.sh), whose build compiles the same sources, so they are not built and run twice.
# Usage: tools/ci_cuda.sh [source dir]   (build dirs: build-cuda, build-cuda-tsan under the source dir)
set -euo pipefail
SRC=$(cd "${1:-$(dirname "$0")/..}" && pwd)
JOBS=${JOBS:-2}
B="$SRC/build-cuda"
T="$SRC/build-cuda-tsan"

echo "== nvcc build (the default architectures: 80 86 87 89 90 100 120 + PTX), ptxas report =="
cmake -S "$SRC" -B "$B" -DFIDCPP_CUDA=ON -DFIDCPP_BUILD_BENCH=ON -DFIDCPP_CUDA_PTXAS_REPORT=ON >/dev/null
cmake --build "$B" --target fidcpp_cuda --clean-first -j"$JOBS" 2>&1 | tee "$B/ptxas.log" >/dev/null
cmake --build "$B" --target bench_gpu test_gpu -j"$JOBS"
# One line per kernel and architecture: registers, spills, shared memory.
python3 - "$B/ptxas.log" <<'PY'
import re, sys
fn = arch = None
spills = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"Compiling entry function '(\w+)' for '(sm_\d+)'", line)
    if m:
        fn, arch = m.group(1), m.group(2)
        continue
    m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
    if m and fn:
        stack, st, ld = map(int, m.groups())
        spills += st + ld
        frame = (fn, arch, stack, st, ld)
    m = re.search(r"Used (\d+) registers.*?(\d+) bytes smem", line) or re.search(r"Used (\d+) registers", line)
    if m and fn:
        smem = m.group(2) if m.lastindex and m.lastindex >= 2 else "0"
        print(f"{arch:7s} {fn[:60]:60s} regs={m.group(1):>3s} smem={smem:>5s}")
        fn = None
print(f"total spill bytes: {spills}")
sys.exit(1 if spills else 0)
PY

echo "== bench_gpu: runs on a GPU, says 'no CUDA device' (exit 77) without one =="
rc=0
"$B/bench/bench_gpu" --batches 1,32 --iters 3 || rc=$?
if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then echo "ci_cuda: bench_gpu failed ($rc)"; exit 1; fi

echo "== GPU tests (skip without a device) =="
(cd "$B" && ctest -L gpu --output-on-failure -j"$JOBS")

echo "== TSan: racecheck on small shapes =="
cmake -S "$SRC" -B "$T" -DFIDCPP_CUDA=OFF -DFIDCPP_BUILD_BENCH=OFF -DFIDCPP_SANITIZE=thread \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$T" --target test_emu -j"$JOBS"
# Not the divergent-barrier tests: after a kernel error the shim abandons the block's suspended fibers, which never
# reach a synchronisation point, so TSan reports their last reads against the launch's teardown. That error path is
# covered by the plain and ASan runs of the same tests.
# OPENBLAS_NUM_THREADS=1: the CPU FID reference (LAPACK) would otherwise run on OpenBLAS's own threads, which
# TSan cannot see synchronise (uninstrumented library) and reports as races inside dscal.
OPENBLAS_NUM_THREADS=1 CUDAEMU_WORKERS=2 "$T/tests/test_emu" --gtest_filter='EmuSemantics.Tiled*:EmuSemantics.WarpProbe*:EmuSemantics.CrossBlock*:EmuSemantics.Graph*:EmuKernels.ConvIgemm*:EmuKernels.BiasRelu*:EmuKernels.Moments*:EmuMoments.*:EmuLinalg.*:EmuKernels.Resize*:EmuPreprocess.EveryMode*:EmuPreprocess.Bad*:EmuCudaBackend.Recorded*:EmuCudaBackend.CopyStream*'
# The racecheck must fire on the kernel with the forgotten barrier.
if CUDAEMU_WORKERS=1 "$T/tests/test_emu" --gtest_filter='EmuSemantics.MissingBarrier*' >"$T/race.log" 2>&1 ||
   ! grep -q "ThreadSanitizer: data race" "$T/race.log"; then
  echo "ci_cuda: TSan did not report the missing-barrier race"; exit 1
fi
echo "ci_cuda: OK"
