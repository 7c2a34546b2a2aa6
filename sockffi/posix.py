"""One function per socket syscall, each raising only its own Zig error set.

=============  =========================================================
function       raises (besides TypeError/ValueError/OverflowError for bad
               arguments, before any syscall)
=============  =========================================================
socket         SocketError
bind           BindError
listen         ListenError (listen(2)'s own set: ``sockffi.posix.ListenError``)
setsockopt     SetSockOptError
getsockname    GetSockNameError
close          CallerError only (EBADF); other close(2) codes are ignored, as in Zig
=============  =========================================================

Codes that Zig treats as ``unreachable`` (caller bugs such as ``EBADF``) raise
:class:`sockffi.CallerError`, which belongs to no set.
"""

from __future__ import annotations

from typing import Any, Protocol, Union

from . import _addr, errors
from ._sockffi import ffi, lib
from ._sys import backend

__all__ = ["socket", "bind", "listen", "setsockopt", "getsockname", "close", "ListenError", "FileDescriptor"]

#: listen(2)'s own error set (``std.posix.ListenError``); ``sockffi.ListenError``
#: is the union that :func:`sockffi.listen_tcp` raises.
ListenError = errors.ListenSyscallError


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


FileDescriptor = Union[int, _HasFileno]

# socket()'s parameter is called `type`, as in CPython; this keeps the builtin reachable.
_type = type

_FD_MAX: int = lib.SOCKFFI_FD_MAX
_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1
_OTHER: int = lib.SOCKFFI_OTHER_FAMILY
_AUX: int = lib.SOCKFFI_AUX_FAILED
_STARTUP: int = lib.SOCKFFI_STARTUP_FAILED
_CODE_MASK = _AUX - 1

# The raw C calls, as module globals: the cheapest lookup, and the one place the
# trace hook (sockffi.trace) swaps in its recording versions while observed.
_sf_socket = lib.sf_socket
_sf_bind_in4 = lib.sf_bind_in4
_sf_bind_in6 = lib.sf_bind_in6
_sf_bind_un = lib.sf_bind_un
_sf_listen = lib.sf_listen
_sf_setsockopt_int = lib.sf_setsockopt_int
_sf_setsockopt = lib.sf_setsockopt
_sf_getsockname = lib.sf_getsockname
_sf_close = lib.sf_close

_error = backend.error


class Tables:
    """code -> class for each call, with the codes Zig calls unreachable mapped to
    one class: CallerError for the direct calls, Unexpected inside listen_tcp."""

    __slots__ = ("socket", "bind", "listen", "setsockopt", "getsockname", "close", "aux", "startup")

    def __init__(self, unreachable: type) -> None:
        for call in ("socket", "bind", "listen", "setsockopt", "getsockname", "close"):
            setattr(self, call, backend.table(call, unreachable))
        self.aux = backend.table(backend.AUX_CALLS["aux"][1], unreachable)
        self.startup = backend.table(backend.AUX_CALLS["startup"][1], unreachable)


DIRECT = Tables(errors.CallerError)
COMPOSED = Tables(errors.Unexpected)
_E_BIND = DIRECT.bind
_E_LISTEN = DIRECT.listen
_E_SETSOCKOPT = DIRECT.setsockopt
_E_GETSOCKNAME = DIRECT.getsockname
_E_CLOSE = DIRECT.close
_AUX_NAME = backend.AUX_CALLS["aux"][0]
_STARTUP_NAME = backend.AUX_CALLS["startup"][0]
_SOCK_CLOEXEC: int = lib.SOCK_CLOEXEC

def _fd_slow(fd: Any) -> int:
    """An fd from an int or anything with fileno(), range-checked."""
    if not isinstance(fd, int):
        fileno = getattr(fd, "fileno", None)
        if fileno is None:
            raise TypeError(f"fd must be an int or have a fileno() method, not {type(fd).__name__}")
        fd = fileno()
        if not isinstance(fd, int):
            raise TypeError(f"fileno() returned {type(fd).__name__}, not int")
    if isinstance(fd, bool):
        raise TypeError("fd must be an int, not bool")
    fd = int(fd)
    if fd < 0:
        raise ValueError(f"negative file descriptor: {fd}")
    if fd > _FD_MAX:
        raise OverflowError(f"file descriptor {fd} is out of range (at most {_FD_MAX})")
    return fd


def _c_int(value: Any, what: str) -> int:
    if type(value) is not int:
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise TypeError(f"{what} must be an int, not {type(value).__name__}")
        value = value.__index__()
    if not _INT_MIN <= value <= _INT_MAX:
        raise OverflowError(f"{what} {value} does not fit in a C int")
    return int(value)


def socket_error(rc: int, tables: Tables = DIRECT) -> errors.SockffiError:
    """The error for a negative sf_socket result: socket(2)'s own code, or the
    code of a call socket() made after the socket existed (fcntl, ioctlsocket,
    WSAStartup), which the C layer flags."""
    code = -rc
    if code & _AUX:
        return _error(tables.aux, code & _CODE_MASK, _AUX_NAME)
    if code & _STARTUP:
        return _error(tables.startup, code & _CODE_MASK, _STARTUP_NAME)
    return _error(tables.socket, code, "socket")


def socket(family: int, type: int, protocol: int = 0) -> int:
    """socket(2): a new socket's fd (an int; a SOCKET handle on Windows).

    The socket is always close-on-exec (not inherited by child processes), as
    every fd Python creates is (PEP 446): ``SOCK_CLOEXEC`` is added to ``type``.
    ``os.set_inheritable(fd, True)`` undoes it. ``type`` may also include
    ``SOCK_NONBLOCK``. Where the platform cannot take these flags in socket(2)
    (macOS, Windows) they are applied right after, and the socket is closed if
    that fails.

    Raises a member of :class:`SocketError`.
    """
    if _type(family) is not int or not _INT_MIN <= family <= _INT_MAX:
        family = _c_int(family, "family")
    if _type(type) is not int or not _INT_MIN <= type <= _INT_MAX:
        type = _c_int(type, "type")
    if _type(protocol) is not int or not _INT_MIN <= protocol <= _INT_MAX:
        protocol = _c_int(protocol, "protocol")
    rc: int = _sf_socket(family, type | _SOCK_CLOEXEC, protocol)
    if rc < 0:
        raise socket_error(rc)
    return rc


def bind_error(code: int, fd: int, family: int, tables: Tables = DIRECT) -> errors.SockffiError:
    """The error for a failed bind. EINVAL has two meanings on POSIX: the socket is
    bound already (AlreadyBound, as Windows names it), or the address is of another
    family than the socket (Linux checks the length first, so an IPv4 sockaddr on
    an AF_INET6 socket gives EINVAL, not EAFNOSUPPORT). One getsockname, on this
    error path only, tells them apart."""
    exc = _error(tables.bind, code, "bind")
    if type(exc) is errors.AlreadyBound and backend.PLATFORM == "posix":
        r = _sf_getsockname(fd)
        if r >= _OTHER and lib.sf_last_family() != family or 0 <= r < _OTHER and family != _addr.AF_INET:
            exc = _error({code: errors.AddressFamilyNotSupported}, code, "bind")
    return exc


def bind(fd: FileDescriptor, address: Any) -> None:
    """bind(2) ``fd`` to ``address`` (CPython's shapes; numeric hosts only).

    Raises a member of :class:`BindError`. An AF_UNIX path too long for
    ``sun_path`` raises :class:`NameTooLong` before the call, as Zig's
    ``Address.initUnix`` does.
    """
    if _type(fd) is not int or not 0 <= fd <= _FD_MAX:  # type: ignore[operator]
        fd = _fd_slow(fd)
    # Fast path: an IPv4 pair whose host was seen before.
    if _type(address) is tuple and len(address) == 2:
        s_addr = _addr._in4.get(address[0])
        port = address[1]
        if s_addr is not None and _type(port) is int and 0 <= port <= 0xFFFF:
            err = _sf_bind_in4(fd, s_addr, port)
            if err:
                raise bind_error(err, fd, _addr.AF_INET)  # type: ignore[arg-type]
            return
    family, args = _addr.encode(address)
    if family == _addr.AF_INET:
        err = _sf_bind_in4(fd, *args)
    elif family == _addr.AF_INET6:
        err = _sf_bind_in6(fd, *args)
    else:
        err = _sf_bind_un(fd, args[0], len(args[0]))
    if err:
        raise bind_error(err, fd, family)  # type: ignore[arg-type]


def listen(fd: FileDescriptor, backlog: int = 128) -> None:
    """listen(2). ``backlog`` is 0 to 2**31-1, as Zig's ``u31``.

    Raises a member of ``sockffi.posix.ListenError`` (listen(2)'s own set).
    """
    if _type(fd) is not int or not 0 <= fd <= _FD_MAX:  # type: ignore[operator]
        fd = _fd_slow(fd)
    if _type(backlog) is not int or not 0 <= backlog <= _INT_MAX:
        backlog = _backlog(backlog)
    err = _sf_listen(fd, backlog)
    if err:
        raise _error(_E_LISTEN, err, "listen")


def _backlog(backlog: Any) -> int:
    if isinstance(backlog, bool) or not hasattr(backlog, "__index__"):
        raise TypeError(f"backlog must be an int, not {_type(backlog).__name__}")
    value = int(backlog.__index__())
    if not 0 <= value <= _INT_MAX:
        raise OverflowError(f"backlog must be 0-{_INT_MAX} (Zig's u31), not {value}")
    return value


def setsockopt(fd: FileDescriptor, level: int, option: int, value: Union[int, bytes, bytearray, memoryview]) -> None:
    """setsockopt(2). An int ``value`` is passed as a C int; bytes-like values raw.

    Raises a member of :class:`SetSockOptError`.
    """
    if _type(fd) is not int or not 0 <= fd <= _FD_MAX:  # type: ignore[operator]
        fd = _fd_slow(fd)
    level = _c_int(level, "level") if _type(level) is not int or not _INT_MIN <= level <= _INT_MAX else level
    option = _c_int(option, "option") if _type(option) is not int or not _INT_MIN <= option <= _INT_MAX else option
    if _type(value) is int and _INT_MIN <= value <= _INT_MAX:  # type: ignore[operator]
        err = _sf_setsockopt_int(fd, level, option, value)
    elif isinstance(value, bytes):
        err = _sf_setsockopt(fd, level, option, value, len(value))
    elif isinstance(value, (bytearray, memoryview)):
        buf = ffi.from_buffer(value)
        err = _sf_setsockopt(fd, level, option, buf, len(buf))
    elif isinstance(value, bool):
        err = _sf_setsockopt_int(fd, level, option, int(value))
    else:
        err = _sf_setsockopt_int(fd, level, option, _c_int(value, "value"))
    if err:
        raise _error(_E_SETSOCKOPT, err, "setsockopt")


def getsockname(fd: FileDescriptor) -> Any:
    """getsockname(2): the bound address, exactly as ``socket.socket.getsockname()``
    returns it for the same socket.

    Raises a member of :class:`GetSockNameError`.
    """
    if _type(fd) is not int or not 0 <= fd <= _FD_MAX:  # type: ignore[operator]
        fd = _fd_slow(fd)
    r = _sf_getsockname(fd)
    if r < 0:
        raise _error(_E_GETSOCKNAME, -r, "getsockname")
    if r < _OTHER:
        return (_addr.ipv4_text(r >> 16), r & 0xFFFF)
    return _addr.decode_other(r & 0xFFFF)


def close(fd: FileDescriptor) -> None:
    """close(2) (closesocket on Windows).

    As Zig's ``posix.close``: EINTR counts as closed and other codes are
    ignored, except a bad fd, which is a caller bug (:class:`CallerError`).
    """
    if _type(fd) is not int or not 0 <= fd <= _FD_MAX:  # type: ignore[operator]
        fd = _fd_slow(fd)
    err = _sf_close(fd)
    if err and err in _E_CLOSE:
        raise _error(_E_CLOSE, err, "close")
