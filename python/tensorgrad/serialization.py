"""tensorgrad.save / tensorgrad.load: safetensors files, the same as the C++ tg::save and
tg::load write and read (and Python's `safetensors` opens). What is saved is a dict of named
tensors, such as a state_dict(), or a Module (its state_dict()); load returns an OrderedDict."""

import os
from collections import OrderedDict

from . import _C
from ._tensor import Tensor


def save(obj, f, metadata=None):
    from .nn.module import Module

    if isinstance(obj, Module):
        obj = obj.state_dict()
    if not isinstance(obj, dict) or not all(isinstance(v, Tensor) for v in obj.values()):
        raise TypeError("tensorgrad.save writes safetensors files: it takes a dict of named "
                        "tensors (such as a state_dict()) or a Module, not "
                        f"{type(obj).__name__}")
    _C._nn.save([(str(k), v.detach()) for k, v in obj.items()], os.fspath(f),
                {str(k): str(v) for k, v in (metadata or {}).items()})


def load(f, map_location=None):
    return OrderedDict(_C._nn.load(os.fspath(f)))
