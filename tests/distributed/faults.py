#!/usr/bin/env python3
"""Faults in tensorgrad's MPI jobs, run as a user runs them, with mpirun.

fault_worker jobs: a rank that is killed, throws, hangs or passes another shape than the others
must end the whole job, non-zero, within a bound, with a message that names what failed.
tensorgrad-train: two ranks end with the parameters of one process (within a tolerance); a job
whose rank is killed mid-run ends within the bound, and --resume from its last checkpoint ends
with the same parameters, to the bit, as the job that was never stopped.

    faults.py --mpiexec MPIEXEC --worker FAULT_WORKER --trainer TENSORGRAD_TRAIN
"""
import argparse
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time
import json

BOUND_S = 15.0  # a failed job must be over this long after the fault (plus any timeout)
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(cmd, limit=300):
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=limit)
    return p, time.monotonic() - start


def worker_faults(mpiexec, worker):
    p, t = run([mpiexec, "-np", "2", worker, "none", "2000"])
    check(p.returncode == 0 and p.stdout.count("done") == 2, "a job without faults completes")
    for mode, timeout_ms, expect in [
        ("crash", 60000, "rank 1"),
        ("throw", 60000, "fault_worker: rank 1: rank 1 fails on purpose at step 5"),
        ("hang", 2000, "fault_worker: rank 0: ProcessGroupMPI all_reduce (rank 0 of 2): not complete after 2 s"),
        ("mismatch", 60000, "this rank passes Float [2] but rank 1 passes Float [3]"),
    ]:
        p, t = run([mpiexec, "-np", "2", worker, mode, str(timeout_ms)])
        out = p.stdout + p.stderr
        bound = BOUND_S + (timeout_ms / 1000 if mode == "hang" else 0)
        print("     %s: the job ended with status %d after %.1f s" % (mode, p.returncode, t))
        check(p.returncode != 0, "%s: the job fails" % mode)
        check(t < bound, "%s: the job ends within %.0f s (took %.1f s)" % (mode, bound, t))
        check(expect in out, "%s: the output says '%s'" % (mode, expect) + ("" if expect in out else ":\n" + out))


def write_idx(folder, prefix, images, labels):
    n = len(labels)
    with open(os.path.join(folder, prefix + "-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 2051, n, 28, 28) + bytes(images))
    with open(os.path.join(folder, prefix + "-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 2049, n) + bytes(labels))


def make_data(folder):
    """Images whose class is where a bright square stands, with noise."""
    rng = random.Random(11)
    for prefix, n in (("train", 512), ("t10k", 200)):
        images, labels = [], []
        for _ in range(n):
            label = rng.randrange(10)
            image = [rng.randrange(60) for _ in range(28 * 28)]
            r0, c0 = 2 + 8 * (label // 4), 2 + 6 * (label % 4)
            for r in range(r0, r0 + 5):
                for c in range(c0, c0 + 5):
                    image[r * 28 + c] = 200 + rng.randrange(56)
            images += image
            labels.append(label)
        write_idx(folder, prefix, images, labels)


def read_tensors(path):
    """name -> raw bytes of each tensor of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    return {k: body[v["data_offsets"][0]:v["data_offsets"][1]]
            for k, v in header.items() if k != "__metadata__"}


def max_difference(a, b):
    worst = 0.0
    for name in a:
        x = struct.unpack("<%df" % (len(a[name]) // 4), a[name])
        y = struct.unpack("<%df" % (len(b[name]) // 4), b[name])
        worst = max(worst, max(abs(u - v) for u, v in zip(x, y)))
    return worst


def epochs_done(checkpoint):
    """The epochs a trainer's checkpoint holds (its metadata)."""
    with open(checkpoint, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return int(json.loads(f.read(n))["__metadata__"]["epochs_done"])


def rank_pids(marker):
    """The pids of the tensorgrad-train processes whose command line holds `marker`."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if args and os.path.basename(args[0]) == b"tensorgrad-train" and marker.encode() in b" ".join(args):
            pids.append(int(entry))
    return pids


def trainer_faults(mpiexec, trainer, root):
    data = os.path.join(root, "data")
    os.makedirs(data)
    make_data(data)
    common = ["--data", data, "--threads", "1", "--batch-size", "32", "--seed", "3"]
    full = os.path.join(root, "full.safetensors")
    single = os.path.join(root, "single.safetensors")
    killed = os.path.join(root, "killed.safetensors")

    p, t = run([mpiexec, "-np", "2", trainer] + common + ["--epochs", "4", "--save", full])
    check(p.returncode == 0, "2 ranks train 4 epochs" + ("" if p.returncode == 0 else ":\n" + p.stderr))
    check(p.stdout.count("epoch 4/4: train loss") == 1, "rank 0 alone reports")
    p1, t1 = run([trainer] + common + ["--epochs", "4", "--save", single])
    check(p1.returncode == 0, "1 process trains 4 epochs")
    if p.returncode == 0 and p1.returncode == 0:
        diff = max_difference(read_tensors(full), read_tensors(single))
        print("     2 ranks against 1 process: largest parameter difference %.3g" % diff)
        check(diff < 1e-4, "2 ranks end with 1 process's parameters within 1e-4")

    # Kill a rank once the first checkpoint is written, then resume.
    job = subprocess.Popen([mpiexec, "-np", "2", trainer] + common + ["--epochs", "400", "--save", killed],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    checkpoint = os.path.join(root, "killed.checkpoint.safetensors")
    deadline = time.monotonic() + 120
    while not os.path.exists(checkpoint) and time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.01)
    pids = rank_pids(killed)
    check(len(pids) == 2, "found the job's 2 ranks (%s)" % pids)
    if pids:
        os.kill(pids[-1], signal.SIGKILL)
        start = time.monotonic()
        try:
            output, _ = job.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            job.kill()
            output, _ = job.communicate()
        t = time.monotonic() - start
        print("     a killed rank: the job ended with status %d after %.1f s" % (job.returncode, t))
        check(job.returncode != 0, "a killed rank fails the job")
        check(t < BOUND_S, "the job ends within %.0f s of the kill (took %.1f s)" % (BOUND_S, t))
    # On a busy machine the kill may land several epochs after the first checkpoint: resume to
    # two epochs past the last one saved, and compare with an unbroken job of as many epochs.
    epochs = max(4, epochs_done(checkpoint) + 2)
    reference = full
    if epochs > 4:
        reference = os.path.join(root, "reference.safetensors")
        run([mpiexec, "-np", "2", trainer] + common + ["--epochs", str(epochs), "--save", reference])
    p, t = run([mpiexec, "-np", "2", trainer] + common + ["--epochs", str(epochs), "--resume", "--save", killed])
    check(p.returncode == 0 and "resuming after epoch" in p.stdout,
          "the killed job resumes from its checkpoint" + ("" if p.returncode == 0 else ":\n" + p.stderr))
    if p.returncode == 0:
        check(read_tensors(killed) == read_tensors(reference),
              "the resumed job ends with the unbroken job's parameters, to the bit (%d epochs)" % epochs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mpiexec", required=True)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--trainer")
    args = parser.parse_args()
    worker_faults(args.mpiexec, args.worker)
    if args.trainer:
        with tempfile.TemporaryDirectory() as root:
            trainer_faults(args.mpiexec, args.trainer, root)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
