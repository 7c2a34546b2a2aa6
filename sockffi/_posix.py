"""POSIX backend (Linux, macOS, BSDs): errno codes."""

from __future__ import annotations

import errno as _errno
import os

from . import errors

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Optional

PLATFORM = "posix"
TABLES = errors.POSIX
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
