#!/usr/bin/env python3
"""Independent numpy/scipy reference for FID-infinity and IS-infinity (Chong & Forsyth, CVPR 2020).

Follows mchong6/FID_IS_infinity score_infinity.py: subset sizes np.linspace(min, n, points).astype('int32'),
per point one np.random.shuffle of the generated features (here a seeded RandomState, so fidcpp's
numpy-compatible RNG draws the same subsets), the metric of the first N rows, then np.polyfit(1/N, value, 1)
and the intercept. FID per subset as pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm); IS per
subset with a single split (softmax in float64, KL to the subset's mean distribution).

Usage:
  oracle_fid_infinity.py fid GEN.npy REAL_MU.npy REAL_SIGMA.npy [--points 15] [--min 5000] [--seed 2020]
  oracle_fid_infinity.py is LOGITS.npy [--points 15] [--min 5000] [--seed 2020]
Prints "value V", "slope A", then one "point N V" line per subset size (repr floats).
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


def inception_score_one_split(logits):
    x = logits.astype(np.float64)
    x = x - x.max(axis=1, keepdims=True)
    p = np.exp(x)
    p /= p.sum(axis=1, keepdims=True)
    log_p = np.log(p)
    py = p.mean(axis=0, keepdims=True)
    kl = p * (log_p - np.log(py))
    return float(np.exp(kl.sum(axis=1).mean()))


def extrapolate(rows, points, min_n, seed, metric):
    rows = rows.copy()
    rng = np.random.RandomState(seed)
    sizes = np.linspace(min_n, len(rows), points).astype('int32')
    values = []
    for n in sizes:
        rng.shuffle(rows)
        values.append(metric(rows[:n]))
    values = np.array(values)
    slope, intercept = np.polyfit(1.0 / sizes, values, 1)
    return intercept, slope, sizes, values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('kind', choices=['fid', 'is'])
    ap.add_argument('inputs', nargs='+')
    ap.add_argument('--points', type=int, default=15)
    ap.add_argument('--min', type=int, default=5000)
    ap.add_argument('--seed', type=int, default=2020)
    a = ap.parse_args()
    if a.kind == 'fid':
        gen, mu, sigma = (np.load(p) for p in a.inputs)
        mu = mu.astype(np.float64)
        sigma = sigma.astype(np.float64)

        def metric(sub):
            s = sub.astype(np.float64)
            return frechet_distance(mu, sigma, s.mean(axis=0), np.cov(s, rowvar=False))

        value, slope, sizes, values = extrapolate(gen, a.points, a.min, a.seed, metric)
    else:
        logits = np.load(a.inputs[0])
        value, slope, sizes, values = extrapolate(logits, a.points, a.min, a.seed, inception_score_one_split)
    print('value', repr(float(value)))
    print('slope', repr(float(slope)))
    for n, v in zip(sizes, values):
        print('point', int(n), repr(float(v)))


if __name__ == '__main__':
    main()
