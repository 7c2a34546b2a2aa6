"""The platform backend, chosen once at import (socket2's `sys` module, in Python).

Both backends export the same names: PLATFORM, TABLES, AUX_CALLS, code(),
code_name(), strerror(), table(), error(). The public layer never branches on the OS.
"""

import sys

if sys.platform == "win32":
    from . import windows as backend
else:
    from . import posix as backend

__all__ = ["backend"]
