#!/usr/bin/env python3
"""Reference outputs for the image area: PIL-decoded pixels of tests/data/images/ and, for every preprocessing mode
(docs/conventions.md §2.1-2.7), the resized image and the final network input, produced by the REAL reference functions.

Usage: ref_preprocess.py --out DIR [--only decode|resize]   (writes DIR/preprocess/...; deterministic; ~20 s on
2 cores; "--only decode" needs only Pillow + numpy and takes a second)

Files (all raw little-endian, shapes implied by the names and documented in tests/preprocess/ref_data.h):
  decode/<image file name>.rgb            uint8 H*W*3 of Image.open(p).convert('RGB'), preceded by int32 H, W
  decode/cmyk_table.rgb                   Pillow's CMYK->RGB for c,m,y in 0..255 step 17 and all k (see below)
  resize_<mode>_<H>x<W>.f32               float32 3*299*299 CHW, the resized image before normalisation
  input_<mode>_<H>x<W>.f32                float32 3*299*299 CHW, the value fed to the first conv
The uint8 input for size HxW is SplitMix64(seed = H * 100003 + W).byte() in H*W*3 (HWC) order.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splitmix64 import SplitMix64  # noqa: E402

SIZES = [(32, 32), (48, 64), (256, 256), (300, 512), (1000, 17), (299, 299)]  # (H, W)
MODES = ["torch-fidelity", "torchmetrics", "pytorch-fid", "clean-fid", "clean-fid-legacy-tf"]
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".tga", ".gif", ".ppm", ".pgm", ".pnm", ".webp", ".tif", ".tiff")


def make_input(h, w):
    return SplitMix64(h * 100003 + w).byte_array(h * w * 3).reshape(h, w, 3)


def nvidia_grid_sample_resize(x):
    """The resize inside NVIDIA's TorchScript Inception (clean-fid legacy_tensorflow), docs/conventions.md §2.6."""
    import torch
    import torch.nn.functional as F

    b, c, h, w = x.shape
    theta = torch.eye(2, 3, device=x.device)
    theta[0, 2] += theta[0, 0] / w - theta[0, 0] / 299
    theta[1, 2] += theta[1, 1] / h - theta[1, 1] / 299
    theta = theta.to(x.dtype).unsqueeze(0).repeat([b, 1, 1])
    grid = F.affine_grid(theta, [b, c, 299, 299], align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def run_mode(mode, img):
    """img: uint8 HWC numpy. Returns (resized CHW float32, network input CHW float32)."""
    import torch
    import torch.nn.functional as F
    from PIL import Image

    t = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1))).unsqueeze(0)  # 1x3xHxW uint8
    if mode == "torch-fidelity":
        from torch_fidelity.interpolate_compat_tensorflow import interpolate_bilinear_2d_like_tensorflow1x

        r = interpolate_bilinear_2d_like_tensorflow1x(t.to(torch.float32), size=(299, 299), align_corners=False)
        x = (r - 128) / 128
    elif mode == "torchmetrics":
        r = F.interpolate(t.to(torch.float), size=(299, 299), mode="bilinear", align_corners=False, antialias=True)
        x = (r - 128) / 128
    elif mode == "pytorch-fid":
        # pytorch-fid's CLI: PIL RGB -> ToTensor (v/255) -> F.interpolate -> 2x-1.
        v = t.to(torch.float32).div(255)
        r = F.interpolate(v, size=(299, 299), mode="bilinear", align_corners=False)
        x = 2 * r - 1
    elif mode == "clean-fid":
        # clean-fid cleanfid/resize.py make_resizer("PIL", False, "bicubic", (299, 299)).
        chans = []
        for ch in range(3):
            pil = Image.fromarray(img[:, :, ch].astype(np.float32))
            assert pil.mode == "F"
            pil = pil.resize((299, 299), resample=Image.BICUBIC)
            chans.append(np.asarray(pil).clip(0, 255))
        r = torch.from_numpy(np.stack(chans, 0)).unsqueeze(0)
        x = (r - 128) / 128
    elif mode == "clean-fid-legacy-tf":
        v = t.to(torch.float32).div(255) * 255  # ToTensor then *255 (exact round trip, §2.6)
        r = nvidia_grid_sample_resize(v)
        x = (r - 128) / 128
    else:
        raise ValueError(mode)
    return r[0].numpy().astype(np.float32), x[0].numpy().astype(np.float32)


def write_resizes(out):
    import torch

    torch.set_num_threads(2)
    d = os.path.join(out, "preprocess")
    os.makedirs(d, exist_ok=True)
    for h, w in SIZES:
        img = make_input(h, w)
        for mode in MODES:
            r, x = run_mode(mode, img)
            r.astype("<f4").tofile(os.path.join(d, f"resize_{mode}_{h}x{w}.f32"))
            x.astype("<f4").tofile(os.path.join(d, f"input_{mode}_{h}x{w}.f32"))


def write_decoded(out, images_dir):
    from PIL import Image

    d = os.path.join(out, "preprocess", "decode")
    os.makedirs(d, exist_ok=True)
    for name in sorted(os.listdir(images_dir)):
        if not name.lower().endswith(IMAGE_EXTS):
            continue
        with Image.open(os.path.join(images_dir, name)) as im:
            rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)
        with open(os.path.join(d, name + ".rgb"), "wb") as f:
            np.array(rgb.shape[:2], dtype="<i4").tofile(f)
            np.ascontiguousarray(rgb).tofile(f)
    # Pillow's CMYK -> RGB conversion over a grid of ink values (checks our conversion without a JPEG codec).
    c = np.arange(0, 256, 17, dtype=np.uint8)
    k = np.arange(256, dtype=np.uint8)
    cc, kk = np.meshgrid(c, k, indexing="ij")  # 16 x 256
    cmyk = np.stack([cc, np.roll(cc, 5, 0), np.roll(cc, 11, 0), kk], -1).astype(np.uint8)
    rgb = np.asarray(Image.fromarray(cmyk, "CMYK").convert("RGB"), dtype=np.uint8)
    with open(os.path.join(d, "cmyk_table.rgb"), "wb") as f:
        cmyk.tofile(f)
        rgb.tofile(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                                     "data", "images"))
    ap.add_argument("--only", choices=["decode", "resize"], default=None, help="write one part only")
    a = ap.parse_args()
    if a.only in (None, "decode"):
        write_decoded(a.out, a.images)
    if a.only in (None, "resize"):
        write_resizes(a.out)


if __name__ == "__main__":
    main()
