#!/usr/bin/env python3
"""torch_loss.py - PyTorch's loss for given logits, or for a network given as initlab's exported weights.

The independent reference the loss tests compare initlab against: PyTorch's cross_entropy (softmax) and
binary_cross_entropy_with_logits (sigmoid), mean over the rows, summed over a row's sigmoid outputs, the
same definitions docs/diagnostics.md gives. Prints "float32 LOSS" and "float64 LOSS", one per line.
Exit status 3 when torch cannot be imported (the calling test then skips), 2 for a usage mistake.

  torch_loss.py logits --output sigmoid|softmax       rows "z1 z2 ... | y1 y2 ..." on standard input
  torch_loss.py net --weights W.csv --data D.csv --inputs N --hidden relu|sigmoid|tanh|identity
                --output sigmoid|softmax|identity
      W.csv: layer,kind,row,col,value (initlab train --export-csv); D.csv: a header row, then per row
      N inputs followed by the targets, as the network sees them (after scaling).
"""
import argparse
import csv
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print(f"torch_loss.py: cannot import torch ({e})", file=sys.stderr)
    sys.exit(3)


def loss_of(z, y, output):
    if output == "sigmoid":
        # BCEWithLogitsLoss with reduction "sum", divided by the rows: summed over outputs, mean over rows.
        return F.binary_cross_entropy_with_logits(z, y, reduction="sum") / z.shape[0]
    if output == "softmax":
        # cross_entropy with class-probability targets: -sum_j y_j log_softmax(z)_j, mean over rows.
        return F.cross_entropy(z, y)
    return ((z - y) ** 2).sum() / (2 * z.shape[0])


def read_logits(text):
    zs, ys = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        left, right = line.split("|")
        zs.append([float(v) for v in left.split()])
        ys.append([float(v) for v in right.split()])
    return zs, ys


def read_weights(path):
    layers = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            layer = layers.setdefault(int(row["layer"]), {"w": {}, "b": {}})
            # Biases have an empty row: "0,b,,j,value".
            key = (int(row["row"] or 0), int(row["col"]))
            layer[row["kind"]][key] = float(row["value"])
    return [layers[k] for k in sorted(layers)]


def forward(x, layers, hidden, dtype):
    act = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda a: a}[hidden]
    a = x
    for index, layer in enumerate(layers):
        n_in = 1 + max(r for r, _ in layer["w"])
        n_out = 1 + max(c for _, c in layer["w"])
        w = torch.zeros(n_in, n_out, dtype=dtype)  # (I, O), as initlab stores it
        b = torch.zeros(n_out, dtype=dtype)
        for (r, c), v in layer["w"].items():
            w[r, c] = v
        for (_, c), v in layer["b"].items():
            b[c] = v
        z = a @ w + b
        a = act(z) if index + 1 < len(layers) else z
    return a  # the logits of the output layer


def main():
    parser = argparse.ArgumentParser(description="PyTorch's loss, the reference of initlab's loss tests")
    parser.add_argument("mode", choices=["logits", "net"])
    parser.add_argument("--output", required=True, choices=["sigmoid", "softmax", "identity"])
    parser.add_argument("--weights")
    parser.add_argument("--data")
    parser.add_argument("--inputs", type=int)
    parser.add_argument("--hidden", default="sigmoid", choices=["relu", "sigmoid", "tanh", "identity"])
    args = parser.parse_args()
    text = sys.stdin.read() if args.mode == "logits" else ""
    for dtype, name in ((torch.float32, "float32"), (torch.float64, "float64")):
        if args.mode == "logits":
            zs, ys = read_logits(text)
            z, y = torch.tensor(zs, dtype=dtype), torch.tensor(ys, dtype=dtype)
        else:
            if not (args.weights and args.data and args.inputs):
                parser.error("net needs --weights, --data and --inputs")
            with open(args.data, newline="") as f:
                rows = [[float(v) for v in r] for r in list(csv.reader(f))[1:] if r]
            x = torch.tensor([r[: args.inputs] for r in rows], dtype=dtype)
            y = torch.tensor([r[args.inputs :] for r in rows], dtype=dtype)
            z = forward(x, read_weights(args.weights), args.hidden, dtype)
        print(f"{name} {loss_of(z, y, args.output).item():.17g}")


if __name__ == "__main__":
    main()
