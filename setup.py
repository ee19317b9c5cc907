"""Builds tensorgrad._C with CMake (the C++ library and python/src) and packages python/tensorgrad.

The CMake build lives in build-python/ beside this file and is reused by the next install. With
TENSORGRAD_BUILD_DIR=<dir> an existing CMake build tree configured with
-DTENSORGRAD_BUILD_PYTHON=ON (the release preset's build/) is used instead: only its _C target is
brought up to date. CMAKE_BUILD_PARALLEL_LEVEL sets the build's jobs (2 by default).
"""

import glob
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = os.environ.get("TENSORGRAD_BUILD_DIR")
        env = dict(os.environ)
        env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        if build_dir:
            build_dir = os.path.abspath(build_dir)
        else:
            build_dir = os.path.join(ROOT, "build-python")
            generator = ["-G", "Ninja"] if shutil.which("ninja") else []
            subprocess.check_call(
                ["cmake", "-S", ROOT, "-B", build_dir, *generator,
                 "-DCMAKE_BUILD_TYPE=Release", "-DTENSORGRAD_BUILD_PYTHON=ON",
                 "-DTENSORGRAD_BUILD_TESTS=OFF", "-DTENSORGRAD_BUILD_EXAMPLES=OFF",
                 f"-DPython3_EXECUTABLE={sys.executable}"], env=env)
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "_C"], env=env)
        built = glob.glob(os.path.join(build_dir, "python", "tensorgrad", "_C*.so"))
        if len(built) != 1:
            raise RuntimeError(f"expected one tensorgrad._C module in {build_dir}, found {built}")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built[0], target)


setup(ext_modules=[CMakeExtension("tensorgrad._C")], cmdclass={"build_ext": CMakeBuild})
