"""Writes the small synthetic PyTorch checkpoints in tests/data/weights/ read by tests/io/test_torch_archive.cpp.

The same tiny conv/BN module is saved in the three formats fidcpp's converter reads (legacy torch.save, zip
torch.save, TorchScript), plus storage-view cases, a float64 tensor and malicious pickles; expected.npz holds the
tensors as PyTorch sees them, written by numpy. With --source default_1.pt it also writes default_1_names.tsv
(NVIDIA TorchScript names, shapes, and the pytorch-fid key each maps to; see tools/ref_weights.py).
Usage: python tools/make_weight_fixtures.py [--out tests/data/weights] [--source PATH/default_1.pt]
"""
import argparse
import io
import os
import sys
import zipfile

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splitmix64 import SplitMix64  # noqa: E402


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, bias=False)
        self.bn = nn.BatchNorm2d(4, eps=1e-3)
        self.layers = nn.Sequential(nn.Conv2d(4, 2, (1, 3), bias=True), nn.BatchNorm2d(2))

    def forward(self, x):
        return self.layers(self.bn(self.conv(x)))


def tiny_module():
    m = Tiny().eval()
    rng = SplitMix64(20151205)
    with torch.no_grad():
        for name, t in m.state_dict().items():
            if t.dtype == torch.float32:
                vals = rng.uniform_f32_array(t.numel()) * np.float32(2.0) - np.float32(1.0)
                if name.endswith("running_var"):
                    vals = np.abs(vals) + np.float32(0.5)
                t.copy_(torch.from_numpy(vals.reshape(tuple(t.shape))))
            else:
                t.fill_(7)
    return m


def pickle_bytes_os_system():
    # GLOBAL 'os system', the argument tuple ('echo pwned',), REDUCE, STOP: what a booby-trapped checkpoint holds.
    return b"\x80\x02cos\nsystem\nq\x00X\x0a\x00\x00\x00echo pwnedq\x01\x85q\x02Rq\x03."


def write_names_tsv(source, path):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from ref_weights import nvidia_to_pytorch_fid  # the Python side of the name map

    m = torch.jit.load(source, map_location="cpu")
    with open(path, "w") as f:
        f.write("# nvidia_name\tshape\tpytorch_fid_key (from tools/ref_weights.py; made by make_weight_fixtures.py)\n")
        for k, v in m.state_dict().items():
            f.write("%s\t%s\t%s\n" % (k, ",".join(str(d) for d in v.shape), nvidia_to_pytorch_fid(k)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "data", "weights"))
    ap.add_argument("--source", default=None, help="default_1.pt, to (re)write default_1_names.tsv")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    out = args.out
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)

    m = tiny_module()
    sd = m.state_dict()
    np.savez(p("expected.npz"), **{k: v.numpy() for k, v in sd.items() if v.dtype == torch.float32})
    torch.save(sd, p("tiny_zip.pth"))
    torch.save(sd, p("tiny_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.jit.save(torch.jit.script(m), p("tiny_script.pt"))

    # Views into one storage: offsets and shared storages are fine, a transposed (non-contiguous) view is not.
    base = torch.arange(20, dtype=torch.float32) * 0.5 - 3.0
    views = {"a": base[5:9], "b": base.view(4, 5)[2], "c": base.view(2, 10)}
    np.savez(p("views_expected.npz"), **{k: v.numpy() for k, v in views.items()})
    torch.save(views, p("views_zip.pth"))
    torch.save(views, p("views_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save({"t": base.view(4, 5).t()}, p("noncontiguous.pth"))
    torch.save({"w64": torch.zeros(3, dtype=torch.float64)}, p("float64.pth"))

    # A zip-format checkpoint whose data.pkl calls os.system, and the same pickle as a legacy file.
    with zipfile.ZipFile(p("malicious_zip.pth"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pickle_bytes_os_system())
        z.writestr("archive/version", "3\n")
    with open(p("malicious_legacy.pth"), "wb") as f:
        f.write(pickle_bytes_os_system())

    if args.source:
        write_names_tsv(args.source, p("default_1_names.tsv"))
    print("torch", torch.__version__, "numpy", np.__version__, "->", os.path.abspath(out))


if __name__ == "__main__":
    main()
