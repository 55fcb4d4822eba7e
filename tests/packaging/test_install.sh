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
export PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig:$T/prefix/lib/x86_64-linux-gnu/pkgconfig"
cc "$SRC/tests/packaging/consumer/consumer.c" -o "$T/consumer_c" $(pkg-config --cflags --libs fidcpp) \
  -Wl,-rpath,"$(pkg-config --variable=libdir fidcpp)"
"$T/consumer_c"
echo "packaging: 2 passed, 0 failed"
