"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, computed by the C++ transforms.
Inputs and outputs are a Tensor or a tuple of Tensors, and results follow that structure as
PyTorch's do."""

from .. import _C
from .._tensor import Tensor

_ag = _C._autograd


def _as_tuple(x):
    if isinstance(x, Tensor):
        return False, (x,)
    return True, tuple(x)


class _Recorder:
    """Calls func and notes whether it returned a tuple."""

    def __init__(self, func):
        self.func = func
        self.is_tuple = False

    def __call__(self, *args):
        out = self.func(*args)
        self.is_tuple = not isinstance(out, Tensor)
        return out


def _shape(values, is_tuple):
    return tuple(values) if is_tuple else values[0]


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    in_tuple, inputs = _as_tuple(inputs)
    rec = _Recorder(func)
    j = _ag.jacobian(rec, list(inputs), create_graph)
    rows = [_shape(row, in_tuple) for row in j]
    return _shape(rows, rec.is_tuple)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    in_tuple, inputs = _as_tuple(inputs)
    h = _ag.hessian(func, list(inputs), create_graph)
    rows = [_shape(row, in_tuple) for row in h]
    return _shape(rows, in_tuple)




def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J), the product shaped as the inputs."""
    in_tuple, ins = _as_tuple(inputs)
    rec = _Recorder(func)
    vs = [] if v is None else list(_as_tuple(v)[1])
    out, prod = _ag.vjp(rec, list(ins), vs, create_graph)
    return _shape(out, rec.is_tuple), _shape(prod, in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), the product shaped as the outputs."""
    in_tuple, ins = _as_tuple(inputs)
    rec = _Recorder(func)
    vs = [] if v is None else list(_as_tuple(v)[1])
    out, prod = _ag.jvp(rec, list(ins), vs, create_graph)
    return _shape(out, rec.is_tuple), _shape(prod, rec.is_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v), the product shaped as the inputs."""
    in_tuple, ins = _as_tuple(inputs)
    vs = [] if v is None else list(_as_tuple(v)[1])
    out, prod = _ag.hvp(func, list(ins), vs, create_graph)
    return out[0], _shape(prod, in_tuple)
