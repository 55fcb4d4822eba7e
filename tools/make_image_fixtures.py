#!/usr/bin/env python3
"""Writes the small committed decoder fixtures in tests/data/images/ (every format and pixel layout the decoder
handles), plus images.zip and images_list.txt for the source tests. Deterministic; run with the project venv.

Usage: make_image_fixtures.py [--out tests/data/images] [--skimage-wheel PATH]

Patterns are smooth seeded fields (tools/splitmix64.py); two crops come from scikit-image's sample data
(astronaut.png, coffee.png: public domain / CC0), read from the wheel without installing it.
Formats Pillow cannot write (16-bit RGB(A) PNG, Adam7 PNG, short palettes, 4-bit gray, ASCII PNM, partial GIF frames,
16-bit RGB(A), big-endian, premultiplied-alpha, MinIsWhite and tiled TIFF) are assembled byte by byte here; their expected pixels still come from Pillow reading them back.
"""
import argparse
import glob
import io
import os
import struct
import sys
import zipfile
import zlib

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splitmix64 import SplitMix64  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def smooth(h, w, c, seed):
    """A smooth uint8 field: a few random plane waves per channel plus +-3 levels of noise."""
    rng = SplitMix64(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    out = np.zeros((h, w, c), np.float64)
    for ch in range(c):
        acc = np.full((h, w), 128.0)
        for _ in range(3):
            fx, fy, ph, amp = (rng.uniform_f64() * 0.3, rng.uniform_f64() * 0.3, rng.uniform_f64() * 6.283,
                               20 + 30 * rng.uniform_f64())
            acc += amp * np.sin(fx * xx + fy * yy + ph)
        out[:, :, ch] = acc
    noise = rng.byte_array(h * w * c).reshape(h, w, c).astype(np.float64) % 7 - 3
    return np.clip(np.rint(out + noise), 0, 255).astype(np.uint8)


def png_chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def png_bytes(width, height, bit_depth, color_type, rows, interlace=0, extra=()):
    """rows: list of already-packed scanlines (filter byte added here, filter 0 or a cycling filter set)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    raw = b"".join(b"\x00" + r for r in rows)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
    for tag, data in extra:
        out += png_chunk(tag, data)
    return out + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")


def adam7_rgb(img):
    """An Adam7-interlaced 8-bit RGB PNG of img (HxWx3 uint8)."""
    h, w, _ = img.shape
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = img[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        for r in sub:
            raw += b"\x00" + r.tobytes()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw, 9)) +
            png_chunk(b"IEND", b""))


def gif_lzw(indices, min_code_size):
    """Plain GIF LZW encoder (emits a clear code when the table fills)."""
    clear, eoi = 1 << min_code_size, (1 << min_code_size) + 1
    size = min_code_size + 1
    table = {bytes([i]): i for i in range(clear)}
    nxt = eoi + 1
    bits, nbits, out = 0, 0, bytearray()

    def emit(code):
        nonlocal bits, nbits
        bits |= code << nbits
        nbits += size
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8

    emit(clear)
    cur = b""
    for v in indices:
        cand = cur + bytes([v])
        if cand in table:
            cur = cand
            continue
        emit(table[cur])
        if nxt < 4096:
            table[cand] = nxt
            nxt += 1
            if nxt > (1 << size) and size < 12:
                size += 1
        else:
            emit(clear)
            table = {bytes([i]): i for i in range(clear)}
            nxt, size = eoi + 1, min_code_size + 1
        cur = bytes([v])
    emit(table[cur])
    emit(eoi)
    if nbits:
        out.append(bits & 0xFF)
    return bytes(out)


def gif_partial_frame(screen_w, screen_h, frame, palette, bg_index, transparent=None):
    """A GIF whose only frame covers part of the logical screen (frame = (x, y, indices HxW))."""
    fx, fy, idx = frame
    fh, fw = idx.shape
    bits = 3
    gct = bytes(palette) + bytes(3 * (8 - len(palette) // 3))
    out = b"GIF89a" + struct.pack("<HHBBB", screen_w, screen_h, 0x80 | (bits - 1), bg_index, 0) + gct
    if transparent is not None:
        out += b"\x21\xf9\x04\x01\x00\x00" + bytes([transparent]) + b"\x00"
    out += b"\x2c" + struct.pack("<HHHHB", fx, fy, fw, fh, 0)
    data = gif_lzw(idx.reshape(-1).tolist(), 3)
    out += b"\x03"
    for i in range(0, len(data), 255):
        out += bytes([len(data[i:i + 255])]) + data[i:i + 255]
    return out + b"\x00\x3b"


def tiff_bytes(px, photometric, bps, order="<", compression=1, extra=(), orientation=None, rows_per_strip=None,
               tile=None, colormap=None):
    """A baseline TIFF of px (H x W x S ints), assembled here for layouts Pillow cannot write: any byte order,
    16-bit RGB, associated alpha, 1/2/4-bit MinIsWhite, tiles. compression: 1 (none) or 8 (zlib deflate)."""
    h, w, spp = px.shape

    def pack(block):  # rows of samples -> bytes, bits packed MSB first per row, 16-bit in `order`
        if bps == 16:
            return block.astype(order + "u2").tobytes()
        if bps == 8:
            return block.astype(np.uint8).tobytes()
        out = b""
        for row in block.reshape(block.shape[0], -1):
            bits = "".join(format(int(v), "0%db" % bps) for v in row)
            bits += "0" * (-len(bits) % 8)
            out += bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
        return out

    blocks = []
    if tile:
        tw, th = tile
        for y0 in range(0, h, th):
            for x0 in range(0, w, tw):
                t = np.zeros((th, tw, spp), px.dtype)
                part = px[y0:y0 + th, x0:x0 + tw]
                t[:part.shape[0], :part.shape[1]] = part
                blocks.append(pack(t))
    else:
        rps = rows_per_strip or h
        blocks = [pack(px[y0:y0 + rps]) for y0 in range(0, h, rps)]
    if compression == 8:
        blocks = [zlib.compress(b, 9) for b in blocks]
    body = bytearray(b"II*\0" if order == "<" else b"MM\0*") + b"\0\0\0\0"
    offsets = []
    for b in blocks:
        offsets.append(len(body))
        body += b + b"\0" * (len(b) % 2)
    entries = [(256, 4, [w]), (257, 4, [h]), (258, 3, [bps] * spp), (259, 3, [compression]), (262, 3, [photometric]),
               (277, 3, [spp]), (284, 3, [1])]
    if tile:
        entries += [(322, 4, [tile[0]]), (323, 4, [tile[1]]), (324, 4, offsets), (325, 4, [len(b) for b in blocks])]
    else:
        entries += [(273, 4, offsets), (278, 4, [rows_per_strip or h]), (279, 4, [len(b) for b in blocks])]
    if orientation:
        entries.append((274, 3, [orientation]))
    if colormap is not None:
        entries.append((320, 3, list(colormap)))
    if extra:
        entries.append((338, 3, list(extra)))
    entries.sort()
    ifd = struct.pack(order + "H", len(entries))
    tail = bytearray()
    ifd_at = len(body)
    tail_at = ifd_at + 2 + 12 * len(entries) + 4
    for tag, typ, vals in entries:
        raw = struct.pack(order + ("H" if typ == 3 else "I") * len(vals), *vals)
        if len(raw) <= 4:
            ifd += struct.pack(order + "HHI", tag, typ, len(vals)) + raw + b"\0" * (4 - len(raw))
        else:
            ifd += struct.pack(order + "HHII", tag, typ, len(vals), tail_at + len(tail))
            tail += raw + b"\0" * (len(raw) % 2)
    ifd += b"\0\0\0\0"
    body[4:8] = struct.pack(order + "I", ifd_at)
    return bytes(body + ifd + tail)


def write_webp_tiff(p, rgb, odd, gray, rgba, pal, g16):
    """WebP written by Pillow (libwebp), TIFF written by Pillow (libtiff) or assembled by tiff_bytes."""
    rgb.save(p("webp_lossless.webp"), lossless=True)
    rgb.save(p("webp_lossy.webp"), quality=80)
    odd.save(p("webp_lossy_odd_37x23.webp"), quality=50)
    rgba.save(p("webp_alpha_lossless.webp"), lossless=True)
    rgba.save(p("webp_alpha_lossy.webp"), quality=70)
    # Animated: the first frame is the image (Pillow's frame 0).
    odd.save(p("webp_animated.webp"), save_all=True, append_images=[odd.transpose(Image.Transpose.ROTATE_180)],
             duration=100, quality=90)

    rgb.save(p("tiff_rgb.tif"))
    odd.save(p("tiff_rgb_lzw.tif"), compression="tiff_lzw")
    rgb.save(p("tiff_rgb_deflate.tiff"), compression="tiff_adobe_deflate")
    rgba.save(p("tiff_rgba_lzw.tif"), compression="tiff_lzw")  # ExtraSamples 2 (unassociated alpha)
    gray.save(p("tiff_gray.tif"))
    gray.save(p("tiff_gray_packbits.tif"), compression="packbits")
    gray.point(lambda v: 255 if v > 128 else 0).convert("1").save(p("tiff_gray_1bit.tif"))
    Image.fromarray(g16).save(p("tiff_gray16.tif"))
    Image.fromarray(g16).save(p("tiff_gray16_deflate.tif"), compression="tiff_adobe_deflate")
    pal.save(p("tiff_palette.tif"))
    Image.fromarray(smooth(24, 40, 4, 5), "CMYK").save(p("tiff_cmyk.tif"))
    odd.save(p("tiff_orientation6.tif"), tiffinfo={274: 6})
    odd.save(p("tiff_orientation7.tif"), tiffinfo={274: 7})

    r16 = smooth(11, 19, 3, 16).astype(np.uint16) * 257 + SplitMix64(17).byte_array(11 * 19 * 3).reshape(11, 19, 3)
    with open(p("tiff_rgb16.tif"), "wb") as f:
        f.write(tiff_bytes(r16, 2, 16, rows_per_strip=4))
    with open(p("tiff_rgb16_be_deflate.tif"), "wb") as f:
        f.write(tiff_bytes(r16, 2, 16, order=">", compression=8))
    a16 = smooth(7, 9, 4, 18).astype(np.uint16) * 256 + 77
    with open(p("tiff_rgba16.tif"), "wb") as f:
        f.write(tiff_bytes(a16, 2, 16, extra=(2,)))
    with open(p("tiff_gray16_be.tif"), "wb") as f:
        f.write(tiff_bytes(g16[:, :, None], 1, 16, order=">"))
    # Associated (premultiplied) alpha, colours both below and above alpha, alpha 0 and 255 included.
    pm = smooth(9, 13, 4, 19)
    pm[0, :3, 3] = [0, 255, 1]
    with open(p("tiff_rgba_associated.tif"), "wb") as f:
        f.write(tiff_bytes(pm, 2, 8, extra=(1,), compression=8))
    w4 = (smooth(9, 15, 1, 20) >> 4)
    with open(p("tiff_miniswhite_4bit.tif"), "wb") as f:
        f.write(tiff_bytes(w4, 0, 4))
    with open(p("tiff_tiled.tif"), "wb") as f:
        f.write(tiff_bytes(np.asarray(odd), 2, 8, tile=(16, 16), compression=8))


def skimage_image(wheel, name):
    with zipfile.ZipFile(wheel) as z:
        return Image.open(io.BytesIO(z.read("skimage/data/" + name))).convert("RGB")


def find_wheel(arg):
    if arg:
        return arg
    for pat in ("/tmp/skw/scikit_image-0.26.0-*.whl", os.path.expanduser("~/.cache/fidcpp/skimage/scikit_image-*.whl")):
        hits = sorted(glob.glob(pat))
        if hits:
            return hits[0]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "..", "tests", "data", "images"))
    ap.add_argument("--skimage-wheel", default=None)
    a = ap.parse_args()
    out = a.out
    os.makedirs(out, exist_ok=True)

    def p(name):
        return os.path.join(out, name)

    rgb = Image.fromarray(smooth(48, 64, 3, 1))
    odd = Image.fromarray(smooth(23, 37, 3, 2))
    gray = Image.fromarray(smooth(13, 17, 1, 3)[:, :, 0])
    rgba = Image.fromarray(smooth(31, 29, 4, 4))

    # JPEG: Pillow's encoder (libjpeg-turbo); subsampling 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0.
    rgb.save(p("jpeg_420.jpg"), quality=90, subsampling=2)
    rgb.save(p("jpeg_422.jpg"), quality=90, subsampling=1)
    rgb.save(p("jpeg_444.jpg"), quality=90, subsampling=0)
    odd.save(p("jpeg_420_odd_37x23.jpg"), quality=75, subsampling=2)
    rgb.save(p("jpeg_progressive.jpg"), quality=85, progressive=True)
    gray.save(p("jpeg_gray.jpg"), quality=90)
    Image.fromarray(smooth(24, 40, 4, 5), "CMYK").save(p("jpeg_cmyk.jpg"), quality=90)

    # PNG written by Pillow.
    rgb.save(p("png_rgb.png"))
    rgba.save(p("png_rgba.png"))
    gray.save(p("png_gray.png"))
    Image.fromarray(smooth(13, 17, 2, 6), "LA").save(p("png_gray_alpha.png"))
    pal = rgb.convert("P", palette=Image.ADAPTIVE, colors=64)
    pal.save(p("png_palette.png"))
    pal.save(p("png_palette_trns.png"), transparency=5)
    gray.point(lambda v: 255 if v > 128 else 0).convert("1").save(p("png_gray_1bit.png"))
    g16 = (smooth(13, 17, 1, 7)[:, :, 0].astype(np.uint16) * 5)  # 0..1275: both sides of 255
    g16[0, :4] = [0, 255, 256, 65535]
    Image.fromarray(g16).save(p("png_gray16.png"))

    # PNG assembled here.
    r16 = smooth(11, 19, 3, 8).astype(np.uint16) * 257 + SplitMix64(9).byte_array(11 * 19 * 3).reshape(11, 19, 3)
    with open(p("png_rgb16.png"), "wb") as f:
        f.write(png_bytes(19, 11, 16, 2, [r.astype(">u2").tobytes() for r in r16]))
    a16 = smooth(7, 9, 4, 10).astype(np.uint16) * 256 + 200
    with open(p("png_rgba16.png"), "wb") as f:
        f.write(png_bytes(9, 7, 16, 6, [r.astype(">u2").tobytes() for r in a16]))
    g4 = smooth(9, 15, 1, 11)[:, :, 0] >> 4
    rows4 = [np.append(r, 0)[: (len(r) + 1) // 2 * 2].reshape(-1, 2) for r in g4]
    with open(p("png_gray_4bit.png"), "wb") as f:
        f.write(png_bytes(15, 9, 4, 0, [((q[:, 0] << 4) | q[:, 1]).astype(np.uint8).tobytes() for q in rows4]))
    with open(p("png_interlaced.png"), "wb") as f:
        f.write(adam7_rgb(smooth(21, 18, 3, 12)))
    # A 3-entry palette with indices up to 7: what does Pillow give for the missing entries?
    idx = (SplitMix64(13).byte_array(6 * 10).reshape(6, 10) % 8).astype(np.uint8)
    with open(p("png_short_palette.png"), "wb") as f:
        f.write(png_bytes(10, 6, 8, 3, [r.tobytes() for r in idx], extra=[(b"PLTE", bytes([200, 10, 20, 30, 200, 40,
                                                                                            50, 60, 210]))]))

    # BMP, GIF, PNM.
    odd.save(p("bmp_rgb.bmp"))
    pal.save(p("bmp_palette.bmp"))
    rgb.convert("P", palette=Image.ADAPTIVE, colors=32).save(p("gif_palette.gif"))
    pal.save(p("gif_trns.gif"), transparency=3)
    fidx = (SplitMix64(14).byte_array(5 * 7).reshape(5, 7) % 6).astype(np.uint8)
    palette = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 9, 99, 199]
    with open(p("gif_partial_frame.gif"), "wb") as f:
        f.write(gif_partial_frame(12, 9, (3, 2, fidx), palette, bg_index=4))
    with open(p("gif_partial_trns.gif"), "wb") as f:
        f.write(gif_partial_frame(12, 9, (2, 3, fidx), palette, bg_index=4, transparent=5))
    odd.save(p("ppm_rgb.ppm"))
    gray.save(p("pgm_gray.pgm"))
    a3 = smooth(4, 5, 3, 15)
    with open(p("ppm_ascii.ppm"), "w") as f:
        f.write("P3\n# an ASCII pixmap\n5 4\n255\n" + "\n".join(" ".join(str(int(v)) for v in r.reshape(-1)) for r in a3)
                + "\n")

    write_webp_tiff(p, rgb, odd, gray, rgba, pal, g16)

    wheel = find_wheel(a.skimage_wheel)
    if wheel is None:
        sys.exit("scikit-image wheel not found (pass --skimage-wheel)")
    astro = skimage_image(wheel, "astronaut.png").crop((180, 60, 244, 108))  # 64x48, the face
    astro.save(p("photo_astronaut.jpg"), quality=92)
    coffee = skimage_image(wheel, "coffee.png").crop((200, 150, 256, 192))  # 56x42
    coffee.save(p("photo_coffee.png"))

    # Source-test fixtures: a zip (one stored, one deflated member, a non-image, a folder) and a list file.
    with zipfile.ZipFile(p("images.zip"), "w") as z:
        for name, method in (("sub/png_gray.png", zipfile.ZIP_STORED), ("jpeg_gray.jpg", zipfile.ZIP_DEFLATED),
                             ("B.PNG", zipfile.ZIP_DEFLATED), ("notes.txt", zipfile.ZIP_DEFLATED)):
            src = {"sub/png_gray.png": "png_gray.png", "jpeg_gray.jpg": "jpeg_gray.jpg", "B.PNG": "png_rgb.png"}
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            data = open(p(src[name]), "rb").read() if name in src else b"not an image\n"
            z.writestr(info, data)
    with open(p("images_list.txt"), "w") as f:
        f.write("# decoder fixtures used by the list-file test\n\npng_rgb.png\n  jpeg_gray.jpg  \nbmp_rgb.bmp\n")


if __name__ == "__main__":
    main()
