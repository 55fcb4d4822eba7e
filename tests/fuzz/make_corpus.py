#!/usr/bin/env python3
"""Regenerates the seed corpora in tests/fuzz/corpus/<target>/ from the test fixtures (tests/data) plus a few
hand-made edge cases. Standard library only; deterministic. Usage: python3 tests/fuzz/make_corpus.py"""
import io
import json
import os
import pickle
import shutil
import struct
import zipfile
import zlib
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data")
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def fixture(*parts):
    with open(os.path.join(DATA, *parts), "rb") as f:
        return f.read()


def copy_fixtures(target, folder, names):
    for n in names:
        put(target, n, fixture(folder, n))


def zip_bytes(members, compression=zipfile.ZIP_STORED, force_zip64=False):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = compression
            with z.open(info, "w", force_zip64=force_zip64) as f:
                f.write(data)
    return buf.getvalue()


def safetensors(tensors, metadata=None):
    header, blobs, off = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def npy(descr, shape, payload, version=1):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, repr(tuple(shape)))
    pre = 10 if version == 1 else 12
    header += " " * (-(pre + len(header) + 1) % 64) + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode("latin1") + payload


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    images = sorted(os.listdir(os.path.join(DATA, "images")))
    for target, exts in [("decode_jpeg", (".jpg",)), ("decode_png", (".png",)), ("decode_gif", (".gif",)),
                         ("decode_bmp", (".bmp",)), ("decode_pnm", (".ppm", ".pgm", ".pnm")),
                         ("decode_webp", (".webp",)), ("decode_tiff", (".tif", ".tiff"))]:
        copy_fixtures(target, "images", [n for n in images if n.endswith(exts)])
    # Hand-made small images: 2x2 PNM of each type with comments, a 2x1 24-bit BMP.
    put("decode_pnm", "p2_comment.pgm", b"P2\n# c\n2 2\n255\n0 64\n128 255\n")
    put("decode_pnm", "p3_small.ppm", b"P3 2 1 255 255 0 0 0 255 0\n")
    put("decode_pnm", "p5_small.pgm", b"P5\n2 2\n255\n\x00\x40\x80\xff")
    put("decode_pnm", "p6_small.ppm", b"P6\n1 2\n255\n\x01\x02\x03\x04\x05\x06")
    px = b"\x00\x00\xff\x00\xff\x00\x00\x00"  # two BGR pixels + row padding to 4 bytes
    bmp = b"BM" + struct.pack("<IHHI", 14 + 40 + len(px), 0, 0, 54)
    bmp += struct.pack("<IiiHHIIiiII", 40, 2, 1, 1, 24, 0, len(px), 2835, 2835, 0, 0) + px
    put("decode_bmp", "rgb24_2x1.bmp", bmp)

    f32 = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    put("safetensors", "one_f32.safetensors", safetensors([("w", "F32", [2, 3], f32)]))
    put("safetensors", "metadata.safetensors",
        safetensors([("a.weight", "F32", [3], f32[:12]), ("a.bias", "F32", [1], f32[12:16])],
                    {"format": "pt", "source": "fuzz"}))
    put("safetensors", "mixed_dtypes.safetensors",
        safetensors([("n", "I64", [], struct.pack("<q", 7)), ("x", "F32", [0, 4], b""), ("y", "F16", [2], b"\0" * 4),
                     ("z", "F32", [1, 1, 2], f32[:8])]))
    put("safetensors", "empty.safetensors", safetensors([], {}))

    put("zip", "images.zip", fixture("images", "images.zip"))
    put("zip", "stats_deflated.npz", fixture("io", "stats_deflated.npz"))
    members = [("a.txt", b"hello zip\n" * 8), ("dir/", b""), ("dir/b.bin", bytes(range(256)))]
    put("zip", "stored.zip", zip_bytes(members))
    put("zip", "deflated.zip", zip_bytes(members, zipfile.ZIP_DEFLATED))
    put("zip", "zip64.zip", zip_bytes(members[:1], zipfile.ZIP_DEFLATED, force_zip64=True))
    put("zip", "empty.zip", zip_bytes([]))

    legacy = ["tiny_legacy.pth", "views_legacy.pth", "malicious_legacy.pth"]
    copy_fixtures("torch_legacy", "weights", legacy)
    copy_fixtures("torch_zip", "weights",
                  ["tiny_zip.pth", "views_zip.pth", "noncontiguous.pth", "float64.pth", "malicious_zip.pth"])
    copy_fixtures("torchscript", "weights", ["tiny_script.pt"])
    with zipfile.ZipFile(os.path.join(DATA, "weights", "tiny_script.pt")) as z:  # without the code/ members
        kept = [(n, z.read(n)) for n in z.namelist() if "/code/" not in n]
    put("torchscript", "tiny_script_nocode.pt", zip_bytes(kept))

    copy_fixtures("pickle", "weights", legacy)
    with zipfile.ZipFile(os.path.join(DATA, "weights", "tiny_zip.pth")) as z:
        put("pickle", "tiny_zip_data.pkl", z.read("tiny_zip/data.pkl"))
    with zipfile.ZipFile(os.path.join(DATA, "weights", "tiny_script.pt")) as z:
        put("pickle", "tiny_script_data.pkl", z.read("tiny_script/data.pkl"))
        put("pickle", "tiny_script_constants.pkl", z.read("tiny_script/constants.pkl"))
    obj = OrderedDict([("a", [1, 2.5, None, True, False]), ("b", (b"xy", "z" * 300, -(2**70))), ("c", {})])
    for proto in (2, 3, 4):
        put("pickle", "values_p%d.pkl" % proto, pickle.dumps(obj, protocol=proto))

    for n in ["empty.npy", "f2.npy", "f4_be.npy", "f4_c.npy", "f4_fortran.npy", "f8_be.npy", "f8_c.npy",
              "f8_fortran.npy", "i8.npy", "scalar.npy", "u1.npy", "v2.npy"]:
        put("npy", n, fixture("io", n))
    put("npy", "v3_f8.npy", npy("<f8", [2], struct.pack("<2d", 1.5, -2), version=3))

    put("npz", "stats_stored.npz", fixture("io", "stats_stored.npz"))
    put("npz", "stats_deflated.npz", fixture("io", "stats_deflated.npz"))
    put("npz", "views_expected.npz", fixture("weights", "views_expected.npz"))
    arrays = [("mu.npy", npy("<f8", [2], struct.pack("<2d", 0.5, 1))),
              ("sigma.npy", npy("<f4", [2, 2], struct.pack("<4f", 1, 0, 0, 1))),
              ("n.npy", npy("<i8", [], struct.pack("<q", 3)))]
    put("npz", "small_stored.npz", zip_bytes(arrays))
    put("npz", "small_deflated.npz", zip_bytes(arrays, zipfile.ZIP_DEFLATED))

    put("list_file", "images_list.txt", fixture("images", "images_list.txt"))
    put("list_file", "zip_members.txt", b"images.zip::jpeg_gray.jpg\nimages.zip::sub/png_gray.png\n")
    put("list_file", "crlf_comments.txt", b"# list\r\n\r\n\t png_gray.png \r\n./gif_trns.gif\r\n#x\r\n")
    put("list_file", "absolute.txt", (os.path.join(DATA, "images", "ppm_rgb.ppm") + "\n").encode())
    put("list_file", "missing.txt", b"png_rgb.png\nno_such_file.png\n")


if __name__ == "__main__":
    main()
