"""The Python training example runs and learns (a short run; the full run is
`examples/python/train_fashion_mnist.py --epochs 5`)."""

import importlib.util
import os

import pytest


def test_train_fashion_mnist_learns(source_dir):
    data = "/usr/share/datasets/fashion-mnist"
    if not os.path.isdir(data):
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    path = os.path.join(source_dir, "examples", "python", "train_fashion_mnist.py")
    spec = importlib.util.spec_from_file_location("train_fashion_mnist", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    acc = module.main(["--limit", "512", "--test-limit", "500", "--epochs", "1", "--seed", "1"])
    assert acc > 0.3  # chance is 0.1
