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
close          CallerError for a bad fd; other close(2) codes are ignored, as in Zig
=============  =========================================================

Codes that Zig treats as ``unreachable`` (caller bugs such as ``EBADF``) raise
:class:`sockffi.CallerError`, which belongs to no set. A closed ``Server`` or
``socket.socket`` given as the fd is refused the same way, before any syscall.
"""

from __future__ import annotations

import sys

from . import _addr, _seam, errors
from ._sockffi import lib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Any, Optional, Union

    from .types import Address, Buffer, FileDescriptor

__all__ = ["ListenError", "bind", "close", "getsockname", "listen", "setsockopt", "socket"]

#: listen(2)'s own error set (``std.posix.ListenError``); ``sockffi.ListenError``
#: is the union that :func:`sockffi.listen_tcp` raises.
ListenError = errors.ListenSyscallError

# socket()'s parameter is called `type`, as in CPython; this keeps the builtin reachable.
_type = type

_C = _seam.C
_listen_failure = _seam.failure_for["listen"]
_setsockopt_failure = _seam.failure_for["setsockopt"]
_getsockname_failure = _seam.failure_for["getsockname"]
_SOCK_CLOEXEC: int = lib.SOCK_CLOEXEC
_AF_INET = _addr.AF_INET
_AF_INET6 = _addr.AF_INET6
_in4_get = _addr.in4_cache.get
_names_get = _addr.names.get
_GSN_OTHER = _seam.GSN_OTHER
_SHARED = _seam.SHARED_NAME
_release_shared = _seam.release_shared_name
_GSN_BUSY: int = lib.SF_GSN_BUSY
_fd_of = _seam.fd_of
_bind_failure = _seam.bind_failure


def socket(family: int, type: int, protocol: int = 0) -> int:
    """socket(2): a new socket's fd (an int; a SOCKET handle on Windows).

    The socket is always close-on-exec (not inherited by child processes), as
    every fd Python creates is (PEP 446): ``SOCK_CLOEXEC`` is added to ``type``.
    ``os.set_inheritable(fd, True)`` undoes it. ``type`` may also include
    ``SOCK_NONBLOCK``. Where the platform cannot take these flags in socket(2)
    (macOS, Windows) they are applied right after, and the socket is closed if
    that fails.

    The fd is a plain int, so the caller owns it from the moment this returns;
    :func:`sockffi.listen_tcp` and :func:`sockffi.listen_unix` return a
    ``Server`` that owns its fd from inside the C call on.

    Raises a member of :class:`SocketError`.
    """
    if _type(family) is not int:
        family = _seam.c_int(family, "family")
    if _type(type) is not int:
        type = _seam.c_int(type, "type")
    if _type(protocol) is not int:
        protocol = _seam.c_int(protocol, "protocol")
    try:
        r: int = _C.socket(family, type | _SOCK_CLOEXEC, protocol)
    except OverflowError:
        raise _seam.overflow("socket", family=family, type=type, protocol=protocol) from None
    if r < 0:
        raise _seam.socket_failure(r)
    return r


def bind(fd: FileDescriptor, address: Address) -> None:
    """bind(2) ``fd`` to ``address`` (CPython's shapes; numeric hosts only).

    Raises a member of :class:`BindError`, carrying ``address``. An AF_UNIX path
    too long for ``sun_path`` raises :class:`NameTooLong` before the call, as
    Zig's ``Address.initUnix`` does.
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "bind")
    # Fast path: an IPv4 pair of plain types whose host was seen before.
    if _type(address) is tuple and len(address) == 2:
        host, port = address
        if _type(host) is str and _type(port) is int and 0 <= port <= 0xFFFF:
            s_addr = _in4_get(host)
            if s_addr is not None:
                try:
                    r = _C.bind_in4(fd, s_addr, port)
                except OverflowError:
                    raise _seam.overflow("bind", fd=fd) from None
                if r:
                    raise _seam.with_context(_bind_failure(r), address)
                return
    try:
        family, args = _addr.encode(address)
    except errors.SockffiError as exc:  # NameTooLong, before the call
        raise _seam.with_context(exc, address) from None
    try:
        if family == _AF_INET:
            r = _C.bind_in4(fd, *args)
        elif family == _AF_INET6:
            r = _C.bind_in6(fd, *args)
        else:
            r = _C.bind_un(fd, args[0], len(args[0]))
    except OverflowError:
        raise _seam.overflow("bind", fd=fd) from None
    if r:
        if family not in (_AF_INET, _AF_INET6) and -r & _seam.OTHER_FAMILY:
            raise _path_on_an_ip_socket(address) from None
        raise _seam.with_context(_bind_failure(r), address)


def _path_on_an_ip_socket(address: object) -> TypeError:
    """A str/bytes/path address is an AF_UNIX one; the socket (the failed bind
    showed) is not: CPython's TypeError, with the tuple that was probably meant."""
    hint = ""
    if isinstance(address, str) and address.count(":") >= 1:
        host, _, port = address.rpartition(":")
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        if port.isascii() and port.isdigit() and host:
            hint = f": ({host!r}, {int(port)}) for {address!r}"
    return TypeError(
        f"bind(): this socket is not AF_UNIX, so its address must be a (host, port) tuple, "
        f"not {_type(address).__name__}{hint}"
    )


def listen(fd: FileDescriptor, backlog: int = 128) -> None:
    """listen(2). ``backlog`` is 0 to 2**31-1, as Zig's ``u31``.

    Raises a member of ``sockffi.posix.ListenError`` (listen(2)'s own set).
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "listen")
    if _type(backlog) is not int:
        backlog = _seam.backlog_of(backlog)
    try:
        r = _C.listen(fd, backlog)
    except OverflowError:
        raise _seam.overflow("listen", fd=fd, backlog=backlog) from None
    if r:
        raise _listen_failure(r)


def setsockopt(fd: FileDescriptor, level: int, option: int, value: Union[int, Buffer]) -> None:
    """setsockopt(2). An int (or bool) ``value`` is passed as a C int; any
    bytes-like value (bytes, bytearray, memoryview, array.array ...) as a copy
    of its bytes, as CPython's ``socket.setsockopt`` takes it.

    Raises a member of :class:`SetSockOptError`.
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "setsockopt")
    if _type(level) is not int:
        level = _seam.c_int(level, "level")
    if _type(option) is not int:
        option = _seam.c_int(option, "option")
    try:
        if _type(value) is int:
            r = _C.setsockopt_int(fd, level, option, value)
        elif _type(value) is bytes:
            r = _C.setsockopt(fd, level, option, value, len(value))
        elif isinstance(value, int):  # bool, IntEnum: their value, not their methods
            r = _C.setsockopt_int(fd, level, option, int.__index__(value))
        else:
            raw = _buffer(value)
            if raw is None:
                number = _index_value(value)
                r = _C.setsockopt_int(fd, level, option, number)
            else:
                r = _C.setsockopt(fd, level, option, raw, len(raw))
    except _NamedOverflow as exc:
        raise OverflowError(f"setsockopt: {exc}") from None
    except OverflowError:
        raise _seam.overflow("setsockopt", fd=fd, level=level, option=option, value=value) from None
    if r:
        raise _setsockopt_failure(r)


def _index_value(value: object) -> int:
    """A number by __index__, in a C int's range: an OverflowError naming
    `value` (raised outside the call's own OverflowError handling)."""
    try:
        return _seam.c_int(value, "value")
    except OverflowError as exc:
        raise _NamedOverflow(str(exc)) from None


class _NamedOverflow(OverflowError):
    """Already says which argument: passed through as it is."""


def _buffer(value: object) -> Optional[bytes]:
    """A plain copy of a bytes-like value (its length is what its buffer says,
    not what a subclass's __len__ says), or None for a number by __index__."""
    try:
        view = memoryview(value)  # type: ignore[arg-type]
    except TypeError:
        if hasattr(_type(value), "__index__"):
            return None
        raise TypeError(f"value must be an int or a bytes-like object, not {_type(value).__name__}") from None
    with view:
        if not view.c_contiguous:  # CPython's setsockopt asks for a simple buffer
            raise BufferError("setsockopt: value must be a C-contiguous buffer (a strided memoryview is not)")
        return view.tobytes()


def getsockname(fd: FileDescriptor) -> Any:
    """getsockname(2): the bound address, exactly as ``socket.socket.getsockname()``
    returns it for the same socket.

    Raises a member of :class:`GetSockNameError`.
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "getsockname")
    # One syscall for every family: IPv4 and IPv6 come packed in one int (the
    # same int, the same tuple); any other family's address is in the C's
    # shared name buffer, which that call claimed, and frees once read.
    try:
        address = _names_get(r := _C.getsockname(fd))
    except OverflowError:
        raise _seam.overflow("getsockname", fd=fd) from None
    if address is None:
        address = _unpacked(r, fd)
    return address


def _unpacked(r: int, fd: int) -> Any:
    if r < 0:
        raise _getsockname_failure(r)
    if r < _GSN_OTHER:
        return _addr.sockname(r, fd)
    if r & _GSN_BUSY:
        # Another call (a thread, a signal handler) holds the shared buffer:
        # this one asks again, into a buffer of its own.
        return _addr.read_name(fd, "getsockname")
    try:
        return _addr.other_name(r, _SHARED, fd)
    finally:
        _release_shared()


def close(fd: FileDescriptor) -> None:
    """close(2) (closesocket on Windows).

    As Zig's ``posix.close``: EINTR counts as closed and other codes are
    ignored, except a bad fd, which is a caller bug (:class:`CallerError`).
    Where the OS refused and the socket is still open (Windows, a non-blocking
    socket lingering on unsent data, after a blocking retry also failed), it
    raises :class:`Unexpected` and the socket stays open.

    A ``Server`` is closed through its own ``close()``, and a ``socket.socket``
    by taking its fd first (``detach()``), so the object never closes the same
    number again later; any other object is refused (TypeError): closing its fd
    behind its back would leave it holding a number that may be reused.
    """
    if _type(fd) is not int:
        claimed = _claim(fd)
        if claimed is None:
            return
    else:
        claimed = fd
    try:
        r = _C.close(claimed)
    except OverflowError:
        raise _seam.overflow("close", fd=claimed) from None
    if r:
        exc = _seam.close_failure(r)
        if exc is not None:
            raise exc


def _claim(obj: Any) -> Any:
    """The fd to close for a non-int argument of close(), owned by the caller now."""
    if isinstance(obj, int):
        return _fd_of(obj, "close")
    if isinstance(obj, tuple(_seam.OWNERS)):
        owner: Any = obj
        if owner.fileno() == -1:
            raise _seam.closed_error("close", owner)
        owner.close()
        return None
    socket_module = sys.modules.get("socket")
    if socket_module is not None and isinstance(obj, socket_module.socket):
        if obj.fileno() == -1:
            raise _seam.closed_error("close", obj)
        return obj.detach()
    if hasattr(obj, "fileno"):
        raise TypeError(
            f"close() takes an fd, a Server or a socket.socket, not {_type(obj).__name__}: closing the fd of "
            "an object that will close it again itself would close a number that may have been reused; "
            "call its own close()"
        )
    return _fd_of(obj, "close")
