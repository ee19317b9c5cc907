"""The containers, as PyTorch's: Sequential, ModuleList and ModuleDict hold modules (registered
under their index or key), ParameterList and ParameterDict hold parameters likewise."""

from collections import OrderedDict
from itertools import islice

from .._tensor import Tensor
from .module import Module
from .parameter import Parameter


def _index(i, n):
    i = i.__index__()
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of range")
    return i + n if i < 0 else i


class _IndexedStore:
    """What the list containers share: items in one of the module's stores (_modules or
    _parameters), under the keys "0", "1"... in order."""

    _store = "_modules"

    def _items(self):
        return getattr(self, self._store)

    def _add(self, key, value):
        raise NotImplementedError

    def _renumber(self, values):
        self._items().clear()
        for i, v in enumerate(values):
            self._add(str(i), v)

    def __len__(self):
        return len(self._items())

    def __iter__(self):
        return iter(self._items().values())

    def __getitem__(self, idx):
        values = list(self._items().values())
        if isinstance(idx, slice):
            return type(self)(values[idx])
        return values[_index(idx, len(values))]

    def __setitem__(self, idx, value):
        self._add(str(_index(idx, len(self))), value)

    def __delitem__(self, idx):
        values = list(self._items().values())
        del values[idx if isinstance(idx, slice) else _index(idx, len(values))]
        self._renumber(values)

    def append(self, value):
        self._add(str(len(self)), value)
        return self

    def extend(self, values):
        for v in values:
            self.append(v)
        return self

    def __iadd__(self, values):
        return self.extend(values)

    def __dir__(self):
        return [k for k in super().__dir__() if not k.isdigit()]


class Sequential(_IndexedStore, Module):
    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def _add(self, key, value):
        self.add_module(key, value)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return next(islice(self._modules.values(), _index(idx, len(self)), None))

    def __setitem__(self, idx, module):
        key = list(self._modules)[_index(idx, len(self))]
        self.add_module(key, module)

    def insert(self, index, module):
        values = list(self._modules.values())
        values.insert(index, module)
        self._renumber(values)
        return self

    def forward(self, input):
        for m in self._modules.values():
            input = m(input)
        return input


class ModuleList(_IndexedStore, Module):
    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _add(self, key, value):
        self.add_module(key, value)

    def insert(self, index, module):
        values = list(self._modules.values())
        values.insert(index, module)
        self._renumber(values)

    def __add__(self, other):
        return ModuleList(list(self) + list(other))


class ModuleDict(Module):
    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self):
        self._modules.clear()

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules):
        items = modules.items() if hasattr(modules, "items") else modules
        for key, module in items:
            self[key] = module


def _as_parameter(value):
    # Plain tensors become Parameters, as in PyTorch 1.13.
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _parameter_line(key, p):
    kind = "Parameter containing:" if isinstance(p, Parameter) else "Tensor:"
    size = "x".join(str(s) for s in p.shape)
    return f"({key}): {kind} [{p.dtype} of size {size}]"


class ParameterList(_IndexedStore, Module):
    _store = "_parameters"

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def _add(self, key, value):
        self.register_parameter(key, _as_parameter(value))

    def extra_repr(self):
        return "\n".join(_parameter_line(k, p) for k, p in self._parameters.items())

    def __repr__(self):
        body = self.extra_repr()
        return "ParameterList(\n    " + body.replace("\n", "\n    ") + "\n)" if body else \
            "ParameterList()"


class ParameterDict(Module):
    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return self._parameters[key]

    def __setitem__(self, key, value):
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key):
        del self._parameters[key]

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def items(self):
        return self._parameters.items()

    def values(self):
        return self._parameters.values()

    def get(self, key, default=None):
        return self._parameters.get(key, default)

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def clear(self):
        self._parameters.clear()

    def update(self, parameters):
        items = parameters.items() if hasattr(parameters, "items") else parameters
        if isinstance(parameters, dict) and not isinstance(parameters, OrderedDict):
            items = sorted(items)  # a plain dict's keys in order, as PyTorch 1.13
        for key, value in items:
            self[key] = value

    def extra_repr(self):
        return "\n".join(_parameter_line(k, p) for k, p in self._parameters.items())
