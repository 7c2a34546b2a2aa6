"""sockffi: the C socket calls, one Python function each, with Zig's narrow error sets.

>>> import sockffi
>>> with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
...     server.address[0]
'127.0.0.1'
"""


def _quiet_ctrl_c_while_the_command_starts() -> None:
    """The ``sockffi`` command (``python -m sockffi`` too) answers a Ctrl-C
    during its start-up, before its own handling is in place, as it answers
    one later: "sockffi: interrupted", status 130, no traceback. Nothing else
    that imports sockffi is touched."""
    import os
    import sys

    argv0 = sys.argv[0] if sys.argv else ""
    command = os.path.splitext(os.path.basename(argv0))[0] == "sockffi"
    if not command and argv0 == "-m":  # a module is being found: is it sockffi?
        orig = getattr(sys, "orig_argv", None)
        if orig is not None:
            command = any(orig[i : i + 2] == ["-m", "sockffi"] for i in range(len(orig)))
        else:  # 3.9 has no orig_argv: runpy's frame names the module
            import traceback

            for frame, _ in traceback.walk_stack(None):
                if frame.f_code.co_name == "_run_module_as_main":
                    command = frame.f_locals.get("mod_name") == "sockffi"
                    break
    if not command:
        return
    import signal

    def interrupted(signum: int, frame: object) -> None:
        os.write(2, b"sockffi: interrupted\n")
        os._exit(130)  # nothing has been made yet: there is nothing to release

    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, interrupted)  # sockffi.__main__ puts the default back
            _STARTING.append(interrupted)
    except ValueError:  # not the main thread
        pass


#: The start-up's Ctrl-C handler, while it is installed (sockffi.__main__ removes it).
_STARTING: list[object] = []


_quiet_ctrl_c_while_the_command_starts()

from typing import TYPE_CHECKING  # noqa: E402

from . import errors, net, posix  # noqa: E402
from ._catalogue import CONSTANTS as _CONSTANTS  # noqa: E402
from ._catalogue import OPTIONAL as _OPTIONAL  # noqa: E402
from ._sockffi import lib as _lib  # noqa: E402
from .errors import *  # noqa: E402, F403  (the error classes)
from .net import *  # noqa: E402, F403  (listen_tcp ... Server, Connection)
from .posix import *  # noqa: E402, F403  (one function per syscall)

__version__ = "0.4.0"


def _constants() -> dict[str, int]:
    """The platform constants the catalogue names, with this platform's values
    (from its headers, through cffi); one some platforms lack only where it
    exists."""
    found = {name: getattr(_lib, name) for names in _CONSTANTS.values() for name in names}
    for group, names in _OPTIONAL.items():
        for name in names if group != "trace only" else ():
            if getattr(_lib, f"SF_HAS_{name}"):
                found[name] = getattr(_lib, f"SF_{name}")
    return found


if TYPE_CHECKING:
    from ._constants import *  # noqa: F403  (how type checkers see them: generated from the catalogue)
else:
    globals().update(_constants())
    # One list: each module's own, and the constants.
    __all__ = [*sorted({*errors.__all__, *net.__all__, *posix.__all__, *_constants(), "__version__", "errors"})]  # noqa: PLE0604
