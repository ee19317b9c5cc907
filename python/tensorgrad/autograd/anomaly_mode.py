"""detect_anomaly: while on, a backward node that produces NaN raises, naming the node and where
its forward op was called."""

from .. import _C

_ag = _C._autograd


class detect_anomaly:
    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self.prev = _ag.is_anomaly_enabled()
        _ag.set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc):
        _ag.set_anomaly_enabled(self.prev)
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return func(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    def __init__(self, mode, check_nan=True):
        self.prev = _ag.is_anomaly_enabled()
        _ag.set_anomaly_enabled(bool(mode), check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _ag.set_anomaly_enabled(self.prev)
        return False
