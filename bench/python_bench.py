#!/usr/bin/python3
"""The Python side of the benchmark suite: tensorgrad from Python against PyTorch 1.13 from
Python, in the same process, on the C++ suite's small workloads (bench/workloads.cpp):
scalar_chain (the cost of one small op with autograd, per op), tutorial (the seed's cells, ones(2,
2) to backward), tiny_mlp (16-16-1, tanh, batch 1, MSE, SGD) and mlp_step (784-512-512-10, batch
256, cross entropy, SGD). Each figure is the median of the repetitions, at 1 thread. With --cpp
(the C++ suite's binary, built with -DTENSORGRAD_BUILD_BENCHMARKS=ON) the same workloads' C++
figures, tensorgrad's and libtorch's, run first and are printed beside them.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [--repeat N] \
        [--cpp build/bench/tensorgrad_bench]
"""

import argparse
import json
import statistics
import subprocess
import tempfile
import time

import tensorgrad as tg
import torch

CHAIN_OPS = 1000


def scalar_chain(lib):
    x = lib.ones(1, requires_grad=True)

    def run():
        x.grad = None
        y = x
        for _ in range(CHAIN_OPS // 2):
            y = y * 1.0001
            y = y + 0.5
        y.backward()

    return run, CHAIN_OPS


def tutorial(lib):
    def run():
        x = lib.ones(2, 2, requires_grad=True)
        y = x + 2
        z = y * y * 3
        out = z.mean()
        out.backward()
        assert x.grad[0, 0].item() == 4.5

    return run, 1


def tiny_mlp(lib):
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x = lib.randn(1, 16)
    target = lib.randn(1, 1)

    def run():
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), target)
        loss.backward()
        opt.step()

    return run, 1


def mlp_step(lib):
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x = lib.randn(256, 784)
    labels = lib.randint(0, 10, (256,))

    def run():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), labels)
        loss.backward()
        opt.step()

    return run, 1


def measure(make, lib, repeat, min_time):
    """The median over `repeat` repetitions of the mean time per unit."""
    run, per = make(lib)
    run()  # warm-up
    times = []
    for _ in range(repeat):
        n, start = 0, time.perf_counter()
        while True:
            run()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        times.append(elapsed / n / per)
    return statistics.median(times)


WORKLOADS = (("scalar_chain", scalar_chain, "us/op", 1e6), ("tutorial", tutorial, "us", 1e6),
             ("tiny_mlp", tiny_mlp, "us", 1e6), ("mlp_step", mlp_step, "ms", 1e3))
CPP_CHAIN_OPS = 10000  # bench/bench.h kChainOps: the C++ scalar_chain's ops per iteration


def cpp_figures(binary, repeat, min_time):
    """Seconds per unit of each workload in the C++ suite, {(workload, library): median}."""
    names = "|".join(w[0] for w in WORKLOADS)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [binary, "--no_rss", "--threads=1", f"--benchmark_filter=^({names})/",
             f"--benchmark_repetitions={repeat}", f"--benchmark_min_time={min_time}",
             f"--benchmark_out={out.name}", "--benchmark_out_format=json"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results = json.load(open(out.name))
    figures = {}
    for b in results["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        workload, label = b["run_name"].split("/")[:2]
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        per = CPP_CHAIN_OPS if workload == "scalar_chain" else 1
        figures[(workload, label)] = b["real_time"] * scale / per
    return figures


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--min-time", type=float, default=0.2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cpp", help="the C++ suite's tensorgrad_bench, for the C++ figures")
    args = p.parse_args()
    cpp = cpp_figures(args.cpp, args.repeat, args.min_time) if args.cpp else {}
    tg.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    head = f"{'workload':<14}{'unit':<6}{'tensorgrad':>11}{'PyTorch':>9}{'ratio':>7}"
    if cpp:
        head += f"{'tg C++':>9}{'libtorch':>9}{'ratio':>7}"
    print(head)
    for name, make, unit, scale in WORKLOADS:
        a = measure(make, tg, args.repeat, args.min_time)
        b = measure(make, torch, args.repeat, args.min_time)
        line = f"{name:<14}{unit:<6}{a * scale:>11.2f}{b * scale:>9.2f}{a / b:>7.2f}"
        c, d = cpp.get((name, "tensorgrad")), cpp.get((name, "libtorch_1t"))
        d = d or cpp.get((name, "libtorch"))
        if c and d:
            line += f"{c * scale:>9.2f}{d * scale:>9.2f}{c / d:>7.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
