#!/usr/bin/python3
"""Trains the CLI's CNN (apps/train.cpp: conv 32 3x3, pool, conv 64 3x3, pool, fc 128, fc 10)
on Fashion-MNIST from Python with tensorgrad, as one would with PyTorch: a Python nn.Module,
Adam, cross entropy, shuffled mini-batches; prints the test accuracy after each epoch.

    /usr/bin/python3 examples/python/train_fashion_mnist.py --epochs 5

The data is Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)."""

import argparse
import gzip
import os
import sys
import time

import numpy as np

import tensorgrad as torch
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F

MEAN, STD = 0.2860, 0.3530


def read_idx(path):
    """An IDX file (gzip'd or not) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    if data[2] != 0x08:
        raise ValueError(f"{path}: expected unsigned bytes")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(folder, split):
    prefix = "train" if split == "train" else "t10k"

    def find(name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.exists(path):
                return path
        raise FileNotFoundError(f"{name}(.gz) not found in {folder}")

    images = read_idx(find(f"{prefix}-images-idx3-ubyte")).astype(np.float32) / 255.0
    # The CLI's normalisation: Fashion-MNIST's mean and standard deviation after scaling to [0, 1].
    images = (images - MEAN) / STD
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(images[:, None]), torch.from_numpy(labels)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


@torch.no_grad()
def accuracy(model, images, labels, batch=200):
    model.eval()
    correct = 0
    for begin in range(0, len(images), batch):
        logits = model(images[begin:begin + batch])
        correct += logits.argmax(1).eq(labels[begin:begin + batch]).sum().item()
    model.train()
    return correct / len(images)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    p.add_argument("--test-limit", type=int, default=None, help="evaluate on the first N test images")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    train_x, train_y = load(args.data, "train")
    test_x, test_y = load(args.data, "test")
    if args.limit:
        train_x, train_y = train_x[:args.limit], train_y[:args.limit]
    if args.test_limit:
        test_x, test_y = test_x[:args.test_limit], test_y[:args.test_limit]
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    n = len(train_x)
    print(f"train_fashion_mnist: CNN ({sum(p.numel() for p in model.parameters())} parameters), "
          f"{n} images, {args.epochs} epoch(s), batch {args.batch_size}, Adam lr {args.lr}",
          flush=True)
    acc = 0.0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.from_numpy(rng.permutation(n))
        total = 0.0
        for begin in range(0, n, args.batch_size):
            idx = order[begin:begin + args.batch_size]
            x, y = train_x[idx], train_y[idx]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        acc = accuracy(model, test_x, test_y)
        print(f"epoch {epoch}/{args.epochs}: loss {total / n:.4f}, test accuracy {acc:.4f} "
              f"({time.perf_counter() - start:.1f} s)", flush=True)
    return acc


if __name__ == "__main__":
    main()
    sys.exit(0)
