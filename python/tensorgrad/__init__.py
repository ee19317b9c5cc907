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
)
from ._functions import *  # noqa: F401,F403  the free functions: torch.exp, torch.sum, ...
from ._functions import __all__ as _function_names
from .autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from . import autograd
from . import nn, optim
from .serialization import save, load
from . import utils

# The dtypes, as PyTorch names them (they shadow the builtins bool and float only here, as in
# torch).
float32 = _C.float32
float64 = _C.float64
int64 = _C.int64
double = _C.double
long = _C.long
globals()["float"] = _C.float
globals()["bool"] = _C.bool


def get_default_dtype():
    """Factories make float32 tensors from floating values unless told otherwise."""
    return _C.float32


__version__ = "0.1.0"
