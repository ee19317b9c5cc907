"""The free functions: those of tensorgrad._C (factories, the op table, cat, stack, where...),
and torch.<method>(input, ...) for the methods that PyTorch also has as functions, which call the
method (the same C++ op)."""

from . import _C

_C_FUNCTIONS = [
    "empty", "zeros", "ones", "full", "rand", "randn", "randint", "randperm", "arange",
    "linspace", "eye", "scalar_tensor", "empty_like", "zeros_like", "ones_like", "full_like",
    "rand_like", "randn_like", "manual_seed", "set_num_threads", "get_num_threads",
    "set_flush_denormal",
    "add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt", "ge", "maximum", "minimum",
    "where", "cat", "concat", "stack", "allclose", "equal", "broadcast_shapes",
    # the elementwise op table
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal",
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "sigmoid", "erf", "erfc", "erfinv", "lgamma", "digamma", "frac", "floor", "ceil",
    "round", "trunc", "abs", "sign", "sgn", "atan2", "hypot", "copysign", "xlogy", "fmod",
    "remainder",
]

_METHODS = [
    "sum", "mean", "prod", "max", "min", "argmax", "argmin", "amax", "amin", "norm", "var", "std",
    "logsumexp", "softmax", "log_softmax", "cumsum", "reshape", "flatten", "t", "transpose",
    "permute", "squeeze", "unsqueeze", "narrow", "select", "index_select", "gather",
    "scatter_add", "masked_fill", "chunk", "split", "unbind", "matmul", "mm", "bmm", "mv", "dot",
    "outer", "addmm", "clamp", "clip", "clamp_min", "clamp_max", "neg", "negative", "relu",
    "square", "logit", "lerp", "addcmul", "addcdiv", "detach", "clone", "multiply", "divide",
    "true_divide",
]

__all__ = list(_C_FUNCTIONS) + list(_METHODS) + ["polygamma"]

for _name in _C_FUNCTIONS:
    globals()[_name] = getattr(_C, _name)


def _method_function(name):
    def function(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = name
    function.__qualname__ = name
    function.__doc__ = f"tensorgrad.{name}(input, ...) is input.{name}(...)."
    return function


for _name in _METHODS:
    globals()[_name] = _method_function(_name)


def polygamma(n, input):
    return input.polygamma(n)
