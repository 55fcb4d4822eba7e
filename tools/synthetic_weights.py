"""Deterministic synthetic Inception-v3 weights and test images, defined by name from SplitMix64.

The same definitions are implemented in C++ in tests/model/synthetic_weights.cpp; any change must be made in
both. Every tensor of the pytorch-fid state dict is filled from SplitMix64(fnv1a64(name) ^ WEIGHT_SEED), one
uniform_f32() per element in C order, mapped in double and rounded once to float32:

  *.conv.weight        (2u-1) * sqrt(6 / fan_in)      He-uniform, keeps ReLU activations O(1) over 94 layers
  *.bn.weight (gamma)  0.75 + 0.5u                    not 1, so that folding gamma is exercised
  *.bn.bias (beta)     (2u-1) * 0.1
  *.bn.running_mean    (2u-1) * 0.1
  *.bn.running_var     0.5 + u
  fc.weight            (2u-1) * sqrt(3 / 2048)
  fc.bias              (2u-1) * 0.1

Images (uint8 HWC 299x299x3), image i from SplitMix64(IMAGE_SEED + i): 9x9x3 grid bytes, bilinearly upsampled in
exact integer arithmetic (a smooth low-frequency pattern), plus per-pixel noise in [-16, 15], clamped.
"""
import math

import numpy as np

from splitmix64 import SplitMix64

WEIGHT_SEED = 20151205
IMAGE_SEED = 0x1D0C0000
IMAGE_SIZE = 299


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & ((1 << 64) - 1)
    return h


def synthetic_tensor(name, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    u = SplitMix64(fnv1a64(name) ^ WEIGHT_SEED).uniform_f32_array(n).astype(np.float64)
    if name.endswith(".conv.weight"):
        fan_in = int(np.prod(shape[1:]))
        v = (2.0 * u - 1.0) * math.sqrt(6.0 / fan_in)
    elif name.endswith(".bn.weight"):
        v = 0.75 + 0.5 * u
    elif name.endswith(".bn.bias") or name.endswith(".bn.running_mean") or name == "fc.bias":
        v = (2.0 * u - 1.0) * 0.1
    elif name.endswith(".bn.running_var"):
        v = 0.5 + u
    elif name == "fc.weight":
        v = (2.0 * u - 1.0) * math.sqrt(3.0 / 2048.0)
    else:
        raise ValueError("no synthetic definition for tensor " + name)
    return v.astype(np.float32).reshape(shape)


def synthetic_state_dict(module_state_dict):
    """Fills every float tensor of a torch state dict (same names as pytorch-fid) with its synthetic values."""
    import torch

    out = {}
    for name, t in module_state_dict.items():
        if t.dtype == torch.float32:
            out[name] = torch.from_numpy(synthetic_tensor(name, tuple(t.shape)))
        else:
            out[name] = t.clone()  # num_batches_tracked: unused in eval mode
    return out


def synthetic_image_u8(index):
    rng = SplitMix64(IMAGE_SEED + index)
    grid = rng.byte_array(9 * 9 * 3).astype(np.int64).reshape(9, 9, 3)
    noise = rng.byte_array(IMAGE_SIZE * IMAGE_SIZE * 3).astype(np.int64).reshape(IMAGE_SIZE, IMAGE_SIZE, 3)
    pos = np.arange(IMAGE_SIZE, dtype=np.int64) * 8 * 256 // (IMAGE_SIZE - 1)
    cell = np.minimum(pos >> 8, 7)
    frac = pos - cell * 256  # in [0, 256]
    gy, ay = cell[:, None, None], frac[:, None, None]
    gx, ax = cell[None, :, None], frac[None, :, None]
    ch = np.arange(3)[None, None, :]
    g00, g01 = grid[gy, gx, ch], grid[gy, gx + 1, ch]
    g10, g11 = grid[gy + 1, gx, ch], grid[gy + 1, gx + 1, ch]
    top = g00 * (256 - ax) + g01 * ax
    bottom = g10 * (256 - ax) + g11 * ax
    base = (top * (256 - ay) + bottom * ay) >> 16
    return np.clip(base + (noise >> 3) - 16, 0, 255).astype(np.uint8)


def normalised_chw(img_u8):
    """(u8 - 128) / 128 as float32 CHW, exactly torch-fidelity's normalisation (docs/conventions.md §2.1)."""
    return ((img_u8.astype(np.float32) - 128.0) / 128.0).transpose(2, 0, 1).copy()


if __name__ == "__main__":
    img = synthetic_image_u8(0)
    print(img.shape, img.dtype, int(img.sum()), img[0, 0].tolist(), img[150, 200].tolist())
    w = synthetic_tensor("Conv2d_1a_3x3.conv.weight", (32, 3, 3, 3))
    print(w.flatten()[:4].tolist())
