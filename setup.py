"""setuptools needs setup.py only for what pyproject.toml cannot say: cffi_modules,
the abi3 wheel tag, and a plain message when there is no C compiler."""

import sysconfig

from setuptools import setup
from setuptools.command.build_ext import build_ext

# cffi compiles against the stable ABI except on free-threaded builds (3.14t),
# which have none; tag the wheel to match (one cp39-abi3 wheel per platform).
# cffi 2.1 would target abi3t on 3.15t; no free-threaded interpreter can be had
# here to build and test that, so a free-threaded build stays version-specific
# (cp314t, cp315t), which every installer accepts.
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

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
        if not FREE_THREADED and ".abi3" in name and name.endswith(".so"):
            name = name[: name.index(".abi3")] + ".abi3.so"
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
    options={} if FREE_THREADED else {"bdist_wheel": {"py_limited_api": "cp39"}},
)
