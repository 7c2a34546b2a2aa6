"""One function per socket syscall, each raising only its own Zig error set.

====================  ===========================================================
function              raises (besides TypeError/ValueError/OverflowError for bad
                      arguments, before any syscall)
====================  ===========================================================
``socket``            SocketError
``bind``              BindError
``listen``            ListenError (listen(2)'s own set: ``sockffi.posix.ListenError``)
``setsockopt``        SetSockOptError
``getsockname``       GetSockNameError
``accept``            AcceptError
``connect``           ConnectError
``getsockopt``        GetSockOptError
``getsockopt_error``  ConnectError (what SO_ERROR holds), as Zig's getsockoptError
``getpeername``       GetSockNameError, as Zig's getpeername
``shutdown``          ShutdownError
``send``              SendError (the count sent is returned, which may be short)
``sendto``            SendToError
``recv``              RecvFromError (also ``recv_into``)
``recvfrom``          RecvFromError (also ``recvfrom_into``)
``sendmsg``           SendMsgError
``poll``              PollError
``close``             CallerError for a bad fd; other close(2) codes are ignored, as in Zig
====================  ===========================================================

Codes that Zig treats as ``unreachable`` (caller bugs such as ``EBADF``) raise
:class:`sockffi.CallerError`, which belongs to no set. A closed ``Server``,
``Connection`` or ``socket.socket`` given as the fd is refused the same way,
before any syscall. Given a Server or a Connection, a call reads its fd from
it inside the C call, so it never reaches a socket that has left it.

A function written here as its signature and docstring alone has its body
made from its record (sockffi._calls.syscall); the others are written out.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

# Real names, not TYPE_CHECKING ones: typing.get_type_hints() reads the annotations.
from typing import Any, Optional, Union

from . import _addr, _args, _seam, errors
from ._calls import error_for, syscall, variant
from ._sockffi import ffi as _ffi
from ._sockffi import lib
from .types import Address, Buffer, FileDescriptor

# (ListenError, listen(2)'s own set, is sockffi.posix.ListenError; sockffi's
# star import must not bring it over the union sockffi.ListenError.)
#: One public function per syscall record (written out: type checkers read it;
#: tests/test_records.py fails for a record missing here).
__all__ = [
    "accept",
    "bind",
    "close",
    "connect",
    "getpeername",
    "getsockname",
    "getsockopt",
    "getsockopt_error",
    "listen",
    "poll",
    "recv",
    "recv_into",
    "recvfrom",
    "recvfrom_into",
    "send",
    "sendmsg",
    "sendto",
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
_NULL = _seam.NULL
_socket_of = _seam.socket_of
_SOCK_CLOEXEC: int = lib.SOCK_CLOEXEC
_SOCK_NONBLOCK: int = lib.SOCK_NONBLOCK
_EINTR: int = _seam.backend.INTERRUPTED
_CODE_MASK = _seam.CODE_MASK
_REJECTED = _seam.REJECTED
_monotonic = __import__("time").monotonic
_names_get = _addr.names.get
_take_cell = _seam.take_cell
_give_cell = _seam.give_cell


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
        family = _args.c_int(family, "family")
    if _type(type) is not int:
        type = _args.c_int(type, "type")
    if _type(protocol) is not int:
        protocol = _args.c_int(protocol, "protocol")
    try:
        r: int = _C.socket(family, type | _SOCK_CLOEXEC, protocol)
    except OverflowError:
        raise _args.overflow("socket", family=family, type=type, protocol=protocol) from None
    if r < 0:
        raise _seam.socket_error(r)
    return r


@syscall
def bind(fd: FileDescriptor, address: Address) -> None:
    """bind(2) ``fd`` to ``address`` (CPython's shapes; numeric hosts only).

    Raises a member of :class:`BindError`, carrying ``address``. An AF_UNIX path
    too long for ``sun_path`` raises :class:`NameTooLong` before the call, as
    Zig's ``Address.initUnix`` does.
    """


@syscall
def listen(fd: FileDescriptor, backlog: int = 128) -> None:
    """listen(2). ``backlog`` is 0 to 2**31-1, as Zig's ``u31``.

    Raises a member of ``sockffi.posix.ListenError`` (listen(2)'s own set).
    """


_setsockopt_error = error_for("setsockopt")


def setsockopt(fd: FileDescriptor, level: int, option: int, value: Union[int, Buffer]) -> None:
    """setsockopt(2). An int (or bool) ``value`` is passed as a C int; any
    bytes-like value (bytes, bytearray, memoryview, array.array ...) as a copy
    of its bytes, as CPython's ``socket.setsockopt`` takes it.

    Raises a member of :class:`SetSockOptError`.
    """
    if _type(fd) is int:
        cell: Any = _NULL
        ref = fd
    else:
        cell, ref = _socket_of(fd, "setsockopt")
    if _type(level) is not int:
        level = _args.c_int(level, "level")
    if _type(option) is not int:
        option = _args.c_int(option, "option")
    try:
        if _type(value) is int:
            r = _C.setsockopt_int(cell, ref, level, option, value)
        elif _type(value) is bytes:
            r = _C.setsockopt(cell, ref, level, option, value, len(value))
        elif isinstance(value, int):  # bool, IntEnum: their value, not their methods
            r = _C.setsockopt_int(cell, ref, level, option, int.__index__(value))
        else:
            raw = _buffer(value)
            if raw is None:
                number = _index_value(value)
                r = _C.setsockopt_int(cell, ref, level, option, number)
            else:
                r = _C.setsockopt(cell, ref, level, option, raw, len(raw))
    except _NamedOverflow as exc:
        raise OverflowError(f"setsockopt: {exc}") from None
    except OverflowError:
        raise _args.overflow("setsockopt", fd=ref, level=level, option=option, value=value) from None
    if r:
        raise _setsockopt_error(r, fd)


def _index_value(value: object) -> int:
    """A number by __index__, in a C int's range: an OverflowError naming
    `value` (raised outside the call's own OverflowError handling)."""
    try:
        return _args.c_int(value, "value")
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


@syscall
def getsockname(fd: FileDescriptor) -> Any:
    """getsockname(2): the bound address, exactly as ``socket.socket.getsockname()``
    returns it for the same socket.

    One syscall for every family: IP addresses and unix paths come packed in
    the result (an id for an interned path), any other family in the C's
    shared name buffer, which the call claims and frees once read.

    Raises a member of :class:`GetSockNameError`.
    """


def close(fd: FileDescriptor) -> None:
    """close(2) (closesocket on Windows).

    As Zig's ``posix.close``: EINTR counts as closed and other codes are
    ignored, except a bad fd, which is a caller bug (:class:`CallerError`).
    Where the OS refused and the socket is still open (Windows, a non-blocking
    socket lingering on unsent data, after a blocking retry also failed), it
    raises :class:`Unexpected` and the socket stays open.

    A ``Server`` or ``Connection`` is closed through its own ``close()``, and
    a ``socket.socket`` by taking its fd first (``detach()``), so the object
    never closes the same number again later; any other object is refused
    (TypeError): closing its fd behind its back would leave it holding a
    number that may be reused.
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
        raise _args.overflow("close", fd=claimed) from None
    if r:
        exc = _seam.close_error(r, claimed)
        if exc is not None:
            raise exc


def _claim(obj: Any) -> Any:
    """The fd to close for a non-int argument of close(), owned by the caller now."""
    if isinstance(obj, int):
        return _seam.fd_of(obj, "close")
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
    return _seam.fd_of(obj, "close")


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
    new, r = accept_into(fd, accept_flags(nonblocking))
    peer = _names_get(r)
    if peer is None:
        peer = _addr.name_of(r, new, _seam.cell_gen(new), "getpeername", False)
    return _seam.cell_detach(new), peer


def accept_flags(nonblocking: object) -> int:
    """accept4's flags: always SOCK_CLOEXEC; SOCK_NONBLOCK when asked."""
    if nonblocking is False:
        return _SOCK_CLOEXEC
    return _SOCK_CLOEXEC | (_SOCK_NONBLOCK if _args.flag(nonblocking, "nonblocking") else 0)


def accept_into(fd: Any, flags: int, tables: Any = None) -> tuple[Any, int]:
    """accept4 into a new cell, retried on EINTR: (cell, packed peer, as
    sf_getsockname packs it); raises the AcceptError member (carrying the
    listener's address when it is a Server)."""
    if _type(fd) is int:
        cell: Any = _NULL
        ref = fd
    else:
        cell, ref = _socket_of(fd, "accept")
    new = _take_cell()
    while True:
        try:
            r: int = _C.accept(new, cell, ref, flags)
        except OverflowError:
            _give_cell(new)
            raise _args.overflow("accept", fd=ref) from None
        # EINTR: a signal arrived; its handlers run at this loop's turn (and
        # may raise), then accept is made again, as Zig does.
        if r >= 0 or (-r & _CODE_MASK) != _EINTR or -r & _REJECTED:
            break
    if r < 0:
        _give_cell(new)
        if -r & _REJECTED:
            raise _seam.rejected(-r, "accept", fd)
        # Raised unnamed: an exception in a local of this frame would be a
        # cycle holding the given-back cell until the gc runs.
        raise _accept_failure(r, fd, tables)
    return new, r


def _accept_failure(r: int, fd: Any, tables: Any) -> Exception:
    exc: Any = _seam.accept_error(r, tables or _seam.DIRECT)
    if _type(fd) in _seam.OWNERS:
        exc._address = fd._context
    return exc  # type: ignore[no-any-return]


@syscall
def connect(fd: FileDescriptor, address: Address) -> None:
    """connect(2) ``fd`` to ``address`` (CPython's shapes; numeric hosts only).

    As Zig's ``posix.connect``: an interrupted connect (EINTR) is made again,
    after any signal handler ran. On a non-blocking socket a connect that goes
    on raises :class:`WouldBlock` (EINPROGRESS); wait until the socket is
    writable, then :func:`getsockopt_error` says how it ended.

    Raises a member of :class:`ConnectError`, carrying ``address``. An AF_UNIX
    path too long for ``sun_path`` is a ``ValueError`` before the call (the
    set has no ``NameTooLong``; :func:`sockffi.connect_unix`'s union does).
    """


_getsockopt_call_error = _seam.error_maker(_seam.DIRECT.getsockopt_error_call, "getsockopt")


def getsockopt_error(fd: FileDescriptor) -> None:
    """Zig's ``getsockoptError``: read (and so clear) SO_ERROR, after a
    non-blocking connect reported the socket writable. None when it holds no
    error (also while a connect is still in progress, as in Zig: that is not
    a proof of being connected); else raises the :class:`ConnectError` member
    it means, with ``syscall`` "connect", the call whose outcome it is.

    A failure of getsockopt itself is :class:`CallerError` (a closed fd, not
    a socket) or :class:`Unexpected`.
    """
    try:
        if _type(fd) is int:
            r: int = _C.getsockopt_error_fd(fd)
        else:
            cell, ref = _socket_of(fd, "getsockopt")
            r = _C.getsockopt_error(cell, ref)
    except OverflowError:
        raise _args.overflow("getsockopt", fd=fd) from None
    if not r:
        return
    exc: Any = _seam.so_error(r) if r > 0 else None
    if exc is None:
        if -r & _REJECTED:
            raise _seam.rejected(-r, "getsockopt", fd)
        exc = _getsockopt_call_error(r)
    if _type(fd) in _seam.OWNERS:
        exc._address = fd._context  # type: ignore[union-attr]
    raise exc


_getsockopt_error = error_for("getsockopt")


def getsockopt(fd: FileDescriptor, level: int, option: int, size: Optional[int] = None) -> Union[int, bytes]:
    """getsockopt(2): an int (the option read as a C int) when ``size`` is
    None or 0, else the option's bytes, at most ``size`` of them (1 to 1024),
    as ``socket.socket.getsockopt`` returns them.

    Raises a member of :class:`GetSockOptError`.
    """
    if size is None and _type(fd) is int and _type(level) is int and _type(option) is int:  # the commonest
        try:
            r: int = _C.getsockopt_int_fd(fd, level, option)
        except OverflowError:
            raise _args.overflow("getsockopt", fd=fd, level=level, option=option) from None
        if r >= 0:
            return r - 0x100000000 if r >= 0x80000000 else r
        raise _getsockopt_error(r, fd)
    if _type(fd) is int:
        cell: Any = _NULL
        ref = fd
    else:
        cell, ref = _socket_of(fd, "getsockopt")
    if _type(level) is not int:
        level = _args.c_int(level, "level")
    if _type(option) is not int:
        option = _args.c_int(option, "option")
    if size is None or (size == 0 and _type(size) is int):  # CPython's buflen 0 is the int form too
        try:
            r = _C.getsockopt_int(cell, ref, level, option)
        except OverflowError:
            raise _args.overflow("getsockopt", fd=ref, level=level, option=option) from None
        if r < 0:
            raise _getsockopt_error(r, fd)
        return r - 0x100000000 if r >= 0x80000000 else r
    cap = _args.c_int(size, "size", 0, 1024)  # CPython's limit for a buffer
    if cap == 0:
        return getsockopt(fd, level, option)
    buf = _ffi.new("char[]", cap)
    try:
        n: int = _C.getsockopt(cell, ref, level, option, buf, cap)
    except OverflowError:
        raise _args.overflow("getsockopt", fd=ref, level=level, option=option) from None
    if n < 0:
        raise _getsockopt_error(n, fd)
    return bytes(_ffi.buffer(buf, min(n, cap)))


@syscall
def getpeername(fd: FileDescriptor) -> Any:
    """getpeername(2): the connected peer's address, exactly as
    ``socket.socket.getpeername()`` returns it.

    Raises a member of :class:`GetSockNameError`, the set Zig's getpeername
    raises. A socket that is not connected (ENOTCONN) is :class:`Unexpected`
    there, errno kept: the set has no member for it (a documented point of
    Zig's, kept).
    """


@syscall
def shutdown(fd: FileDescriptor, how: int) -> None:
    """shutdown(2): ``how`` is SHUT_RD, SHUT_WR or SHUT_RDWR (Zig's
    ``ShutdownHow`` recv, send, both).

    Raises a member of :class:`ShutdownError`.
    """


@syscall
def send(fd: FileDescriptor, data: Buffer, flags: int = 0) -> int:  # type: ignore[empty-body]  # made from its record
    """send(2): one call, which may send less than ``data``: the count it
    sent is returned (0 for empty ``data``), never hidden; send the rest
    yourself, or use :meth:`Connection.write_all`. ``data`` is any bytes-like
    object. MSG_NOSIGNAL is always added, so a closed peer is
    :class:`BrokenPipe`, never SIGPIPE.

    Raises a member of :class:`SendError`.
    """


@syscall
def sendto(fd: FileDescriptor, data: Buffer, address: Address, flags: int = 0) -> int:  # type: ignore[empty-body]  # made from its record
    """sendto(2): ``data`` to ``address`` (CPython's shapes), one call; the
    count sent is returned. MSG_NOSIGNAL is always added.

    Raises a member of :class:`SendToError`; an address of the other family
    is AddressFamilyNotSupported (a path on an IP socket, or a tuple on a unix
    one, CPython's TypeError), as from :func:`connect`.
    """


@syscall
def recv(fd: FileDescriptor, size: int, flags: int = 0) -> bytes:  # type: ignore[empty-body]  # made from its record
    """recv(2): at most ``size`` bytes, one call; ``b""`` at the end of a
    stream (and for an empty datagram).

    Raises a member of :class:`RecvFromError`.
    """


@variant("recv", "sock", "into", "intosize", "recvflags", result="count")
def recv_into(fd: FileDescriptor, buffer: Buffer, size: Optional[int] = None, flags: int = 0) -> int:  # type: ignore[empty-body]  # made from its record
    """recv(2) into ``buffer`` (any writable C-contiguous buffer), at most
    ``size`` bytes (None or 0: the whole buffer, as CPython's); the count the
    kernel gave is returned (with MSG_TRUNC, a datagram's whole length).

    Raises a member of :class:`RecvFromError`.
    """


@syscall
def recvfrom(fd: FileDescriptor, size: int, flags: int = 0) -> tuple[bytes, Any]:  # type: ignore[empty-body]  # made from its record
    """recvfrom(2): ``(data, address)``, the address in CPython's shape (None
    where the kernel gives none, as on a connected stream socket).

    Raises a member of :class:`RecvFromError`.
    """


@variant("recvfrom", "sock", "into", "intosize", "recvflags", "source", result="count_from")
def recvfrom_into(fd: FileDescriptor, buffer: Buffer, size: Optional[int] = None, flags: int = 0) -> tuple[int, Any]:  # type: ignore[empty-body]  # made from its record
    """recvfrom(2) into ``buffer``: ``(count, address)``.

    Raises a member of :class:`RecvFromError`.
    """


@syscall
def sendmsg(fd: FileDescriptor, buffers: Iterable[Buffer], address: Optional[Address] = None, flags: int = 0) -> int:  # type: ignore[empty-body]  # made from its record
    """sendmsg(2): the ``buffers`` (any iterable of bytes-like objects) gathered
    into one message, to ``address`` when given; the count sent is returned,
    which may be short. MSG_NOSIGNAL is always added. On Windows it is
    WSASendTo with the same gather list (Zig's sendmsg does not build there).

    Raises a member of :class:`SendMsgError`.
    """


_poll_error = _seam.error_maker(_seam.DIRECT.poll, "poll")
_new_longs = _ffi.new_allocator(should_clear_after_alloc=False)
_FD_MAX = _seam.FD_MAX
_INT_MAX = _seam.INT_MAX
_LONGS = _ffi.typeof("long long[]")
_CELLS = _ffi.typeof("long long *[]")


def poll(fds: Iterable[tuple[FileDescriptor, int]], timeout: Union[int, float, None] = None) -> list[tuple[Any, int]]:
    """poll(2) (WSAPoll on Windows): ``fds`` is ``[(fd, events), ...]`` (an fd,
    a Server, Connection or Datagram, or anything with ``fileno()``; events a
    mask of POLLIN, POLLOUT ...); the entries with any revents come back as
    ``[(fd, revents), ...]``, each fd as given. ``timeout`` is in
    milliseconds, as ``select.poll``'s: None or negative waits for ever, a
    fraction is rounded up. An owner that is closed reports POLLNVAL, as the
    kernel does for an fd that is not open. An interrupted poll waits again for
    the time that is left, never the whole timeout again (Zig restarts it).

    Raises a member of :class:`PollError`.
    """
    entries = list(fds)  # a copy: another thread may change the caller's list meanwhile
    n = len(entries)
    if n == 1:  # the commonest: one entry, no arrays
        return _poll1(entries[0], timeout)
    items = _new_longs(_LONGS, 3 * n)  # not zeroed: every slot is written below
    cells: Any = _NULL  # an array only when an entry is an owner
    held = []  # the owners' cells, referenced for the call (a pooled cell is never reused meanwhile)
    for i, given in enumerate(entries):
        fd, events = given if _type(given) is tuple and len(given) == 2 else _poll_entry(given)
        if _type(events) is not int or not 0 <= events <= 0xFFFF:
            events = _args.c_int(events, "events", 0, 0xFFFF)
        if _type(fd) is int:
            if not 0 <= fd <= _FD_MAX:
                raise ValueError("negative file descriptor") if fd < 0 else OverflowError(f"poll: fd {fd} is too large")
            ref = fd
        else:
            cell, ref = _socket_of_or_closed(fd)
            if cell is not _NULL:
                if cells is _NULL:
                    cells = _ffi.new(_CELLS, n)
                cells[i] = cell
                held.append(cell)
        items[3 * i] = ref
        items[3 * i + 1] = events
        items[3 * i + 2] = 0
    ms = timeout if _type(timeout) is int and 0 <= timeout <= _INT_MAX else _args.poll_ms(timeout)
    deadline = None if ms <= 0 else _monotonic() + ms / 1000
    while True:
        r: int = _C.poll(items, cells, n, ms)
        if r == 0:
            return []
        if r > 0:
            return [(entries[k][0], int(items[3 * k + 2])) for k in range(n) if items[3 * k + 2]]
        if (-r & _CODE_MASK) != _EINTR or -r & _REJECTED:
            raise _poll_error(r)
        if deadline is not None:  # the handlers ran; wait for what is left
            ms = max(0, int((deadline - _monotonic()) * 1000 + 0.999))


def _poll1(entry: Any, timeout: Any) -> list[tuple[Any, int]]:
    if _type(entry) is not tuple or len(entry) != 2:
        entry = _poll_entry(entry)
    fd, events = entry
    if _type(events) is not int or not 0 <= events <= 0xFFFF:
        events = _args.c_int(events, "events", 0, 0xFFFF)
    if _type(fd) is int:
        if not 0 <= fd <= _FD_MAX:
            raise ValueError("negative file descriptor") if fd < 0 else OverflowError(f"poll: fd {fd} is too large")
        cell: Any = _NULL
        ref = fd
    else:
        cell, ref = _socket_of_or_closed(fd)
    ms = timeout if _type(timeout) is int and 0 <= timeout <= _INT_MAX else _args.poll_ms(timeout)
    deadline = None if ms <= 0 else _monotonic() + ms / 1000
    while True:
        r: int = _C.poll1(cell, ref, events, ms)
        if r > 0:
            return [(fd, r)]
        if r == 0:
            return []
        if (-r & _CODE_MASK) != _EINTR or -r & _REJECTED:
            raise _poll_error(r)
        if deadline is not None:  # the handlers ran; wait for what is left
            ms = max(0, int((deadline - _monotonic()) * 1000 + 0.999))


def _poll_entry(entry: Any) -> tuple[Any, Any]:
    if not isinstance(entry, (tuple, list)) or len(entry) != 2:
        raise TypeError(f"each entry of fds must be an (fd, events) pair, not {entry!r}")
    return entry[0], entry[1]


def _socket_of_or_closed(fd: Any) -> tuple[Any, int]:
    """An owner's (cell, generation), even once closed (poll reports POLLNVAL
    for it then); anything else as every call takes it."""
    if _type(fd) in _seam.OWNERS:
        if not fd._owned:
            return _CLOSED_CELL, -1
        return fd._owned[0], fd._gen
    return _socket_of(fd, "poll")


_CLOSED_CELL = _ffi.new("long long[3]")  # empty: every generation is refused (POLLNVAL)
