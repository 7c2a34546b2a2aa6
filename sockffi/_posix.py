"""POSIX backend (Linux, macOS, BSDs): errno codes."""

from __future__ import annotations

import errno as _errno
import os
import sys

from . import errors

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Optional

PLATFORM = "posix"
TABLES = errors.POSIX

# What the layers above ask of the platform: they read these, and never test
# which platform it is.
#: The largest fd (a C int).
FD_MAX = 2**31 - 1
#: The code a closed fd gives (what a closed object is refused with).
CLOSED_FD_CODE: int = _errno.EBADF
NAME_TOO_LONG: int = _errno.ENAMETOOLONG
TIMED_OUT: int = _errno.ETIMEDOUT
#: A call interrupted by a signal (retried, after the handlers ran).
INTERRUPTED: int = _errno.EINTR
#: What a non-blocking connect that goes on answers.
CONNECT_IN_PROGRESS: int = _errno.EINPROGRESS
#: Errors carry winerror too.
WINERROR = False
#: Datagram sockets report an earlier datagram's ICMP error on an
#: unconnected socket's next recvfrom unless told not to (Windows).
UDP_RESETS = False
#: listen_tcp's reuse_address=True sets SO_REUSEADDR (Python's servers do).
SETS_REUSEADDR = True
#: os.get_blocking reads a socket's mode.
BLOCKING_READABLE = True
#: sockaddr starts with a length byte (BSD), not a 2-byte family.
SA_LEN = sys.platform == "darwin" or "bsd" in sys.platform
#: Linux: abstract unix names, AF_NETLINK (16) and AF_PACKET (17).
LINUX = sys.platform.startswith("linux")
#: The helper calls that socket() may make after the socket exists, keyed by the
#: flag the C layer or-s into their code: (syscall name, table key).
AUX_CALLS = {"aux": ("fcntl", "socket.fcntl"), "startup": ("", "")}


def code(name: str) -> Optional[int]:
    value: Optional[int] = getattr(_errno, name, None)
    return value


def code_name(value: int) -> str:
    return _errno.errorcode.get(value, str(value))


_strerror: dict[int, str] = {}


def strerror(value: int) -> str:
    # os.strerror costs about a microsecond; the set of codes is small and fixed.
    text = _strerror.get(value)
    if text is None:
        text = _strerror[value] = os.strerror(value)
    return text


def new_error(cls: type, value: int, syscall: str, text: Optional[str] = None) -> errors.SockffiError:
    """A new `cls` for `value` from `syscall` (returned, so the caller raises it
    in its own frame: no extra traceback entry)."""
    if text is None:
        text = _strerror.get(value)
        if text is None:
            text = strerror(value)
    exc: errors.SockffiError = cls(value, text)
    exc.syscall = syscall
    return exc
