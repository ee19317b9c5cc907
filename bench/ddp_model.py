#!/usr/bin/env python3
"""Cost model of a DistributedDataParallel step on N machines, and a discrete-event check of it.

A step is forward (F), backward (B) and the optimizer (O) on each rank's own batch (weak scaling:
every rank keeps its batch, the global batch grows with N). Gradients travel in buckets of at most
`bucket` bytes, in reverse registration order; a bucket's ring all-reduce can start once backward
has produced its last gradient and the previous bucket's all-reduce is done (one link, one
collective at a time). A ring all-reduce of S bytes over N ranks takes
    t(S) = 2 (N - 1) alpha + 2 (N - 1) / N * S / beta
(alpha: per-message latency, beta: link bandwidth).

The closed form assumes backward produces gradients evenly over its duration and K equal buckets:
    T = F + max(B + t(S/K), B/K + K t(S/K)) + O
(either backward is the bottleneck and only the last bucket's all-reduce shows, or the link is,
and it starts after the first bucket). The discrete-event simulation instead replays the buckets
with their real sizes and the times backward makes them ready, from a per-layer profile, and so
checks the closed form's prediction of the overlap.

    bench_ddp_profile > profile.json
    ddp_model.py profile.json [--check RANKS ALPHA BETA]

Links: 10 Gb/s with 20 us latency (TCP over Ethernet), 100 Gb/s with 5 us (RDMA).
"""
import argparse
import json

MB = 1 << 20


def ring(nbytes, ranks, alpha, beta):
    if ranks == 1 or nbytes == 0:
        return 0.0
    return 2 * (ranks - 1) * alpha + 2 * (ranks - 1) / ranks * nbytes / beta


def buckets_of(params, bucket):
    """params: (bytes, ready seconds into backward) in registration order -> DDP's buckets, filled
    in reverse order, each (bytes, the time its last gradient is ready)."""
    out, size, ready = [], 0, 0.0
    for nbytes, at in reversed(params):
        size += nbytes
        ready = max(ready, at)
        if size >= bucket:
            out.append((size, ready))
            size, ready = 0, 0.0
    if size:
        out.append((size, ready))
    return out


def simulate(profile, ranks, alpha, beta, bucket):
    """Discrete events: a bucket's all-reduce starts when its last gradient is ready and the link
    is free; the step ends when backward and the last all-reduce are done, then the optimizer."""
    link_free = 0.0
    for size, ready in buckets_of(profile["parameters"], bucket):
        start = max(ready, link_free)
        link_free = start + ring(size, ranks, alpha, beta)
    return profile["forward"] + max(profile["backward"], link_free) + profile["optimizer"]


def closed_form(profile, ranks, alpha, beta, bucket):
    total = sum(p[0] for p in profile["parameters"])
    k = max(1, -(-total // bucket))
    per = ring(total / k, ranks, alpha, beta)
    b = profile["backward"]
    return profile["forward"] + max(b + per, b / k + k * per) + profile["optimizer"]


def scaled(profile, bytes_scale, time_scale):
    return {"forward": profile["forward"] * time_scale,
            "backward": profile["backward"] * time_scale,
            "optimizer": profile["optimizer"] * time_scale,
            "parameters": [(b * bytes_scale, t * time_scale) for b, t in profile["parameters"]]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profile", help="the JSON that bench_ddp_profile prints")
    parser.add_argument("--bucket-mb", type=float, default=25)
    parser.add_argument("--check", nargs=3, type=float, metavar=("RANKS", "ALPHA", "BETA"),
                        help="also predict a step on RANKS ranks with this latency (s) and "
                             "bandwidth (bytes/s), e.g. the loopback figures of bench_allreduce")
    args = parser.parse_args()
    raw = json.load(open(args.profile))
    profile = {k: raw[k] for k in ("forward", "backward", "optimizer")}
    profile["parameters"] = [(p["bytes"], p["ready"]) for p in raw["parameters"]]
    bucket = int(args.bucket_mb * MB)
    single = profile["forward"] + profile["backward"] + profile["optimizer"]
    print("profile: batch %d, %d thread(s): forward %.1f ms, backward %.1f ms, optimizer %.1f ms, "
          "%.2f MB of gradients" % (raw["batch"], raw["threads"], profile["forward"] * 1e3,
                                   profile["backward"] * 1e3, profile["optimizer"] * 1e3,
                                   sum(p[0] for p in profile["parameters"]) / 1e6))
    if args.check:
        ranks, alpha, beta = int(args.check[0]), args.check[1], args.check[2]
        print("predicted step on %d ranks: %.2f ms (closed form), %.2f ms (simulated); one rank "
              "%.2f ms" % (ranks, closed_form(profile, ranks, alpha, beta, bucket) * 1e3,
                           simulate(profile, ranks, alpha, beta, bucket) * 1e3, single * 1e3))
    links = {"10 Gb/s": (10e9 / 8, 20e-6), "100 Gb/s": (100e9 / 8, 5e-6)}
    models = {"CNN": scaled(profile, 1, 1),
              "100x params and compute": scaled(profile, 100, 100),
              "100x params, same compute": scaled(profile, 100, 1)}
    print("weak scaling (each rank keeps its batch); efficiency = one rank's step / a DDP step")
    print("%-26s %-9s %5s %12s %12s %8s %8s" % ("model", "link", "ranks", "closed (ms)",
                                               "sim. (ms)", "eff.", "eff. sim"))
    for name, model in models.items():
        one = model["forward"] + model["backward"] + model["optimizer"]
        for link, (beta, alpha) in links.items():
            for ranks in (8, 64):
                closed = closed_form(model, ranks, alpha, beta, bucket)
                sim = simulate(model, ranks, alpha, beta, bucket)
                print("%-26s %-9s %5d %12.2f %12.2f %8.3f %8.3f" % (
                    name, link, ranks, closed * 1e3, sim * 1e3, one / closed, one / sim))


if __name__ == "__main__":
    main()
