"""The Tensor class (tensorgrad._C.Tensor) with the few methods that are pure Python glue, the
legacy typed constructors (FloatTensor, ...) and Size."""

import builtins
import copy as _copy

from . import _C

Tensor = _C.Tensor
dtype = _C.dtype
from_numpy = _C.from_numpy
tensor = _C.tensor


class Size(tuple):
    """A tensor's shape: a tuple of ints, printed as PyTorch prints torch.Size."""

    def __repr__(self):
        return "tensorgrad.Size([" + ", ".join(str(s) for s in self) + "])"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


class _LegacyTensorType(type):
    """torch.FloatTensor and friends: calling one builds a tensor of its dtype (from data, or
    uninitialised of the given sizes); isinstance checks the dtype."""

    def __call__(cls, *args):
        if len(args) == 1 and not isinstance(args[0], builtins.int):
            return _C.tensor(args[0], dtype=cls._dtype)
        return _C.empty(*args, dtype=cls._dtype)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._dtype


def _legacy_type(name, dtype):
    return _LegacyTensorType(name, (), {"_dtype": dtype, "__module__": "tensorgrad"})


FloatTensor = _legacy_type("FloatTensor", _C.float32)
DoubleTensor = _legacy_type("DoubleTensor", _C.float64)
HalfTensor = _legacy_type("HalfTensor", _C.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", _C.bfloat16)
ByteTensor = _legacy_type("ByteTensor", _C.uint8)
CharTensor = _legacy_type("CharTensor", _C.int8)
ShortTensor = _legacy_type("ShortTensor", _C.int16)
IntTensor = _legacy_type("IntTensor", _C.int32)
LongTensor = _legacy_type("LongTensor", _C.int64)
BoolTensor = _legacy_type("BoolTensor", _C.bool)


# ---- methods written in Python: argument glue only ----


def _new(self, fn):
    def method(self, *args, dtype=None, requires_grad=False, **kwargs):
        return fn(*args, dtype=dtype or self.dtype, requires_grad=requires_grad, **kwargs)

    return method


def _new_tensor(self, data, dtype=None, requires_grad=False):
    return _C.tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _format(self, spec):
    if self.dim() == 0:
        return self.item().__format__(spec)
    return builtins.str(self).__format__(spec)


def _deepcopy(self, memo):
    out = self.detach().clone()
    out.requires_grad_(self.requires_grad)
    if self.grad is not None:
        out.grad = self.grad.clone()
    memo[id(self)] = out
    return out


def _reduce(self):
    # Pickling: the values by numpy, the flag beside them.
    return (_rebuild, (self.detach().numpy().copy(), self.requires_grad))


def _rebuild(array, requires_grad):
    t = _C.from_numpy(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


_init = Tensor.__init__


def _adopting_init(self, *args, **kwargs):
    # The new object is its tensor's one Python object (x.grad is x.grad, hooks see it).
    _init(self, *args, **kwargs)
    _C._adopt(self)


_C._set_size_type(Size)
Tensor.__init__ = _adopting_init
Tensor.new_tensor = _new_tensor
Tensor.new_zeros = _new(None, _C.zeros)
Tensor.new_ones = _new(None, _C.ones)
Tensor.new_empty = _new(None, _C.empty)
Tensor.new_full = lambda self, size, fill_value, dtype=None, requires_grad=False: _C.full(
    size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.__format__ = _format
Tensor.__deepcopy__ = _deepcopy
Tensor.__copy__ = lambda self: _copy.deepcopy(self)
Tensor.__reduce__ = _reduce
Tensor.__module__ = "tensorgrad"
