"""One function per socket syscall, each raising only its own Zig error set.

================  =========================================================
function          raises (besides TypeError/ValueError/OverflowError for bad
               arguments, before any syscall)
=============  =========================================================
socket            SocketError
bind              BindError
listen            ListenError (listen(2)'s own set: ``sockffi.posix.ListenError``)
setsockopt        SetSockOptError
getsockname       GetSockNameError
accept            AcceptError
connect           ConnectError
getsockopt        GetSockOptError
getsockopt_error  ConnectError (what SO_ERROR holds), as Zig's getsockoptError
getpeername       GetSockNameError, as Zig's getpeername
shutdown          ShutdownError
close             CallerError for a bad fd; other close(2) codes are ignored, as in Zig
================  =========================================================

Codes that Zig treats as ``unreachable`` (caller bugs such as ``EBADF``) raise
:class:`sockffi.CallerError`, which belongs to no set. A closed ``Server`` or
``socket.socket`` given as the fd is refused the same way, before any syscall.
"""

from __future__ import annotations

import sys

# Real names, not TYPE_CHECKING ones: typing.get_type_hints() reads the annotations.
from typing import Any, Optional, Union

from . import _addr, _seam, errors
from ._sockffi import ffi as _ffi
from ._sockffi import lib
from .types import Address, Buffer, FileDescriptor

__all__ = [
    "ListenError",
    "accept",
    "bind",
    "close",
    "connect",
    "getpeername",
    "getsockname",
    "getsockopt",
    "getsockopt_error",
    "listen",
    "setsockopt",
    "shutdown",
    "socket",
]

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
_connect_failure = _seam.failure_for["connect"]
_getsockopt_failure = _seam.failure_for["getsockopt"]
_getpeername_failure = _seam.failure_for["getpeername"]
_shutdown_failure = _seam.failure_for["shutdown"]
_SOCK_NONBLOCK: int = lib.SOCK_NONBLOCK
_EINTR: int = _seam.backend.INTERRUPTED
_CODE_MASK = _seam.CODE_MASK
_take_cell = _seam.take_cell
_give_cell = _seam.give_cell
_new_cell = _seam.new_cell


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
            raise _path_on_an_ip_socket(address, "bind") from None
        raise _seam.with_context(_bind_failure(r), address)


def _path_on_an_ip_socket(address: object, syscall: str) -> TypeError:
    """A str/bytes/path address is an AF_UNIX one; the socket (the failed bind
    or connect showed) is not: CPython's TypeError, with the tuple that was
    probably meant."""
    hint = ""
    if isinstance(address, str) and address.count(":") >= 1:
        host, _, port = address.rpartition(":")
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        if port.isascii() and port.isdigit() and host:
            hint = f": ({host!r}, {int(port)}) for {address!r}"
    return TypeError(
        f"{syscall}(): this socket is not AF_UNIX, so its address must be a (host, port) tuple, "
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


def _unpacked(r: int, fd: int, syscall: str = "getsockname") -> Any:
    """A packed getsockname/getpeername result that is not cached: an error,
    an address to decode, or one in the shared name buffer."""
    if r < 0:
        raise (_getpeername_failure if syscall == "getpeername" else _getsockname_failure)(r)
    if r < _GSN_OTHER:
        return _addr.sockname(r, fd)
    if r & _GSN_BUSY:
        # Another call (a thread, a signal handler) holds the shared buffer:
        # this one asks again, into a buffer of its own.
        return _addr.read_name(fd, syscall)
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


# ----------------------------------------------------------------- the connection calls


def accept(fd: FileDescriptor, *, nonblocking: bool = False) -> tuple[int, Any]:
    """accept(2): ``(new fd, peer address)``, the address in CPython's shape.

    As Zig's ``posix.accept`` with ``SOCK_CLOEXEC`` (``accept4``; plain
    accept and fcntl where the platform has no accept4): the new socket is
    close-on-exec, and blocking unless ``nonblocking=True``, whatever the
    listener's mode. An interrupted accept (EINTR) is made again, after any
    signal handler ran (PEP 475), as Zig retries it. :meth:`Server.accept`
    gives a ``Connection`` that owns its fd from inside the C call.

    Raises a member of :class:`AcceptError` (``WouldBlock`` on a non-blocking
    listener with no connection waiting).
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "accept")
    cell, r = accept_into(fd, accept_flags(nonblocking))
    peer = _names_get(r)
    if peer is None:
        peer = peer_name(r, cell)
    return _seam.cell_detach(cell), peer


def accept_flags(nonblocking: object) -> int:
    """accept4's flags: always SOCK_CLOEXEC; SOCK_NONBLOCK when asked."""
    if nonblocking is False:
        return _SOCK_CLOEXEC
    return _SOCK_CLOEXEC | (_SOCK_NONBLOCK if _seam.flag(nonblocking, "nonblocking") else 0)


def accept_into(fd: int, flags: int, tables: Any = None) -> tuple[Any, int]:
    """accept4 into a new cell, retried on EINTR: (cell, packed peer, as
    sf_getsockname packs it); raises the AcceptError member."""
    try:
        cell = _take_cell()
    except IndexError:
        cell = _new_cell()
    while True:
        try:
            r: int = _C.accept(cell, fd, flags)
        except OverflowError:
            raise _seam.overflow("accept", fd=fd) from None
        # EINTR: a signal arrived; its handlers run at this loop's turn (and
        # may raise), then accept is made again, as Zig does.
        if r >= 0 or (-r & _CODE_MASK) != _EINTR or -r & _seam.REJECTED:
            break
    if r < 0:
        _give_cell(cell)
        raise _seam.accept_failure(r, tables or _seam.DIRECT)
    return cell, r


def peer_name(r: int, cell: Any) -> Any:
    """The peer address of a packed accept result that is not cached: decoded
    (not remembered: every peer is another port), or read from the shared name
    buffer the accept claimed (released here), or, when another call held that
    buffer, asked of the new socket (getpeername)."""
    if r < _GSN_OTHER:
        return _addr.sockname(r, -1, False)
    fd = _seam.cell_fd(cell)
    if r & _GSN_BUSY:
        return _addr.read_name(fd, "getpeername", _seam.COMPOSED)
    try:
        return _addr.other_name(r, _SHARED, fd)
    finally:
        _release_shared()


def connect(fd: FileDescriptor, address: Address) -> None:
    """connect(2) ``fd`` to ``address`` (CPython's shapes; numeric hosts only).

    As Zig's ``posix.connect``: an interrupted connect (EINTR) is made again,
    after any signal handler ran. On a non-blocking socket a connect that goes
    on raises :class:`WouldBlock` (EINPROGRESS); wait until the socket is
    writable, then :func:`getsockopt_error` says how it ended.

    Raises a member of :class:`ConnectError`, carrying ``address``.
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "connect")
    try:
        family, args = _addr.encode(address, "connect")
    except errors.NameTooLong as exc:  # before the call; ConnectError has no such member: a bad argument
        raise ValueError(f"connect(): {exc.strerror}") from None
    while True:
        try:
            r = connect_once(fd, family, args)
        except OverflowError:
            raise _seam.overflow("connect", fd=fd) from None
        if not r or (-r & _CODE_MASK) != _EINTR or -r & _seam.REJECTED:
            break
    if r:
        if -r & _seam.OTHER_FAMILY:  # the address is of another family than the socket: as bind says it
            if family not in (_AF_INET, _AF_INET6):
                raise _path_on_an_ip_socket(address, "connect") from None
            raise _seam.with_context(_bind_failure(r, _seam.DIRECT, "connect"), address)
        raise _seam.with_context(_connect_failure(r), address)


def connect_once(fd: int, family: int, args: tuple[Any, ...]) -> int:
    """One connect(2) with the encoded address (_addr.encode's arguments)."""
    if family == _AF_INET:
        r: int = _C.connect_in4(fd, *args)
    elif family == _AF_INET6:
        r = _C.connect_in6(fd, *args)
    else:
        r = _C.connect_un(fd, args[0], len(args[0]))
    return r


def getsockopt_error(fd: FileDescriptor) -> None:
    """Zig's ``getsockoptError``: read (and so clear) SO_ERROR, after a
    non-blocking connect reported the socket writable. None when it holds no
    error (also while a connect is still in progress, as in Zig: that is not
    a proof of being connected); else raises the :class:`ConnectError` member
    it means, with ``syscall`` "connect", the call whose outcome it is.

    A failure of getsockopt itself is :class:`CallerError` (a closed fd, not
    a socket) or :class:`Unexpected`.
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "getsockopt")
    try:
        r: int = _C.getsockopt_error(fd)
    except OverflowError:
        raise _seam.overflow("getsockopt", fd=fd) from None
    if r:
        if r > 0:
            raise _seam.so_error(r)
        raise _seam.failure(r, _seam.DIRECT.getsockopt_error_call, "getsockopt")


def getsockopt(fd: FileDescriptor, level: int, option: int, size: Optional[int] = None) -> Union[int, bytes]:
    """getsockopt(2): an int (the option read as a C int) when ``size`` is
    None or 0, else the option's bytes, at most ``size`` of them (1 to 1024),
    as ``socket.socket.getsockopt`` returns them.

    Raises a member of :class:`GetSockOptError`.
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "getsockopt")
    if _type(level) is not int:
        level = _seam.c_int(level, "level")
    if _type(option) is not int:
        option = _seam.c_int(option, "option")
    if size is None or (size == 0 and _type(size) is int):  # CPython's buflen 0 is the int form too
        try:
            r: int = _C.getsockopt_int(fd, level, option)
        except OverflowError:
            raise _seam.overflow("getsockopt", fd=fd, level=level, option=option) from None
        if r < 0:
            raise _getsockopt_failure(r)
        return r - 0x100000000 if r >= 0x80000000 else r
    cap = _seam.c_int(size, "size", 0, 1024)  # CPython's limit for a buffer
    if cap == 0:
        return getsockopt(fd, level, option)
    buf = _ffi.new("char[]", cap)
    try:
        n: int = _C.getsockopt(fd, level, option, buf, cap)
    except OverflowError:
        raise _seam.overflow("getsockopt", fd=fd, level=level, option=option) from None
    if n < 0:
        raise _getsockopt_failure(n)
    return bytes(_ffi.buffer(buf, min(n, cap)))


def getpeername(fd: FileDescriptor) -> Any:
    """getpeername(2): the connected peer's address, exactly as
    ``socket.socket.getpeername()`` returns it.

    Raises a member of :class:`GetSockNameError`, the set Zig's getpeername
    raises. A socket that is not connected (ENOTCONN) is :class:`Unexpected`
    there, errno kept: the set has no member for it (a documented point of
    Zig's, kept).
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "getpeername")
    try:
        r: int = _C.getpeername(fd)
    except OverflowError:
        raise _seam.overflow("getpeername", fd=fd) from None
    address = _names_get(r)
    if address is None:
        address = _unpacked(r, fd, "getpeername")
    return address


def shutdown(fd: FileDescriptor, how: int) -> None:
    """shutdown(2): ``how`` is SHUT_RD, SHUT_WR or SHUT_RDWR (Zig's
    ``ShutdownHow`` recv, send, both).

    Raises a member of :class:`ShutdownError`.
    """
    if _type(fd) is not int:
        fd = _fd_of(fd, "shutdown")
    how = _seam.how_of(how)
    try:
        r = _C.shutdown(fd, how)
    except OverflowError:
        raise _seam.overflow("shutdown", fd=fd) from None
    if r:
        raise _shutdown_failure(r)
