"""Every error the binding itself raises (argument handling, indexing, numpy, hooks, Python
Functions, optimisers), with its type and message."""

import pytest

import tensorgrad as tg


def raises(exc, match, fn):
    with pytest.raises(exc, match=match):
        fn()


CASES = [
    (ValueError, "step must be greater than zero", lambda: tg.ones(3)[::-1]),
    (IndexError, "too many indices for tensor of dimension 1", lambda: tg.ones(3)[0, 0]),
    (IndexError, "a single ellipsis", lambda: tg.ones(3, 3)[..., ...]),
    (TypeError, "a boolean mask and other tensor",
     lambda: tg.ones(3, 3)[tg.tensor([True, False, True]), tg.tensor([1])]),
    (IndexError, "long, byte or bool tensors", lambda: tg.ones(3)[tg.tensor([0.0])]),
    (IndexError, "Python bool", lambda: tg.ones(3)[True]),
    (IndexError, "shape of the mask", lambda: tg.ones(3, 2)[tg.tensor([True, False])]),
    (TypeError, "sizes must be ints", lambda: tg.ones(2.5)),
    (TypeError, "sequence of ints", lambda: tg.ones(2).sum(dim=[0.5])),
    (ValueError, "CPU only", lambda: tg.zeros(2, device="cuda")),
    (ValueError, "CPU only", lambda: tg.zeros(2).to("cuda")),
    (TypeError, "to\\(\\) got an unexpected keyword argument 'memory_format'",
     lambda: tg.zeros(2).to(memory_format=1)),
    (ValueError, "expected sequence of length 2 at dim 1", lambda: tg.tensor([[1, 2], [3]])),
    (TypeError, "Could not infer dtype of str", lambda: tg.tensor([["a"]])),
    (TypeError, "Could not infer dtype of dict", lambda: tg.tensor({})),
    (TypeError, "expected np.ndarray \\(got list\\)", lambda: tg.from_numpy([1])),
    (ValueError, "norm: p must be a number or 'fro'", lambda: tg.ones(2).norm("nuc")),
    (TypeError, "randint\\(\\): expected", lambda: tg.randint(3)),
    (TypeError, "argument 'tensors' must be a tuple or list of Tensors",
     lambda: tg.cat(tg.ones(2))),
    (TypeError, "only integer tensors of a single element", lambda: [1][tg.tensor(0.0)]),
    (RuntimeError, "assigned grad has data of a different size",
     lambda: setattr(tg.ones(2, requires_grad=True), "grad", tg.ones(3))),
    (RuntimeError, "assigned grad has data of a different type",
     lambda: setattr(tg.ones(2, requires_grad=True), "grad", tg.ones(2, dtype=tg.float64))),
    (TypeError, "expected a callable", lambda: tg.ones(1, requires_grad=True).register_hook(1)),
    (RuntimeError, "doesn't require gradient", lambda: tg.ones(1).register_hook(lambda g: g)),
    (ValueError, "is not a valid value for reduction",
     lambda: tg.nn.functional.mse_loss(tg.ones(2), tg.ones(2), reduction="avg")),
    (ValueError, "Unsupported nonlinearity", lambda: tg.nn.init.kaiming_uniform_(
        tg.ones(2, 2), nonlinearity="swish")),
    (ValueError, "Mode fan_avg not supported", lambda: tg.nn.init.kaiming_uniform_(
        tg.ones(2, 2), mode="fan_avg")),
    (RuntimeError, "empty parameter list", lambda: tg.optim.SGD([], lr=0.1)),
    (ValueError, "dropout probability has to be between 0 and 1",
     lambda: tg.nn.functional.dropout(tg.ones(2), 1.5)),
    (TypeError, "must return a Tensor or a tuple of Tensors",
     lambda: tg.autograd.functional.jacobian(lambda x: 3, tg.ones(2))),
]


@pytest.mark.parametrize("exc,match,fn", CASES, ids=[c[1][:40] for c in CASES])
def test_binding_errors(exc, match, fn):
    raises(exc, match, fn)


def test_a_python_functions_backward_must_return_tensors():
    class F(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return "no"

    with pytest.raises(TypeError, match="backward must return a Tensor, None or a tuple"):
        F.apply(tg.ones(1, requires_grad=True)).backward()

    class G(F):
        @staticmethod
        def backward(ctx, g):
            return (g, 1)

    with pytest.raises(TypeError, match="backward must return Tensors or None, not int"):
        G.apply(tg.ones(1, requires_grad=True)).backward()


def test_a_ctx_outliving_its_graph():
    kept = []

    class F(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            kept.append(ctx)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    F.apply(tg.ones(1, requires_grad=True))
    with pytest.raises(RuntimeError, match="no longer exists"):
        kept[0].saved_tensors


def test_a_hook_returning_a_non_tensor():
    x = tg.ones(1, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: 3)
    with pytest.raises(TypeError, match="a hook must return None or a Tensor, not int"):
        y.backward()
