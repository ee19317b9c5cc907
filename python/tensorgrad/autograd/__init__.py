"""tensorgrad.autograd: Variable (the seed's API), backward and grad, grad mode, anomaly
detection, and the functional transforms. The engine is the C++ one: backward runs without the
GIL, and Python hooks take it back."""

from .. import _C
from .._tensor import Tensor
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from . import functional
from .gradcheck import gradcheck, gradgradcheck
from .function import Function, FunctionCtx, once_differentiable

_ag = _C._autograd
Node = _ag.Node


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """The seed's Variable(tensor, requires_grad=False): a tensor sharing the storage of `data`,
    without its history. Since PyTorch 0.4 a Variable is a Tensor, and so it is here:
    isinstance(t, Variable) holds for every tensor."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        if not isinstance(data, Tensor):
            data = _C.tensor(data)
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out


def _tensors(x, what):
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulates into .grad the gradients of `tensors` (scaled by grad_tensors)."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    tensors = _tensors(tensors, "tensors")
    grads = _tensors(grad_tensors, "grad_tensors")
    if grads and all(g is None for g in grads):
        grads = []
    _ag.backward(tensors, grads, retain_graph, create_graph, _tensors(inputs, "inputs"))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=False, is_grads_batched=False):
    """The gradients of outputs with respect to inputs, as a tuple (None for an unused input
    when allow_unused), without touching .grad."""
    if is_grads_batched:
        raise NotImplementedError("grad(is_grads_batched=True) is not supported by tensorgrad")
    outputs = _tensors(outputs, "outputs")
    grads = _tensors(grad_outputs, "grad_outputs")
    if grads and all(g is None for g in grads):
        grads = []
    return tuple(_ag.grad(outputs, _tensors(inputs, "inputs"), grads, retain_graph, create_graph,
                          allow_unused))


def checkpoint(function, *args):
    """Runs function(*args) without keeping its activations; backward recomputes them."""
    out = _ag.checkpoint(function, list(args))
    return out[0] if len(out) == 1 else tuple(out)


def to_dot(roots):
    """The backward graph behind roots in Graphviz DOT."""
    return _ag.to_dot(_tensors(roots, "roots"))
