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

import sys

from . import _addr, errors
from ._sockffi import ffi, lib

if sys.platform == "win32":
    from . import _windows as _platform
else:
    from . import _posix as _platform

#: The platform backend (_posix or _windows), chosen once: the only place that knows.
backend = _platform

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Any, Callable, Union

    from ._posix import ErrorTable
    from .types import Address, Buffer, FileDescriptor

__all__ = ["ListenError", "bind", "close", "getsockname", "listen", "setsockopt", "socket"]

#: listen(2)'s own error set (``std.posix.ListenError``); ``sockffi.ListenError``
#: is the union that :func:`sockffi.listen_tcp` raises.
ListenError = errors.ListenSyscallError

# socket()'s parameter is called `type`, as in CPython; this keeps the builtin reachable.
_type = type

_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1
_OTHER: int = lib.SOCKFFI_OTHER_FAMILY
_AUX: int = lib.SOCKFFI_AUX_FAILED
_STARTUP: int = lib.SOCKFFI_STARTUP_FAILED
_CODE_MASK = _AUX - 1
_SOCK_CLOEXEC: int = lib.SOCK_CLOEXEC
_AF_INET: int = lib.AF_INET

# The raw C calls, as module globals: the cheapest lookup, and the one place the
# trace hook (sockffi.trace) swaps in its recording versions while observed.
# C range-checks an fd on the way in (OverflowError), as every int argument.
_sf_socket = lib.sf_socket
_sf_listen_tcp_in4: Callable[[int, int, int, int, int, int], int] | None = lib.sf_listen_tcp_in4
_sf_bind_in4 = lib.sf_bind_in4
_sf_bind_in6 = lib.sf_bind_in6
_sf_bind_un = lib.sf_bind_un
_sf_listen = lib.sf_listen
_sf_setsockopt_int = lib.sf_setsockopt_int
_sf_setsockopt = lib.sf_setsockopt
_sf_getsockname = lib.sf_getsockname
_sf_close = lib.sf_close

_error = backend.error


def table(key: str, unreachable: type = errors.CallerError) -> ErrorTable:
    """{OS code: class} for one call (or helper: "socket.fcntl") on this platform."""
    return errors.lookup(backend.TABLES.get(key, {}), backend.code, unreachable)


class _NegativeFd(ValueError):
    """A negative fd, refused in C before any syscall (a ValueError, as in CPython)."""

    def __init__(self, *_: object) -> None:
        super().__init__("negative file descriptor")


class _NegativeBacklog(OverflowError):
    """A negative backlog, refused in C before any syscall."""

    def __init__(self, *_: object) -> None:
        super().__init__(f"backlog must be 0-{_INT_MAX} (Zig's u31)")


_REJECTED = {lib.SOCKFFI_NEGATIVE_FD: _NegativeFd, lib.SOCKFFI_NEGATIVE_BACKLOG: _NegativeBacklog}


class Tables:
    """code -> class for each call, with the codes Zig calls unreachable mapped to
    one class: CallerError for the direct calls, Unexpected inside listen_tcp.
    The C layer's argument rejections are in every table, so the hot paths need
    no range checks of their own."""

    __slots__ = ("aux", "bind", "close", "getsockname", "listen", "setsockopt", "socket", "startup")
    socket: ErrorTable
    bind: ErrorTable
    listen: ErrorTable
    setsockopt: ErrorTable
    getsockname: ErrorTable
    close: ErrorTable
    aux: ErrorTable
    startup: ErrorTable

    def __init__(self, unreachable: type) -> None:
        for call in ("socket", "bind", "listen", "setsockopt", "getsockname", "close"):
            setattr(self, call, {**table(call, unreachable), **_REJECTED})
        self.aux = table(backend.AUX_CALLS["aux"][1], unreachable)
        self.startup = table(backend.AUX_CALLS["startup"][1], unreachable)


DIRECT = Tables(errors.CallerError)
COMPOSED = Tables(errors.Unexpected)
_E_BIND = DIRECT.bind
_E_LISTEN = DIRECT.listen
_E_SETSOCKOPT = DIRECT.setsockopt
_E_GETSOCKNAME = DIRECT.getsockname
_E_CLOSE = DIRECT.close
_AUX_NAME = backend.AUX_CALLS["aux"][0]
_STARTUP_NAME = backend.AUX_CALLS["startup"][0]
_in4_tuple = _addr._in4_tuple.get


def fd_of(fd: Any) -> int:
    """An fd from anything with fileno() (or an int subclass). A negative fd is a
    ValueError (as in CPython) and one too large an OverflowError: the C layer
    rejects both before any syscall, so int fds skip this function."""
    if not isinstance(fd, int):
        fileno = getattr(fd, "fileno", None)
        if fileno is None:
            raise TypeError(f"fd must be an int or have a fileno() method, not {_type(fd).__name__}")
        fd = fileno()
        if not isinstance(fd, int):
            raise TypeError(f"fileno() returned {_type(fd).__name__}, not int")
    if isinstance(fd, bool):
        raise TypeError("fd must be an int, not bool")
    value = int(fd)
    if value < 0:
        raise ValueError(f"negative file descriptor: {value}")
    return value


def _c_int(value: Any, what: str) -> int:
    if _type(value) is not int:
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise TypeError(f"{what} must be an int, not {_type(value).__name__}")
        value = value.__index__()
    if not _INT_MIN <= value <= _INT_MAX:
        raise OverflowError(f"{what} {value} does not fit in a C int")
    return int(value)


def backlog_of(backlog: Any) -> int:
    """0 to 2**31-1, Zig's u31."""
    if isinstance(backlog, bool) or not hasattr(backlog, "__index__"):
        raise TypeError(f"backlog must be an int, not {_type(backlog).__name__}")
    value = int(backlog.__index__())
    if not 0 <= value <= _INT_MAX:
        raise OverflowError(f"backlog must be 0-{_INT_MAX} (Zig's u31), not {value}")
    return value


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
    if _type(family) is not int:
        family = _c_int(family, "family")
    if _type(type) is not int:
        type = _c_int(type, "type")
    if _type(protocol) is not int:
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
    if _type(exc) is errors.AlreadyBound and backend.PLATFORM == "posix":
        r = _sf_getsockname(fd)
        if (r >= _OTHER and lib.sf_last_family() != family) or (0 <= r < _OTHER and family != _AF_INET):
            exc = _error({code: errors.AddressFamilyNotSupported}, code, "bind")
    return exc


def bind(fd: FileDescriptor, address: Address) -> None:
    """bind(2) ``fd`` to ``address`` (CPython's shapes; numeric hosts only).

    Raises a member of :class:`BindError`. An AF_UNIX path too long for
    ``sun_path`` raises :class:`NameTooLong` before the call, as Zig's
    ``Address.initUnix`` does.
    """
    if _type(fd) is not int:
        fd = fd_of(fd)
    # Fast path: an IPv4 pair whose host was seen before.
    if _type(address) is tuple and len(address) == 2:
        s_addr = _addr._in4.get(address[0])
        port = address[1]
        if s_addr is not None and _type(port) is int and 0 <= port <= 0xFFFF:
            err = _sf_bind_in4(fd, s_addr, port)
            if err:
                raise bind_error(err, fd, _AF_INET)
            return
    family, args = _addr.encode(address)
    if family == _AF_INET:
        err = _sf_bind_in4(fd, *args)
    elif family == _addr.AF_INET6:
        err = _sf_bind_in6(fd, *args)
    else:
        err = _sf_bind_un(fd, args[0], len(args[0]))
    if err:
        raise bind_error(err, fd, family)


def listen(fd: FileDescriptor, backlog: int = 128) -> None:
    """listen(2). ``backlog`` is 0 to 2**31-1, as Zig's ``u31``.

    Raises a member of ``sockffi.posix.ListenError`` (listen(2)'s own set).
    """
    if _type(fd) is not int:
        fd = fd_of(fd)
    if _type(backlog) is not int:
        backlog = backlog_of(backlog)
    err = _sf_listen(fd, backlog)
    if err:
        raise _error(_E_LISTEN, err, "listen")


def setsockopt(fd: FileDescriptor, level: int, option: int, value: Union[int, Buffer]) -> None:
    """setsockopt(2). An int (or bool) ``value`` is passed as a C int; a bytes-like
    value as its raw bytes.

    Raises a member of :class:`SetSockOptError`.
    """
    if _type(fd) is not int:
        fd = fd_of(fd)
    if _type(level) is not int:
        level = _c_int(level, "level")
    if _type(option) is not int:
        option = _c_int(option, "option")
    if _type(value) is int or isinstance(value, bool):
        err = _sf_setsockopt_int(fd, level, option, value)
    elif isinstance(value, bytes):
        err = _sf_setsockopt(fd, level, option, value, len(value))
    elif isinstance(value, (bytearray, memoryview)):
        buf = ffi.from_buffer(value)
        err = _sf_setsockopt(fd, level, option, buf, len(buf))
    else:
        err = _sf_setsockopt_int(fd, level, option, _c_int(value, "value"))
    if err:
        raise _error(_E_SETSOCKOPT, err, "setsockopt")


def getsockname(fd: FileDescriptor) -> Any:
    """getsockname(2): the bound address, exactly as ``socket.socket.getsockname()``
    returns it for the same socket.

    Raises a member of :class:`GetSockNameError`.
    """
    if _type(fd) is not int:
        fd = fd_of(fd)
    r = _sf_getsockname(fd)
    # An IPv4 result comes packed in one int: the same int, the same tuple.
    address = _in4_tuple(r)
    if address is not None:
        return address
    if r < 0:
        raise _error(_E_GETSOCKNAME, -r, "getsockname")
    return _addr.sockname(r)


def close(fd: FileDescriptor) -> None:
    """close(2) (closesocket on Windows).

    As Zig's ``posix.close``: EINTR counts as closed and other codes are
    ignored, except a bad fd, which is a caller bug (:class:`CallerError`).
    """
    if _type(fd) is not int:
        fd = fd_of(fd)
    err = _sf_close(fd)
    if err in _E_CLOSE:  # only a bad fd; Zig ignores every other close(2) code
        raise _error(_E_CLOSE, err, "close")
