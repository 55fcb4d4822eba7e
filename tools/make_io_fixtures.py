"""Writes the small numpy-made .npy/.npz fixtures in tests/data/io/ that tests/io/test_npy.cpp reads.

Values follow formulas the C++ test recomputes: v(i) = i * 0.37 - 3.5 (float64, then cast for float32 files),
with i the C-order flat index. Usage: python tools/make_io_fixtures.py [--out tests/data/io]
"""
import argparse
import os

import numpy as np


def v(shape, dtype):
    n = int(np.prod(shape)) if len(shape) else 1
    return (np.arange(n, dtype=np.float64) * 0.37 - 3.5).astype(dtype).reshape(shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "data", "io"))
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)

    np.save(p("f4_c.npy"), v((3, 4), "<f4"))
    np.save(p("f8_c.npy"), v((2, 3, 5), "<f8"))
    np.save(p("f8_1d.npy"), v((2048,), "<f8"))
    np.save(p("f4_be.npy"), v((3, 4), ">f4"))
    np.save(p("f8_be.npy"), v((5,), ">f8"))
    np.save(p("f8_fortran.npy"), np.asfortranarray(v((3, 4, 2), "<f8")))
    np.save(p("f4_fortran.npy"), np.asfortranarray(v((4, 3), "<f4")))
    np.save(p("i8.npy"), (np.arange(6, dtype=np.int64) * 1000003 - 7))
    np.save(p("u1.npy"), np.array([0, 1, 127, 255], dtype=np.uint8))
    np.save(p("f2.npy"), np.array([0.5, -2.0, 65504.0, 2.0 ** -24], dtype="<f2"))
    np.save(p("scalar.npy"), np.float64(2.5))
    np.save(p("empty.npy"), np.zeros((0, 3), dtype="<f4"))
    with open(p("v2.npy"), "wb") as f:
        np.lib.format.write_array(f, v((3, 4), "<f8"), version=(2, 0))
    np.savez(p("stats_stored.npz"), mu=v((7,), "<f8"), sigma=v((7, 7), "<f8"))
    np.savez_compressed(p("stats_deflated.npz"), mu=v((7,), "<f4"), sigma=np.asfortranarray(v((7, 7), "<f8")))
    print("numpy", np.__version__, "->", os.path.abspath(out))


if __name__ == "__main__":
    main()
