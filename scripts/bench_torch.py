#!/usr/bin/env python3
"""bench_torch.py - the PyTorch peer of initlab-bench: the same nets, batch sizes and protocol.

Trains the MLP 784-256-128-10 (torch.nn.Linear + ReLU, cross_entropy, He-normal weights, zero biases) at
batch 64 and 256, and the ESL net 2-10-1 (sigmoid hidden, identity output, half the mean squared error,
uniform +-0.7 weights) at full batch 100, with torch.optim.SGD(lr=0.1), float32, on synthetic data of the
same shapes as the C benchmark. One epoch gathers each batch from a shuffled order (index_select), runs
forward, loss, backward and the SGD step, and reads the loss back (.item(), as il_train_epoch checks that
the loss is finite). Prints the same CSV rows as initlab-bench (impl=torch) and '#' lines that say which
BLAS and how many threads torch runs with. Called once per thread count by scripts/bench-train.sh.
"""
import argparse
import ctypes
import math
import os
import re
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as exc:  # the shell script checks first; this is for running the file by hand
    sys.exit(f"bench_torch.py: error: cannot import torch ({exc}); install Debian's python3-torch")

SEED = 20240611
N_MLP = 4096  # examples, as in bench_train.c

# (name, layers, batch, examples), the shapes of bench_train.c
SHAPES = [
    ("784-256-128-10", (784, 256, 128, 10), 64, N_MLP),
    ("784-256-128-10", (784, 256, 128, 10), 256, N_MLP),
    ("2-10-1", (2, 10, 1), 100, 100),
]

CSV_HEADER = ("impl,part,net,batch,threads,steps_per_rep,reps,median_ms,min_ms,max_ms,"
              "cpu_ms,ratio_to_floor,flops_per_step")


def step_flops(layers, batch):
    """Floating-point operations of a step's matrix products: 2 B I O for the forward product and for
    dW of every layer, and for dX of every layer but the first (as in bench_train.c)."""
    flops = 0
    for l, (i, o) in enumerate(zip(layers[:-1], layers[1:])):
        flops += (2 if l == 0 else 3) * 2 * batch * i * o
    return flops


def build(layers, gen):
    """The net and its loss for one shape, and the synthetic data (inputs, targets)."""
    n_in, n_out = layers[0], layers[-1]
    if n_out > 1:  # the MLP: ReLU hidden, softmax + cross-entropy, He normal N(0, 2/fan_in)
        mods = []
        for l, (i, o) in enumerate(zip(layers[:-1], layers[1:])):
            lin = torch.nn.Linear(i, o)
            with torch.no_grad():
                lin.weight.normal_(0.0, math.sqrt(2.0 / i), generator=gen)
                lin.bias.zero_()
            mods.append(lin)
            if l + 2 < len(layers):
                mods.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*mods)
        loss_fn = F.cross_entropy
        return model, loss_fn
    # the ESL net: sigmoid hidden, identity output, loss 1/(2B) sum (yhat - y)^2 like initlab's
    hidden, out = torch.nn.Linear(n_in, layers[1]), torch.nn.Linear(layers[1], n_out)
    with torch.no_grad():
        for lin in (hidden, out):
            lin.weight.uniform_(-0.7, 0.7, generator=gen)
            lin.bias.zero_()
    model = torch.nn.Sequential(hidden, torch.nn.Sigmoid(), out)
    return model, lambda yhat, y: 0.5 * F.mse_loss(yhat, y)


def data(layers, n, gen):
    x = torch.randn(n, layers[0], generator=gen)
    if layers[-1] > 1:
        y = torch.randint(0, layers[-1], (n,), generator=gen)  # class labels for cross_entropy
    else:  # ESL 11.6 sum of sigmoids: s(3 x1 + 3 x2) + s(3 x1 - 3 x2) + noise
        y = (torch.sigmoid(3 * (x[:, 0] + x[:, 1])) + torch.sigmoid(3 * (x[:, 0] - x[:, 1]))
             + 0.3 * torch.randn(n, generator=gen)).unsqueeze(1)
    return x, y


def epoch(model, opt, loss_fn, x, y, order, batch):
    """One pass over order in mini-batches: what il_train_epoch does."""
    total = 0.0
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        loss = loss_fn(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        value = loss.item()
        if not math.isfinite(value):
            sys.exit("bench_torch.py: error: the loss stopped being finite")
        total += value * len(idx)
    return total / len(order)


def measure(run_unit, reset, steps_per_unit, args):
    """Warm up for warmup_ms (at least three units), calibrate the units per repetition to rep_ms, then
    time `reps` repetitions. Returns milliseconds per step (median, min, max of wall-clock time, median of
    the process's CPU time over all its threads) and the steps per repetition."""
    reset()
    warm, start = 0, time.perf_counter()
    while warm < 3 or (time.perf_counter() - start) * 1e3 < args.warmup_ms:
        run_unit()
        warm += 1
    per_unit = (time.perf_counter() - start) * 1e3 / warm
    units = max(1, math.ceil(args.rep_ms / max(per_unit, 1e-6)))
    samples, cpu = [], []
    steps = units * steps_per_unit
    for _ in range(args.reps):
        reset()
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(units):
            run_unit()
        t1, c1 = time.perf_counter(), time.process_time()
        samples.append((t1 - t0) * 1e3 / steps)
        cpu.append((c1 - c0) * 1e3 / steps)
    return median(samples), min(samples), max(samples), median(cpu), steps


def median(values):
    v, r = sorted(values), len(values)
    return v[r // 2] if r % 2 else 0.5 * (v[r // 2 - 1] + v[r // 2])


def loaded_blas():
    """The BLAS libraries mapped into this process (after a matrix product has run)."""
    paths = []
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "blas" in os.path.basename(path) and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    return paths


def openblas_threads(paths, threads):
    """Set OpenBLAS's own thread count in every OpenBLAS torch has loaded (torch.set_num_threads sets only
    OpenMP's), and report what each then runs with."""
    report = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_set_num_threads(ctypes.c_int(threads))
            report.append(f"{'/'.join(path.split('/')[-2:])}: {lib.openblas_get_num_threads()} threads")
        except (OSError, AttributeError):
            report.append(f"{'/'.join(path.split('/')[-2:])}: not OpenBLAS (thread count unknown)")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="torch and OpenBLAS threads (default 1)")
    parser.add_argument("--reps", type=int, default=7, help="timed repetitions (default 7)")
    parser.add_argument("--warmup-ms", type=float, default=200.0, help="untimed warm-up (default 200)")
    parser.add_argument("--rep-ms", type=float, default=100.0, help="length of a repetition (default 100)")
    parser.add_argument("--impl", default="torch", help="name in the impl column (default torch)")
    parser.add_argument("--no-header", action="store_true", help="do not print the CSV header")
    args = parser.parse_args()
    if args.threads < 1 or not 1 <= args.reps <= 101 or args.warmup_ms < 0 or args.rep_ms <= 0:
        parser.error("--threads >= 1, --reps from 1 to 101, --warmup-ms >= 0 and --rep-ms > 0")

    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    torch.ones(8, 8) @ torch.ones(8, 8)  # load the BLAS before asking which one it is
    blas = loaded_blas()
    blas_threads = openblas_threads(blas, args.threads)
    config = torch.__config__.show()
    found = re.search(r"BLAS_INFO=([^,\s]+)", config)
    blas_info = f"BLAS_INFO={found.group(1) if found else 'unknown'}"
    backend = next((line.split(":", 1)[1].strip() for line in torch.__config__.parallel_info().splitlines()
                    if line.startswith("ATen parallel backend")), "unknown")
    wait = os.environ.get("OMP_WAIT_POLICY", "(unset)")
    print(f"# {args.impl} {torch.__version__}, threads {args.threads}: torch.get_num_threads() = "
          f"{torch.get_num_threads()}, parallel backend {backend}, OMP_WAIT_POLICY={wait}, {blas_info}")
    print(f"# {args.impl} threads {args.threads}, BLAS in the process: " +
          ("; ".join(blas_threads) or "none found"))
    if not args.no_header:
        print(CSV_HEADER)
    sys.stdout.flush()

    for name, layers, batch, n in SHAPES:
        gen = torch.Generator().manual_seed(SEED)
        model, loss_fn = build(layers, gen)
        x, y = data(layers, n, gen)
        order = torch.randperm(n, generator=gen)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        start_state = {k: v.clone() for k, v in model.state_dict().items()}
        steps = math.ceil(n / batch)
        mid, lo, hi, cpu, steps_per_rep = measure(
            lambda: epoch(model, opt, loss_fn, x, y, order, batch),
            lambda: model.load_state_dict(start_state), steps, args)
        print(f"{args.impl},step,{name},{batch},{args.threads},{steps_per_rep},{args.reps},"
              f"{mid:.6f},{lo:.6f},{hi:.6f},{cpu:.6f},,{step_flops(layers, batch)}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
