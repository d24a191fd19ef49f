#!/usr/bin/env python3
"""make-fashion-sample.py - rebuild data/fashion-sample/, the small image folder shipped with initlab.

Takes the first N images of each class (in file order) from the Fashion-MNIST test set (t10k) and writes
them as 28x28 8-bit grayscale PNGs to OUT/<class name>/t10k-<index>.png, where <index> is the image's
position in the t10k files, plus OUT/LICENSE (Fashion-MNIST is MIT-licensed). Only the standard library
is used, and the output is the same bytes on every run.

    scripts/make-fashion-sample.py [--source DIR] [--out DIR] [--per-class N]
"""
import argparse
import gzip
import os
import struct
import sys
import zlib

# Class folder names in label order 0..9 (the Fashion-MNIST class names, as folder-safe words).
CLASSES = ["t-shirt_top", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle_boot"]

LICENSE = """\
The images in this folder are a sample of Fashion-MNIST
(https://github.com/zalandoresearch/fashion-mnist): the first {per_class} images of each class of its
test set (t10k), written as PNG files by scripts/make-fashion-sample.py. The number in each file
name is the image's position in the t10k files. Fashion-MNIST is distributed under the MIT License:

The MIT License (MIT)

Copyright (c) 2017 Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def read_idx(path):
    """(dims, payload bytes) of an unsigned-byte IDX file, plain or gzip."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    ndims = data[3]
    dims = struct.unpack(">" + "I" * ndims, data[4:4 + 4 * ndims])
    payload = data[4 + 4 * ndims:]
    size = 1
    for d in dims:
        size *= d
    if len(payload) != size:
        sys.exit(f"{path}: header declares {size} bytes of data, file has {len(payload)}")
    return dims, payload


def find(source, base):
    for name in (base, base + ".gz"):
        path = os.path.join(source, name)
        if os.path.exists(path):
            return path
    sys.exit(f"no {base} or {base}.gz in {source}")


def png_gray(width, height, pixels):
    """An 8-bit grayscale PNG (no filtering, zlib level 9: deterministic bytes)."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + pixels[r * width:(r + 1) * width] for r in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) +
            chunk(b"IEND", b""))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default="/usr/share/datasets/fashion-mnist",
                    help="folder with t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)")
    ap.add_argument("--out", default=os.path.join(here, "..", "data", "fashion-sample"))
    ap.add_argument("--per-class", type=int, default=30)
    args = ap.parse_args()

    idims, images = read_idx(find(args.source, "t10k-images-idx3-ubyte"))
    ldims, labels = read_idx(find(args.source, "t10k-labels-idx1-ubyte"))
    n, rows, cols = idims
    if ldims != (n,):
        sys.exit("images and labels do not match")
    picked = {k: [] for k in range(len(CLASSES))}
    for i in range(n):
        if len(picked[labels[i]]) < args.per_class:
            picked[labels[i]].append(i)

    os.makedirs(args.out, exist_ok=True)
    total = 0
    for k, name in enumerate(CLASSES):
        folder = os.path.join(args.out, name)
        os.makedirs(folder, exist_ok=True)
        for old in os.listdir(folder):  # a rerun leaves exactly what this run writes
            if old.endswith(".png"):
                os.remove(os.path.join(folder, old))
        for i in picked[k]:
            png = png_gray(cols, rows, images[i * rows * cols:(i + 1) * rows * cols])
            with open(os.path.join(folder, f"t10k-{i:05d}.png"), "wb") as f:
                f.write(png)
            total += len(png)
    with open(os.path.join(args.out, "LICENSE"), "w") as f:
        f.write(LICENSE.format(per_class=args.per_class))
    count = sum(len(v) for v in picked.values())
    print(f"wrote {count} images ({total} bytes of PNG) to {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
