#!/usr/bin/env python3
"""Independent numpy/scipy reference for fidcpp's bootstrap confidence intervals of FID and KID.

The scheme (docs/metrics-extra.md "Bootstrap confidence intervals"), written from its description:
  seeds = RandomState(seed).randint(0, 2**32, size=replicates, dtype=np.uint32)
  replicate b: rs = RandomState(seeds[b]); real rows rs.randint(0, n_real, n_real), then generated rows
               rs.randint(0, n_gen, n_gen); the metric of real[rows_r] and gen[rows_g]
  interval: np.quantile(values, [(1 - level) / 2, (1 + level) / 2]) (default 'linear' method)
FID per replicate as pytorch-fid: np.mean / np.cov (float64) and calculate_frechet_distance (scipy sqrtm).
KID per replicate as torch-fidelity's metric_kid.py in float64: RandomState(kid_seed), per subset
choice(n, m, replace=False) of input 1 (generated) then input 2 (real) over the resampled rows, polynomial
kernel (x.y / D + 1)^3, MMD^2, the mean over subsets. Within an input, the kernel is averaged over the pairs
of positions holding different source images (the unbiased estimator's i != j, a repeated image counted
once); the cross term over all m*m pairs.

Usage:
  oracle_bootstrap.py fid REAL.npy GEN.npy [--replicates 200] [--level 0.95] [--seed 2020]
  oracle_bootstrap.py kid REAL.npy GEN.npy [...] [--subsets 100] [--subset-size 1000] [--kid-seed 2020]
Prints "low V", "high V", then one "replicate B V" line per replicate (repr floats).
"""
import argparse
import warnings

import numpy as np
from scipy import linalg


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    # pytorch-fid calculate_frechet_distance
    diff = mu1 - mu2
    with warnings.catch_warnings():  # scipy >= 1.16 deprecates disp, which pytorch-fid passes
        warnings.simplefilter('ignore', DeprecationWarning)
        covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def fid(real, gen):
    return frechet_distance(real.mean(axis=0), np.cov(real, rowvar=False), gen.mean(axis=0),
                            np.cov(gen, rowvar=False))


def mmd2_poly(x, src_x, y, src_y):
    d = x.shape[1]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    m = x.shape[0]
    distinct_x = src_x[:, None] != src_x[None, :]
    distinct_y = src_y[:, None] != src_y[None, :]
    return (kxx[distinct_x].mean() + kyy[distinct_y].mean()) - 2 * kxy.sum() / (m * m)


def kid(real, rows_real, gen, rows_gen, subsets, subset_size, kid_seed):
    """KID of real[rows_real] and gen[rows_gen]."""
    rng = np.random.RandomState(kid_seed)
    values = []
    for _ in range(subsets):
        p1 = rng.choice(len(rows_gen), subset_size, replace=False)
        p2 = rng.choice(len(rows_real), subset_size, replace=False)
        values.append(mmd2_poly(gen[rows_gen[p1]], rows_gen[p1], real[rows_real[p2]], rows_real[p2]))
    return float(np.mean(values))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('kind', choices=['fid', 'kid'])
    ap.add_argument('real')
    ap.add_argument('gen')
    ap.add_argument('--replicates', type=int, default=200)
    ap.add_argument('--level', type=float, default=0.95)
    ap.add_argument('--seed', type=int, default=2020)
    ap.add_argument('--subsets', type=int, default=100)
    ap.add_argument('--subset-size', type=int, default=1000)
    ap.add_argument('--kid-seed', type=int, default=2020)
    a = ap.parse_args()
    real = np.load(a.real).astype(np.float64)
    gen = np.load(a.gen).astype(np.float64)
    seeds = np.random.RandomState(a.seed).randint(0, 2**32, size=a.replicates, dtype=np.uint32)
    values = []
    for s in seeds:
        rs = np.random.RandomState(int(s))
        rows_real = rs.randint(0, len(real), size=len(real))
        rows_gen = rs.randint(0, len(gen), size=len(gen))
        if a.kind == 'fid':
            values.append(fid(real[rows_real], gen[rows_gen]))
        else:
            values.append(kid(real, rows_real, gen, rows_gen, a.subsets, a.subset_size, a.kid_seed))
    low, high = np.quantile(np.array(values), [(1 - a.level) / 2, (1 + a.level) / 2])
    print('low', repr(float(low)))
    print('high', repr(float(high)))
    for b, v in enumerate(values):
        print('replicate', b, repr(float(v)))


if __name__ == '__main__':
    main()
