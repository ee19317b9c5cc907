"""Tensor from Python against PyTorch 1.13: construction, factories, dtypes, operators with
scalars either side, in-place operators, indexing and assignment, methods, numpy sharing,
printing, the Python protocols."""

import math
import pickle
import copy

import numpy as np
import pytest
import torch

import tensorgrad as tg
from oracle import assert_same, run_both, to_tg, to_torch

RNG = np.random.default_rng(0)


def rand(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape)


# ---- construction and dtypes ----

@pytest.mark.parametrize("data", [
    [1, 2, 3], [1.5, 2, 3], [[1, 2], [3, 4]], [True, False], [[True], [False]], 3, 2.5, True,
    [], [[1.0, 2.0], [3.0, 4.0]], [np.float32(1.5), 2],
])
def test_tensor_from_python_data(data):
    assert_same(tg.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_tensor_with_dtype(dtype):
    assert_same(tg.tensor([[1, 0], [2, 3]], dtype=getattr(tg, dtype)),
                torch.tensor([[1, 0], [2, 3]], dtype=getattr(torch, dtype)))


def test_ragged_lists_are_refused():
    with pytest.raises(ValueError):
        tg.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        tg.tensor(["a"])


def test_dtypes_are_singletons_with_pytorchs_aliases():
    assert tg.float32 is tg.float and tg.float64 is tg.double and tg.int64 is tg.long
    assert tg.ones(2).dtype is tg.float32
    assert repr(tg.float64) == "tensorgrad.float64"
    assert tg.float64.is_floating_point and not tg.int64.is_floating_point
    assert tg.zeros(2, dtype=float).dtype is tg.float64  # Python's types, as PyTorch
    assert tg.zeros(2, dtype=int).dtype is tg.int64


@pytest.mark.parametrize("name,args,kwargs", [
    ("zeros", (2, 3), {}), ("ones", ((2, 3),), {}), ("ones", ([4],), {"dtype": "float64"}),
    ("full", ((2, 2), 7), {}), ("full", ((2, 2), 7.5), {}), ("full", ((1,), True), {}),
    ("arange", (5,), {}), ("arange", (1, 4, 0.5), {}), ("arange", (0.0, 3), {}),
    ("arange", (2, 11, 3), {"dtype": "float64"}), ("linspace", (0, 1, 5), {}),
    ("eye", (3,), {}), ("eye", (2, 3), {"dtype": "int64"}), ("zeros", (0,), {}),
])
def test_factories(name, args, kwargs):
    kw_tg = {k: getattr(tg, v) for k, v in kwargs.items()}
    kw_th = {k: getattr(torch, v) for k, v in kwargs.items()}
    assert_same(getattr(tg, name)(*args, **kw_tg), getattr(torch, name)(*args, **kw_th))


def test_random_factories_shapes_and_seed():
    tg.manual_seed(3)
    a = tg.randn(4, 5)
    tg.manual_seed(3)
    assert tg.equal(a, tg.randn(4, 5))
    assert tuple(tg.rand(2, 3, dtype=tg.float64).shape) == (2, 3)
    r = tg.rand(1000)
    assert 0 <= r.min().item() and r.max().item() < 1
    i = tg.randint(3, 7, (100,))
    assert i.dtype is tg.int64 and 3 <= i.min().item() and i.max().item() < 7
    assert sorted(tg.randperm(6).tolist()) == list(range(6))
    assert tg.ones(2, requires_grad=True).requires_grad


def test_like_factories_and_new():
    x = tg.ones(2, 3, dtype=tg.float64)
    assert tg.zeros_like(x).dtype is tg.float64 and tuple(tg.zeros_like(x).shape) == (2, 3)
    assert tg.full_like(x, 4).sum().item() == 24
    assert x.new_zeros(4).dtype is tg.float64
    assert x.new_tensor([1, 2]).dtype is tg.float64


def test_legacy_typed_constructors():
    f = tg.FloatTensor([0.1, 1.0, 0.0001])
    assert f.dtype is tg.float32 and isinstance(f, tg.FloatTensor)
    assert not isinstance(f, tg.DoubleTensor)
    assert tg.LongTensor([1, 2]).dtype is tg.int64
    assert tuple(tg.FloatTensor(2, 3).shape) == (2, 3)
    assert tg.Tensor([1, 2]).dtype is tg.float32


# ---- arithmetic ----

BINARY = [
    lambda L, a, b: a + b, lambda L, a, b: a - b, lambda L, a, b: a * b, lambda L, a, b: a / b,
    lambda L, a, b: a.abs() ** b, lambda L, a, b: L.maximum(a, b), lambda L, a, b: L.atan2(a, b),
    lambda L, a, b: a.add(b, alpha=2), lambda L, a, b: L.sub(a, b, alpha=0.5),
    lambda L, a, b: L.where(a > b, a, b), lambda L, a, b: a.lerp(b, 0.25),
]


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)),
                                    ((), (2, 2))])
def test_binary_ops_broadcast_with_gradients(op, shapes):
    a, b = rand(*shapes[0]), rand(*shapes[1], low=0.5, high=2)
    run_both(op, a, b)


@pytest.mark.parametrize("op", [
    lambda L, a: a + 2, lambda L, a: 2 + a, lambda L, a: a - 1.5, lambda L, a: 1.5 - a,
    lambda L, a: a * 3, lambda L, a: 3 * a, lambda L, a: a / 4, lambda L, a: 4 / a,
    lambda L, a: a ** 2, lambda L, a: 2 ** a, lambda L, a: -a, lambda L, a: abs(a),
    lambda L, a: a % 0.7, lambda L, a: a.pow(3), lambda L, a: a.clamp(-0.5, 0.5),
    lambda L, a: a.clamp(min=0.1),
])
def test_scalars_on_either_side(op):
    run_both(op, rand(3, 4, low=0.5, high=2))


UNARY = ["exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tan", "tanh",
         "sigmoid", "abs", "neg", "reciprocal", "square", "relu", "atan", "asinh", "erf",
         "floor", "ceil", "round", "trunc", "sign", "lgamma", "digamma", "log2", "log10",
         "sinh", "cosh", "exp2", "erfc", "frac"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_methods_and_functions(name):
    x = rand(5, 3, low=0.2, high=0.9)
    run_both(lambda L, a: getattr(a, name)(), x)
    if hasattr(torch, name) and hasattr(tg, name):
        run_both(lambda L, a: getattr(L, name)(a), x)


@pytest.mark.parametrize("dtype_a,dtype_b", [("float32", "float64"), ("int64", "float32"),
                                             ("int64", "int64"), ("bool", "int64")])
def test_type_promotion(dtype_a, dtype_b):
    a = [[1, 0], [2, 3]]
    for op in (lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x < y):
        assert_same(op(tg.tensor(a, dtype=getattr(tg, dtype_a)),
                       tg.tensor(a, dtype=getattr(tg, dtype_b))),
                    op(torch.tensor(a, dtype=getattr(torch, dtype_a)),
                       torch.tensor(a, dtype=getattr(torch, dtype_b))))
    assert_same(tg.tensor(a) * 2.5, torch.tensor(a) * 2.5)
    assert_same(tg.tensor(a) / 2, torch.tensor(a) / 2)


@pytest.mark.parametrize("op", ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
def test_comparisons(op):
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    assert_same(getattr(tg.tensor(a), op)(tg.tensor(b)), getattr(torch.tensor(a), op)(torch.tensor(b)))
    assert_same(getattr(tg.tensor(a), op)(2), getattr(torch.tensor(a), op)(2))
    assert_same(2 < tg.tensor(a), 2 < torch.tensor(a))


def test_inplace_operators_keep_the_object_and_record_history():
    def program(L, a, b):
        c = a * 1
        d = c
        c += b
        c *= 2
        c -= 1
        c /= 3
        c **= 2
        assert c is d
        c.add_(b, alpha=2).mul_(b).clamp_(max=5).exp_()
        return c

    run_both(program, rand(3, 3), rand(3, 3))


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        x += 1
    with tg.no_grad():
        x += 1
    assert x.tolist() == [2.0, 2.0]


# ---- reductions, shapes, linear algebra ----

@pytest.mark.parametrize("op", [
    lambda L, a: a.sum(), lambda L, a: a.sum(0), lambda L, a: a.sum((0, 2), keepdim=True),
    lambda L, a: a.mean(-1), lambda L, a: a.prod(1), lambda L, a: a.max(),
    lambda L, a: a.max(1)[0], lambda L, a: a.min(dim=2, keepdim=True).values,
    lambda L, a: a.amax((0, 1)), lambda L, a: a.norm(), lambda L, a: a.norm(dim=1),
    lambda L, a: a.var(), lambda L, a: a.std(1, unbiased=False), lambda L, a: a.var(0, keepdim=True),
    lambda L, a: a.logsumexp(1), lambda L, a: a.softmax(-1), lambda L, a: a.log_softmax(0),
    lambda L, a: a.cumsum(2), lambda L, a: L.sum(a, 1), lambda L, a: L.mean(a),
])
def test_reductions(op):
    run_both(op, rand(2, 3, 4))


def test_max_with_dim_is_a_named_pair():
    x = tg.tensor([[1.0, 5.0], [7.0, 2.0]])
    r = x.max(1)
    assert r.values.tolist() == [5.0, 7.0] and r.indices.tolist() == [1, 0]
    v, i = x.min(0)
    assert v.tolist() == [1.0, 2.0] and i.tolist() == [0, 1]
    assert x.argmax().item() == 2 and x.argmax(0).tolist() == [1, 0]


@pytest.mark.parametrize("op", [
    lambda L, a: a.view(4, 6), lambda L, a: a.view(-1), lambda L, a: a.reshape((6, 4)),
    lambda L, a: a.t(), lambda L, a: a.transpose(0, 1), lambda L, a: a.permute(1, 0),
    lambda L, a: a.unsqueeze(1).expand(4, 3, 6), lambda L, a: a[None].squeeze(0),
    lambda L, a: a.flatten(), lambda L, a: a.narrow(1, 2, 3), lambda L, a: a.select(1, 3),
    lambda L, a: L.cat([a, a * 2], 1), lambda L, a: L.stack([a, a], 0),
    lambda L, a: a.chunk(3, 1), lambda L, a: a.split(2, 0), lambda L, a: a.split([1, 5], 1),
    lambda L, a: a.unbind(0), lambda L, a: a.repeat(2, 1), lambda L, a: a.T,
    lambda L, a: a.contiguous().clone(), lambda L, a: a.expand_as(a.new_ones(2, 4, 6)),
])
def test_shape_ops(op):
    run_both(op, rand(4, 6))


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                    ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
                                    ((1, 2, 3), (5, 3, 2))])
def test_matmul(shapes):
    run_both(lambda L, a, b: a @ b, rand(*shapes[0]), rand(*shapes[1]))


def test_linear_algebra_methods():
    run_both(lambda L, a, b: (a.mm(b), a.mm(b).mv(b[:, 0] * 0 + 1)), rand(3, 3), rand(3, 3))
    run_both(lambda L, a, b: (a.dot(b), a.outer(b)), rand(4), rand(4))
    run_both(lambda L, a, b: L.addmm(a, a, b, beta=0.5, alpha=2), rand(3, 3), rand(3, 3))
    run_both(lambda L, a, b: a.bmm(b), rand(2, 3, 4), rand(2, 4, 2))


def test_gather_scatter_index_select_masked_fill():
    idx = np.array([[0, 2], [1, 0]])

    def program(L, a):
        i = L.from_numpy(idx.copy())
        return (a.gather(1, i), a.index_select(1, i[0]), a.masked_fill(a > 0, 0.5),
                L.zeros(2, 3, dtype=a.dtype).scatter_add(1, i, a[:, :2]))

    run_both(program, rand(2, 3))


# ---- indexing ----

INDICES = [
    0, -1, (1, 2), slice(1, None), slice(None, None, 2), (slice(None), 1), (Ellipsis, 0),
    (None, 1), (1, None, slice(0, 2)), (Ellipsis, None), (slice(-3, -1), Ellipsis, 1),
    slice(5, 1), (0, slice(1, 3), None),
]


@pytest.mark.parametrize("index", INDICES, ids=str)
def test_getitem_basic(index):
    run_both(lambda L, a: a[index], rand(4, 3, 5))


def test_getitem_with_tensors_and_lists():
    mask = rand(4, 3) > 0

    def program(L, a):
        m = L.from_numpy(mask.copy())
        return (a[L.tensor([2, 0, 2])], a[[1, -1]], a[:, L.tensor([[0, 1], [2, 2]])], a[m],
                a[a > 0.5], a[1:, L.tensor([0, 2])], a[..., L.tensor([1])],
                a[L.tensor([0, 3, 3]), L.tensor([2, 0, 1])], a[[[0], [1]], [0, 2]],
                a[L.tensor([-1, 0]), -L.tensor([1, 2])])

    run_both(program, rand(4, 3))


def test_setitem():
    def program(L, a, b):
        c = a * 1
        c[0] = 5
        c[1, 1:] = b[0, :2]
        c[:, 0] = L.tensor([1.0, 2.0, 3.0, 4.0], dtype=a.dtype)
        c[c > 1.5] = -1
        c[L.tensor([3, 1])] = 0.25
        c[2] = b[1, 2]
        c[1:3, L.tensor([0, 2])] = b[:, :1] * 2
        c[L.tensor([True, False, True, False])] = b[0]
        c[L.tensor([0, 3]), L.tensor([1, 2])] = b[0, :2] * 3
        return c

    run_both(program, rand(4, 3), rand(2, 3))


def test_integer_indices_separated_by_a_slice_go_first():
    # PyTorch's rule: ints select first; tensor (or list) indices that are not next to each
    # other put their broadcast shape first, then the other dims in order.
    def program(L, a):
        i, j = L.tensor([0, 1, 1]), L.tensor([[2], [-1]])
        return (a[i, :, j], a[:, i, :, j], a[i, :, j, :], a[i, None, j], a[i, ..., j],
                a[i, :, j, 0], a[0, i, :, j], a[0, :, [1, 2]], a[i, 1:3, [0, 1, 3]],
                a[:, i, 0, j], a[[1], :, [0, 2], 1:], a[[[1]], ::2, :, [[4, 0]]])

    run_both(program, rand(2, 3, 4, 5))


def test_setitem_through_separated_integer_indices():
    def program(L, a, b):
        c = a * 1
        c[L.tensor([0, 1]), :, L.tensor([3, 1])] = b[:2, :3] * 2
        c[0, :, [3, 1]] = 7.0
        c[[1], 1:, [0], :2] = b[0, 0, :2]
        return c

    run_both(program, rand(2, 3, 4, 5), rand(3, 4, 5))


def test_setitem_on_plain_tensors_writes_through_views():
    x = tg.zeros(3, 4)
    x[1:, ::2] = 1
    x[0] = tg.arange(4.0)
    x[..., -1] = tg.tensor([7.0, 8.0, 9.0])
    y = torch.zeros(3, 4)
    y[1:, ::2] = 1
    y[0] = torch.arange(4.0)
    y[..., -1] = torch.tensor([7.0, 8.0, 9.0])
    assert_same(x, y)


def test_index_errors():
    x = tg.zeros(2, 3)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 1 with size 3"):
        x[tg.tensor([0]), tg.tensor([3])]
    with pytest.raises(IndexError, match="index -3 is out of bounds for dimension 0"):
        x[[-3], [0]]
    # (PyTorch names the dim of its internal transposed view, 0; this names the indexed one.)
    with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 2 with size 4"):
        tg.zeros(2, 3, 4)[[0], :, [4]]
    with pytest.raises(IndexError, match="out of bounds"):
        x[2]
    with pytest.raises(IndexError):
        x[0, 0, 0]
    with pytest.raises(IndexError):
        x["a"]
    with pytest.raises(ValueError):
        x[::-1]


# ---- the Python protocols ----

def test_len_iter_item_tolist_bool_float():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert len(x) == 2
    assert [r.tolist() for r in x] == [[1.0, 2.0], [3.0, 4.0]]
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert x[1, 1].item() == 4.0 and isinstance(x.sum().item(), float)
    assert isinstance(tg.tensor(3).item(), int) and isinstance(tg.tensor(True).item(), bool)
    assert float(x[0, 1]) == 2.0 and int(x[1, 0]) == 3
    assert [0, 1, 2][tg.tensor(1)] == 1
    assert bool(tg.tensor([1.0])) and not bool(tg.tensor(0))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x)
    with pytest.raises(TypeError, match="0-d"):
        len(tg.tensor(1.0))
    with pytest.raises(TypeError):
        iter(tg.tensor(1.0))
    assert f"{tg.tensor(2.5):.2f}" == "2.50"
    assert (x == None) is False and (x != None) is True  # noqa: E711, as PyTorch
    assert x.size() == (2, 2) and x.size(1) == 2 and x.shape[0] == 2
    assert repr(x.shape) == "tensorgrad.Size([2, 2])"
    assert x.dim() == 2 and x.ndim == 2 and x.numel() == 4 and x.stride() == (2, 1)


def test_print_uses_the_seeds_layout():
    assert str(tg.ones(2, 2)) == " 1  1\n 1  1\n[torch.FloatTensor of size 2x2]"
    assert repr(tg.ones(2, 2, requires_grad=True)).startswith("Variable containing:\n")
    assert str(tg.tensor([1, 2])).endswith("[torch.LongTensor of size 2]")
    assert str(tg.tensor(0.5, dtype=tg.float64)) == " 0.5000\n[torch.DoubleTensor of size ()]"


def test_pickle_and_copy():
    x = tg.randn(3, 2, requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert tg.equal(x.detach(), y.detach()) and y.requires_grad and y.is_leaf
    z = copy.deepcopy(x)
    assert tg.equal(x.detach(), z.detach()) and z.data_ptr() != x.data_ptr()


# ---- numpy ----

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_from_numpy_shares_memory(dtype):
    a = np.zeros((2, 3), dtype=dtype)
    t = tg.from_numpy(a)
    t[0, 1] = 1
    assert a[0, 1] == 1
    a[1, 2] = 1
    assert t[1, 2].item() == 1
    assert t.data_ptr() == a.ctypes.data


def test_numpy_shares_memory_and_keeps_the_tensor_alive():
    t = tg.arange(6.0).reshape(2, 3)
    n = t.numpy()
    n[0, 0] = 42
    assert t[0, 0].item() == 42
    del t
    assert n.sum() == 42 + 15
    v = tg.arange(12.0).reshape(3, 4)[:, 1::2]  # a strided view
    assert np.array_equal(v.numpy(), np.arange(12.0).reshape(3, 4)[:, 1::2])
    assert np.shares_memory(np.asarray(v), v.numpy())
    assert np.asarray(tg.ones(2, dtype=tg.int64)).dtype == np.int64


def test_from_numpy_views_and_refusals():
    a = np.arange(12.0).reshape(3, 4)
    t = tg.from_numpy(a[:, 1::2])
    assert t.stride() == (2, 1) or t.tolist() == a[:, 1::2].tolist()
    assert t.tolist() == a[:, 1::2].tolist()
    with pytest.raises(ValueError, match="negative"):
        tg.from_numpy(a[::-1])
    with pytest.raises(TypeError, match="numpy.uint16"):
        tg.from_numpy(np.zeros(2, dtype=np.uint16))
    with pytest.raises(TypeError):
        tg.from_numpy([1, 2])


def test_numpy_of_a_tensor_that_requires_grad_is_refused_with_pytorchs_message():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        x.numpy()
    with pytest.raises(RuntimeError) as e_th:
        torch.ones(2, requires_grad=True).numpy()
    assert str(e.value) == str(e_th.value)
    with pytest.raises(RuntimeError):
        np.asarray(x)
    assert x.detach().numpy().tolist() == [1.0, 1.0]


def test_numpy_arrays_make_tensors():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    assert_same(tg.tensor(a), torch.tensor(a))
    assert_same(tg.tensor(np.ones(3)), torch.tensor(np.ones(3)))
    t = tg.tensor(np.ones(3))
    t[0] = 5  # a copy, not a view
    assert np.ones(3)[0] == 1


def test_set_flush_denormal_as_pytorch():
    tiny, torch_tiny = tg.full((4,), 1e-39), torch.full((4,), 1e-39)
    try:
        assert tg.set_flush_denormal(True) is torch.set_flush_denormal(True)
        assert tg.equal(tiny * 1.5, tg.zeros(4))
        assert torch.equal(torch_tiny * 1.5, torch.zeros(4))
    finally:
        tg.set_flush_denormal(False)
        torch.set_flush_denormal(False)
    assert (tiny * 1.5).ne(0).sum().item() == 4
