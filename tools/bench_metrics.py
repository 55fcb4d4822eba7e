#!/usr/bin/env python3
"""Side-by-side metric timings: bench_metrics (fidcpp) and the Python references on the same features.

Features: SplitMix64 seeds 1 and 2 (tools/splitmix64.py), N×2048 float32 with a decaying spectrum, built with
the same float32 operations as bench/bench_metrics.cpp (so both sides see identical features). Both sides use the same BLAS thread count (--threads).
Usage: python tools/bench_metrics.py --bench build/bench/bench_metrics [--rows 10000] [--threads 2] [--skip-prc]
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bench", required=True, help="path to the bench_metrics binary")
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--skip-prc", action="store_true")
    ap.add_argument("--skip-kid", action="store_true")
    args = ap.parse_args()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    env = dict(os.environ, FIDCPP_BENCH_ROWS=str(args.rows))

    filt = "BM_FidFromStats2048|BM_Moments2048"
    if not args.skip_kid:
        filt += "|BM_KidDefaults"
    if not args.skip_prc:
        filt += "|BM_Prc"
    out = subprocess.run([args.bench, "--benchmark_format=json", "--benchmark_filter=" + filt], env=env,
                         check=True, capture_output=True, text=True).stdout
    ours = {b["name"]: b for b in json.loads(out)["benchmarks"]}
    for b_ in ours.values():  # results travel in the label as "name=value"
        if "=" in b_.get("label", ""):
            key, value = b_["label"].split("=", 1)
            b_[key] = float(value)

    import numpy as np
    from splitmix64 import SplitMix64
    n, d = args.rows, 2048
    def feats(seed, which):
        g = SplitMix64(seed)
        u = g.uniform_f32_array(n * d).reshape(n, d)
        r = g.uniform_f32_array(n)
        w = g.uniform_f32_array(d)
        if which == 1:
            u = u * np.float32(1.1) + np.float32(0.05)
        s = np.float32(1) / (np.float32(1) + np.arange(d, dtype=np.float32) / np.float32(64))
        return (u * s[None, :] + r[:, None] * w[None, :]).astype(np.float32)

    a, b = feats(1, 0), feats(2, 1)
    mu1, s1 = a.astype(np.float64).mean(0), np.cov(a.astype(np.float64), rowvar=False)
    mu2, s2 = b.astype(np.float64).mean(0), np.cov(b.astype(np.float64), rowvar=False)

    # pytorch-fid's function, and torch-fidelity's eigvals path restated (its module imports torch, whose
    # thread pools were seen to slow numpy's BLAS when imported first).
    from pytorch_fid.fid_score import calculate_frechet_distance

    def fid_statistics_to_metric(st1, st2, _verbose):
        diff = st1["mu"] - st2["mu"]
        tr = np.sum(np.sqrt(np.linalg.eigvals(st1["sigma"].dot(st2["sigma"])).astype("complex128")).real)
        return {"frechet_inception_distance": float(diff.dot(diff) + np.trace(st1["sigma"]) +
                                                    np.trace(st2["sigma"]) - 2 * tr)}

    def timed(fn):
        t = time.perf_counter()
        v = fn()
        return time.perf_counter() - t, v

    rows = []
    t_pf, v_pf = timed(lambda: float(calculate_frechet_distance(mu1, s1, mu2, s2)))
    t_tf, v_tf = timed(lambda: fid_statistics_to_metric(dict(mu=mu1, sigma=s1), dict(mu=mu2, sigma=s2),
                                                        False)["frechet_inception_distance"])
    for name, label in [("BM_FidFromStats2048/0/real_time", "fidcpp FID (Cholesky + eigenvalues)"),
                        ("BM_FidFromStats2048/1/real_time", "fidcpp FID (two symmetric eigendecompositions)")]:
        b_ = ours[name]
        rows.append((label, b_["real_time"] / 1e3, b_["fid"]))
    rows.append(("pytorch-fid calculate_frechet_distance (scipy sqrtm)", t_pf, v_pf))
    rows.append(("torch-fidelity fid_statistics_to_metric (eigvals)", t_tf, v_tf))
    best = min(t_pf, t_tf)
    print("FID from two 2048-d statistics (N=%d, %d BLAS threads)" % (n, args.threads))
    for label, t, v in rows:
        print("  %-55s %8.3f s   FID %.10g   (%.1fx vs faster reference)" % (label, t, v, best / t))

    import torch
    torch.set_num_threads(args.threads)
    if not args.skip_kid:
        from torch_fidelity.metric_kid import kid_features_to_metric
        t_kid, r = timed(lambda: kid_features_to_metric(torch.from_numpy(b), torch.from_numpy(a), rng_seed=2020,
                                                        verbose=False))
        print("KID defaults (100 subsets x 1000) on %dx2048" % n)
        for name, label in [("BM_KidDefaults/0/iterations:1/real_time", "fidcpp KID float64"),
                            ("BM_KidDefaults/1/iterations:1/real_time", "fidcpp KID float32 numpy mirror")]:
            print("  %-55s %8.3f s   KID %.10g" % (label, ours[name]["real_time"] / 1e3, ours[name]["kid"]))
        print("  %-55s %8.3f s   KID %.10g" % ("torch-fidelity kid_features_to_metric", t_kid,
                                                r["kernel_inception_distance_mean"]))
    if not args.skip_prc:
        from torch_fidelity.metric_prc import prc_features_to_metric
        t_prc, r = timed(lambda: prc_features_to_metric(torch.from_numpy(b), torch.from_numpy(a),
                                                        prc_neighborhood=3, prc_batch_size=10000,
                                                        save_cpu_ram=False, verbose=False))
        bp = ours["BM_Prc/iterations:1/real_time"]
        print("PRC (k=3) on %dx2048" % n)
        print("  %-55s %8.3f s   precision %.10g" % ("fidcpp precision_recall", bp["real_time"] / 1e3, bp["precision"]))
        print("  %-55s %8.3f s   precision %.10g" % ("torch-fidelity prc_features_to_metric", t_prc, r["precision"]))
    print("Moments (streaming n, sum, sum_outer) %dx2048: %.3f s" % (n, ours["BM_Moments2048/real_time"]["real_time"] / 1e3))


if __name__ == "__main__":
    main()
