#!/usr/bin/python3
"""The Python side of the benchmark suite: tensorgrad from Python against PyTorch 1.13 from
Python, in the same process, on the C++ suite's workloads that have a Python form, defined as in
bench/workloads.cpp: scalar_chain (the cost of one small op with autograd, per op), tutorial (the
seed's cells, ones(2, 2) to backward), tiny_mlp (16-16-1, tanh, batch 1, MSE, SGD), elementwise
(tanh(x * 2 + 1) on 2^24 floats, forward and backward), mlp_step (784-512-512-10, batch 256, cross
entropy, SGD) and cnn_step (two conv-ReLU-pool blocks and a Linear, batch 64, SGD). Each figure is
the median of the repetitions, at 1 thread unless --threads says otherwise. With --cpp (the C++
suite's binary, built with -DTENSORGRAD_BUILD_BENCHMARKS=ON) the same workloads' C++ figures,
tensorgrad's and libtorch's, run first and are printed beside them. With --torch-only, PyTorch
alone is measured (tensorgrad's Python package is not needed); --json writes PyTorch's figures for
the C++ suite's table (tensorgrad_bench --python_results=FILE, which scripts/bench.sh passes).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [--repeat N] \
        [--cpp build/bench/tensorgrad_bench]
    /usr/bin/python3 bench/python_bench.py --torch-only --threads 2 --json FILE
"""

import argparse
import json
import statistics
import subprocess
import tempfile
import time

import torch

CHAIN_OPS = 10000  # bench/bench.h kChainOps, so that an iteration is the C++ suite's iteration
ELEMENTWISE_NUMEL = 1 << 24  # bench/bench.h kElementwiseNumel


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


def elementwise(lib):
    lib.manual_seed(0)
    x = lib.randn(ELEMENTWISE_NUMEL, requires_grad=True)
    seed = lib.ones(ELEMENTWISE_NUMEL)

    def run():
        x.grad = None
        y = lib.tanh(x * 2 + 1)
        y.backward(seed)

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


def cnn_step(lib):
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),  # 16x13x13
                          nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),  # 32x5x5
                          nn.Flatten(), nn.Linear(800, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x = lib.randn(64, 1, 28, 28)
    labels = lib.randint(0, 10, (64,))

    def run():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), labels)
        loss.backward()
        opt.step()

    return run, 1


def measure(make, lib, repeat, min_time):
    """The median over `repeat` repetitions of the mean time per iteration, and the units (ops)
    in one iteration."""
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
        times.append(elapsed / n)
    return statistics.median(times), per


WORKLOADS = (("scalar_chain", scalar_chain, "us/op", 1e6), ("tutorial", tutorial, "us", 1e6),
             ("tiny_mlp", tiny_mlp, "us", 1e6), ("elementwise", elementwise, "ms", 1e3),
             ("mlp_step", mlp_step, "ms", 1e3), ("cnn_step", cnn_step, "ms", 1e3))


def cpp_figures(binary, repeat, min_time, threads):
    """Seconds per unit of each workload in the C++ suite, {(workload, library): median}."""
    names = "|".join(w[0] for w in WORKLOADS)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [binary, "--no_rss", f"--threads={threads}", f"--benchmark_filter=^({names})/",
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
        per = CHAIN_OPS if workload == "scalar_chain" else 1
        figures[(workload, label)] = b["real_time"] * scale / per
    return figures


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--min-time", type=float, default=0.2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cpp", help="the C++ suite's tensorgrad_bench, for the C++ figures")
    p.add_argument("--torch-only", action="store_true", help="measure PyTorch alone")
    p.add_argument("--json", help="write PyTorch's seconds per iteration of each workload here")
    args = p.parse_args()
    cpp = cpp_figures(args.cpp, args.repeat, args.min_time, args.threads) if args.cpp else {}
    libraries = [torch]
    if not args.torch_only:
        import tensorgrad as tg  # only here, so that --torch-only runs without the package
        libraries.insert(0, tg)
    for lib in libraries:
        lib.set_num_threads(args.threads)
    head = f"{'workload':<14}{'unit':<6}"
    head += f"{'PyTorch':>9}" if args.torch_only else f"{'tensorgrad':>11}{'PyTorch':>9}{'ratio':>7}"
    if cpp:
        head += f"{'tg C++':>9}{'libtorch':>9}{'ratio':>7}"
    print(head)
    torch_seconds = {}
    for name, make, unit, scale in WORKLOADS:
        figures = [measure(make, lib, args.repeat, args.min_time) for lib in libraries]
        torch_seconds[name] = figures[-1][0]
        per_unit = [seconds / per for seconds, per in figures]
        a, b = per_unit[0], per_unit[-1]
        line = f"{name:<14}{unit:<6}"
        line += f"{b * scale:>9.2f}" if args.torch_only else \
            f"{a * scale:>11.2f}{b * scale:>9.2f}{a / b:>7.2f}"
        c, d = cpp.get((name, "tensorgrad")), cpp.get((name, "libtorch"))
        if c and d:
            line += f"{c * scale:>9.2f}{d * scale:>9.2f}{c / d:>7.2f}"
        print(line, flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"library": f"PyTorch {torch.__version__} (Python)", "threads": args.threads,
                       "seconds_per_iteration": torch_seconds}, out, indent=1)


if __name__ == "__main__":
    main()
