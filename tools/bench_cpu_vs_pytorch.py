"""Side-by-side CPU throughput: fidcpp's bench_cpu (BM_Network) vs PyTorch running torch-fidelity's Inception-v3
extractor (tap 2048) on the same synthetic weights, uint8 299x299 inputs, same thread count and batch sizes.
Each configuration runs in its own process so peak RSS is per configuration. The parent never imports torch: Linux
carries a process's peak RSS across fork + exec (ru_maxrss), so a child forked from a torch-laden parent would
report the parent's hundreds of MB as its own.

The machine may be shared: each configuration runs --repeat times (default 3), alternating the two tools, and
the table reports the median images/s of each tool (and the largest peak RSS); --repeat 1 gives single runs.

Usage: python tools/bench_cpu_vs_pytorch.py --bench build/bench/bench_cpu [--threads 2] [--batches 1,8,32]
       [--repeat 3]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def torch_worker(weights, batch, threads, seconds):
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    sys.path.insert(0, HERE)
    from synthetic_weights import synthetic_image_u8
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    net = FeatureExtractorInceptionV3("inception-v3-compat", ["2048"], feature_extractor_weights_path=weights)
    x = torch.from_numpy(np.stack([synthetic_image_u8(i % 16) for i in range(batch)])).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        for _ in range(3):  # warm-up: oneDNN builds its primitives on the first calls
            net(x)
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds or n == 0:
            net(x)
            n += batch
        dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"images_per_s": n / dt, "rss_mb": rss}))


def save_weights_worker(path):
    import torch

    sys.path.insert(0, HERE)
    from ref_model import state_dict_from_key_list

    torch.save(state_dict_from_key_list(), path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(HERE, "..", "build", "bench", "bench_cpu"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", default="1,8,32,50,64")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--repeat", type=int, default=3, help="runs per configuration and tool; the median is reported")
    ap.add_argument("--torch-worker", nargs=3, metavar=("WEIGHTS", "BATCH", "THREADS"))
    ap.add_argument("--save-weights-worker", metavar="PATH")
    args = ap.parse_args()
    if args.torch_worker:
        w, b, t = args.torch_worker
        torch_worker(w, int(b), int(t), args.seconds)
        return
    if args.save_weights_worker:
        save_weights_worker(args.save_weights_worker)
        return

    with tempfile.TemporaryDirectory() as tmp:
        wpath = os.path.join(tmp, "w.pth")
        subprocess.run([sys.executable, __file__, "--save-weights-worker", wpath], check=True)
        # The machine's FP32 GEMM roofline, measured by the same program: the micro-kernel on cache-resident
        # panels on every thread.
        peak_out = subprocess.run([args.bench, "--benchmark_filter=BM_MicroKernelPeak/%d/" % args.threads,
                                   "--benchmark_format=json"], check=True, capture_output=True, text=True).stdout
        bench = json.loads(peak_out)["benchmarks"][0]
        peak = bench["GFLOP/s"]
        print("measured FP32 GEMM peak (BM_MicroKernelPeak, %d threads): %.1f GFLOP/s" % (args.threads, peak))
        print("%6s %8s | %12s %9s %9s | %12s %9s | %6s" % ("batch", "threads", "fidcpp img/s", "RSS MB",
                                                          "% peak", "torch img/s", "RSS MB", "ratio"))
        for b in [int(v) for v in args.batches.split(",")]:
            fid_runs, torch_runs = [], []
            for _ in range(max(1, args.repeat)):
                # Fresh processes per run; RSS read from each child's own report.
                fid_cmd = [args.bench, "--benchmark_filter=BM_Network/%d/%d/" % (b, args.threads),
                           "--benchmark_format=json", "--benchmark_min_time=%g" % args.seconds]
                p = subprocess.Popen(fid_cmd, stdout=subprocess.PIPE, text=True)
                out = p.stdout.read()
                _, status, ru = os.wait4(p.pid, 0)  # this child's own rusage (RUSAGE_CHILDREN: a running max)
                p.returncode = 0
                if status != 0:
                    sys.exit("bench_cpu failed (status %d)" % status)
                res = json.loads(out)["benchmarks"][0]
                fid_runs.append((res["images/s"], ru.ru_maxrss / 1024.0, res["GFLOP/s"]))
                tout = subprocess.run([sys.executable, __file__, "--seconds", str(args.seconds), "--torch-worker",
                                       wpath, str(b), str(args.threads)], check=True, capture_output=True,
                                      text=True).stdout
                tres = json.loads(tout.strip().splitlines()[-1])
                torch_runs.append((tres["images_per_s"], tres["rss_mb"]))
            fid_ips = statistics.median(r[0] for r in fid_runs)
            fid_rss = max(r[1] for r in fid_runs)
            fid_gflops = statistics.median(r[2] for r in fid_runs)
            t_ips = statistics.median(r[0] for r in torch_runs)
            t_rss = max(r[1] for r in torch_runs)
            print("%6d %8d | %12.2f %9.0f %8.0f%% | %12.2f %9.0f | %6.2fx   (runs: fidcpp %s; torch %s)" % (
                b, args.threads, fid_ips, fid_rss, 100.0 * fid_gflops / peak, t_ips, t_rss, fid_ips / t_ips,
                " ".join("%.2f" % r[0] for r in fid_runs), " ".join("%.2f" % r[0] for r in torch_runs)))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
