#!/usr/bin/env python3
"""make-bad-corpus.py - rebuild tests/data/bad/, one lying file (or folder) per case the loaders refuse,
and the fuzzers' seed corpora tests/fuzz/corpus/<target>/ (good inputs plus every bad IDX and CSV case).

Every case is named for what is wrong with it, and tests/data/bad/MANIFEST says which loader reads it and
which words its error must contain (besides the file's name); tests/unit/test_bad_inputs.c runs them
all. The output is the same bytes on every run (gzip without a time stamp, zlib level 9).

    scripts/make-bad-corpus.py [--out DIR] [--seeds DIR]
"""
import argparse
import gzip
import os
import shutil
import struct
import zlib


def idx(dims, payload, type_byte=0x08, ndims=None):
    """An IDX file: 00 00 TYPE NDIMS, big-endian dims, payload."""
    n = len(dims) if ndims is None else ndims
    return bytes([0, 0, type_byte, n]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(payload)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def png(width, height, pixels, channels=1):
    """An 8-bit gray (channels 1) or RGB (3) PNG."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    stride = width * channels
    rows = b"".join(b"\x00" + bytes(pixels[r * stride:(r + 1) * stride]) for r in range(height))
    color = 0 if channels == 1 else 2
    head = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(rows, 9)) +
            chunk(b"IEND", b""))


def png_header_only(width, height):
    """A PNG that claims width x height pixels and holds almost nothing."""
    return png(1, 1, [0])[:16] + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0) + \
        struct.pack(">I", zlib.crc32(b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) & 0xFFFFFFFF)


def png_with_chunk(kind):
    """A 1x1 gray PNG with a chunk of type kind (4 bytes) before its image data."""
    whole = png(1, 1, [0])
    body = b""
    extra = struct.pack(">I", 0) + kind + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return whole[:33] + extra + whole[33:]


# The good companions: three 2x2 images with labels 0, 1, 2.
GOOD_PIXELS = list(range(0, 120, 10))
GOOD_IMAGES = idx([3, 2, 2], GOOD_PIXELS)
GOOD_LABELS = idx([3], [0, 1, 2])

# (loader, path, options, [expected words], content) - content: bytes for a file, dict for a folder
# (name -> bytes or dict), None for a path that must not exist.
CASES = [
    # ---- IDX images (paired with idx/good-labels.idx) and labels (paired with idx/good-images.idx)
    ("idx-images", "idx/empty.idx", "", ["is empty (0 bytes)"], b""),
    ("idx-images", "idx/wrong-magic.idx", "", ["is not an IDX file", "bytes 0-1 are 50 4b"],
     b"PK\x03\x04 this is a zip archive, not IDX"),
    ("idx-images", "idx/wrong-data-type.idx", "", ["data type 0x0d (32-bit float)", "type 0x08"],
     idx([3, 2, 2], GOOD_PIXELS, type_byte=0x0D)),
    ("idx-images", "idx/bad-dimension-count.idx", "", ["byte 3 gives 9 dimensions", "expected 1 to 4"],
     bytes([0, 0, 8, 9]) + bytes(40)),
    ("idx-images", "idx/truncated-header.idx", "", ["truncated header", "ends at byte offset 10"],
     bytes([0, 0, 8, 3, 0, 0, 0, 3, 0, 0])),
    ("idx-images", "idx/zero-dimension.idx", "", ["dimension 2 (bytes 8-11) is 0", "at least 1"],
     idx([3, 0, 2], [])),
    ("idx-images", "idx/dims-overflow.idx", "", ["multiply to more than", "4294967295 x 4294967295"],
     idx([0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], GOOD_PIXELS)),
    ("idx-images", "idx/dims-exceed-file.idx", "", ["60000 x 28 x 28 = 47040000 bytes", "truncated"],
     idx([60000, 28, 28], GOOD_PIXELS)),
    ("idx-images", "idx/truncated-payload.idx", "", ["truncated", "ends at byte offset 23", "5 bytes short"],
     idx([3, 2, 2], GOOD_PIXELS[:7])),
    ("idx-images", "idx/trailing-bytes.idx", "", ["4 unexpected bytes after the data", "does not match"],
     idx([3, 2, 2], GOOD_PIXELS + [1, 2, 3, 4])),
    ("idx-images", "idx/images-with-one-dimension.idx", "", ["images file has 2 to 4 dimensions", "has 1"],
     idx([3], [0, 1, 2])),
    ("idx-labels", "idx/labels-with-three-dimensions.idx", "", ["labels file has 1 dimension", "has 3"],
     GOOD_IMAGES),
    ("idx-labels", "idx/labels-count-mismatch.idx", "", ["holds 4 labels", "holds 3 images"],
     idx([4], [0, 1, 2, 1])),
    ("idx-labels", "idx/labels-out-of-range.idx", "",
     ["label 10 of item 1 (byte offset 9)", "out of range", "expected 0 to 9"], idx([3], [0, 10, 2])),
    ("idx-images", "idx/gzip-truncated.idx.gz", "", ["gzip data ends early", "truncated"],
     gz(GOOD_IMAGES)[:-12]),
    ("idx-images", "idx/gzip-corrupt.idx.gz", "", ["corrupt gzip data"],
     gz(GOOD_IMAGES)[:10] + b"\xff" * 30),
    ("idx-images", "idx/gzip-longer-than-header.idx.gz", "",
     ["decompresses to more than the 2 x 2 x 2 = 8 bytes its IDX header declares"],
     gz(idx([2, 2, 2], GOOD_PIXELS))),
    ("idx-images", "idx/gzip-dims-exceed-data.idx.gz", "", ["60000 x 28 x 28", "more than", "can hold"],
     gz(idx([60000, 28, 28], GOOD_PIXELS))),
    ("idx-images", "idx/gzip-not-idx-inside.gz", "", ["is not an IDX file", "of the decompressed data"],
     gz(b"a,b,y\n1,2,3\n")),
    ("idx-images", "idx/gzip-trailing-garbage.idx.gz", "", ["unexpected data after the end of the gzip stream"],
     gz(GOOD_IMAGES) + b"junk"),

    # ---- CSV
    ("csv", "csv/empty.csv", "label=y", ["is empty", "header row"], b""),
    ("csv", "csv/only-blank-lines.csv", "label=y", ["is empty"], b"\r\n\n   \n"),
    ("csv", "csv/header-only.csv", "label=y", ["no data rows"], b"a,b,y\n"),
    ("csv", "csv/missing-field.csv", "label=y", ["line 3 has 2 fields", "3 columns"],
     b"a,b,y\n1,2,0\n3,1\n5,6,1\n"),
    ("csv", "csv/extra-field.csv", "label=y", ["line 2 has 4 fields", "3 columns"], b"a,b,y\n1,2,0,9\n3,4,1\n"),
    ("csv", "csv/non-numeric-field.csv", "label=y", ["line 3, column 'b' (column 2)", "'abc' is not a number"],
     b"a,b,y\n1,2,0\n3,abc,1\n"),
    ("csv", "csv/empty-field.csv", "label=y", ["line 2, column 'a' (column 1) is empty", "expected a number"],
     b"a,b,y\n,2,0\n3,4,1\n"),
    ("csv", "csv/nan-value.csv", "label=y", ["line 3, column 'a'", "'nan' is not finite"],
     b"a,b,y\n1,2,0\nnan,4,1\n"),
    ("csv", "csv/inf-value.csv", "label=y", ["line 2, column 'b'", "'-inf' is not finite"],
     b"a,b,y\n1,-inf,0\n3,4,1\n"),
    ("csv", "csv/number-out-of-float-range.csv", "label=y", ["'1e39' is out of range", "line 3"],
     b"a,b,y\n1,2,0\n1e39,4,1\n"),
    ("csv", "csv/missing-label-column.csv", "label=species",
     ["no column named 'species'", "the columns are: a, b, y"], b"a,b,y\n1,2,0\n3,4,1\n"),
    ("csv", "csv/missing-feature-column.csv", "label=y,features=a;c", ["no column named 'c'"],
     b"a,b,y\n1,2,0\n3,4,1\n"),
    ("csv", "csv/duplicate-header-names.csv", "label=y", ["columns 1 and 3 both 'a'", "unique"],
     b"a,b,a,y\n1,2,3,0\n4,5,6,1\n"),
    ("csv", "csv/unterminated-quote.csv", "label=y", ["opened at line 3", "never ends"],
     b"a,b,y\n1,2,0\n3,\"4,1\n5,6,1\n"),
    ("csv", "csv/text-after-closing-quote.csv", "label=y", ["line 2, field 1", "after the closing quote"],
     b"a,b,y\n\"1\"x,2,0\n3,4,1\n"),
    ("csv", "csv/nul-byte.csv", "label=y", ["NUL byte", "line 2"], b"a,b,y\n1\x002,2,0\n3,4,1\n"),
    ("csv", "csv/single-class.csv", "label=y", ["only one class ('cat')", "at least 2"],
     b"a,b,y\n1,2,cat\n3,4,cat\n"),
    ("csv", "csv/empty-label.csv", "label=y", ["line 3, label column 'y' (column 3) is empty"],
     b"a,b,y\n1,2,cat\n3,4,\n5,6,dog\n"),
    ("csv", "csv/class-number-too-large.csv", "label=y", ["class number '5000'", "0 to 999"],
     b"a,b,y\n1,2,0\n3,4,5000\n"),
    ("csv", "csv/label-also-a-feature.csv", "label=y,features=a;y", ["'y' is both a feature and the label"],
     b"a,b,y\n1,2,0\n3,4,1\n"),
    ("csv", "csv/regression-target-not-numeric.csv", "label=price,regression",
     ["line 3, column 'price' (column 3)", "'cheap' is not a number"], b"a,b,price\n1,2,10.5\n3,4,cheap\n"),
    ("csv", "csv/semicolon-separated.csv", "label=y", ["no column named 'y'", "separated by ';'"],
     b"a;b;y\n1;2;0\n3;4;1\n"),
    ("csv", "csv/decimal-comma.csv", "label=y", ["'1,5' is not a number", "point"],
     b"a,b,y\n\"1,5\",2,0\n3,4,1\n"),

    # ---- image folders
    ("images", "images/does-not-exist", "color=gray", ["does not exist"], None),
    ("images", "images/a-file-not-a-folder", "color=gray", ["is a file, not a folder"], b"just text\n"),
    ("images", "images/no-class-folders", "color=gray", ["holds no class folders", "<class name>"],
     {"README.txt": b"A folder with no class subfolders: the images loader must refuse it.\n"}),
    ("images", "images/images-without-class-folders", "color=gray", ["holds 2 images but no class folders"],
     {"a.png": png(2, 2, [0, 1, 2, 3]), "b.png": png(2, 2, [4, 5, 6, 7])}),
    ("images", "images/single-class", "color=gray", ["only one class folder (cat)", "at least 2"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3])}}),
    ("images", "images/class-folder-without-images", "color=gray", ["dog holds no images", ".png"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3])},
      "dog": {"notes.txt": b"The images of this class were never added.\n"}}),
    ("images", "images/zero-size-image", "color=gray", ["dog/empty.png is empty (0 bytes)"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3])}, "dog": {"empty.png": b""}}),
    ("images", "images/unreadable-image", "color=rgb", ["cannot decode image", "dog/garbage.png"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3])}, "dog": {"garbage.png": b"this is text, not a PNG\n" * 4}}),
    ("images", "images/truncated-image", "color=gray", ["cannot decode image", "dog/cut.png", "truncated"],
     {"cat": {"a.png": png(8, 8, list(range(64)))}, "dog": {"cut.png": png(8, 8, list(range(64)))[:45]}}),
    ("images", "images/mixed-sizes", "color=gray",
     ["dog/b.png is 5x3 pixels", "cat/a.png, the first image, is 4x4", "one size"],
     {"cat": {"a.png": png(4, 4, [9] * 16)}, "dog": {"b.png": png(5, 3, [9] * 15)}}),
    ("images", "images/huge-dimensions", "color=gray", ["dog/huge.png says it is 20000x20000 pixels"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3])}, "dog": {"huge.png": png_header_only(20000, 20000)}}),
    # Found by fuzz_images: stb_image names an unknown critical chunk by its raw type bytes, which may be
    # control characters (here a line feed and an escape); the error must stay one printable line.
    ("images", "images/png-unknown-chunk-with-control-bytes", "color=gray",
     ["cannot decode image", "dog/odd.png", "PNG chunk not known"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3])}, "dog": {"odd.png": png_with_chunk(b"\x01\n\x1b\x02")}}),
    # Found by fuzz_images: a PNM width of 11 digits overflows stb_image's int while it reads the header;
    # whatever it makes of it, the size limits refuse the file.
    ("images", "images/pnm-size-overflows-int", "color=gray", ["dog/big.pgm says it is", "pixels a side"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3])}, "dog": {"big.pgm": b"P5\n99999999999 2\n255\n" + bytes(4)}}),
    # Found by fuzz_images: stb_image fills the pixels a short PNM lacks with whatever its buffer held.
    ("images", "images/pnm-truncated-pixels", "color=gray", ["dog/short.pgm ends before the 4x4 pixels", "truncated"],
     {"cat": {"a.png": png(4, 4, [9] * 16)}, "dog": {"short.pgm": b"P5\n# four by four\n4 4\n255\n" + bytes(5)}}),
    # Found by fuzz_images: stb_image converts a 16-bit PNM asked for in the other color as if it were
    # 8-bit, reading past its buffer.
    ("images", "images/pnm-16-bit-rgb-asked-as-gray", "color=gray", ["dog/deep.ppm is a 16-bit RGB PNM", "color=rgb"],
     {"cat": {"a.png": png(1, 2, [9] * 2)}, "dog": {"deep.ppm": b"P6\n1 2\n65535\n" + bytes(12)}}),
    # Found by fuzz_images: a PNG chunk claiming 1 GiB made stb_image grow its buffer to 2 GiB first.
    ("images", "images/png-chunk-longer-than-the-file", "color=gray",
     ["cannot decode image", "dog/long.png", "says it holds 1073741824 bytes", "truncated"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3])},
      "dog": {"long.png": png(2, 2, [0, 1, 2, 3])[:33] + struct.pack(">I", 1 << 30) + b"IDAT" + bytes(16)}}),
    # Found by fuzz_images: 28 bytes of TGA header claiming 64 megapixels cost 15 s and 4 GB.
    ("images", "images/tga-claims-more-than-it-holds", "color=rgb",
     ["dog/tiny.tga says it is 8192x8192 pixels", "more than a file of 30 bytes can hold"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3] * 3, channels=3)},
      "dog": {"tiny.tga": bytes([0, 0, 2]) + bytes(9) + struct.pack("<HH", 8192, 8192) + bytes([24, 0]) + bytes(12)}}),

    # Found by fuzz_images: a TGA whose ID field runs past the end of the file; stb_image left its pixels
    # as whatever its buffer held. An uncompressed TGA whose pixels stop early is the same fault.
    ("images", "images/tga-id-past-the-end", "color=rgb",
     ["dog/short.tga ends before the 2x2 pixels its TGA header promises", "truncated"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3] * 3, channels=3)},
      "dog": {"short.tga": bytes([80, 0, 2]) + bytes(9) + struct.pack("<HH", 2, 2) + bytes([24, 0]) + bytes(20)}}),
    # Found by fuzz_images: 17 bytes, one short of a TGA header, that stb_image decodes as 18x2059 pixels.
    ("images", "images/tga-header-cut-short", "color=gray",
     ["dog/short.tga ends before the 18x2059 pixels its TGA header promises", "truncated"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3])},
      "dog": {"short.tga": bytes.fromhex("0d00033e36062483464428001200 0b0808".replace(" ", ""))}}),
    ("images", "images/tga-pixels-cut-short", "color=rgb",
     ["dog/cut.tga ends before the 2x2 pixels its TGA header promises", "truncated"],
     {"cat": {"a.png": png(2, 2, [0, 1, 2, 3] * 3, channels=3)},
      "dog": {"cut.tga": bytes([0, 0, 2]) + bytes(9) + struct.pack("<HH", 2, 2) + bytes([24, 0]) + bytes(5)}}),
    # ---- layer lists (the text of a --layers value)
    # Found by fuzz_layers: a list of one size after a line break was echoed raw, over two lines.
    ("layers", "layers/one-size-after-a-line-break.txt", "", ["need at least an input size and an output size"],
     b"\n1"),
    ("layers", "layers/control-byte-in-an-item.txt", "", ["item 2 of", "expected a whole number"], b"2,\x1b8,1"),
]

HEADER = """\
# tests/data/bad/MANIFEST - one case per line, made by scripts/make-bad-corpus.py (edit the script, not this):
#   LOADER | PATH | OPTIONS | EXPECTED [| EXPECTED ...]
# LOADER  idx-images: PATH is an images file, paired with idx/good-labels.idx (labels < 10)
#         idx-labels: PATH is a labels file, paired with idx/good-images.idx (labels < 10)
#         csv:        OPTIONS label=NAME[,features=a;b][,regression]
#         images:     OPTIONS color=gray|rgb[,size=WxH]
#         layers:     PATH holds the text of a --layers value (il_net_spec_parse_layers)
# PATH is relative to this folder. The load must fail, and its error must be one printable line holding
# every EXPECTED text and (but for layers, a flag's value) the file name of PATH.
# tests/unit/test_bad_inputs.c runs them all.
"""


def write_tree(path, content):
    if isinstance(content, dict):
        os.makedirs(path, exist_ok=True)
        for name, sub in sorted(content.items()):
            write_tree(os.path.join(path, name), sub)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)


def idx_seed(images, labels, max10=True):
    """fuzz_idx input: 2 bytes giving the images file's length (bit 15: max_classes 10), then both files."""
    return struct.pack(">H", len(images) | (0x8000 if max10 else 0)) + images + labels


CSV_SEEDS = {  # name -> (options byte: bit 0 regression, bit 1 features a;b, bit 2 label a; text)
    "classes-by-name": (0, b"a,b,y\n5.1,1.4,setosa\n6.3,6.0,virginica\n5.9,4.2,versicolor\n"),
    "classes-by-number": (2, b"a,b,c,y\n1,2,3,0\n4,5,6,2\n7,8,9,1\n"),
    "regression": (1, b"x,a,b,y\n1,2,3,10.5\n4,5,6,-2e3\n"),
    "label-first-column": (4, b"a,b,y\ncat,1,2\ndog,3,4\n"),
    "quoted-crlf-bom": (0, b"\xef\xbb\xbf\"a\",\"b, c\",y\r\n\"1.5\",2,\"say \"\"hi\"\"\"\r\n3,4,\"two\nlines\"\r\n\r\n"),
}


def write_seeds(seeds):
    for target in ("fuzz_idx", "fuzz_csv"):
        shutil.rmtree(os.path.join(seeds, target), ignore_errors=True)
        os.makedirs(os.path.join(seeds, target))

    def put(target, name, data):
        with open(os.path.join(seeds, target, name), "wb") as f:
            f.write(data)

    mnist_like = idx([4, 28, 28], [(i * 7) % 256 for i in range(4 * 28 * 28)])
    mnist_labels = idx([4], [9, 0, 3, 9])
    put("fuzz_idx", "good-plain", idx_seed(GOOD_IMAGES, GOOD_LABELS))
    put("fuzz_idx", "good-gzip", idx_seed(gz(GOOD_IMAGES), gz(GOOD_LABELS)))
    put("fuzz_idx", "mnist-like-gzip", idx_seed(gz(mnist_like), mnist_labels, max10=False))
    put("fuzz_idx", "two-gzip-members", idx_seed(gz(GOOD_IMAGES[:8]) + gz(GOOD_IMAGES[8:]), GOOD_LABELS))
    for loader, path, options, _, content in CASES:
        name = os.path.basename(path)
        if loader == "idx-images":
            put("fuzz_idx", "bad-" + name, idx_seed(content, GOOD_LABELS))
        elif loader == "idx-labels":
            put("fuzz_idx", "bad-" + name, idx_seed(GOOD_IMAGES, content))
        elif loader == "csv":
            flags = (1 if "regression" in options else 0) | (2 if "features=" in options else 0)
            put("fuzz_csv", "bad-" + name, bytes([flags]) + content)
    for name, (flags, text) in CSV_SEEDS.items():
        put("fuzz_csv", name + ".csv", bytes([flags]) + text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "bad"))
    ap.add_argument("--seeds", default=os.path.join(here, "..", "tests", "fuzz", "corpus"))
    args = ap.parse_args()
    out = os.path.normpath(args.out)
    for sub in ("idx", "csv", "images", "layers"):  # a rerun leaves exactly what this run writes
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    write_tree(os.path.join(out, "idx", "good-images.idx"), GOOD_IMAGES)
    write_tree(os.path.join(out, "idx", "good-labels.idx"), GOOD_LABELS)
    lines = [HEADER]
    for loader, path, options, expected, content in CASES:
        if content is not None:
            write_tree(os.path.join(out, path), content)
        lines.append(" | ".join([loader, path, options] + expected) + "\n")
    with open(os.path.join(out, "MANIFEST"), "w") as f:
        f.writelines(lines)
    write_seeds(os.path.normpath(args.seeds))
    print(f"wrote {len(CASES)} cases to {out} and the fuzzers' seeds to {os.path.normpath(args.seeds)}")


if __name__ == "__main__":
    main()
