"""setuptools needs setup.py only for what pyproject.toml cannot say: cffi_modules,
the abi3 wheel tag, and a plain message when there is no C compiler."""

import sys
import sysconfig

from setuptools import setup
from setuptools.command.build_ext import build_ext

# cffi compiles against the stable ABI (one cp39-abi3 wheel per platform),
# except on free-threaded builds: 3.14t has no stable ABI (cffi 2.1 drops it:
# a cp314t wheel), and on 3.15t cffi 2.1 targets abi3t (Py_TARGET_ABI3T), so
# the wheel says cp315 and the module .abi3t.so. No free-threaded interpreter
# can be had where this project is tested: both free-threaded branches are
# untested (README, "Support and testing").
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
ABI3T = FREE_THREADED and sys.version_info >= (3, 15)
if not FREE_THREADED:
    OPTIONS = {"bdist_wheel": {"py_limited_api": "cp39"}}
elif ABI3T:
    OPTIONS = {"bdist_wheel": {"py_limited_api": "cp315"}}
else:
    OPTIONS = {}

NO_COMPILER = """
sockffi could not compile its C extension: {error}

Building sockffi from source needs a C compiler and the Python headers:
  Debian/Ubuntu:  apt-get install gcc python3-dev
  Fedora/RHEL:    dnf install gcc python3-devel
  Alpine:         apk add gcc musl-dev python3-dev
  macOS:          xcode-select --install
  Windows:        Visual Studio Build Tools ("Desktop development with C++")
or install a prebuilt wheel (pip install --only-binary sockffi sockffi).
"""


class BuildExt(build_ext):
    def get_ext_filename(self, fullname: str) -> str:
        # The first abi3 suffix an interpreter lists is not the same everywhere
        # (Debian's 3.15 lists .abi3-x86_64-linux-gnu.so, which 3.13 does not
        # look for): an abi3 module is always named .abi3.so, which every
        # CPython since 3.2 loads. Windows keeps .pyd.
        name = super().get_ext_filename(fullname)
        tag = ".abi3t" if ABI3T else ".abi3"
        if (not FREE_THREADED or ABI3T) and tag in name and name.endswith(".so"):
            name = name[: name.index(tag)] + tag + ".so"
        return name

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # distutils' CompileError / DistutilsExecError / PlatformError
            if type(error).__name__ in ("CompileError", "DistutilsExecError", "DistutilsPlatformError", "LinkError"):
                raise SystemExit(NO_COMPILER.format(error=error)) from error
            raise


setup(
    cffi_modules=["build_ffi.py:ffibuilder"],
    cmdclass={"build_ext": BuildExt},
    options=OPTIONS,
)
