#!/usr/bin/env python3
"""Reference values for the metrics tests (label `metrics`), computed by the real Python packages.

Writes into <out>/metrics/: feature sets as float32 .npy (synthetic, from tools/splitmix64.py so they are
reproducible), and per case an .npz of reference values from pytorch-fid, torch-fidelity and torchmetrics.
Usage: python tools/ref_metrics.py --out build/refdata   (deterministic; ~1-2 min on 2 cores)
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
import torch  # noqa: E402

from splitmix64 import SplitMix64  # noqa: E402

torch.set_num_threads(2)


def features(seed, n, d, rank=None, shift=0.0, relu=True):
    """Correlated, Inception-like (non-negative, decaying spectrum) float32 features from SplitMix64."""
    g = SplitMix64(seed)
    r = rank or min(d, 64)
    z = g.uniform_f32_array(n * r).reshape(n, r).astype(np.float64) - 0.5
    w = g.uniform_f32_array(r * d).reshape(r, d).astype(np.float64) - 0.5
    w *= (1.0 / np.sqrt(1.0 + np.arange(r)))[:, None]
    noise = g.uniform_f32_array(n * d).reshape(n, d).astype(np.float64) - 0.5
    x = 2.0 * z @ w + 0.3 * noise + 0.2 + shift
    if relu:
        x = np.maximum(x, 0.0)
    return x.astype(np.float32)


def save(out, name, **arrays):
    np.savez(os.path.join(out, name + ".npz"), **arrays)


class Identity(torch.nn.Module):
    """A 'feature extractor' that passes features through, so torchmetrics runs its compute on our arrays."""

    def __init__(self, num_features):
        super().__init__()
        self.num_features = num_features

    def forward(self, x):
        return x


def fid_cases(out, manifest):
    from pytorch_fid.fid_score import calculate_frechet_distance
    from torch_fidelity.metric_fid import fid_features_to_statistics, fid_statistics_to_metric
    from torchmetrics.image.fid import FrechetInceptionDistance

    cases = [  # name, d, n1, n2, seed, rank, shift
        ("fid_d64_n2_n3", 64, 2, 3, 11, None, 0.0),
        ("fid_d64_n500_n400", 64, 500, 400, 12, None, 0.05),
        ("fid_d192_n80_n150", 192, 80, 150, 13, None, 0.1),
        ("fid_d768_n1000_n1200", 768, 1000, 1200, 14, 100, 0.02),
        ("fid_d768_n300_n2000", 768, 300, 2000, 15, None, 0.0),
        ("fid_d2048_n1000_n1500", 2048, 1000, 1500, 16, None, 0.01),
        ("fid_d2048_n10000_n3000", 2048, 10000, 3000, 17, 128, 0.03),
    ]
    for name, d, n1, n2, seed, rank, shift in cases:
        t = time.time()
        a = features(seed * 2, n1, d, rank)
        b = features(seed * 2 + 1, n2, d, rank, shift)
        np.save(os.path.join(out, name + "_a.npy"), a)
        np.save(os.path.join(out, name + "_b.npy"), b)
        # pytorch-fid: float64 activations, np.mean / np.cov, scipy sqrtm.
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        mu1, s1 = np.mean(a64, axis=0), np.cov(a64, rowvar=False)
        mu2, s2 = np.mean(b64, axis=0), np.cov(b64, rowvar=False)
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            fid_pytorch_fid = float(calculate_frechet_distance(mu1, s1, mu2, s2))
        # pytorch-fid regularises with 1e-6·I when sqrtm is not finite: then it measures something else.
        pf_eps_fallback = int("adding 1e-06" in log.getvalue())
        # torch-fidelity: float32 mean, float64 cov, eigvals.
        st1 = fid_features_to_statistics(torch.from_numpy(a))
        st2 = fid_features_to_statistics(torch.from_numpy(b))
        fid_torch_fidelity = fid_statistics_to_metric(st1, st2, False)["frechet_inception_distance"]
        # torchmetrics: one-pass float64 sums; float64 input keeps the float64 result.
        m = FrechetInceptionDistance(feature=Identity(d))
        m.update(torch.from_numpy(b64), real=True)
        m.update(torch.from_numpy(a64), real=False)
        fid_torchmetrics = float(m.compute())
        arrays = dict(fid_pytorch_fid=fid_pytorch_fid, fid_torch_fidelity=fid_torch_fidelity,
                      fid_torchmetrics=fid_torchmetrics, pf_eps_fallback=pf_eps_fallback)
        if d <= 768:
            # Each reference's own statistics, so the C++ FID can be checked on identical inputs.
            arrays.update(pf_mu1=mu1, pf_sigma1=s1, pf_mu2=mu2, pf_sigma2=s2,
                          tf_mu1=st1["mu"].astype(np.float64), tf_mu2=st2["mu"].astype(np.float64))
        save(out, name, **arrays)
        manifest[name] = dict(d=d, n1=n1, n2=n2, pytorch_fid=fid_pytorch_fid, torch_fidelity=fid_torch_fidelity,
                              torchmetrics=fid_torchmetrics, seconds=round(time.time() - t, 2))
        # pytorch-fid's own .npz writer format for the statistics-file reader test.
        if name == "fid_d64_n500_n400":
            np.savez_compressed(os.path.join(out, "stats_pytorch_fid_d64.npz"), mu=mu1, sigma=s1)
            np.savez_compressed(os.path.join(out, "stats_f32mu_d64.npz"), mu=mu1.astype(np.float32), sigma=s1)


def logits(seed, n, classes=1008):
    g = SplitMix64(seed)
    z = (g.uniform_f32_array(n * classes).reshape(n, classes).astype(np.float64) - 0.5) * 6.0
    peak = (g.next_array(n) % np.uint64(classes)).astype(np.int64)
    z[np.arange(n), peak] += 4.0 + 4.0 * g.uniform_f32_array(n)
    return z.astype(np.float32)


def is_cases(out, manifest):
    from torch_fidelity.metric_isc import isc_features_to_metric
    from torchmetrics.image.inception import InceptionScore

    for name, n, splits, seed in [("is_n1000_s10", 1000, 10, 21), ("is_n23_s10", 23, 10, 22),
                                  ("is_n5000_s7", 5000, 7, 23)]:
        z = logits(seed, n)
        np.save(os.path.join(out, name + "_logits.npy"), z)
        zt = torch.from_numpy(z)
        tf_shuf = isc_features_to_metric(zt, splits=splits, shuffle=True, rng_seed=2020)
        tf_noshuf = isc_features_to_metric(zt, splits=splits, shuffle=False, rng_seed=2020)
        # torchmetrics shuffles with the global torch generator: seed it, and record the permutation it draws.
        m = InceptionScore(feature=Identity(z.shape[1]), splits=splits)
        m.update(torch.from_numpy(z.astype(np.float64)))
        torch.manual_seed(1234)
        tm_mean, tm_std = m.compute()
        torch.manual_seed(1234)
        perm = torch.randperm(n).numpy().astype(np.int64)
        save(out, name, tf_mean=tf_shuf["inception_score_mean"], tf_std=tf_shuf["inception_score_std"],
             tf_noshuf_mean=tf_noshuf["inception_score_mean"], tf_noshuf_std=tf_noshuf["inception_score_std"],
             tm_mean=float(tm_mean), tm_std=float(tm_std), tm_perm=perm, splits=splits)
        manifest[name] = dict(tf=tf_shuf, tm=[float(tm_mean), float(tm_std)])


def kid_cases(out, manifest):
    from torch_fidelity.metric_kid import kid_features_to_metric

    cases = [  # name, d, n1, n2, seed, shift, kwargs
        ("kid_d2048_default", 2048, 1500, 2000, 31, 0.01, {}),
        ("kid_d64_close", 64, 300, 250, 32, 0.0, dict(kid_subsets=20, kid_subset_size=100)),
        ("kid_d192_custom", 192, 400, 500, 33, 0.05,
         dict(kid_subsets=15, kid_subset_size=150, kid_kernel_poly_degree=2, kid_kernel_poly_gamma=0.01,
              kid_kernel_poly_coef0=0.5)),
        ("kid_d768_rbf", 768, 300, 350, 34, 0.02, dict(kid_subsets=10, kid_subset_size=200, kid_kernel="rbf",
                                                       kid_kernel_rbf_sigma=10.0)),
    ]
    for name, d, n1, n2, seed, shift, kw in cases:
        t = time.time()
        a = features(seed * 2, n1, d)
        b = features(seed * 2 + 1, n2, d, shift=shift)
        np.save(os.path.join(out, name + "_a.npy"), a)
        np.save(os.path.join(out, name + "_b.npy"), b)
        r = kid_features_to_metric(torch.from_numpy(a), torch.from_numpy(b), rng_seed=2020, verbose=False, **kw)
        # The same computation on float64 arrays (same subsets): the size of torch-fidelity's float32 noise.
        r64 = kid_features_to_metric(torch.from_numpy(a.astype(np.float64)), torch.from_numpy(b.astype(np.float64)),
                                     rng_seed=2020, verbose=False, **kw)
        params = dict(subsets=kw.get("kid_subsets", 100), subset_size=kw.get("kid_subset_size", 1000),
                      kernel=kw.get("kid_kernel", "poly"), degree=kw.get("kid_kernel_poly_degree", 3),
                      gamma=kw.get("kid_kernel_poly_gamma") or 0.0, coef0=kw.get("kid_kernel_poly_coef0", 1.0),
                      sigma=kw.get("kid_kernel_rbf_sigma", 10.0))
        save(out, name, mean=r["kernel_inception_distance_mean"], std=r["kernel_inception_distance_std"],
             mean64=r64["kernel_inception_distance_mean"], std64=r64["kernel_inception_distance_std"],
             subsets=params["subsets"], subset_size=params["subset_size"], rbf=int(params["kernel"] == "rbf"),
             degree=params["degree"], gamma=params["gamma"], coef0=params["coef0"], sigma=params["sigma"])
        manifest[name] = dict(result=r, result_float64=r64, params=params, seconds=round(time.time() - t, 2))


def mifid_cases(out, manifest):
    from torchmetrics.image.mifid import MemorizationInformedFrechetInceptionDistance

    for name, d, n1, n2, seed, copy_noise in [("mifid_d64_far", 64, 300, 200, 41, None),
                                              ("mifid_d192_memorized", 192, 400, 300, 42, 0.05),
                                              ("mifid_d192_zero_rows", 192, 400, 380, 43, 0.2)]:
        real = features(seed * 2, n1, d)
        if copy_noise is None:
            fake = features(seed * 2 + 1, n2, d, shift=0.1)
        else:
            # Fakes close to real samples, so the memorization distance falls under eps.
            g = SplitMix64(seed * 2 + 1)
            noise = g.uniform_f32_array(n2 * d).reshape(n2, d) - np.float32(0.5)
            fake = (real[:n2] + np.float32(copy_noise) * noise).astype(np.float32)
        if "zero_rows" in name:
            real[[3, 17]] = 0.0
            fake[[5]] = 0.0
        np.save(os.path.join(out, name + "_real.npy"), real)
        np.save(os.path.join(out, name + "_fake.npy"), fake)
        m = MemorizationInformedFrechetInceptionDistance(feature=Identity(d))
        m.update(torch.from_numpy(real.astype(np.float64)), real=True)
        m.update(torch.from_numpy(fake.astype(np.float64)), real=False)
        v = float(m.compute())
        save(out, name, mifid=v)
        manifest[name] = dict(mifid=v)


def prc_cases(out, manifest):
    from torch_fidelity.metric_prc import prc_features_to_metric

    cases = [  # name, d, n_gen, n_real, seed, shift, neighborhood, batch
        ("prc_d64_n20_n22", 64, 20, 22, 51, 0.05, 3, 10000),
        ("prc_d192_n500_n450", 192, 500, 450, 52, 0.05, 3, 10000),
        ("prc_d64_n700_n650_b300_k5", 64, 700, 650, 53, 0.02, 5, 300),
        ("prc_d2048_n4000_n5000", 2048, 4000, 5000, 54, 0.02, 3, 10000),
    ]
    for name, d, ng, nr, seed, shift, k, bs in cases:
        t = time.time()
        gen = features(seed * 2, ng, d, shift=shift)
        real = features(seed * 2 + 1, nr, d)
        np.save(os.path.join(out, name + "_gen.npy"), gen)
        np.save(os.path.join(out, name + "_real.npy"), real)
        r = prc_features_to_metric(torch.from_numpy(gen), torch.from_numpy(real), prc_neighborhood=k,
                                   prc_batch_size=bs, save_cpu_ram=False, verbose=False)
        save(out, name, precision=r["precision"], recall=r["recall"], f_score=r["f_score"], neighborhood=k,
             batch_size=bs)
        manifest[name] = dict(result=r, seconds=round(time.time() - t, 2))


def numpy_random_cases(out, manifest):
    arrays = {}
    for seed in (0, 1, 2020, 4294967295):
        for n in (1, 2, 3, 5, 10, 17, 100, 255, 256, 257, 1000, 4097, 65537):
            arrays["perm_%d_%d" % (seed, n)] = np.random.RandomState(seed).permutation(n).astype(np.int64)
        rs = np.random.RandomState(seed)
        arrays["choice_%d" % seed] = np.concatenate([rs.choice(1500, 1000, replace=False),
                                                     rs.choice(2000, 1000, replace=False),
                                                     rs.choice(12, 5, replace=False)]).astype(np.int64)
    save(out, "numpy_random", **arrays)
    manifest["numpy_random"] = dict(keys=len(arrays))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default="", help="comma-separated subset of: random,fid,is,kid,mifid,prc")
    args = ap.parse_args()
    out = os.path.join(args.out, "metrics")
    os.makedirs(out, exist_ok=True)
    import pytorch_fid
    import scipy
    import torch_fidelity
    import torchmetrics
    manifest = dict(versions=dict(numpy=np.__version__, scipy=scipy.__version__, torch=torch.__version__,
                                  torch_fidelity=torch_fidelity.__version__, torchmetrics=torchmetrics.__version__,
                                  pytorch_fid=pytorch_fid.__version__))
    steps = dict(random=numpy_random_cases, fid=fid_cases, **{"is": is_cases}, kid=kid_cases, mifid=mifid_cases,
                 prc=prc_cases)
    only = [s for s in args.only.split(",") if s] or list(steps)
    for s in only:
        t = time.time()
        steps[s](out, manifest)
        print("ref_metrics: %s done in %.1f s" % (s, time.time() - t), flush=True)
    manifest_name = "manifest_%s.json" % "_".join(only) if args.only else "manifest.json"
    with open(os.path.join(out, manifest_name), "w") as f:
        json.dump(manifest, f, indent=1, default=float)


if __name__ == "__main__":
    main()
