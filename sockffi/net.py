"""Zig's ``std.net`` in Python: ``listen_tcp`` and ``listen_unix``
(``Address.listen``, raising the union ``ListenError``, returning a
:class:`Server`), ``connect_tcp`` and ``connect_unix``
(``tcpConnectToAddress`` and ``connectUnixSocket``, returning a
:class:`Connection`), and sockffi's UDP pair, ``bind_udp`` and
``connect_udp``, returning a :class:`Datagram`.

Each is one C crossing (csrc/composed.c) unless a layer (sockffi.trace,
sockffi.testing) has set the one-crossing calls aside: then each step is its
own call, and a failing step raises its own error at once.
"""

from __future__ import annotations

import os

# Every name an annotation uses is defined at run time, so typing.get_type_hints()
# (pydantic, sphinx, beartype ...) can read them.
from typing import Any, Optional, Union, overload

from . import _addr, _args, _seam, errors
from ._owners import Connection, Datagram, Server, connection, server
from ._sockffi import lib
from ._udp import bind_udp, connect_udp
from .types import IPv4Address, IPv6Address, UnixAddress

__all__ = [
    "Connection",
    "Datagram",
    "Server",
    "bind_udp",
    "connect_tcp",
    "connect_udp",
    "connect_unix",
    "listen_tcp",
    "listen_unix",
]

_C = _seam.C
_type = type
_new = object.__new__
_AF_INET: int = lib.AF_INET
_AF_INET6: int = lib.AF_INET6
_AF_UNIX: int = lib.AF_UNIX
_IPPROTO_TCP: int = lib.IPPROTO_TCP
_SOCK_STREAM: int = lib.SOCK_STREAM
_SOCK_CLOEXEC: int = lib.SOCK_CLOEXEC
_SOCK_NONBLOCK: int = lib.SOCK_NONBLOCK
_KIND: int = _SOCK_STREAM | _SOCK_CLOEXEC
_HAS_REUSEPORT = bool(lib.SF_HAS_SO_REUSEPORT)
# Where SO_REUSEADDR would let another socket take over the port (Windows),
# reuse_address sets nothing: the backend says.
_OPT_REUSEADDR: int = lib.SF_OPT_REUSEADDR if _seam.backend.SETS_REUSEADDR else 0
_OPT_REUSEPORT: int = lib.SF_OPT_REUSEPORT
_OPT_V6ONLY: int = lib.SF_OPT_V6ONLY
_OPT_DUALSTACK: int = lib.SF_OPT_DUALSTACK
_FD_SHIFT = _seam.LISTEN4_FD_SHIFT
_DIFFERS = _seam.LISTEN4_DIFFERS
_in4_named = _addr.in4_named.get
_in6_get = _addr.in6_cache.get
_in6_ids_get = _addr.in6_ids.get
_IN6_ID_SHIFT = _seam.IN6_ID_SHIFT
_GSN_OTHER = _seam.GSN_OTHER
_GSN_PATH_ID: int = lib.SF_GSN_PATH_ID
_take_name_buffer = _seam.take_name_buffer
_give_name_buffer = _seam.give_name_buffer
_new_name_buffer = _seam.new_name_buffer
_NAME_BUFFER = _seam.NAME_BUFFER
_take_cell = _seam.take_cell
_give_cell = _seam.give_cell
_flag = _args.flag
_NO_DATA = b""


# ----------------------------------------------------------------- listen_tcp


@overload
def listen_tcp(
    address: tuple[str, int],
    *,
    backlog: int = ...,
    reuse_address: bool = ...,
    reuse_port: bool = ...,
    nonblocking: bool = ...,
    dualstack_ipv6: bool = ...,
    inheritable: bool = ...,
) -> Server[Union[IPv4Address, IPv6Address]]: ...
@overload
def listen_tcp(
    address: Union[tuple[str, int, int], IPv6Address],
    *,
    backlog: int = ...,
    reuse_address: bool = ...,
    reuse_port: bool = ...,
    nonblocking: bool = ...,
    dualstack_ipv6: bool = ...,
    inheritable: bool = ...,
) -> Server[IPv6Address]: ...
@overload
def listen_tcp(
    address: str,
    *,
    backlog: int = ...,
    reuse_address: bool = ...,
    reuse_port: bool = ...,
    nonblocking: bool = ...,
    dualstack_ipv6: bool = ...,
    inheritable: bool = ...,
) -> Server[Union[IPv4Address, IPv6Address]]: ...
def listen_tcp(
    address: Any,
    *,
    backlog: int = 128,
    reuse_address: object = True,
    reuse_port: object = False,
    nonblocking: object = False,
    dualstack_ipv6: object = False,
    inheritable: object = False,
) -> Server[Any]:
    """socket → setsockopt (each option) → bind → listen → getsockname, on an IP address.

    Zig's ``Address.listen`` sequence, one syscall per step. ``address`` is
    CPython's ``(host, port)`` or ``(host, port, flowinfo, scope_id)``, or a
    numeric ``"HOST:PORT"`` / ``"[V6HOST]:PORT"`` string; hosts are numeric
    (sockffi never resolves names). For an AF_UNIX path use :func:`listen_unix`.

    Defaults follow Python's own servers rather than Zig's ``ListenOptions``
    (each a documented departure):

    * ``reuse_address=True`` sets SO_REUSEADDR on POSIX, as
      ``socket.create_server`` and asyncio do, so a server restarts on its port
      while old connections sit in TIME_WAIT. On Windows it sets nothing: there
      SO_REUSEADDR lets another process take the port.
    * ``reuse_port=True`` sets SO_REUSEPORT (ValueError where the platform has none).
    * On an IPv6 address ``IPV6_V6ONLY`` is always set explicitly: to 1, or to 0
      with ``dualstack_ipv6=True`` (IPv4 clients too), so the behaviour never
      depends on a sysctl or the OS.
    * ``inheritable=False``: the socket is close-on-exec (``True`` lets a child
      process started with ``pass_fds`` or ``fd://`` use it).
    * ``nonblocking=True`` adds SOCK_NONBLOCK (what event loops want).

    Any failure after socket(2) closes the fd and re-raises the original error,
    a member of :class:`sockffi.ListenError` whose ``address`` is the address and
    whose ``str()`` names the step. A code Zig treats as unreachable raises
    :class:`Unexpected` here rather than CallerError: listen_tcp owns the fd and
    builds the sockaddr, so such a code is never the caller's bug.
    """
    if reuse_address is not True and reuse_address is not False:
        reuse_address = _flag(reuse_address, "reuse_address")
    if reuse_port is not False and reuse_port is not True:
        reuse_port = _flag(reuse_port, "reuse_port")
    if nonblocking is not False and nonblocking is not True:
        nonblocking = _flag(nonblocking, "nonblocking")
    if dualstack_ipv6 is not False and dualstack_ipv6 is not True:
        dualstack_ipv6 = _flag(dualstack_ipv6, "dualstack_ipv6")
    if inheritable is not False and inheritable is not True:
        inheritable = _flag(inheritable, "inheritable")
    if _type(backlog) is not int:
        backlog = _args.backlog_of(backlog)
    # The common case in one C crossing: a plain (str, int) pair whose host was
    # seen before. The C refuses a port or backlog out of range before any
    # syscall; the general path below then says which. (Server creation is
    # written out here rather than called: this is the measured path.)
    if _type(address) is tuple and len(address) == 2 and reuse_port is False:
        host, port = address
        if _type(host) is str and _type(port) is int:
            named = _in4_named(host)
            listen4 = _C.listen_in4
            if named is not None and listen4 is not None and dualstack_ipv6 is False:
                s_addr, text = named
                cell = _take_cell()
                try:
                    r = listen4(
                        cell,
                        _KIND if nonblocking is False and inheritable is False else _kind(nonblocking, inheritable),
                        s_addr,
                        port,
                        backlog,
                        _OPT_REUSEADDR if reuse_address else 0,
                    )
                except OverflowError:
                    r = -_seam.REJECTED
                if r < 0:
                    _fast_path_failed(cell, r, address)
                else:
                    server = _new(Server)
                    server._owned = [cell]
                    server._gen = cell[2]
                    server.fd = r >> _FD_SHIFT
                    server._blocking = nonblocking is False
                    if r & _DIFFERS:
                        _name(server, address)
                    else:
                        server.address = (text, r & 0xFFFF)
                    return server
            elif named is None:
                v6 = _in6_get(host)
                listen6 = _C.listen_in6
                if v6 is not None and listen6 is not None:
                    cell = _take_cell()
                    try:
                        r = listen6(
                            cell,
                            _KIND if nonblocking is False and inheritable is False else _kind(nonblocking, inheritable),
                            v6[0],
                            port,
                            0,
                            v6[1],
                            backlog,
                            (_OPT_REUSEADDR if reuse_address else 0)
                            | (_OPT_DUALSTACK if dualstack_ipv6 else _OPT_V6ONLY),
                        )
                    except OverflowError:
                        r = -_seam.REJECTED
                    if r < 0:
                        _fast_path_failed(cell, r, address)
                    else:
                        server = _new(Server)
                        server._owned = [cell]
                        server._gen = cell[2]
                        server.fd = cell[0] - 1
                        server._blocking = nonblocking is False
                        entry = _in6_ids_get((r >> _IN6_ID_SHIFT) & 0xFFFFFF) if r < _GSN_OTHER else None
                        if entry is not None:  # an (address, scope) this process has named before
                            server.address = (entry[0], r & 0xFFFF, (r >> 16) & 0xFFFFF, entry[1])
                        else:
                            _name(server, address, r)
                        return server
    return _listen_tcp(address, backlog, reuse_address, reuse_port, nonblocking, dualstack_ipv6, inheritable)


def _fast_path_failed(cell: Any, r: int, address: Any) -> None:
    """A failed one-crossing listen: raise its error, or return (an argument the
    C refused) for the general path to say what is wrong with it."""
    _give_cell(cell)
    if not -r & _seam.REJECTED:
        raise _seam.with_context(_seam.step_error(r), address, "listen_tcp")


def _listen_tcp(
    address: Any,
    backlog: int,
    reuse_address: object,
    reuse_port: object,
    nonblocking: object,
    dualstack_ipv6: object,
    inheritable: object,
) -> Server[Any]:
    """listen_tcp for every address and option (validated here, with the errors
    that name what is wrong), one C crossing unless traced."""
    if not 0 <= backlog <= _seam.INT_MAX:
        backlog = _args.backlog_of(backlog)
    if isinstance(address, str):  # "HOST:PORT": errors keep the address as the tuple it names
        address = _addr.parse_host_port(str.__str__(address))
    addr = _addr.ip_address(address)
    family = addr[0]
    if reuse_port and not _HAS_REUSEPORT:
        raise ValueError("SO_REUSEPORT is not supported on this platform")
    if dualstack_ipv6 and family == _AF_INET:
        raise ValueError("dualstack_ipv6 needs an IPv6 address, such as ('::', port)")
    opts = (_OPT_REUSEADDR if reuse_address else 0) | (_OPT_REUSEPORT if reuse_port else 0)
    if family == _AF_INET6:
        opts |= _OPT_DUALSTACK if dualstack_ipv6 else _OPT_V6ONLY
    kind = _kind(bool(nonblocking), bool(inheritable))
    cell = _take_cell()
    _, a4, a16, _, port, flowinfo, scope = addr
    one = _C.listen_in4 if family == _AF_INET else _C.listen_in6
    if one is None:  # traced or injected: each step its own call
        made = _steps(cell, addr, kind, opts, backlog, address, "listen_tcp")
        _name(made, address)
        return made
    if family == _AF_INET:
        r = _C.listen_in4(cell, kind, a4, port, backlog, opts)  # type: ignore[misc]
    else:
        r = _C.listen_in6(cell, kind, a16, port, flowinfo, scope, backlog, opts)  # type: ignore[misc]
    if r < 0:
        _give_cell(cell)
        raise _seam.with_context(_seam.step_error(r), address, "listen_tcp")
    if family == _AF_INET:
        made = server(cell, r >> _FD_SHIFT, not nonblocking)
        if r & _DIFFERS:
            _name(made, address)
        else:
            made.address = (_addr.in4_text(a4), r & 0xFFFF)
        return made
    made = server(cell, cell[0] - 1, not nonblocking)
    _name(made, address, r)
    return made


def _name(made: Server[Any], address: Any, r: Optional[int] = None) -> None:
    """The Server's address: from a packed getsockname result, or asked now
    (the Server owns the fd already: a failure here closes it through the
    Server)."""
    try:
        if r is None:
            r = _C.getsockname(made._owned[0], made._gen)
        if r < 0:
            raise _seam.os_error(r, _seam.COMPOSED.getsockname, "getsockname")
        # Not remembered: a new listener's port is rarely asked for again.
        made.address = _addr.names.get(r) or _addr.name_of(r, made._owned[0], made._gen, "getsockname", False)
    except BaseException as exc:
        made.close()
        raise _seam.with_context(exc, address, "listen_tcp") from None


def _kind(nonblocking: bool, inheritable: bool) -> int:
    return _SOCK_STREAM | (_SOCK_NONBLOCK if nonblocking else 0) | (0 if inheritable else _SOCK_CLOEXEC)


_OPTION_STEPS = (
    (lib.SF_OPT_REUSEADDR, lib.SOL_SOCKET, lib.SO_REUSEADDR, 1),
    (lib.SF_OPT_REUSEPORT, lib.SOL_SOCKET, lib.SF_SO_REUSEPORT, 1),
    (lib.SF_OPT_V6ONLY, lib.IPPROTO_IPV6, lib.IPV6_V6ONLY, 1),
    (lib.SF_OPT_DUALSTACK, lib.IPPROTO_IPV6, lib.IPV6_V6ONLY, 0),
)


def _steps(cell: Any, addr: tuple[Any, ...], kind: int, opts: int, backlog: int, address: Any, op: str) -> Server[Any]:
    """socket, each option, bind, listen one C call at a time (while traced or
    injected), the Server owning the socket from the first; a failing step
    closes it and raises that step's error. The caller reads the address."""
    C = _C
    family = addr[0]
    fd = C.socket_cell(cell, family, kind, 0 if family == _AF_UNIX else _IPPROTO_TCP)
    if fd < 0:
        _give_cell(cell)
        raise _seam.with_context(_seam.socket_error(fd, _seam.COMPOSED), address, op)
    made = server(cell, fd, not kind & _SOCK_NONBLOCK)
    gen = made._gen
    for bit, level, option, value in _OPTION_STEPS:
        if opts & bit:
            r = C.setsockopt_int(cell, gen, level, option, value)
            if r:
                _step_failed(made, _seam.os_error(r, _seam.COMPOSED.setsockopt, "setsockopt"), address, op)
    r = C.bind_file(cell, *addr)  # the cell owns a unix socket file from the bind on
    if r:
        _step_failed(made, _seam.address_error(r, "bind", _seam.COMPOSED), address, op)
    r = C.listen(cell, gen, backlog)
    if r:
        _step_failed(made, _seam.os_error(r, _seam.COMPOSED.listen, "listen"), address, op)
    return made


def _step_failed(made: Server[Any], exc: Exception, address: Any, op: str) -> None:
    made.close()
    raise _seam.with_context(exc, address, op)


# ----------------------------------------------------------------- listen_unix


def listen_unix(
    path: UnixAddress, *, backlog: int = 128, nonblocking: bool = False, inheritable: bool = False
) -> Server[Union[str, bytes]]:
    """socket(AF_UNIX, SOCK_STREAM) → bind → listen → getsockname, on a path.

    ``path`` is a ``str``, ``bytes`` or ``os.PathLike``; a leading NUL names a
    Linux abstract socket (no file). The same union :class:`sockffi.ListenError`
    as :func:`listen_tcp`; a path too long for ``sun_path`` is
    :class:`NameTooLong` before any syscall.

    As asyncio's ``create_unix_server``: ``close()`` removes the socket file this
    call created, if the path is still that socket (same inode), and only in the
    process that created it. The file goes with the socket from the bind on:
    a failure in a later step, a dropped Server, or an exception from a signal
    handler at any point removes it too; ``detach()`` and ``to_socket()`` leave
    it for the new owner. Nothing is ever removed at bind time, so a live
    server's socket is never displaced (a stale file gives ``AddressInUse``:
    remove it yourself once you know no server uses it). On Windows the file
    stays.
    """
    # Annotated bool, checked as anything: 0 and 1 pass, other values get a named TypeError.
    nonblocking = _flag(nonblocking, "nonblocking")
    inheritable = _flag(inheritable, "inheritable")
    if _type(backlog) is not int or not 0 <= backlog <= _seam.INT_MAX:
        backlog = _args.backlog_of(backlog)
    if isinstance(path, (tuple, int)):
        raise TypeError(f"listen_unix takes a path, not {_type(path).__name__}; for an IP address use listen_tcp()")
    try:
        raw = _addr.unix_path(path)
    except errors.SockffiError as exc:
        raise _seam.with_context(exc, path, "listen_unix") from None
    kind = _kind(nonblocking, inheritable)
    cell = _take_cell()
    listen_un = _C.listen_un
    if listen_un is None:  # traced or injected: each step its own call
        made = _steps(cell, (_AF_UNIX, 0, raw, len(raw), 0, 0, 0), kind, 0, backlog, path, "listen_unix")
        try:
            made.address = _addr.read_name(made._owned[0], made._gen, "getsockname", _seam.COMPOSED)
        except BaseException as exc:
            made.close()
            raise _seam.with_context(exc, path, "listen_unix") from None
        return made
    try:
        buf = _take_name_buffer()
    except IndexError:
        buf = _new_name_buffer(_NAME_BUFFER)
    r = listen_un(cell, kind, raw, len(raw), backlog, buf)
    if r < 0:
        _give_name_buffer(buf)
        _give_cell(cell)
        raise _seam.with_context(_seam.step_error(r), path, "listen_unix")
    made = _new(Server)
    made._owned = [cell]
    made._gen = cell[2]
    made.fd = cell[0] - 1
    made._blocking = nonblocking is False
    made.address = _addr.packed(r, False) if r & _GSN_PATH_ID else _addr.other_name(r, buf)
    _give_name_buffer(buf)
    return made


# ----------------------------------------------------------------- connect_tcp, connect_unix

_EINTR: int = _seam.backend.INTERRUPTED
_IN_PROGRESS: int = _seam.backend.CONNECT_IN_PROGRESS
_ETIMEDOUT: int = _seam.backend.TIMED_OUT
_CODE_MASK = _seam.CODE_MASK
_STILL_OPEN = _seam.STILL_OPEN
_REJECTED = _seam.REJECTED
_step_error = _seam.step_error
_in4_text = _addr.in4_text


def connect_tcp(
    address: Union[tuple[Any, ...], str], *, nonblocking: bool = False, timeout: Optional[float] = None
) -> Connection[Any]:
    """socket → connect, to an IP address: Zig's ``tcpConnectToAddress``.

    ``address`` is what :func:`listen_tcp` takes: CPython's tuples or a
    numeric ``"HOST:PORT"`` / ``"[V6HOST]:PORT"`` (no DNS). The socket is
    ``socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP)``; any failure
    closes it and re-raises the error, a member of
    :class:`sockffi.TcpConnectToAddressError` carrying ``address``.

    Departures from Zig, documented: ``timeout`` (seconds) connects
    non-blocking, waits, reads SO_ERROR, and raises
    :class:`ConnectionTimedOut` (errno ETIMEDOUT) when the time runs out;
    ``nonblocking=True`` without a timeout returns the Connection at once
    with the connect in progress (``getsockopt_error(conn)`` once it is
    writable says how it ended). The Connection is blocking unless
    ``nonblocking=True``.
    """
    if nonblocking is not False and nonblocking is not True:
        nonblocking = _flag(nonblocking, "nonblocking")  # type: ignore[unreachable]
    # The common case in one C crossing: a plain (str, int) pair whose host
    # was seen before, no timeout. Written out, not called: the measured path.
    if timeout is None and _type(address) is tuple and len(address) == 2:
        host, port = address
        if _type(host) is str and _type(port) is int:
            named = _in4_named(host)
            connect_new = _C.connect_new
            if named is not None and connect_new is not None:
                cell = _take_cell()
                kind = _KIND if nonblocking is False else _KIND | _SOCK_NONBLOCK
                try:
                    r = connect_new(cell, kind, _IPPROTO_TCP, _AF_INET, named[0], _NO_DATA, 0, port, 0, 0)
                except OverflowError:
                    r = -_REJECTED
                if r >= 0:  # the fd
                    conn: Connection[Any] = _new(Connection)
                    conn._owned = [cell]
                    conn._gen = cell[2]
                    conn.fd = r
                    conn._blocking = nonblocking is False
                    conn._local = None
                    conn.address = address if named[1] == host else (named[1], port)
                    return conn
                if not -r & (_REJECTED | _STILL_OPEN):  # failed, and the C closed the socket
                    _give_cell(cell)
                    # Raised unnamed: an exception in a local of this frame would
                    # be a cycle holding the given-back cell until the gc runs.
                    raise _seam.with_context(_step_error(r), address, "connect_tcp")
                if not -r & _REJECTED:  # it goes on (interrupted, or in progress)
                    addr = (_AF_INET, named[0], _NO_DATA, 0, port, 0, 0)
                    return _went_on(
                        cell, -r & _CODE_MASK, (named[1], port), address, "connect_tcp", nonblocking, None, addr
                    )
                _give_cell(cell)
    ms = None if timeout is None else _args.timeout_ms(timeout)
    if isinstance(address, str):
        address = _addr.parse_host_port(str.__str__(address), "connect_tcp")
    addr = _addr.ip_address(address, "connect_tcp")
    if addr[0] == _AF_INET:
        peer: Any = (_in4_text(addr[1]), addr[4])
    else:
        peer = (_addr.ntop6(addr[2]), addr[4], addr[5], addr[6])
    return _connect(addr, _IPPROTO_TCP, peer, address, "connect_tcp", nonblocking, ms)


def connect_unix(path: UnixAddress, *, nonblocking: bool = False, timeout: Optional[float] = None) -> Connection[Any]:
    """socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC) → connect, to a path: Zig's
    ``connectUnixSocket``.

    ``path`` is what :func:`listen_unix` takes (str, bytes, ``os.PathLike``;
    a leading NUL names a Linux abstract socket); one too long for
    ``sun_path`` is :class:`NameTooLong` before any syscall. Any failure
    closes the socket and re-raises the error, a member of
    :class:`sockffi.ConnectUnixSocketError` carrying ``address``.
    ``nonblocking`` and ``timeout`` as for :func:`connect_tcp`; an AF_UNIX
    listener whose backlog is full answers a non-blocking connect with
    :class:`WouldBlock` (EAGAIN), not a connect in progress, so that is
    raised.
    """
    if nonblocking is not False and nonblocking is not True:
        nonblocking = _flag(nonblocking, "nonblocking")  # type: ignore[unreachable]
    ms = None if timeout is None else _args.timeout_ms(timeout)
    if isinstance(path, (tuple, int)):
        raise TypeError(f"connect_unix takes a path, not {_type(path).__name__}; for an IP address use connect_tcp()")
    try:
        raw = _addr.unix_path(path, "connect")
    except errors.SockffiError as exc:
        raise _seam.with_context(exc, path, "connect_unix") from None
    peer = raw if raw[:1] == b"\0" else os.fsdecode(raw)
    return _connect((_AF_UNIX, 0, raw, len(raw), 0, 0, 0), 0, peer, path, "connect_unix", nonblocking, ms)


def _connect(
    addr: tuple[Any, ...], protocol: int, peer: Any, address: Any, op: str, nonblocking: bool, ms: Any
) -> Connection[Any]:
    """connect_tcp/connect_unix for every address: one C crossing unless traced."""
    kind = _KIND | (_SOCK_NONBLOCK if nonblocking or ms is not None else 0)
    cell = _take_cell()
    connect_new = _C.connect_new
    if connect_new is not None:
        r: int = connect_new(cell, kind, protocol, *addr)
        if r >= 0:
            code = 0
        elif -r & _STILL_OPEN:  # it goes on: interrupted, or in progress
            code = -r & _CODE_MASK
        else:
            _give_cell(cell)
            raise _seam.with_context(_step_error(r), address, op)
    else:  # traced or injected: each step its own call
        fd = _C.socket_cell(cell, addr[0], kind, protocol)
        if fd < 0:
            _give_cell(cell)
            raise _seam.with_context(_seam.socket_error(fd, _seam.COMPOSED), address, op)
        r = _C.connect(cell, cell[2], *addr)
        code = -r & _CODE_MASK if r else 0
        if r and (code not in (_EINTR, _IN_PROGRESS) or -r & _REJECTED):
            _C.cell_close(cell)
            _give_cell(cell)
            raise _seam.with_context(_seam.address_error(r, "connect", _seam.COMPOSED), address, op)
    if code == 0 and ms is None:
        return connection(cell, peer, not nonblocking)
    return _went_on(cell, code, peer, address, op, nonblocking, ms, addr)


def _went_on(
    cell: Any, code: int, peer: Any, address: Any, op: str, nonblocking: bool, ms: Any, addr: tuple[Any, ...]
) -> Connection[Any]:
    """A composed connect whose socket is still the cell's: connect again after
    an interruption (EINTR: its handlers ran, and may have raised; Zig retries),
    wait for a connect in progress, or hand it over in progress
    (nonblocking=True), or, connected on a socket made non-blocking for its
    timeout (code 0), make it blocking again unless nonblocking=True. Any
    failure closes the socket."""
    gen = cell[2]
    try:
        while code == _EINTR:
            code = -_C.connect(cell, gen, *addr) & _CODE_MASK
        if code:
            if code != _IN_PROGRESS or (ms is None and not nonblocking):
                raise _seam.os_error(-code, _seam.COMPOSED.connect, "connect")
            if ms is None:  # nonblocking=True: handed over with the connect in progress
                return connection(cell, peer, False)
            _wait(cell, gen, ms)
        if ms is not None and not nonblocking:
            s = _C.set_nonblocking(cell, gen, 0)
            if s:
                raise _seam.os_error(s, {}, "fcntl")
    except BaseException as exc:
        _C.cell_close(cell)
        _give_cell(cell)
        raise _seam.with_context(exc, address, op) from None
    return connection(cell, peer, not nonblocking)


def _wait(cell: Any, gen: int, ms: int) -> None:
    """Wait up to ms for the connect in progress on the cell's socket, then
    read how it ended."""
    import time

    deadline = time.monotonic() + ms / 1000
    left = ms
    while True:
        w = _C.wait_connect(cell, gen, left)
        if w == 1:
            break
        if w == 0:
            raise _seam.new_error(errors.ConnectionTimedOut, _ETIMEDOUT, "connect")
        if (-w & _CODE_MASK) != _EINTR:
            raise _seam.os_error(w, {}, "poll")
        # Interrupted: handlers ran; wait for what is left.
        left = max(0, int((deadline - time.monotonic()) * 1000 + 0.999))
    v = _C.getsockopt_error(cell, gen)
    if v > 0:
        raise _seam.so_error(v, _seam.COMPOSED)
    if v < 0:
        raise _seam.os_error(v, _seam.COMPOSED.getsockopt_error_call, "getsockopt")
