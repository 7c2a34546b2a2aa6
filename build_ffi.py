"""cffi builder for sockffi._sockffi (out-of-line API mode, compiled at install).

The C lives in csrc/: _sockffi.cdef is what cffi sees (every constant and
struct layout comes from the platform's headers: the cdef says `...` and the
compiler fills the values in), _sockffi.c is the implementation, one body per
helper for POSIX and Windows, plain C that compiles on its own, and
_sockffi_py.c the one hook that needs Python. All are plain files, so
compilers, warnings and formatters see them as C.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cffi import FFI

CSRC = Path(__file__).resolve().parent / "csrc"
CDEF = (CSRC / "_sockffi.cdef").read_text()
# _sockffi_py.c (the ResourceWarning of a dropped socket, the only C that
# needs Python.h) goes first, so _sockffi.c finds its hook defined.
SOURCE = (CSRC / "_sockffi_py.c").read_text() + (CSRC / "_sockffi.c").read_text()

WINDOWS = sys.platform == "win32" or bool(os.environ.get("SOCKFFI_TARGET_WINDOWS"))


def build(windows: bool = WINDOWS) -> FFI:
    ffi = FFI()
    ffi.cdef(CDEF)
    libraries = ["ws2_32", "iphlpapi"] if windows else []
    ffi.set_source("sockffi._sockffi", SOURCE, libraries=libraries)
    return ffi


ffibuilder = build()

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
