"""pytest set-up: tensorgrad is imported from PYTHONPATH (the build tree's python/ directory, or
an install target); torch (Debian's python3-torch 1.13) is the oracle."""

import os
import sys

import pytest

ROOT = os.environ.get("TENSORGRAD_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(scope="session")
def source_dir():
    return ROOT


def pytest_report_header(config):
    import tensorgrad
    return f"tensorgrad from {os.path.dirname(tensorgrad.__file__)}; python {sys.executable}"
