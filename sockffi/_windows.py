"""Windows backend (ws2_32): WSAGetLastError() codes, also kept in ``winerror``."""

from __future__ import annotations

from . import errors
from ._sockffi import ffi

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Optional

PLATFORM = "windows"
TABLES = errors.WINDOWS

# What the layers above ask of the platform (as _posix says it).
FD_MAX = 2**63 - 1  # a SOCKET is pointer-sized
CLOSED_FD_CODE: int = errors.WSA_CODES["WSAENOTSOCK"]
NAME_TOO_LONG: int = errors.WSA_CODES["WSAENAMETOOLONG"]
TIMED_OUT: int = errors.WSA_CODES["WSAETIMEDOUT"]
INTERRUPTED = -1  # these calls are never interrupted with a code here
CONNECT_IN_PROGRESS: int = errors.WSA_CODES["WSAEWOULDBLOCK"]
WINERROR = True
UDP_RESETS = True
# SO_REUSEADDR on Windows lets another socket take over a bound port; exclusive
# use is already the default there, so reuse_address sets nothing (as
# CPython's create_server and libuv).
SETS_REUSEADDR = False
BLOCKING_READABLE = False  # os.get_blocking takes no SOCKET: the object remembers its mode
SA_LEN = False
LINUX = False
AUX_CALLS = {"aux": ("ioctlsocket", "socket.ioctlsocket"), "startup": ("WSAStartup", "socket.WSAStartup")}

_NAMES = {v: k for k, v in errors.WSA_CODES.items()}


def code(name: str) -> Optional[int]:
    return errors.WSA_CODES.get(name)


def code_name(value: int) -> str:
    return _NAMES.get(value, str(value))


_strerror: dict[int, str] = {}


def strerror(value: int) -> str:
    text = _strerror.get(value)
    if text is None:
        text = str(ffi.getwinerror(value)[1]).strip()
        if not text or "%" in text:  # no message for it here (Wine has few): say its name
            text = f"{code_name(value)} (Windows error {value})"
        _strerror[value] = text
    return text


def new_error(cls: type, value: int, syscall: str, text: Optional[str] = None) -> errors.SockffiError:
    if text is None:
        text = _strerror.get(value)
        if text is None:
            text = strerror(value)
    # OSError(errno, strerror, filename, winerror) sets winerror, and errno as
    # CPython's socket errors have it for the same code.
    exc: errors.SockffiError = cls(value, text, None, value)
    exc.syscall = syscall
    return exc
