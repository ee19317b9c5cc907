"""tensorgrad: define-by-run automatic differentiation, PyTorch's Python API over tensorgrad's C++
library (the extension module tensorgrad._C). Every op and the autograd engine are the C++ ones;
this package only adapts arguments to PyTorch's conventions.

    import tensorgrad as torch
    from tensorgrad.autograd import Variable
"""

from . import _C
from ._tensor import (
    Tensor,
    Size,
    dtype,
    from_numpy,
    tensor,
    is_tensor,
    is_floating_point,
    numel,
    FloatTensor,
    DoubleTensor,
    LongTensor,
    BoolTensor,
    ByteTensor,
    CharTensor,
    ShortTensor,
    IntTensor,
    HalfTensor,
    BFloat16Tensor,
)
from ._functions import *  # noqa: F401,F403  the free functions: torch.exp, torch.sum, ...
from ._functions import __all__ as _function_names
from .autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from . import autograd
from . import nn, optim
from .serialization import save, load
from . import utils

# The dtypes, as PyTorch names them (int, float and bool shadow the builtins only here, as in
# torch).
for _name in ("uint8", "int8", "int16", "short", "int32", "int", "int64", "long", "float16",
              "half", "bfloat16", "float32", "float", "float64", "double", "bool"):
    globals()[_name] = getattr(_C, _name)
del _name


def get_default_dtype():
    """Factories make float32 tensors from floating values unless told otherwise."""
    return _C.float32


__version__ = "0.1.0"
