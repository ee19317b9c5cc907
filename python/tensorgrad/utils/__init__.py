"""tensorgrad.utils: data loading (tensorgrad.utils.data)."""

from . import data  # noqa: F401
