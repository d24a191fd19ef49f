#!/usr/bin/env python3
"""make-fixture.py - writes the tiny results folder that the report tests read (tests/data/results-mini).

It has the exact files and columns of `initlab run` (docs/results.md), with made-up but plausible numbers:
3 inits (zero, uniform, large) x 2 seeds, a 2-4-1 sigmoid network on a regression task, 10 epochs of
4 steps with an extra log point at epoch 0.5, and the run large__seed2 diverged during epoch 7.
The description holds '<', '&' and a non-ASCII character so the HTML escaping is exercised.
Run it from anywhere; it rewrites the folder it lives in. Deterministic (no random numbers).
"""
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
INITS = [("zero", "zero"), ("uniform", "uniform:0.7"), ("large", "large:10")]
SEEDS = [1, 2]
EPOCHS = [0, 0.5] + list(range(1, 11))
STEPS_PER_EPOCH = 4
BINS = 40
HIDDEN = 4


def num(v):
    if v is None:
        return ""
    return "%.9g" % v


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(num(c) if not isinstance(c, str) else c for c in r) + "\n")


def run_curve(init, seed, e):
    """Every diagnostic of one run at epoch e."""
    s = 0.03 * seed
    if init == "zero":
        train = 0.9 * math.exp(-0.05 * e) + 0.6 + s
        lin = None if e == 0 else 1.0
        distinct = 1
        sat = 0.0
        lr = 1.0
        wn = 0.08 * e
    elif init == "uniform":
        train = 0.9 * math.exp(-0.45 * e) + 0.08 + s
        lin = 0.995 - 0.04 * e + s * 0.1
        distinct = HIDDEN
        sat = 0.01 * e
        lr = 1.0 - 0.05 * e
        wn = 1.1 + 0.15 * e + s
    else:
        train = 4.0 * math.exp(-0.2 * e) + 0.5 + 3 * s
        lin = 0.35 + 0.01 * e - s
        distinct = HIDDEN
        sat = 0.93 - 0.005 * e
        lr = 0.04
        wn = 19.0 + 0.3 * e + 10 * s
    test = train * 1.15
    return dict(train=train, test=test, mse=test, rel=test / 0.05, lin=lin, wn=wn, pn=wn * 1.05,
                gn=0.5 * math.exp(-0.3 * e), probe=train * 1.02, sat=sat, lr=lr, distinct=distinct)


def hist(init, seed, layer, end):
    """40 counts over 4 units x 25 probe samples (layer 1) or 1 x 25 (layer 2)."""
    total = (HIDDEN if layer == 1 else 1) * 25
    if layer == 1 and init == "large":
        w = [1.0 if b < 3 or b >= BINS - 3 else 0.02 for b in range(BINS)]
    elif layer == 1 and init == "zero":
        w = [1.0 if b == BINS // 2 else 0.0 for b in range(BINS)]
    else:
        centre, width = (BINS / 2, 3 + (4 if end else 0) + seed)
        w = [math.exp(-((b - centre) / width) ** 2) for b in range(BINS)]
    scale = total / sum(w)
    counts = [int(round(x * scale)) for x in w]
    counts[BINS // 2] += total - sum(counts)
    return counts


def main():
    runs, curves, layers, hists = [], [], [], []
    wide = {}
    for seed in SEEDS:
        for init, spec in INITS:
            diverged = init == "large" and seed == 2
            epochs = [e for e in EPOCHS if not diverged or e <= 6]
            rid = "%s__seed%d" % (init, seed)
            pts = []
            for e in epochs:
                c = run_curve(init, seed, e)
                step = int(round(e * STEPS_PER_EPOCH))
                pts.append((e, step, c))
                curves.append([init, str(seed), num(e), str(step), c["train"], c["test"], None, c["mse"],
                               c["rel"], c["lin"], c["wn"], c["pn"], c["gn"], c["probe"], c["sat"], c["lr"],
                               None, str(c["distinct"])])
                wide.setdefault(e, {}).setdefault(init, []).append(c["test"])
                for layer in (1, 2):
                    if layer == 1:
                        layers.append([init, str(seed), num(e), str(step), "1", "sigmoid", str(HIDDEN),
                                       c["wn"] * 0.9, c["gn"] * 0.7, 0.0, 1.0 + c["wn"] / 5, 0.5, 0.2,
                                       c["sat"], c["lr"], None, str(c["distinct"])])
                    else:
                        layers.append([init, str(seed), num(e), str(step), "2", "identity", "1", c["wn"] * 0.4,
                                       c["gn"] * 0.3, 0.1, 0.9, 0.1, 0.9, None, 0.5, None, "1"])
            first, last = pts[0], pts[-1]
            for (e, step, c), end in ((first, False), (last, True)):
                for layer, act, lo, hi in ((1, "sigmoid", 0.0, 1.0), (2, "identity", -2.5 - seed, 2.5 + seed)):
                    if layer == 1 and init == "zero":
                        lo, hi = 0.49, 0.51
                    counts = hist(init, seed, layer, end)
                    width = (hi - lo) / BINS
                    for b in range(BINS):
                        hists.append([init, str(seed), num(e), str(step), str(layer), act, str(b + 1),
                                      lo + width * b, hi if b == BINS - 1 else lo + width * (b + 1),
                                      str(counts[b])])
            f0, fl = first[2], last[2]
            runs.append([rid, init, spec, str(seed), "diverged" if diverged else "finished",
                         "7" if diverged else None, "6" if diverged else "10", "24" if diverged else "40",
                         None if diverged else fl["train"], None if diverged else fl["test"], None,
                         None if diverged else fl["mse"], None if diverged else fl["rel"], f0["lin"],
                         None if diverged else fl["lin"], f0["sat"], None if diverged else fl["sat"], None,
                         None, str(f0["distinct"]), None if diverged else str(fl["distinct"]), str(HIDDEN),
                         f0["wn"], None if diverged else fl["wn"], 0.01 * (seed + 1)])
    write("runs.csv",
          "run,init,init_spec,seed,status,diverged_epoch,epochs,steps,train_loss,test_loss,test_accuracy,"
          "test_mse,relative_test_error,linearity_start,linearity_end,saturated_start,saturated_end,dead_start,"
          "dead_end,distinct_units_start,distinct_units_end,hidden_units,weight_norm_start,weight_norm_end,"
          "seconds", runs)
    write("curves.csv",
          "init,seed,epoch,step,train_loss,test_loss,test_accuracy,test_mse,relative_test_error,linearity,"
          "weight_norm,param_norm,grad_norm,probe_loss,saturated,linear_region,dead,distinct_units", curves)
    write("layers.csv",
          "init,seed,epoch,step,layer,activation,units,weight_norm,grad_norm,preact_mean,preact_std,act_mean,"
          "act_std,saturated,linear_region,dead,distinct_units", layers)
    write("histograms.csv", "init,seed,epoch,step,layer,activation,bin,lo,hi,count", hists)
    rows = []
    for e in EPOCHS:
        rows.append([num(e)] + [sum(v) / len(v) if v else None
                                for v in (wide[e].get(i, []) for i, _ in INITS)])
    write("test_loss_wide.csv", "epoch," + ",".join(i for i, _ in INITS), rows)
    with open(os.path.join(HERE, "meta"), "w") as f:
        f.write("# written by initlab run: what produced this folder\n"
                "version = 0.1.0\nexperiment = mini\ndata = esl-sigmoids\n"
                "data_description = ESL 11.6 sum of sigmoids, 2 inputs, 100 train, 40 test\n"
                "task = regression\nbayes_error = 0.05\nhidden_activation = sigmoid\nhidden_layers = 4\n"
                "inits = zero, uniform, large\nseeds = 1, 2\nplan_order = seed-major\nruns_in_plan = 6\n"
                "shard = all\njobs = 2\nblas = OpenBLAS\nblas_threads_per_run = 1\n"
                "blas_threads_of_the_process = 1\ntiming = on\ndate = 2025-03-01T10:15:00Z\n"
                "config_fingerprint = 0123456789abcdef\n")
    with open(os.path.join(HERE, "config.ini"), "w") as f:
        f.write("# The experiment exactly as used.\n\n[experiment]\nname = mini\ndescription =\n"
                "    A tiny made-up folder for the report's tests: zero, uniform and large starts.\n"
                "    zero keeps 1 distinct unit; large (±10) saturates & its R² < 0.5 <b>stays</b> low.\n"
                "\n[data]\nsource = esl-sigmoids\nscale = standardize\ntest_fraction = 0.2\n"
                "max_train = 0\nmax_test = 0\nseed = 1\n\n[network]\nhidden = 4\nactivation = sigmoid\n"
                "output = auto\n\n[training]\nepochs = 10\nlearning_rate = 0.5\nbatch_size = 25\n"
                "momentum = 0\nweight_decay = 0\ndivergence_loss = 1e+06\n\n[inits]\n"
                "list = zero, uniform, large\nbias = 0\n\n[seeds]\ncount = 2\n\n[logging]\n"
                "every_epochs = 1\nevery_steps = 2\nprobe_samples = 25\n\n[output]\ndir = results\n"
                "jobs = 2\n")


if __name__ == "__main__":
    main()
