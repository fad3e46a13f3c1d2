"""Builds kfk._kfk: a C extension over libkfk, linked statically.

libkfk comes from this repository's sources (the folder above this one),
built with CMake into the build folder; the extension uses the stable ABI
(abi3, Python 3.9 and later), so one wheel serves every later Python."""
import os
import subprocess
import sys
from glob import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIMITED_API = "0x03090000"


class BuildWithLibkfk(build_ext):
    def run(self):
        if not os.path.exists(os.path.join(ROOT, "include", "kfk.h")):
            sys.exit("kfk: build from a checkout of kfk (python/ needs ../src and ../include)")
        libdir = os.path.join(os.path.abspath(self.build_temp), "libkfk")
        subprocess.check_call(["cmake", "-S", ROOT, "-B", libdir, "-DKFK_LIB_ONLY=ON",
                               "-DCMAKE_BUILD_TYPE=Release"])
        subprocess.check_call(["cmake", "--build", libdir, "--target", "kfk_static",
                               "-j", str(os.cpu_count() or 2)])
        for ext in self.extensions:
            ext.extra_objects = [os.path.join(libdir, "libkfk.a")]
        super().run()


ext = Extension(
    "kfk._kfk",
    sources=sorted(glob(os.path.join("src", "*.c"))),
    include_dirs=[os.path.join(ROOT, "include"), "src"],
    define_macros=[("Py_LIMITED_API", LIMITED_API)],
    libraries=["z", "lz4", "zstd", "pthread", "dl"],
    extra_compile_args=["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Wno-unused-parameter",
                        "-Werror=implicit-function-declaration"],
    py_limited_api=True,
)

setup(ext_modules=[ext], cmdclass={"build_ext": BuildWithLibkfk},
      options={"bdist_wheel": {"py_limited_api": "cp39"}})
