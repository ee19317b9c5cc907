#!/usr/bin/python3
"""The Python side of the benchmark suite: tensorgrad from Python against PyTorch 1.13 from
Python, in the same process, on the C++ suite's small workloads (bench/workloads.cpp):
scalar_chain (the cost of one small op with autograd, per op), tutorial (the seed's cells, ones(2,
2) to backward) and mlp_step (784-512-512-10, batch 256, cross entropy, SGD). At 1 thread, as
the C++ figures (bash scripts/bench.sh) it prints beside them for the binding's cost per call.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [--repeat N]
"""

import argparse
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
    run, per = make(lib)
    run()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        n, start = 0, time.perf_counter()
        while True:
            run()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / n / per)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--min-time", type=float, default=0.2)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    tg.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    print(f"{'workload':<14}{'tensorgrad':>14}{'PyTorch':>14}{'ratio':>8}")
    for name, make, unit, scale in (("scalar_chain", scalar_chain, "us/op", 1e6),
                                    ("tutorial", tutorial, "us", 1e6),
                                    ("mlp_step", mlp_step, "ms", 1e3)):
        a = measure(make, tg, args.repeat, args.min_time)
        b = measure(make, torch, args.repeat, args.min_time)
        print(f"{name:<14}{a * scale:>11.2f} {unit:<3}{b * scale:>10.2f} {unit:<3}{a / b:>7.2f}")


if __name__ == "__main__":
    main()
