"""autograd.Function subclassed in Python, as PyTorch's:

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y

    y = Exp.apply(x)

The node is the C++ one of custom functions (tg::autograd::Function): forward runs without
grad mode, backward is called by the engine with the GIL taken, and an exception raised in it
reaches the caller of backward() with its type."""

import functools

from .. import _C

_ag = _C._autograd
FunctionCtx = _ag.FunctionCtx


class Function:
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args):
        return _ag.function_apply(cls, *args)


def once_differentiable(fn):
    """Marks a backward that is not itself differentiable: a double backward through it
    raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        return fn(ctx, *args)

    wrapper._once_differentiable = True
    return wrapper
