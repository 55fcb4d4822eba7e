"""What Winograd variants would cost in accuracy on the real network, before any of them is written in C++.

Runs torch-fidelity's Inception-v3 (real weights, the 2015-12-05 graph) on real 299x299 photo crops in float32 with
chosen convolutions replaced by a float32 Winograd evaluation (transforms, per-point channel sums and inverse
transforms all in float32, the filter transform formed in float64 and rounded once, as fidcpp does; BN folded into
the filter and bias in float64), and reports each variant's per-image pool3 error against the float64 network:
||f - f64|| / ||f64||, worst and median over the images. The channel sums run on PyTorch's float32 matmul, whose
summation order differs from fidcpp's micro-kernels, so these are error levels, not fidcpp's exact bits.

Variants (each replaces only the layers named; the others run as plain float32 PyTorch):
  direct          no replacement (PyTorch float32 itself)
  F2x2            F(2x2,3x3) on the 3x3 stride-1 layers fidcpp runs it on today (maps of at least 8x8)
  F4x4-good       F(4x4,3x3), points 0, +-7/10, +-3/2, inf (Lavin's choice for float32)
  F4x4-plain      F(4x4,3x3), points 0, +-1, +-2, inf
  F4x4-stem       F(4x4,3x3) good points on Conv2d_2a/2b/4a only, F(2x2) on the other 3x3 layers
  F2x2+F27        F(2x2,3x3) as today plus 1-D F(2,7) (points 0, +-1, +-2, +-1/2, inf) on every 1x7 / 7x1 layer
  F2x2+F27-good   the same with points 0, +-1/2, +-1, +-3/2, inf
  fidcpp          what fidcpp runs: F(4x4,3x3) (good points) on the 3x3 stride-1 layers with <= 128 input channels
                  on maps of at least 24x24, F(2x2,5x5) on the same points on the 5x5 layers, 1-D F(4,7) (points
                  0, +-1/2, +-1, +-3/2, +-5/2, inf) on the 1x7/7x1, F(2x2,3x3) on the 8x8 3x3 layers (U formed on
                  the fly since 2026-12-08). Of the F(4,7) point sets tried (2026-12-06) that one is the most
                  accurate: +-2 in place of +-5/2 gave 3.5e-6, {+-1/4, +-1/2, +-1, +-2} 5.2e-6, {+-1/2, +-3/4, +-1,
                  +-3/2} 4.2e-6, {+-1/2, +-1, +-3/2, +-3} 3.0e-6
  fidcpp-8x8dir   what fidcpp ran on 2026-12-07: the same with the 8x8 3x3 layers direct
  fidcpp-F27      what fidcpp ran until 2026-12-07: the same with 1-D F(2,7) (points 0, +-1, +-2, +-1/2, inf)
                  instead of F(4,7), and F(2x2,3x3) on the 8x8 3x3 layers
  fidcpp-F37      the same with 1-D F(3,7) (points 0, +-1/2, +-1, +-2, 3/2, inf) instead of F(2,7)
Usage: PY=$(tools/setup_python.sh | tail -n 1); $PY tools/winograd_accuracy.py [--images DIR[,DIR]] [--count 12]
"""
import argparse
import glob
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

POINTS = {
    "2x3": [0.0, 1.0, -1.0],
    "4x3-good": [0.0, 0.7, -0.7, 1.5, -1.5],
    "4x3-plain": [0.0, 1.0, -1.0, 2.0, -2.0],
    "2x7": [0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5],
    "2x7-good": [0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5],
    "3x7": [0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 1.5],
    "4x7": [0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5],
}


def winograd_matrices(m, r, points):
    """A^T (m x n), G (n x r), B^T (n x n) of the 1-D Toom-Cook algorithm F(m, r) on the finite `points` plus
    infinity (n = m + r - 1 = len(points) + 1): A^T and G from the points, B^T solved (float64 least squares,
    residual checked) from sum_j A^T[i][j] G[j][k] B^T[j][l] = [l == i + k], which every valid triple satisfies."""
    n = m + r - 1
    assert len(points) == n - 1
    p = np.array(points, dtype=np.float64)
    at = np.zeros((m, n))
    for i in range(m):
        at[i, :n - 1] = p ** i
    at[m - 1, n - 1] = 1.0
    f = np.array([np.prod([p[j] - p[k] for k in range(n - 1) if k != j]) for j in range(n - 1)])
    g = np.zeros((n, r))
    for j in range(n - 1):
        g[j] = p[j] ** np.arange(r) / f[j]
    g[n - 1, r - 1] = 1.0
    # Unknowns: B^T[j][l]; one equation per (i, k, l).
    rows, rhs = [], []
    for i in range(m):
        for k in range(r):
            for l in range(n):
                row = np.zeros((n, n))
                row[:, l] = at[i] * g[:, k]
                rows.append(row.ravel())
                rhs.append(1.0 if l == i + k else 0.0)
    sol, *_ = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)
    bt = sol.reshape(n, n)
    res = np.abs(np.array(rows) @ sol - np.array(rhs)).max()
    assert res < 1e-9, ("no exact B^T", m, r, points, res)
    return at, g, bt


def folded(unit):
    """BN folded into the conv in float64: (weight, bias) as float64 tensors."""
    w = unit.conv.weight.detach().double()
    bn = unit.bn
    scale = bn.weight.detach().double() / torch.sqrt(bn.running_var.detach().double() + bn.eps)
    return w * scale[:, None, None, None], bn.bias.detach().double() - bn.running_mean.detach().double() * scale


def winograd_2d(x, w64, b64, pad, m, points):
    """r x r stride-1 conv of float32 x by F(m x m, r x r), all float32 but the filter transform."""
    r = w64.shape[-1]
    at, g, bt = (torch.tensor(a) for a in winograd_matrices(m, r, points))
    n = m + r - 1
    u = torch.einsum("ik,ockl,jl->ocij", g, w64, g).float()  # G g G^T: [O, C, n, n]
    at32, bt32 = at.float(), bt.float()
    N, C, H, W = x.shape
    oh, ow = H + 2 * pad - (r - 1), W + 2 * pad - (r - 1)
    th, tw = -(-oh // m), -(-ow // m)
    xp = F.pad(x, (pad, tw * m + r - 1 - W - pad, pad, th * m + r - 1 - H - pad))
    d = xp.unfold(2, n, m).unfold(3, n, m)  # [N, C, th, tw, n, n]
    v = torch.einsum("ij,nctwjk,lk->nctwil", bt32, d, bt32)  # B^T d B
    vv = v.permute(4, 5, 1, 0, 2, 3).reshape(n * n, C, N * th * tw)
    uu = u.permute(2, 3, 0, 1).reshape(n * n, -1, C)
    mm = torch.bmm(uu, vv).reshape(n, n, -1, N, th, tw)  # per point: sum over channels
    y = torch.einsum("ij,jkontw,lk->notwil", at32, mm, at32)  # A^T M A: [N, O, th, tw, m, m]
    y = y.permute(0, 1, 2, 4, 3, 5).reshape(N, -1, th * m, tw * m)[:, :, :oh, :ow]
    return F.relu(y + b64.float()[None, :, None, None])


def winograd_1d(x, w64, b64, vertical, points, m=2):
    """1x7 (horizontal) or 7x1 (vertical) 'same' conv of float32 x by F(m, 7) along that axis."""
    n = m + 6
    at, g, bt = winograd_matrices(m, 7, points)
    at, g, bt = torch.tensor(at).float(), torch.tensor(g), torch.tensor(bt).float()
    if vertical:  # treat as horizontal on the transposed maps
        x = x.transpose(2, 3)
        w64 = w64.transpose(2, 3)
    k = w64[:, :, 0, :]  # [O, C, 7]
    u = torch.einsum("jk,ock->ocj", g, k).float()  # [O, C, n]
    N, C, H, W = x.shape
    tw = -(-W // m)
    xp = F.pad(x, (3, tw * m + 6 - W - 3, 0, 0))
    d = xp.unfold(3, n, m)  # [N, C, H, tw, n]
    v = torch.einsum("ij,nchtj->nchti", bt, d)
    vv = v.permute(4, 1, 0, 2, 3).reshape(n, C, -1)
    mm = torch.bmm(u.permute(2, 0, 1), vv).reshape(n, -1, N, H, tw)
    y = torch.einsum("ij,jonht->nohti", at, mm).reshape(N, -1, H, tw * m)[:, :, :, :W]
    y = F.relu(y + b64.float()[None, :, None, None])
    return y.transpose(2, 3) if vertical else y


def install(net, plan):
    """plan: {module path: callable(x, unit) -> y}; replaces those BasicConv2d forwards."""
    for name, fn in plan.items():
        unit = net.get_submodule(name)
        unit.forward = (lambda u, f: (lambda x: f(x, u)))(unit, fn)


def conv_units(net):
    for name, mod in net.named_modules():
        if hasattr(mod, "conv") and hasattr(mod, "bn"):
            yield name, mod


def plans(net, variant):
    """The layers a variant replaces, and how."""
    wino3 = {"Conv2d_2a_3x3", "Conv2d_2b_3x3", "Conv2d_4a_3x3"}
    stem = set(wino3)
    for name, mod in conv_units(net):
        c = mod.conv
        if c.kernel_size == (3, 3) and c.stride == (1, 1) and name.startswith("Mixed"):
            wino3.add(name)  # as fidcpp's winograd_applies: 3x3 stride 1 on maps of 8x8 and up
    sevens = {n for n, m in conv_units(net) if m.conv.kernel_size in ((1, 7), (7, 1))}
    # fidcpp's F(4x4, 3x3) layers (winograd4_applies: cin <= 128 and maps of at least 24x24): the stem and the
    # 35x35 layers; the 8x8 ones keep F(2x2).
    wino4 = {n for n in wino3 if net.get_submodule(n).conv.in_channels <= 128 and not n.startswith("Mixed_7")}
    fives = {n for n, m in conv_units(net) if m.conv.kernel_size == (5, 5)}  # F(2x2,5x5) in fidcpp (35x35)

    def w2(points, m):
        def f(x, u):
            w, b = folded(u)
            return winograd_2d(x, w, b, u.conv.padding[0], m, points)
        return f

    def w1(points, m=2):
        def f(x, u):
            w, b = folded(u)
            return winograd_1d(x, w, b, u.conv.kernel_size == (7, 1), points, m)
        return f

    plan = {}
    if variant == "direct":
        return plan
    if variant.startswith("F2x2") or variant == "F4x4-stem":
        plan.update({n: w2(POINTS["2x3"], 2) for n in wino3})
    if variant == "F4x4-good":
        plan.update({n: w2(POINTS["4x3-good"], 4) for n in wino3})
    if variant == "F4x4-plain":
        plan.update({n: w2(POINTS["4x3-plain"], 4) for n in wino3})
    if variant == "F4x4-stem":
        plan.update({n: w2(POINTS["4x3-good"], 4) for n in stem})
    if variant == "F2x2+F27":
        plan.update({n: w1(POINTS["2x7"]) for n in sevens})
    if variant == "F2x2+F27-good":
        plan.update({n: w1(POINTS["2x7-good"]) for n in sevens})
    if variant.startswith("fidcpp"):  # F(4x4) and F(2x2, 5x5) where fidcpp runs them
        plan.update({n: w2(POINTS["4x3-good"], 4) for n in wino4})
        plan.update({n: w2(POINTS["4x3-good"], 2) for n in fives})
    if variant in ("fidcpp", "fidcpp-8x8dir"):  # as fidcpp runs the network today
        plan.update({n: w1(POINTS["4x7"], 4) for n in sevens})
    if variant in ("fidcpp", "fidcpp-F27", "fidcpp-F37"):  # F(2x2) on the 8x8 3x3 layers (not fidcpp-8x8dir)
        plan.update({n: w2(POINTS["2x3"], 2) for n in wino3 - wino4})
    if variant == "fidcpp-F27":
        plan.update({n: w1(POINTS["2x7"]) for n in sevens})
    if variant == "fidcpp-F37":
        plan.update({n: w1(POINTS["3x7"], 3) for n in sevens})
    return plan


VARIANTS = ["direct", "F2x2", "F4x4-good", "F4x4-plain", "F4x4-stem", "F2x2+F27", "F2x2+F27-good", "fidcpp",
            "fidcpp-8x8dir", "fidcpp-F27", "fidcpp-F37"]


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(HERE)
    ap.add_argument("--images", default=",".join(os.path.join(root, "build", "images", d) for d in ("real_a", "real_b")))
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from bench_cpu_runtimes import crops, extractor, pool3_module
    from ref_real import find_default_pt, torchvision_state_dict

    # Self-check of the transforms on a small random layer against float64 (catches a wrong matrix at once).
    rng = torch.Generator().manual_seed(1)
    xs = torch.rand(2, 8, 13, 11, generator=rng, dtype=torch.float64)  # two images: batch indexing too
    ws = torch.randn(5, 8, 3, 3, generator=rng, dtype=torch.float64)
    bs = torch.zeros(5, dtype=torch.float64)
    ref = F.relu(F.conv2d(xs, ws, padding=1))
    for m, key in ((2, "2x3"), (4, "4x3-good"), (4, "4x3-plain")):
        got = winograd_2d(xs.float(), ws, bs, 1, m, POINTS[key]).double()
        assert (got - ref).abs().max() < 1e-4, key
    w5 = torch.randn(5, 8, 5, 5, generator=rng, dtype=torch.float64)
    got = winograd_2d(xs.float(), w5, bs, 2, 2, POINTS["4x3-good"]).double()
    assert (got - F.relu(F.conv2d(xs, w5, padding=2))).abs().max() < 1e-4, "2x5"
    w7 = torch.randn(5, 8, 1, 7, generator=rng, dtype=torch.float64)
    for key, m in (("2x7", 2), ("2x7-good", 2), ("3x7", 3), ("4x7", 4)):
        got = winograd_1d(xs.float(), w7, bs, False, POINTS[key], m).double()
        assert (got - F.relu(F.conv2d(xs, w7, padding=(0, 3)))).abs().max() < 1e-4, key
        got = winograd_1d(xs.float(), w7.transpose(2, 3), bs, True, POINTS[key], m).double()
        assert (got - F.relu(F.conv2d(xs, w7.transpose(2, 3), padding=(3, 0)))).abs().max() < 1e-4, key

    pt = find_default_pt()
    if not pt:
        sys.exit("winograd_accuracy: default_1.pt not found; run tools/fetch_weights.sh")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        wpath = os.path.join(tmp, "real.pth")
        torch.save(torchvision_state_dict(pt), wpath)
        hwc, names = crops(args.images, args.count)
        x = torch.from_numpy(hwc.transpose(0, 3, 1, 2).copy())
        with torch.no_grad():
            truth = pool3_module(extractor(wpath)).double()((x.double() - 128.0) / 128.0).numpy()
            x32 = (x.float() - 128.0) / 128.0
            print("pool3 of %d real 299x299 crops; per-image ||f - f64|| / ||f64||" % len(hwc))
            print("%-16s %10s %10s %6s" % ("variant", "worst", "median", "layers"))
            for variant in args.variants.split(","):
                net = extractor(wpath)
                plan = plans(net, variant)
                install(net, plan)
                f = pool3_module(net)(x32).double().numpy()
                err = np.linalg.norm(f - truth, axis=1) / np.linalg.norm(truth, axis=1)
                print("%-16s %10.2e %10.2e %6d" % (variant, err.max(), np.median(err), len(plan)), flush=True)


if __name__ == "__main__":
    main()
