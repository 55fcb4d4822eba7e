#!/usr/bin/env python3
"""Reference density and coverage (tests/metrics/test_dc.cpp, label `metrics`) from PyPI prdc 0.2 itself.

prdc.compute_prdc(real, fake, nearest_k) is called on float64 copies of float32 features (so its distances are
sklearn's float64 euclidean_distances), as docs/metrics-extra.md defines fidcpp's density/coverage. Writes into
<out>/metrics/, per case: <name>_real.npy and <name>_fake.npy (float32) and <name>.npz (density, coverage,
precision, recall, nearest_k). Cases:
  synthetic  Inception-like features (SplitMix64, tools/splitmix64.py), real and fake from the same or a
             shifted distribution, d = 64 .. 2048, nearest_k 3, 5, 10; half-memorised fake rows
  ties       small-integer features: many exactly equal distances and duplicate rows, where the strict `<`
             of prdc decides (float64 distances of small integers are exact in any summation order)
  real       the real-photo Inception features of tools/ref_real.py (<out>/real/, first half real, second half
             fake), when that generator has run (real weights present); otherwise skipped
Usage: python tools/ref_dc.py --out build/refdata   (deterministic; a few seconds)
"""
import argparse
import contextlib
import io
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from splitmix64 import SplitMix64  # noqa: E402


def synthetic(seed, n, d, shift=0.0):
    """Correlated, non-negative float32 features like ref_metrics.features, but with one basis per dimension d
    (its own SplitMix64 stream), so sets of different seeds come from the same distribution."""
    r = min(d, 64)
    w = SplitMix64(1000 + d).uniform_f32_array(r * d).reshape(r, d).astype(np.float64) - 0.5
    w *= (1.0 / np.sqrt(1.0 + np.arange(r)))[:, None]
    g = SplitMix64(seed)
    z = g.uniform_f32_array(n * r).reshape(n, r).astype(np.float64) - 0.5
    noise = g.uniform_f32_array(n * d).reshape(n, d).astype(np.float64) - 0.5
    x = np.maximum(2.0 * z @ w + 0.3 * noise + 0.2 + shift, 0.0)
    return x.astype(np.float32)


def small_integers(seed, n, d, levels):
    g = SplitMix64(seed)
    return (g.byte_array(n * d).reshape(n, d) % levels).astype(np.float32)


def run_case(out, manifest, name, real, fake, k):
    import prdc

    t = time.time()
    np.save(os.path.join(out, name + "_real.npy"), real)
    np.save(os.path.join(out, name + "_fake.npy"), fake)
    with contextlib.redirect_stdout(io.StringIO()):  # compute_prdc prints the set sizes
        r = prdc.compute_prdc(real.astype(np.float64), fake.astype(np.float64), nearest_k=k)
    r = {key: float(v) for key, v in r.items()}
    np.savez(os.path.join(out, name + ".npz"), nearest_k=k, **r)
    manifest[name] = dict(result=r, n_real=len(real), n_fake=len(fake), d=real.shape[1], nearest_k=k,
                          seconds=round(time.time() - t, 2))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = os.path.join(args.out, "metrics")
    os.makedirs(out, exist_ok=True)
    import prdc  # noqa: F401
    import sklearn
    from importlib.metadata import version
    manifest = dict(versions=dict(numpy=np.__version__, sklearn=sklearn.__version__, prdc=version("prdc")))

    cases = [  # name, d, n_real, n_fake, seed, shift of the fake set, nearest_k
        ("dc_d64_n20_n22_k5", 64, 20, 22, 61, 0.0, 5),
        ("dc_d192_n500_n450_k5", 192, 500, 450, 62, 0.0, 5),
        ("dc_d64_n700_n650_k3", 64, 700, 650, 63, 0.01, 3),
        ("dc_d64_n700_n650_k10", 64, 700, 650, 63, 0.01, 10),
        ("dc_d2048_n2000_n2500_k5", 2048, 2000, 2500, 64, 0.0, 5),
    ]
    for name, d, nr, nf, seed, shift, k in cases:
        run_case(out, manifest, name, synthetic(seed * 2 + 1, nr, d), synthetic(seed * 2, nf, d, shift), k)
    # Memorised: half the fake rows are real rows plus small noise, so density rises above 1.
    real = synthetic(131, 600, 256)
    fake = synthetic(130, 500, 256)
    fake[:250] = real[:250] + 0.01 * (small_integers(75, 250, 256, 7) - 3.0)
    run_case(out, manifest, "dc_memorized_d256_n600_n500_k5", real, fake, 5)
    # Ties: 3 levels in 6 dimensions (729 distinct points for 400 + 300 rows: many duplicates, radius 0 too).
    run_case(out, manifest, "dc_ties_d6_n400_n300_k5", small_integers(71, 400, 6, 3), small_integers(72, 300, 6, 3),
             5)
    run_case(out, manifest, "dc_ties_d16_n300_n350_k4", small_integers(73, 300, 16, 4),
             small_integers(74, 350, 16, 4), 4)

    real_dir = os.path.join(args.out, "real")
    for tap in (64, 2048):
        p = os.path.join(real_dir, "torch-fidelity_%d.npy" % tap)
        if not os.path.exists(p):
            print("ref_dc: %s missing (tools/ref_real.py needs the real weights); real-feature cases skipped" % p)
            continue
        f = np.load(p).astype(np.float32)
        half = len(f) // 2
        run_case(out, manifest, "dc_real_tf%d_k5" % tap, f[:half], f[half:], 5)

    with open(os.path.join(out, "manifest_dc.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)


if __name__ == "__main__":
    main()
