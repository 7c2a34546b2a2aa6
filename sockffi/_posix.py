"""POSIX backend (Linux, macOS, BSDs): errno codes."""

from __future__ import annotations

import errno as _errno
import os

from . import errors
from ._sockffi import lib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Callable, Optional

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


_CODE_MASK: int = lib.SF_CODE_MASK
_REJECTED: int = lib.SF_REJECTED


def failure_for(tbl: dict[int, type], syscall: str, rejected: Callable[[int], Exception]) -> Callable[[int], Exception]:
    """The exception for a negative result of one call, in one Python call (the
    error paths are measured too): `rejected` for an argument the C refused."""
    get = tbl.get
    unexpected = errors.Unexpected

    # code (with its flags) -> (class, text, OS code): a pure function of the
    # int the C returned, so this cache never changes meaning. Bounded.
    known: dict[int, tuple[type, str, int]] = {}
    remembered = known.get

    def failure(r: int) -> Exception:
        code = -r
        entry = remembered(code)
        if entry is None:
            if code & _REJECTED:
                return rejected(code)
            raw = code & _CODE_MASK
            entry = (get(raw, unexpected), strerror(raw), raw)
            if len(known) < 256:
                known[code] = entry
        cls, text, raw = entry
        exc: errors.SockffiError = cls(raw, text)
        exc.syscall = syscall
        return exc

    return failure
