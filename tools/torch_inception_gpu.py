"""PyTorch + cuDNN baseline for tools/gpu_check.sh: the FID Inception-v3 (pool3 path) timed on one GPU.

Self-contained (only torch is needed: the GPU machine has no torch-fidelity, torchvision or network). The layer
table is the one fidcpp runs (docs/conventions.md §1): BasicConv2d = conv without bias + BatchNorm(eps=1e-3) +
ReLU; FID's Mixed blocks average-pool with count_include_pad=False and Mixed_7c max-pools its pool branch.
Weights are random (speed does not depend on them).

Each configuration is timed with CUDA events over --iters forwards after a warm-up, medians of --repeat rounds:
  eager     the module as pytorch-fid / torch-fidelity run it (eval mode, BatchNorm as a separate op)
  folded    BatchNorm folded into the convolution's bias (what fidcpp runs), NCHW
  folded+cl the folded module in channels_last (NHWC), cuDNN's preferred layout
each with TF32 off (strict FP32, torch.backends.cudnn.allow_tf32 = False) and on.

Usage: python tools/torch_inception_gpu.py [--batches 1,32,128] [--iters 20] [--repeat 3] [--json OUT]
Prints one JSON object (also written to OUT): {"device": ..., "torch": ..., "rows": [{config, tf32, batch,
img_per_s}]}. Exits 77 with "no CUDA device" where torch sees none.
"""
import argparse
import json
import statistics
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicConv2d(nn.Module):
    def __init__(self, cin, cout, **kw):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, bias=False, **kw)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


def avg3(x):
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


class A(nn.Module):
    def __init__(self, cin, pool):
        super().__init__()
        self.b1 = BasicConv2d(cin, 64, kernel_size=1)
        self.b5_1 = BasicConv2d(cin, 48, kernel_size=1)
        self.b5_2 = BasicConv2d(48, 64, kernel_size=5, padding=2)
        self.b3_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.b3_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.b3_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.bp = BasicConv2d(cin, pool, kernel_size=1)

    def forward(self, x):
        return torch.cat([self.b1(x), self.b5_2(self.b5_1(x)), self.b3_3(self.b3_2(self.b3_1(x))),
                          self.bp(avg3(x))], 1)


class B(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.b3 = BasicConv2d(cin, 384, kernel_size=3, stride=2)
        self.bd_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.bd_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.bd_3 = BasicConv2d(96, 96, kernel_size=3, stride=2)

    def forward(self, x):
        return torch.cat([self.b3(x), self.bd_3(self.bd_2(self.bd_1(x))), F.max_pool2d(x, 3, stride=2)], 1)


class C(nn.Module):
    def __init__(self, cin, c7):
        super().__init__()
        self.b1 = BasicConv2d(cin, 192, kernel_size=1)
        self.b7 = nn.Sequential(BasicConv2d(cin, c7, kernel_size=1),
                                BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3)),
                                BasicConv2d(c7, 192, kernel_size=(7, 1), padding=(3, 0)))
        self.bd = nn.Sequential(BasicConv2d(cin, c7, kernel_size=1),
                                BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0)),
                                BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3)),
                                BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0)),
                                BasicConv2d(c7, 192, kernel_size=(1, 7), padding=(0, 3)))
        self.bp = BasicConv2d(cin, 192, kernel_size=1)

    def forward(self, x):
        return torch.cat([self.b1(x), self.b7(x), self.bd(x), self.bp(avg3(x))], 1)


class D(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.b3 = nn.Sequential(BasicConv2d(cin, 192, kernel_size=1),
                                BasicConv2d(192, 320, kernel_size=3, stride=2))
        self.b7 = nn.Sequential(BasicConv2d(cin, 192, kernel_size=1),
                                BasicConv2d(192, 192, kernel_size=(1, 7), padding=(0, 3)),
                                BasicConv2d(192, 192, kernel_size=(7, 1), padding=(3, 0)),
                                BasicConv2d(192, 192, kernel_size=3, stride=2))

    def forward(self, x):
        return torch.cat([self.b3(x), self.b7(x), F.max_pool2d(x, 3, stride=2)], 1)


class E(nn.Module):
    def __init__(self, cin, max_pool):
        super().__init__()
        self.max_pool = max_pool
        self.b1 = BasicConv2d(cin, 320, kernel_size=1)
        self.b3_1 = BasicConv2d(cin, 384, kernel_size=1)
        self.b3_2a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.b3_2b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.bd_1 = BasicConv2d(cin, 448, kernel_size=1)
        self.bd_2 = BasicConv2d(448, 384, kernel_size=3, padding=1)
        self.bd_3a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.bd_3b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.bp = BasicConv2d(cin, 192, kernel_size=1)

    def forward(self, x):
        b3 = self.b3_1(x)
        bd = self.bd_2(self.bd_1(x))
        pool = F.max_pool2d(x, 3, stride=1, padding=1) if self.max_pool else avg3(x)
        return torch.cat([self.b1(x), self.b3_2a(b3), self.b3_2b(b3), self.bd_3a(bd), self.bd_3b(bd),
                          self.bp(pool)], 1)


class FidInceptionPool3(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(BasicConv2d(3, 32, kernel_size=3, stride=2), BasicConv2d(32, 32, kernel_size=3),
                                  BasicConv2d(32, 64, kernel_size=3, padding=1), nn.MaxPool2d(3, stride=2),
                                  BasicConv2d(64, 80, kernel_size=1), BasicConv2d(80, 192, kernel_size=3),
                                  nn.MaxPool2d(3, stride=2))
        self.mixed = nn.Sequential(A(192, 32), A(256, 64), A(288, 64), B(288), C(768, 128), C(768, 160),
                                   C(768, 160), C(768, 192), D(768), E(1280, False), E(2048, True))

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(self.mixed(self.stem(x)), 1), 1)


def fold_batchnorm(model):
    """Replaces every BasicConv2d's conv + BN by one conv with bias (same function in eval mode)."""
    for m in model.modules():
        if isinstance(m, BasicConv2d):
            bn, conv = m.bn, m.conv
            scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                              bias=True).to(conv.weight.device)
            with torch.no_grad():
                fused.weight.copy_(conv.weight * scale.reshape(-1, 1, 1, 1))
                fused.bias.copy_(bn.bias - bn.running_mean * scale)
            m.conv, m.bn = fused, nn.Identity()
    return model


def time_config(model, batch, iters, repeat, channels_last):
    x = torch.randn(batch, 3, 299, 299, device="cuda")
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    rates = []
    with torch.inference_mode():
        for _ in range(3):
            model(x)
        torch.cuda.synchronize()
        for _ in range(repeat):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(iters):
                model(x)
            end.record()
            end.synchronize()
            rates.append(batch * iters / (start.elapsed_time(end) / 1000.0))
    return statistics.median(rates)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", default="1,32,128")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device (torch.cuda.is_available() is False)", file=sys.stderr)
        sys.exit(77)
    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = True
    eager = FidInceptionPool3().cuda().eval()
    with torch.no_grad():
        for m in eager.modules():  # non-trivial BatchNorm statistics, so folding is not the identity
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    folded = fold_batchnorm(FidInceptionPool3().cuda().eval())
    folded_cl = fold_batchnorm(FidInceptionPool3().cuda().eval()).to(memory_format=torch.channels_last)
    rows = []
    for tf32 in (False, True):
        torch.backends.cudnn.allow_tf32 = tf32
        torch.backends.cuda.matmul.allow_tf32 = tf32
        for batch in [int(b) for b in args.batches.split(",")]:
            for name, model, cl in (("eager", eager, False), ("folded", folded, False),
                                    ("folded+cl", folded_cl, True)):
                rate = time_config(model, batch, args.iters, args.repeat, cl)
                rows.append({"config": name, "tf32": tf32, "batch": batch, "img_per_s": round(rate, 1)})
                print(f"pytorch {name:10s} tf32={'on ' if tf32 else 'off'} batch {batch:4d}: {rate:9.1f} img/s",
                      file=sys.stderr)
    out = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
           "cudnn": torch.backends.cudnn.version(), "rows": rows}
    text = json.dumps(out, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
