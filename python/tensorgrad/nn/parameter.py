"""nn.Parameter: a Tensor subclass that a Module registers when it is assigned as an attribute."""

from .._tensor import Tensor
from .. import _C


class Parameter(Tensor):
    """A tensor that shares the storage of `data`, requires grad by default, and registers
    itself in the Module it is assigned to."""

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = _C.empty(0)
        super().__init__(data, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__().split("\n", 1)[-1] \
            if self.requires_grad else super().__repr__()

    def __deepcopy__(self, memo):
        out = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = out
        return out

    def __reduce__(self):
        return (Parameter, (self.detach().clone(), self.requires_grad))
