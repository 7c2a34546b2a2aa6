"""Windows backend (ws2_32): WSAGetLastError() codes, also kept in ``winerror``."""

from __future__ import annotations

from . import errors
from ._sockffi import ffi, lib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Callable, Optional

PLATFORM = "windows"
TABLES = errors.WINDOWS
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
        exc: errors.SockffiError = cls(raw, text, None, raw)
        exc.syscall = syscall
        return exc

    return failure
