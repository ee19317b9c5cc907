"""Grad mode: no_grad, enable_grad and set_grad_enabled, as context managers and decorators.
The mode is the C++ one (per thread)."""

import functools

from .. import _C

_ag = _C._autograd
is_grad_enabled = _ag.is_grad_enabled


class _DecoratorContextManager:
    """A context manager that also decorates functions (each call runs inside a fresh one)."""

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Ops inside record no history."""

    def __enter__(self):
        self.prev = _ag.is_grad_enabled()
        _ag.set_grad_enabled(False)

    def __exit__(self, *exc):
        _ag.set_grad_enabled(self.prev)
        return False


class enable_grad(_DecoratorContextManager):
    """Ops inside record history (inside a no_grad block, for instance)."""

    def __enter__(self):
        self.prev = _ag.is_grad_enabled()
        _ag.set_grad_enabled(True)

    def __exit__(self, *exc):
        _ag.set_grad_enabled(self.prev)
        return False


class set_grad_enabled(_DecoratorContextManager):
    """set_grad_enabled(mode): takes effect at once, as a function; as a context manager, the
    previous mode comes back at its end; as a decorator, for the calls of the function only."""

    def __init__(self, mode):
        self.prev = _ag.is_grad_enabled()
        self.mode = bool(mode)
        _ag.set_grad_enabled(self.mode)

    def __call__(self, func):
        _ag.set_grad_enabled(self.prev)  # decorating changes nothing now
        return super().__call__(func)

    def clone(self):
        return _Mode(self.mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _ag.set_grad_enabled(self.prev)
        return False


class _Mode:
    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        self.prev = _ag.is_grad_enabled()
        _ag.set_grad_enabled(self.mode)

    def __exit__(self, *exc):
        _ag.set_grad_enabled(self.prev)
        return False
