"""Reference features of the FID Inception-v3 on synthetic weights and images (tests/model/test_inception_forward).

Runs torch-fidelity's FeatureExtractorInceptionV3 (all six taps, uint8 input, its own TF1 resize, which is the
identity at 299x299, and (x-128)/128) and pytorch-fid's InceptionV3 (blocks 0-3, same normalised input, float32
and float64) on the weights and images of tools/synthetic_weights.py, and writes raw little-endian arrays:

  <out>/model/images_u8.bin          N x 299 x 299 x 3 uint8 (so the C++ side can check its image generator)
  <out>/model/tfid_<tap>.f32         torch-fidelity features, N x dim float32
  <out>/model/pfid_<tap>.f32         pytorch-fid features (taps 64/192/768/2048), float32
  <out>/model/pfid64_<tap>.f64       pytorch-fid run in float64 (the "exact" answer), float64
  <out>/model/manifest.json          shapes, seeds, package versions

and, for the end-to-end test on files (tests/model/test_pipeline_files), each package's own pipeline run on every
committed image of tests/data/images/ (PIL-decoded with Image.open(p).convert('RGB'), as the packages read files):

  <out>/model/files/files.txt                  the image file names (relative to tests/data/images/), sorted
  <out>/model/files/<mode>_<tap>.npy           N x dim float32, rows in files.txt order; modes and taps:
      torch-fidelity  FeatureExtractorInceptionV3 on the 1x3xHxW uint8 tensor: all six taps
      pytorch-fid     InceptionV3(resize_input=True, normalize_input=True, FID blocks) on ToTensor (u8 / 255):
                      64, 192, 768, 2048
      torchmetrics    NoTrainInceptionV3("inception-v3-compat", ["2048"]) (antialias=True default) on uint8: 2048

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
from ref_preprocess import IMAGE_EXTS  # noqa: E402

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


def write_file_pipelines(out, sd, wpath):
    """Each package's whole pipeline (its resize, normalisation and network) on the committed image files."""
    from PIL import Image
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
    from torchmetrics.image.fid import NoTrainInceptionV3
    import pytorch_fid.inception as pfi

    images_dir = os.path.join(HERE, "..", "tests", "data", "images")
    names = sorted(n for n in os.listdir(images_dir) if n.lower().endswith(IMAGE_EXTS))
    d = os.path.join(out, "files")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "files.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    u8 = []
    for n in names:
        with Image.open(os.path.join(images_dir, n)) as im:
            u8.append(torch.from_numpy(np.asarray(im.convert("RGB"), dtype=np.uint8).copy()).permute(2, 0, 1))
    # Every model resizes each batch to 299x299 by itself, so same-sized files share one batch (13 sizes for 31
    # files), which keeps the generator at a few seconds per package.
    groups = {}
    for i, x in enumerate(u8):
        groups.setdefault(tuple(x.shape), []).append(i)

    tf = FeatureExtractorInceptionV3("inception-v3-compat", TAPS, feature_extractor_weights_path=wpath).eval()
    pfi.load_state_dict_from_url = lambda *a, **k: {k2: v for k2, v in sd.items() if "num_batches" not in k2}
    pf_taps = ["64", "192", "768", "2048"]
    pf = pfi.InceptionV3(output_blocks=[0, 1, 2, 3], resize_input=True, normalize_input=True,
                         use_fid_inception=True).eval()
    tm = NoTrainInceptionV3(name="inception-v3-compat", features_list=["2048"], feature_extractor_weights_path=wpath)
    tm.eval()
    runs = {
        "torch-fidelity": (TAPS, lambda x: tf(x)),
        # Blocks 0-2 are feature maps; pytorch-fid's get_activations averages them the same way.
        "pytorch-fid": (pf_taps, lambda x: [torch.nn.functional.adaptive_avg_pool2d(b, (1, 1)).flatten(1)
                                            for b in pf(x.float() / 255.0)]),
        "torchmetrics": (["2048"], lambda x: [tm(x)]),
    }
    for mode, (taps, fn) in runs.items():
        feats = {t: [None] * len(names) for t in taps}
        with torch.no_grad():
            for idx in groups.values():
                outs = fn(torch.stack([u8[i] for i in idx]))
                for t, o in zip(taps, outs):
                    for row, i in enumerate(idx):
                        feats[t][i] = o[row].reshape(-1).numpy()
        for t in taps:
            np.save(os.path.join(d, "%s_%s.npy" % (mode, t)), np.stack(feats[t]).astype("<f4"))
    return len(names)


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
    t1 = time.time()
    n_files = write_file_pipelines(out, sd, wpath)
    files_seconds = time.time() - t1
    os.remove(wpath)

    import torch_fidelity
    import pytorch_fid

    manifest = {
        "images": args.images,
        "taps": {t: int(f.shape[1]) for t, f in zip(TAPS, feats)},
        "versions": {"torch": torch.__version__, "torch_fidelity": torch_fidelity.__version__,
                     "pytorch_fid": pytorch_fid.__version__, "numpy": np.__version__},
        "pytorch_fid_vs_torch_fidelity_max_rel": rel_pf_vs_tf,
        "files": n_files,
        "files_seconds": round(files_seconds, 1),
        "seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
