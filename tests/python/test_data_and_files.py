"""tensorgrad.save / load (safetensors files, checked with the repository's independent reader,
tests/serialize_reader.py) and tensorgrad.utils.data."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.utils.data import DataLoader, TensorDataset, random_split, Generator


def test_save_load_round_trip_and_the_file_is_safetensors(tmp_path, source_dir):
    model = tg.nn.Sequential(tg.nn.Linear(3, 2), tg.nn.ReLU(), tg.nn.Linear(2, 1))
    path = tmp_path / "model.safetensors"
    tg.save(model, path, metadata={"note": "python"})
    loaded = tg.load(path)
    assert list(loaded) == list(model.state_dict())
    for k, v in model.state_dict().items():
        assert tg.equal(loaded[k], v)
    other = tg.nn.Sequential(tg.nn.Linear(3, 2), tg.nn.ReLU(), tg.nn.Linear(2, 1))
    other.load_state_dict(tg.load(path))
    x = tg.randn(4, 3)
    assert tg.equal(model(x), other(x))
    out = tmp_path / "read.json"
    subprocess.run([sys.executable, os.path.join(source_dir, "tests", "serialize_reader.py"),
                    str(path), str(out)], check=True)
    read = json.loads(out.read_text())
    assert read["__metadata__"] == {"note": "python"}
    assert read["0.weight"]["dtype"] == "F32" and read["0.weight"]["shape"] == [2, 3]
    np.testing.assert_allclose(read["0.weight"]["values"],
                               model[0].weight.detach().numpy().ravel(), rtol=1e-7)
    with pytest.raises(TypeError, match="dict of named tensors"):
        tg.save([1, 2], path)
    with pytest.raises(RuntimeError):
        tg.load(tmp_path / "missing.safetensors")


def test_dataloader_batches_shuffles_with_a_seed():
    ds = TensorDataset(tg.arange(10.0).reshape(10, 1), tg.arange(10))
    batches = list(DataLoader(ds, batch_size=4))
    assert [tuple(b[0].shape) for b in batches] == [(4, 1), (4, 1), (2, 1)]
    assert batches[0][1].tolist() == [0, 1, 2, 3]
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2

    def order(seed):
        g = Generator().manual_seed(seed)
        return [y for _, ys in DataLoader(ds, batch_size=3, shuffle=True, generator=g)
                for y in ys.tolist()]

    assert sorted(order(1)) == list(range(10))
    assert order(1) == order(1) and order(1) != order(2)
    a, b = random_split(ds, [7, 3], generator=Generator().manual_seed(0))
    assert len(a) == 7 and len(b) == 3
    assert sorted([int(a[i][1]) for i in range(7)] + [int(b[i][1]) for i in range(3)]) == \
        list(range(10))
