"""The ten dtypes from Python against PyTorch 1.13: names and aliases, factories, conversions,
promotion between them, numpy, and modules converted to the floating ones."""

import warnings

import numpy as np
import pytest
import torch

import tensorgrad as tg
from oracle import DTYPE_NAMES, assert_same

ALIASES = ["short", "int", "long", "half", "float", "double"]


@pytest.mark.parametrize("name", DTYPE_NAMES + ALIASES)
def test_every_dtype_name_and_alias_as_pytorch(name):
    d, ref = getattr(tg, name), getattr(torch, name)
    assert isinstance(d, tg.dtype)
    assert repr(d) == repr(ref).replace("torch.", "tensorgrad.")
    assert d.is_floating_point == ref.is_floating_point
    assert d.is_signed == ref.is_signed and not d.is_complex
    assert d.itemsize == torch.empty(0, dtype=ref).element_size()
    assert tg.zeros(1, dtype=d).dtype is d


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_factories_with_each_dtype(name):
    d, ref = getattr(tg, name), getattr(torch, name)
    data = [[0, 1, 2], [3, 0, 5]] if name != "bool" else [[True, False], [False, True]]
    assert_same(tg.tensor(data, dtype=d), torch.tensor(data, dtype=ref))
    assert_same(tg.zeros(2, 3, dtype=d), torch.zeros(2, 3, dtype=ref))
    assert_same(tg.ones((3,), dtype=d), torch.ones((3,), dtype=ref))
    assert_same(tg.full((2,), 1, dtype=d), torch.full((2,), 1, dtype=ref))
    if name != "bfloat16":  # torch 1.13 has no eye for bfloat16 on the CPU
        assert_same(tg.eye(3, dtype=d), torch.eye(3, dtype=ref))
    assert tg.empty(4, dtype=d).dtype is d
    assert tg.zeros_like(tg.ones(2), dtype=d).dtype is d
    if name != "bool":
        assert_same(tg.arange(5, dtype=d), torch.arange(5, dtype=ref))
        assert tg.randint(0, 5, (3,), dtype=d).dtype is d


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_conversions_to_each_dtype(name):
    d, ref = getattr(tg, name), getattr(torch, name)
    values = [-2.75, -1.0, 0.0, 0.5, 1.5, 3.0, 100.25]
    x, y = tg.tensor(values, dtype=tg.float64), torch.tensor(values, dtype=torch.float64)
    if name == "uint8":  # negative floats to uint8 are undefined in C++ (and in PyTorch)
        x, y = x.abs(), y.abs()
    assert_same(x.to(d), y.to(ref))
    assert_same(x.to(dtype=d), y.to(dtype=ref))
    assert_same(x.type(d), y.type(ref))
    assert x.to(d).type() == y.to(ref).type()
    method = {"uint8": "byte", "int8": "char", "int16": "short", "int32": "int", "int64": "long",
              "float16": "half", "float32": "float", "float64": "double"}.get(name, name)
    assert_same(getattr(x, method)(), getattr(y, method)())
    assert_same(x.to(d).to(tg.float32), y.to(ref).to(torch.float32))
    legacy = {"uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
              "float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
              "bool": "Bool"}[name] + "Tensor"
    assert isinstance(x.to(d), getattr(tg, legacy))
    assert getattr(tg, legacy)([1, 0]).dtype is d


PAIRS = [("uint8", "int8"), ("int8", "int16"), ("int16", "int32"), ("int32", "int64"),
         ("uint8", "float16"), ("int32", "bfloat16"), ("float16", "bfloat16"),
         ("float16", "float32"), ("bfloat16", "float64"), ("bool", "uint8"), ("bool", "int32"),
         ("int64", "float16"), ("uint8", "uint8")]


@pytest.mark.parametrize("a,b", PAIRS)
def test_arithmetic_promotes_as_pytorch(a, b):
    x = [[1, 2, 0], [3, 1, 2]]
    ta, tb = tg.tensor(x, dtype=getattr(tg, a)), tg.tensor(x, dtype=getattr(tg, b))
    ra, rb = torch.tensor(x, dtype=getattr(torch, a)), torch.tensor(x, dtype=getattr(torch, b))
    assert_same(ta + tb, ra + rb)
    assert_same(ta * tb, ra * rb)
    assert_same(ta == tb, ra == rb)
    assert_same(ta + 1, ra + 1)
    assert_same(ta * 2.5, ra * 2.5, rtol=1e-2)
    assert_same(ta.sum(), ra.sum())


@pytest.mark.parametrize("name", [n for n in DTYPE_NAMES if n != "bfloat16"])
def test_numpy_round_trip_for_each_dtype(name):
    a = np.array([[1, 0, 2], [3, 4, 1]]).astype(name)
    t = tg.from_numpy(a)
    assert t.dtype is getattr(tg, name)
    assert t.numpy().dtype == a.dtype
    np.testing.assert_array_equal(t.numpy(), a)
    assert t.tolist() == torch.from_numpy(a).tolist()
    assert_same(tg.tensor(a), torch.tensor(a))
    a[0, 0] = 0
    assert t[0, 0].item() == 0  # shared memory


def test_bfloat16_has_no_numpy_but_has_tolist_and_item():
    x = tg.tensor([1.5, -2.25, 3.0], dtype=tg.bfloat16)
    with pytest.raises(TypeError, match="BFloat16"):
        x.numpy()
    assert x.tolist() == torch.tensor([1.5, -2.25, 3.0], dtype=torch.bfloat16).tolist()
    assert x[1].item() == -2.25


def test_floating_dtypes_take_gradients():
    for name in ("float16", "bfloat16", "float32", "float64"):
        x = tg.tensor([1.0, 2.0], dtype=getattr(tg, name), requires_grad=True)
        (x * x).sum().backward()
        assert x.grad.dtype is x.dtype and x.grad.tolist() == [2.0, 4.0]


def test_uint8_masks_index_as_pytorch():
    x, m = np.arange(6.0), np.array([1, 0, 1, 0, 0, 1], dtype=np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecation of byte masks
        ref = torch.from_numpy(x)[torch.from_numpy(m)]
    assert_same(tg.from_numpy(x)[tg.from_numpy(m)], ref)
    with pytest.raises(IndexError):
        tg.from_numpy(x)[tg.tensor([0, 1], dtype=tg.int32)]


def test_modules_convert_to_the_floating_dtypes():
    m = tg.nn.Sequential(tg.nn.Linear(3, 2), tg.nn.BatchNorm1d(2))
    for method, d in (("half", tg.float16), ("bfloat16", tg.bfloat16), ("double", tg.float64),
                      ("float", tg.float32)):
        getattr(m, method)()
        assert all(p.dtype is d for p in m.parameters())
        assert m[1].running_mean.dtype is d and m[1].num_batches_tracked.dtype is tg.int64
    assert m.to(tg.float64)[0].weight.dtype is tg.float64
    with pytest.raises(TypeError, match="floating point"):
        m.to(tg.int32)
