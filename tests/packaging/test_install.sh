#!/usr/bin/env bash
# Packaging test: installs the build into a temporary prefix, then builds and runs a consumer with
# find_package(fidcpp) and another with pkg-config. Usage: test_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD="$1"
SRC="$2"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cmake --install "$BUILD" --prefix "$T/prefix" >/dev/null
test -x "$T/prefix/bin/fidcpp"
test -f "$T/prefix/include/fidcpp/fidcpp.h"
# Statistics made by the installed CLI, consumed by the consumers (no weights needed for .npz input).
python3 - "$T" <<'PY'
import struct, sys, zipfile
t = sys.argv[1]
def npy(shape, values):
    hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % (repr(tuple(shape)),)
    hdr = hdr + " " * (63 - (10 + len(hdr)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + struct.pack("<%dd" % len(values), *values)
d = 2048
for name, shift in (("a", 0.0), ("b", 0.5)):
    mu = [shift] * d
    sigma = [0.0] * (d * d)
    for i in range(d):
        sigma[i * d + i] = 1.0 + shift
    with zipfile.ZipFile("%s/%s.npz" % (t, name), "w") as z:
        z.writestr("mu.npy", npy((d,), mu))
        z.writestr("sigma.npy", npy((d, d), sigma))
PY
cmake -S "$SRC/tests/packaging/consumer" -B "$T/consumer-build" -DCMAKE_PREFIX_PATH="$T/prefix" >/dev/null
cmake --build "$T/consumer-build" >/dev/null
"$T/consumer-build/consumer_cpp" "$T/a.npz" "$T/b.npz" | tee "$T/out.txt"
# FID of N(0, I) vs N(0.5, 1.5 I) in 2048-d: 2048 * (0.25 + 1 + 1.5 - 2 sqrt(1.5)).
python3 - "$T/out.txt" <<'PY'
import math, sys
got = float(open(sys.argv[1]).read().split()[1])
want = 2048 * (0.25 + 1 + 1.5 - 2 * math.sqrt(1.5))
assert abs(got - want) < 1e-3 * want, (got, want)
PY
# The CUDA backend is a module the library opens at run time (docs/cuda.md, "The CUDA module"): the installed
# CLI links no CUDA library, runs where none can be found, and says why --device cuda cannot; with the
# libraries present it finds the module in ../lib and the runtime reports the device (none here).
if [[ -f "$T/prefix/lib/libfidcpp-cuda.so" ]]; then
  if ldd "$T/prefix/bin/fidcpp" | grep -E 'libcuda|libcudart|libcublas|libcusolver'; then
    echo "packaging: the installed CLI links CUDA libraries"; exit 1
  fi
  images="$T/images"; mkdir -p "$images"; cp "$SRC/tests/data/images/jpeg_444.jpg" "$images/"
  cuda_run() { rc=0; "$@" fid "$images" "$images" --device cuda --weights /no/such/w.safetensors 2>"$T/err" || rc=$?; }
  cuda_run "$T/prefix/bin/fidcpp"
  if ! { [[ $rc == 6 ]] && grep -q "no CUDA device" "$T/err"; } && [[ $rc != 4 ]]; then
    echo "packaging: --device cuda with the installed module: exit $rc, $(cat "$T/err")"; exit 1
  fi
  # Hidden CUDA libraries: the dynamic linker without its cache, where the CUDA toolkit's folder is listed.
  loader=$(readelf -l "$T/prefix/bin/fidcpp" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
  deps=$("$loader" --inhibit-cache --list "$T/prefix/lib/libfidcpp-cuda.so" 2>&1 || true)
  if grep -qE 'not found|cannot open shared' <<<"$deps"; then
    "$loader" --inhibit-cache "$T/prefix/bin/fidcpp" fid "$T/a.npz" "$T/b.npz" >"$T/hidden.txt"
    python3 - "$T/hidden.txt" "$T/out.txt" <<'PY'
import sys
hidden = float(open(sys.argv[1]).read().split()[0])
installed = float(open(sys.argv[2]).read().split()[1])
assert abs(hidden - installed) < 1e-9 * installed, (hidden, installed)
PY
    cuda_run "$loader" --inhibit-cache "$T/prefix/bin/fidcpp"
    if [[ $rc != 6 ]] || ! grep -q "cannot load the CUDA module" "$T/err" || ! grep -q "libcu" "$T/err"; then
      echo "packaging: --device cuda with the CUDA libraries hidden: exit $rc, $(cat "$T/err")"; exit 1
    fi
    echo "packaging: CLI without CUDA libraries: runs; --device cuda: $(cat "$T/err")"
  else
    echo "packaging: the CUDA libraries are on the linker's default path here; the hidden-library run is skipped"
  fi
fi
export PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig:$T/prefix/lib/x86_64-linux-gnu/pkgconfig"
cc "$SRC/tests/packaging/consumer/consumer.c" -o "$T/consumer_c" $(pkg-config --cflags --libs fidcpp) \
  -Wl,-rpath,"$(pkg-config --variable=libdir fidcpp)"
"$T/consumer_c"
echo "packaging: 2 passed, 0 failed"
