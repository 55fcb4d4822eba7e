#!/usr/bin/env python3
"""Builds two folders of real photographs for the README's main job and the real-weights parity tests.

Source: the sample photographs bundled in the scikit-image 0.26.0 wheel from PyPI (skimage/data/), all CC0 or
public domain according to skimage/data/_fetchers.py (astronaut: NASA, public domain; chelsea, coffee, camera,
coins, cell, horse, microaneurysms: CC0; rocket: SpaceX, public domain; hubble_deep_field: NASA, public domain;
retina: CC0; brick/grass/gravel: CC0 Textures; moon, text, page: no known restrictions).

Each set holds crops of different sizes taken at seeded random positions, saved alternately as JPEG (Pillow,
quality 92) and PNG, so both decoders are exercised. Set A and set B come from disjoint photographs.
Usage: make_image_sets.py --wheel scikit_image-0.26.0-....whl --out DIR [--per-set 128] [--jpeg-only] [--size S]
"""
import argparse
import io
import os
import random
import zipfile

from PIL import Image

SET_A = ["astronaut.png", "chelsea.png", "coffee.png", "camera.png", "coins.png", "brick.png", "grass.png"]
SET_B = ["rocket.jpg", "hubble_deep_field.jpg", "retina.jpg", "moon.png", "gravel.png", "cell.png", "text.png"]


def load(zf, name):
    with zf.open("skimage/data/" + name) as f:
        img = Image.open(io.BytesIO(f.read()))
        img.load()
    return img.convert("RGB")


def make_set(zf, names, out_dir, count, seed, jpeg_only=False, size=0):
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(seed)
    photos = [load(zf, n) for n in names]
    for i in range(count):
        img = photos[i % len(photos)]
        w, h = img.size
        side = rng.randint(min(96, w, h), min(320, w, h))
        aspect = rng.uniform(0.75, 1.33)
        cw, ch = min(w, max(16, int(side * aspect))), min(h, side)
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        crop = img.crop((x, y, x + cw, y + ch))
        if size:  # one size for the whole set, as generator output is (pytorch-fid batches need it)
            crop = crop.resize((size, size), Image.BICUBIC)
        if i % 2 == 0 or jpeg_only:
            crop.save(os.path.join(out_dir, "%03d.jpg" % i), quality=92)
        else:
            crop.save(os.path.join(out_dir, "%03d.png" % i))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-set", type=int, default=128)
    ap.add_argument("--jpeg-only", action="store_true", help="every image as JPEG (end-to-end benchmark)")
    ap.add_argument("--size", type=int, default=0, help="resize every crop to SIZE x SIZE (0: keep crop sizes)")
    a = ap.parse_args()
    with zipfile.ZipFile(a.wheel) as zf:
        make_set(zf, SET_A, os.path.join(a.out, "real_a"), a.per_set, 1, a.jpeg_only, a.size)
        make_set(zf, SET_B, os.path.join(a.out, "real_b"), a.per_set, 2, a.jpeg_only, a.size)
    print("images: %d + %d in %s" % (a.per_set, a.per_set, a.out))


if __name__ == "__main__":
    main()
