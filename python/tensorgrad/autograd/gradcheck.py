"""gradcheck and gradgradcheck: the C++ checks (finite differences in float64) on a Python
function."""

from .. import _C
from .._tensor import Tensor

_ag = _C._autograd


def _inputs(inputs):
    return [inputs] if isinstance(inputs, Tensor) else list(inputs)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **kwargs):
    return _ag.gradcheck(func, _inputs(inputs), eps, atol, rtol, raise_exception, False)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **kwargs):
    if grad_outputs is not None:
        raise NotImplementedError("gradgradcheck(grad_outputs=...) is not supported by "
                                  "tensorgrad (it draws its own)")
    return _ag.gradcheck(func, _inputs(inputs), eps, atol, rtol, raise_exception, True)
