"""Reference features of the FID Inception-v3 on synthetic weights and images (tests/model/test_inception_forward).

Runs torch-fidelity's FeatureExtractorInceptionV3 (all six taps, uint8 input, its own TF1 resize, which is the
identity at 299x299, and (x-128)/128) and pytorch-fid's InceptionV3 (blocks 0-3, same normalised input, float32
and float64) on the weights and images of tools/synthetic_weights.py, and writes raw little-endian arrays:

  <out>/model/images_u8.bin          N x 299 x 299 x 3 uint8 (so the C++ side can check its image generator)
  <out>/model/tfid_<tap>.f32         torch-fidelity features, N x dim float32
  <out>/model/pfid_<tap>.f32         pytorch-fid features (taps 64/192/768/2048), float32
  <out>/model/pfid64_<tap>.f64       pytorch-fid run in float64 (the "exact" answer), float64
  <out>/model/manifest.json          shapes, seeds, package versions

Usage: python tools/ref_model.py --out DIR [--images 16]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthetic_weights import synthetic_image_u8, synthetic_tensor, normalised_chw  # noqa: E402

TAPS = ["64", "192", "768", "2048", "logits_unbiased", "logits"]
HERE = os.path.dirname(os.path.abspath(__file__))


def state_dict_from_key_list():
    sd = {}
    with open(os.path.join(HERE, "..", "tests", "data", "inception_keys.tsv")) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            key, shape, dtype = line.rstrip("\n").split("\t")[:3]
            dims = tuple(int(d) for d in shape.strip("[]()").replace(" ", "").split(",") if d)
            if "int64" in dtype:
                sd[key] = torch.zeros(dims, dtype=torch.int64)
            else:
                sd[key] = torch.from_numpy(synthetic_tensor(key, dims))
    return sd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    out = os.path.join(args.out, "model")
    os.makedirs(out, exist_ok=True)
    t0 = time.time()

    sd = state_dict_from_key_list()
    wpath = os.path.join(out, "synthetic_weights.pth")
    torch.save(sd, wpath)

    imgs = np.stack([synthetic_image_u8(i) for i in range(args.images)])  # N x H x W x 3
    imgs.tofile(os.path.join(out, "images_u8.bin"))
    x_u8 = torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous()
    x_f = torch.from_numpy(np.stack([normalised_chw(im) for im in imgs]))

    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
    from torch_fidelity.interpolate_compat_tensorflow import interpolate_bilinear_2d_like_tensorflow1x

    # torch-fidelity always runs its TF1 resize; at 299 -> 299 it must be the identity for the inputs to agree.
    same = interpolate_bilinear_2d_like_tensorflow1x(x_u8.float(), size=(299, 299), align_corners=False)
    assert torch.equal(same, x_u8.float()), "TF1 resize is not the identity at 299x299"

    tf = FeatureExtractorInceptionV3("inception-v3-compat", TAPS, feature_extractor_weights_path=wpath)
    with torch.no_grad():
        feats = tf(x_u8)
    for name, f in zip(TAPS, feats):
        f.numpy().astype("<f4").tofile(os.path.join(out, "tfid_%s.f32" % name))

    import pytorch_fid.inception as pfi

    pfi.load_state_dict_from_url = lambda *a, **k: {k2: v for k2, v in sd.items() if "num_batches" not in k2}
    net = pfi.InceptionV3(output_blocks=[0, 1, 2, 3], resize_input=False, normalize_input=False, use_fid_inception=True)
    net.eval()
    rel_pf_vs_tf = {}
    for dtype, suffix in ((torch.float32, "f32"), (torch.float64, "f64")):
        net = net.to(dtype)
        with torch.no_grad():
            blocks = net(x_f.to(dtype))
        for tap, b in zip(["64", "192", "768", "2048"], blocks):
            v = torch.nn.functional.adaptive_avg_pool2d(b, (1, 1)).squeeze(-1).squeeze(-1).numpy()
            if suffix == "f32":
                v.astype("<f4").tofile(os.path.join(out, "pfid_%s.f32" % tap))
                ref = feats[TAPS.index(tap)].numpy()
                rel_pf_vs_tf[tap] = float(np.max(np.linalg.norm(v - ref, axis=1) / np.linalg.norm(ref, axis=1)))
            else:
                v.astype("<f8").tofile(os.path.join(out, "pfid64_%s.f64" % tap))
    os.remove(wpath)

    import torch_fidelity
    import pytorch_fid

    manifest = {
        "images": args.images,
        "taps": {t: int(f.shape[1]) for t, f in zip(TAPS, feats)},
        "versions": {"torch": torch.__version__, "torch_fidelity": torch_fidelity.__version__,
                     "pytorch_fid": pytorch_fid.__version__, "numpy": np.__version__},
        "pytorch_fid_vs_torch_fidelity_max_rel": rel_pf_vs_tf,
        "seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
