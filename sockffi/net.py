"""``listen_tcp`` and ``listen_unix``: Zig's ``std.net.Address.listen``, raising
the union ``ListenError``, returning a ``Server`` that owns its fd.

Ownership is never in doubt, whatever exception a signal handler raises at
whatever bytecode: the C puts the new fd into a *cell* (a caller-owned
``long long`` holding fd + 1) before it returns, the cell belongs to a local
variable and then to the Server, and a cell dropped while it holds an fd
closes it in C, where no Python code can run in between.
"""

from __future__ import annotations

import os

# Every name an annotation uses is defined at run time, so typing.get_type_hints()
# (pydantic, sphinx, beartype ...) can read them.
from typing import TYPE_CHECKING, Any, Generic, NoReturn, Optional, TypeVar, Union, overload

from . import _addr, _seam, errors
from ._sockffi import lib
from .posix import accept_flags as _accept_flags
from .posix import accept_into as _accept_into
from .posix import connect_once as _connect_once
from .posix import getsockname as _getsockname
from .posix import peer_name as _peer_name
from .posix import shutdown as _shutdown
from .types import IPv4Address, IPv6Address, UnixAddress

if TYPE_CHECKING:
    import socket
else:

    class _Module:
        """The socket module, imported when an annotation that names it is
        first read (import sockffi does not pay for it)."""

        def __getattr__(self, name: str) -> Any:
            import socket

            return getattr(socket, name)

    socket = _Module()

#: What a Server's or Connection's address is (CPython's shape for its family).
A = TypeVar("A")
_O = TypeVar("_O", bound="_Owner[Any]")


__all__ = ["Connection", "Server", "connect_tcp", "connect_unix", "listen_tcp", "listen_unix"]

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
_BLOCKING_READABLE: bool = _seam.backend.BLOCKING_READABLE
# Where SO_REUSEADDR would let another socket take over the port (Windows),
# reuse_address sets nothing: the backend says.
_OPT_REUSEADDR: int = lib.SF_OPT_REUSEADDR if _seam.backend.SETS_REUSEADDR else 0
_OPT_REUSEPORT: int = lib.SF_OPT_REUSEPORT
_OPT_V6ONLY: int = lib.SF_OPT_V6ONLY
_OPT_DUALSTACK: int = lib.SF_OPT_DUALSTACK
_FD_SHIFT = _seam.LISTEN4_FD_SHIFT
_DIFFERS = _seam.LISTEN4_DIFFERS
_STEP_SHIFT = _seam.STEP_SHIFT
_in4_named = _addr.in4_named.get
_in6_get = _addr.in6_cache.get
_in6_ids_get = _addr.in6_ids.get
_IN6_ID_SHIFT = _seam.IN6_ID_SHIFT
_GSN_OTHER = _seam.GSN_OTHER
_names_get = _addr.names.get
_take_name_buffer = _seam.take_name_buffer
_give_name_buffer = _seam.give_name_buffer
_new_name_buffer = _seam.new_name_buffer
_NAME_BUFFER = _seam.NAME_BUFFER
_take_cell = _seam.take_cell
_give_cell = _seam.give_cell
_new_cell = _seam.new_cell
_flag = _seam.flag


# Why an owner's fd is -1 (what a call it is given, or a second to_socket(), says).
_CLOSED = "is closed"
_DETACHED = "was detached by detach()"
_HANDED_OVER = "was handed over to a socket.socket by to_socket()"


class _Owner(Generic[A]):
    """What a Server and a Connection share: a socket owned through a cell,
    from inside the C call that made it until exactly one of close, detach,
    to_socket or the finalizer gives it up."""

    __slots__ = {
        "__weakref__": None,
        "_blocking": None,
        "_gone": None,
        "_owned": None,
        "fd": "The socket's fd (a SOCKET handle on Windows); -1 once closed, detached or handed over.",
    }

    address: A
    fd: int
    _owned: list[Any]
    _blocking: bool

    def fileno(self) -> int:
        """The fd, or -1 once closed, detached or handed over."""
        return self.fd

    @property
    def closed(self) -> bool:
        """True once it no longer owns a socket (closed, detached or handed over)."""
        return not self._owned

    def close(self) -> None:
        """Close the socket (once, however many threads call this at once); for
        a unix socket made by :func:`listen_unix`, also remove its file if the
        path is still that socket."""
        self.fd = -1  # first: from here on no caller is handed this number
        try:
            # list.pop() is one atomic step (under the GIL, and per object on
            # free-threaded builds): of several closers exactly one gets the cell.
            cell = self._owned.pop()
        except IndexError:
            return
        self._gone = _CLOSED
        r = _C.cell_close(cell)
        if r == 0:
            _give_cell(cell)
            return
        self._close_failed(cell, r)

    def _close_failed(self, cell: Any, r: int) -> None:
        if r > 0:  # the cell was empty already
            _give_cell(cell)
            return
        if -r & _seam.STILL_OPEN:  # the OS kept the socket open: still ours
            self._owned.append(cell)
            self.fd = _seam.cell_fd(cell)
        else:
            _give_cell(cell)
        exc = _seam.close_failure(r)
        if exc is not None:
            raise exc

    def detach(self) -> int:
        """Give the fd away: the caller owns it from now on (-1 if there is no
        longer one). A unix socket's file stays where it is."""
        self.fd = -1
        try:
            cell = self._owned.pop()
        except IndexError:
            return -1
        self._gone = _DETACHED
        fd: int = _seam.cell_detach(cell)
        _give_cell(cell)
        return fd

    def to_socket(self) -> socket.socket:
        """A ``socket.socket`` that owns the fd from now on, in the same blocking
        mode (a ``nonblocking=True`` one gives a non-blocking socket)."""
        import socket

        self.fd = -1
        try:
            cell = self._owned.pop()
        except IndexError:
            raise ValueError(f"the {_type(self).__name__} {_seam.gone(self)}: it has no socket to hand over") from None
        fd = _seam.cell_fd(cell)
        sock = socket.socket.__new__(socket.socket)
        try:
            # Read first: socket.socket() applies socket.getdefaulttimeout(),
            # which makes the fd non-blocking.
            blocking = os.get_blocking(fd) if _BLOCKING_READABLE else self._blocking
            sock.__init__(fileno=fd)  # type: ignore[misc]
            sock.setblocking(blocking)
            _seam.cell_detach(cell)  # the socket owns it now; the file stays with it
            self._gone = _HANDED_OVER
        except BaseException:
            # Whatever was interrupted, exactly one owner remains: this object.
            # The socket may hold the fd too (it took it before the cell let
            # go): it gives it back, unclosed.
            if sock.fileno() != -1:
                taken = sock.detach()
                if not cell[0]:
                    _seam.cell_adopt(cell, taken)
            if cell[0]:
                self._owned.append(cell)
                self.fd = fd
            else:
                _give_cell(cell)
            raise
        _give_cell(cell)
        return sock

    def __enter__(self: _O) -> _O:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        owned = getattr(self, "_owned", None)
        address = getattr(self, "address", None)
        name = _type(self).__name__
        if owned:
            return f"<sockffi.{name} fd={_seam.cell_fd(owned[0])} address={address!r}>"
        return f"<sockffi.{name} closed address={address!r}>"

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError(f"cannot pickle {_type(self).__name__!r} object")

    def __copy__(self) -> NoReturn:
        raise TypeError(
            f"a {_type(self).__name__} cannot be copied: it owns its fd (detach() or to_socket() hand it over)"
        )

    def __deepcopy__(self, memo: object) -> NoReturn:
        self.__copy__()


class Server(_Owner[A]):
    """A listening socket made by :func:`listen_tcp` or :func:`listen_unix`.

    ``fd`` is the socket and ``address`` the address getsockname reported (the
    real port when port 0 was asked for). The Server owns the fd until
    :meth:`close`, :meth:`detach` or :meth:`to_socket`; from then on ``fd`` and
    ``fileno()`` are -1, as for a closed ``socket.socket``, and any sockffi call
    given the Server raises :class:`~sockffi.CallerError` before any syscall.
    ``close()`` is idempotent; the context manager closes. A Server cannot be
    copied or pickled: two objects would own one fd.
    """

    __slots__ = {
        "address": "The address getsockname reported after the bind (the real port when "
        "port 0 was asked for), in CPython's shape.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError("Server objects are made by sockffi.listen_tcp() and sockffi.listen_unix()")

    @property
    def family(self) -> int:
        """AF_INET, AF_INET6 or AF_UNIX (what frameworks such as twisted ask for)."""
        return _family_of(self.address)

    def accept(self, *, nonblocking: bool = False) -> Connection[Any]:
        """Zig's ``Server.accept``: the next connection, as a :class:`Connection`
        that owns its fd from inside the accept4 call.

        Blocks until a client connects (a ``nonblocking=True`` listener raises
        :class:`WouldBlock` instead). The new socket is close-on-exec, and
        blocking unless ``nonblocking=True``, whatever the listener's mode.
        Raises a member of :class:`sockffi.AcceptError`; the listener is
        sockffi's own, so a code Zig treats as unreachable is
        :class:`Unexpected` here, as in listen_tcp.
        """
        fd = self.fd
        if fd == -1:
            raise _seam.closed_error("accept", self)
        flags = _SOCK_CLOEXEC if nonblocking is False else _accept_flags(nonblocking)
        cell, r = _accept_into(fd, flags, _seam.COMPOSED)
        peer = _names_get(r)
        if peer is None:
            peer = _peer_name(r, cell)
        return _connection(cell, peer, not flags & _SOCK_NONBLOCK)


class Connection(_Owner[A]):
    """A connected socket: from :meth:`Server.accept`, :func:`connect_tcp` or
    :func:`connect_unix` (Zig's ``Server.Connection`` and ``Stream``).

    It owns its fd exactly as a :class:`Server` does, from inside the C call
    that made it until :meth:`close`, :meth:`detach` or :meth:`to_socket`
    (-1 after, a context manager, no copies or pickles). sockffi binds the
    calls that set connections up, not I/O: data goes through
    :meth:`to_socket`.
    """

    __slots__ = {
        "_local": None,
        "address": "The peer's address, in CPython's shape (what getpeername gives; for "
        "connect_tcp and connect_unix the address connected to).",
    }

    _local: Any

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError(
            "Connection objects are made by Server.accept(), sockffi.connect_tcp() and sockffi.connect_unix()"
        )

    @property
    def family(self) -> int:
        """AF_INET, AF_INET6 or AF_UNIX."""
        return _family_of(self.address)

    @property
    def local_address(self) -> A:
        """This end's address (getsockname), read the first time it is asked
        for, while the Connection is open, and kept from then on."""
        local = self._local
        if local is None:
            fd = self.fd
            if fd == -1:
                raise _seam.closed_error("getsockname", self)
            local = self._local = _getsockname(fd)
        result: A = local
        return result

    def shutdown(self, how: int) -> None:
        """shutdown(2) on the connection: SHUT_RD, SHUT_WR or SHUT_RDWR. Raises
        a member of :class:`sockffi.ShutdownError`."""
        fd = self.fd
        if fd == -1:
            raise _seam.closed_error("shutdown", self)
        _shutdown(fd, how)


def _family_of(address: Any) -> int:
    if isinstance(address, tuple):
        return _AF_INET6 if len(address) == 4 else _AF_INET
    return _AF_UNIX


_seam.OWNERS.extend((Server, Connection))


def _server(cell: Any, fd: int, blocking: bool) -> Server[Any]:
    server: Server[Any] = _new(Server)
    server._owned = [cell]
    server.fd = fd
    server._blocking = blocking
    return server


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
        backlog = _seam.backlog_of(backlog)
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
                try:
                    cell = _take_cell()
                except IndexError:
                    cell = _new_cell()
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
                    server.fd = r >> _FD_SHIFT
                    server._blocking = nonblocking is False
                    if r & _DIFFERS:
                        _name(server, _C.getsockname(server.fd), address)
                    else:
                        server.address = (text, r & 0xFFFF)
                    return server
            elif named is None:
                v6 = _in6_get(host)
                listen6 = _C.listen_in6
                if v6 is not None and listen6 is not None:
                    try:
                        cell = _take_cell()
                    except IndexError:
                        cell = _new_cell()
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
                        server.fd = cell[0] - 1
                        server._blocking = nonblocking is False
                        entry = _in6_ids_get((r >> _IN6_ID_SHIFT) & 0xFFFFFF) if r < _GSN_OTHER else None
                        if entry is not None:  # an (address, scope) this process has named before
                            server.address = (entry[0], r & 0xFFFF, (r >> 16) & 0xFFFFF, entry[1])
                        else:
                            _name(server, r, address)
                        return server
    return _listen_tcp(address, backlog, reuse_address, reuse_port, nonblocking, dualstack_ipv6, inheritable)


def _fast_path_failed(cell: Any, r: int, address: Any) -> None:
    """A failed one-crossing listen: raise its error, or return (an argument the
    C refused) for the general path to say what is wrong with it."""
    _give_cell(cell)
    if not -r & _seam.REJECTED:
        raise _seam.with_context(_seam.step_failure(r), address, "listen_tcp")


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
        backlog = _seam.backlog_of(backlog)
    if isinstance(address, str):  # "HOST:PORT": errors keep the address as the tuple it names
        address = _parse_host_port(str.__str__(address))
    family, args = _ip_address(address)
    if reuse_port and not _HAS_REUSEPORT:
        raise ValueError("SO_REUSEPORT is not supported on this platform")
    if dualstack_ipv6 and family == _AF_INET:
        raise ValueError("dualstack_ipv6 needs an IPv6 address, such as ('::', port)")
    opts = (_OPT_REUSEADDR if reuse_address else 0) | (_OPT_REUSEPORT if reuse_port else 0)
    kind = _kind(bool(nonblocking), bool(inheritable))
    try:
        cell = _take_cell()
    except IndexError:
        cell = _new_cell()
    if family == _AF_INET:
        listen4 = _C.listen_in4
        if listen4 is not None:
            r = listen4(cell, kind, args[0], args[1], backlog, opts)
            if r < 0:
                _give_cell(cell)
                raise _seam.with_context(_seam.step_failure(r), address, "listen_tcp")
            server = _server(cell, r >> _FD_SHIFT, not nonblocking)
            if r & _DIFFERS:
                _name(server, _C.getsockname(server.fd), address)
            else:
                server.address = (_addr.in4_text(args[0]), r & 0xFFFF)
            return server
        r = _steps(cell, _AF_INET, kind, opts, args, backlog)
    else:
        a16, port, flowinfo, scope = args
        opts |= _OPT_DUALSTACK if dualstack_ipv6 else _OPT_V6ONLY
        listen6 = _C.listen_in6
        if listen6 is not None:
            r = listen6(cell, kind, a16, port, flowinfo, scope, backlog, opts)
        else:
            r = _steps(cell, _AF_INET6, kind, opts, args, backlog)
    if r < 0:
        _give_cell(cell)
        raise _seam.with_context(_seam.step_failure(r), address, "listen_tcp")
    server = _server(cell, _seam.cell_fd(cell), not nonblocking)
    _name(server, r, address)
    return server


def _name(server: Server[Any], r: int, address: Any) -> None:
    """The Server's address from a packed getsockname result (the Server owns
    the fd already: a failure here closes it through the Server)."""
    try:
        if r < 0:
            raise _seam.failure(r, _seam.COMPOSED.getsockname, "getsockname")
        # Not remembered: a new listener's port is rarely asked for again.
        server.address = _names_get(r) or _addr.sockname(r, server.fd, False)
    except BaseException as exc:
        server.close()
        raise _seam.with_context(exc, address, "listen_tcp") from None


def _kind(nonblocking: bool, inheritable: bool) -> int:
    return _SOCK_STREAM | (_SOCK_NONBLOCK if nonblocking else 0) | (0 if inheritable else _SOCK_CLOEXEC)


_OPTION_STEPS = (
    (lib.SF_OPT_REUSEADDR, lib.SF_STEP_REUSEADDR, lib.SOL_SOCKET, lib.SO_REUSEADDR, 1),
    (lib.SF_OPT_REUSEPORT, lib.SF_STEP_REUSEPORT, lib.SOL_SOCKET, lib.SF_SO_REUSEPORT, 1),
    (lib.SF_OPT_V6ONLY, lib.SF_STEP_V6ONLY, lib.IPPROTO_IPV6, lib.IPV6_V6ONLY, 1),
    (lib.SF_OPT_DUALSTACK, lib.SF_STEP_V6ONLY, lib.IPPROTO_IPV6, lib.IPV6_V6ONLY, 0),
)


def _steps(cell: Any, family: int, kind: int, opts: int, args: tuple[Any, ...], backlog: int) -> int:
    """socket .. getsockname one C call at a time (AF_UNIX, and while traced),
    with the composed calls' result encoding: the packed getsockname result (0
    for AF_UNIX, whose name the caller reads), or -(code | step << STEP_SHIFT)
    after closing the cell."""
    C = _C
    fd = C.socket_cell(cell, family, kind, 0 if family == _AF_UNIX else _IPPROTO_TCP)
    if fd < 0:
        return -((lib.SF_STEP_SOCKET << _STEP_SHIFT) | -fd)
    for bit, step, level, option, value in _OPTION_STEPS:
        if opts & bit:
            r = C.setsockopt_int(fd, level, option, value)
            if r:
                return _failed(cell, step, r)
    if family == _AF_INET:
        r = C.bind_in4(fd, *args)
    elif family == _AF_INET6:
        r = C.bind_in6(fd, *args)
    else:  # the cell owns the socket file from the bind on
        r = C.bind_un_cell(cell, args[0], len(args[0]))
    if r:
        return _failed(cell, lib.SF_STEP_BIND, r)
    r = C.listen(fd, backlog)
    if r:
        return _failed(cell, lib.SF_STEP_LISTEN, r)
    if family == _AF_UNIX:
        return 0
    r = C.getsockname(fd)
    if r < 0:
        return _failed(cell, lib.SF_STEP_GETSOCKNAME, r)
    return r


def _failed(cell: Any, step: int, r: int) -> int:
    _C.cell_close(cell)
    return -((step << _STEP_SHIFT) | -r)


_UNIX_TWIN = {"listen_tcp": "listen_unix", "connect_tcp": "connect_unix"}


def _ip_address(address: Any, op: str = "listen_tcp") -> tuple[int, tuple[Any, ...]]:
    """(family, bind/connect arguments) for an IP address only (listen_tcp's,
    connect_tcp's)."""
    if isinstance(address, tuple):
        return _addr.encode(address)  # a tuple is always an IP address
    if isinstance(address, (bytes, bytearray, memoryview, os.PathLike)):
        raise TypeError(
            f"{op} takes an IP address ((host, port) or 'HOST:PORT'), not {_type(address).__name__}; "
            f"for an AF_UNIX socket path use sockffi.{_UNIX_TWIN[op]}()"
        )
    if isinstance(address, int) and not isinstance(address, bool):
        if op == "connect_tcp":
            raise TypeError(f"connect_tcp takes an address, not a bare port: ('127.0.0.1', {address}), say")
        raise TypeError(
            f"listen_tcp takes an address, not a bare port: ('0.0.0.0', {address}) for every IPv4 "
            f"interface, ('127.0.0.1', {address}) for this machine only"
        )
    raise TypeError(f"{op} takes (host, port) or 'HOST:PORT', not {_type(address).__name__}")


def _parse_host_port(text: str, op: str = "listen_tcp") -> tuple[str, int]:
    """'127.0.0.1:8080' or '[::1]:8080' ('[fe80::1%eth0]:80'), numeric only."""
    host = port = None
    if text.startswith("["):
        inside, sep, rest = text[1:].partition("]")
        if sep and rest.startswith(":"):
            host, port = inside, rest[1:]
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    if host is not None and port is not None and port.isascii() and port.isdigit() and host:
        number = int(port)
        if number > 0xFFFF:
            raise OverflowError(f"port must be 0-65535, not {number} (in {text!r})")
        return (host, number)
    looks_like_path = "/" in text or text.startswith(("unix:", "@", "\0", ".")) or text.endswith(".sock")
    if looks_like_path:
        raise ValueError(
            f"{op}: {text!r} is not 'HOST:PORT' or '[V6HOST]:PORT'; for an AF_UNIX socket path "
            f"use sockffi.{_UNIX_TWIN[op]}()"
        )
    raise ValueError(f"{op} takes a numeric 'HOST:PORT' or '[V6HOST]:PORT': {why_not_host_port(text)}")


def why_not_host_port(text: str) -> str:
    """What is wrong with a string that was meant as a numeric HOST:PORT, and a
    value that would work."""
    if text != text.strip():
        return f"{text!r} has white space around it: {text.strip()!r}"
    if text.count(":") > 1 and not text.startswith("["):
        host, _, port = text.rpartition(":")
        return f"{text!r}: an IPv6 host goes in brackets, before the port: '[{host}]:{port}'"
    if text.startswith(":"):
        return (
            f"{text!r} has no host: '0.0.0.0{text}' for every IPv4 interface, '[::]{text}' for every IPv6 "
            f"one, '127.0.0.1{text}' for this machine only (sockffi does not choose, as Go's ':port' does)"
        )
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            return f"{text!r}: give '[V6HOST]:PORT', such as '[::1]:8080'"
        port = rest[1:]
    else:
        host, sep, port = text.rpartition(":")
        if not sep:
            return f"{text!r} has no port: '{text}:8080', say (or port 0 for any free one)"
    if not port:
        return f"{text!r} has no port after the ':' (0 asks for any free one)"
    if not (port.isascii() and port.isdigit()):
        return f"the port {port!r} in {text!r} is not a number (sockffi looks no service names up: use the number)"
    if not host:
        return f"{text!r} has no host"
    example = f"'[::1]:{port}'" if ":" in host else f"'127.0.0.1:{port}'"
    if any(c.isalpha() for c in host) and ":" not in host:
        return f"{host!r} is a host name, and sockffi does not resolve names: give a literal, such as {example}"
    return f"{host!r} is not a numeric IP address: give a literal, such as {example}"


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
        backlog = _seam.backlog_of(backlog)
    if isinstance(path, (tuple, int)):
        raise TypeError(f"listen_unix takes a path, not {_type(path).__name__}; for an IP address use listen_tcp()")
    try:
        raw = _addr.unix_path(path)
    except errors.SockffiError as exc:
        raise _seam.with_context(exc, path, "listen_unix") from None
    kind = _kind(nonblocking, inheritable)
    try:
        cell = _take_cell()
    except IndexError:
        cell = _new_cell()
    listen_un = _C.listen_un
    if listen_un is None:  # traced or injected: each step its own call
        r = _steps(cell, _AF_UNIX, kind, 0, (raw,), backlog)
        if r < 0:
            _give_cell(cell)
            raise _seam.with_context(_seam.step_failure(r), path, "listen_unix")
        server = _server(cell, _seam.cell_fd(cell), not nonblocking)
        try:
            server.address = _addr.read_name(server.fd, "getsockname", _seam.COMPOSED)
        except BaseException as exc:
            server.close()
            raise _seam.with_context(exc, path, "listen_unix") from None
        return server
    try:
        buf = _take_name_buffer()
    except IndexError:
        buf = _new_name_buffer(_NAME_BUFFER)
    r = listen_un(cell, kind, raw, len(raw), backlog, buf)
    if r < 0:
        _give_name_buffer(buf)
        _give_cell(cell)
        raise _seam.with_context(_seam.step_failure(r), path, "listen_unix")
    server = _new(Server)
    server._owned = [cell]
    server.fd = cell[0] - 1
    server._blocking = nonblocking is False
    server.address = _addr.other_name(r, buf, server.fd)
    _give_name_buffer(buf)
    return server


# ----------------------------------------------------------------- connect_tcp, connect_unix

_ETIMEDOUT: int = _seam.backend.TIMED_OUT
_EINTR: int = _seam.backend.INTERRUPTED
_IN_PROGRESS: int = _seam.backend.CONNECT_IN_PROGRESS
_CODE_MASK = _seam.CODE_MASK
_STILL_OPEN = _seam.STILL_OPEN
_step_failure = _seam.step_failure
_REJECTED_OR_OPEN = _seam.REJECTED | _STILL_OPEN
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
    # was seen before, blocking, no timeout.
    if timeout is None and _type(address) is tuple and len(address) == 2:
        host, port = address
        if _type(host) is str and _type(port) is int:
            named = _in4_named(host)
            connect4 = _C.connect_tcp4
            if named is not None and connect4 is not None:
                try:
                    cell = _take_cell()
                except IndexError:
                    cell = _new_cell()
                try:
                    r = connect4(cell, _KIND if nonblocking is False else _KIND | _SOCK_NONBLOCK, named[0], port)
                except OverflowError:
                    r = -_seam.REJECTED
                if r >= 0:  # the fd; written out, not called: this is the measured path
                    conn: Connection[Any] = _new(Connection)
                    conn._owned = [cell]
                    conn.fd = r
                    conn._blocking = nonblocking is False
                    conn._local = None
                    conn.address = address if named[1] == host else (named[1], port)
                    return conn
                if not -r & _REJECTED_OR_OPEN:  # failed, and the C closed the socket
                    _give_cell(cell)
                    exc: Any = _step_failure(r)
                    exc._address = address
                    exc._op = "connect_tcp"
                    raise exc
                if not -r & _seam.REJECTED:
                    peer4 = (named[1], port)
                    return _connect_went_on(
                        cell, r, peer4, address, "connect_tcp", nonblocking, None, _AF_INET, (named[0], port)
                    )
                _give_cell(cell)
    ms = None if timeout is None else _seam.timeout_ms(timeout)
    if isinstance(address, str):
        address = _parse_host_port(str.__str__(address), "connect_tcp")
    family, args = _ip_address(address, "connect_tcp")
    if family == _AF_INET:
        peer: Any = (_in4_text(args[0]), args[1])
    else:
        peer = (_addr.ntop6(args[0]), *args[1:])
    return _connect(family, args, peer, address, "connect_tcp", nonblocking, ms)


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
    ms = None if timeout is None else _seam.timeout_ms(timeout)
    if isinstance(path, (tuple, int)):
        raise TypeError(f"connect_unix takes a path, not {_type(path).__name__}; for an IP address use connect_tcp()")
    try:
        raw = _addr.unix_path(path, "connect")
    except errors.SockffiError as exc:
        raise _seam.with_context(exc, path, "connect_unix") from None
    peer = raw if raw[:1] == b"\0" else os.fsdecode(raw)
    return _connect(_AF_UNIX, (raw,), peer, path, "connect_unix", nonblocking, ms)


def _connect(
    family: int, args: tuple[Any, ...], peer: Any, address: Any, op: str, nonblocking: bool, ms: Any
) -> Connection[Any]:
    """connect_tcp/connect_unix for every address: one C crossing unless traced."""
    kind = _KIND | (_SOCK_NONBLOCK if nonblocking or ms is not None else 0)
    try:
        cell = _take_cell()
    except IndexError:
        cell = _new_cell()
    one: Any = _C.connect_tcp4 if family == _AF_INET else _C.connect_tcp6 if family == _AF_INET6 else _C.connect_unix
    if one is not None:
        r: int = one(cell, kind, args[0], len(args[0])) if family == _AF_UNIX else one(cell, kind, *args)
        r = min(r, 0)  # success is the fd, which the cell holds: 0 from here on
    else:  # traced or injected: each step its own call
        C = _C
        fd = C.socket_cell(cell, family, kind, 0 if family == _AF_UNIX else _IPPROTO_TCP)
        if fd < 0:
            r = -((lib.SF_STEP_SOCKET << _STEP_SHIFT) | -fd)
        else:
            r = _connect_once(fd, family, args)
            if r:
                code = -r & _CODE_MASK
                if code in (_EINTR, _IN_PROGRESS) and not -r & _seam.REJECTED:
                    r = -((lib.SF_STEP_CONNECT << _STEP_SHIFT) | -r | _STILL_OPEN)
                else:
                    C.cell_close(cell)
                    r = -((lib.SF_STEP_CONNECT << _STEP_SHIFT) | -r)
    if r == 0 and ms is None:
        return _connection(cell, peer, not nonblocking)
    if -r & _seam.REJECTED and not -r & _STILL_OPEN:
        _give_cell(cell)
        raise _seam.with_context(_seam.rejected(-r), address, op)
    return _connect_went_on(cell, r, peer, address, op, nonblocking, ms, family, args)


def _connection(cell: Any, peer: Any, blocking: bool) -> Connection[Any]:
    conn: Connection[Any] = _new(Connection)
    conn._owned = [cell]
    conn.fd = cell[0] - 1
    conn._blocking = blocking
    conn._local = None
    conn.address = peer
    return conn


def _connect_went_on(
    cell: Any,
    r: int,
    peer: Any,
    address: Any,
    op: str,
    nonblocking: bool,
    ms: Any,
    family: int,
    args: tuple[Any, ...],
) -> Connection[Any]:
    """A composed connect that did not simply succeed (r < 0), or that
    succeeded on a socket made non-blocking for its timeout (r == 0): raise its
    error (the C closed the socket), or, where the socket is still open
    (SF_STILL_OPEN), connect again after an interruption, wait for a connect
    in progress, or hand it over in progress (nonblocking=True); a timeout's
    socket is blocking again unless nonblocking=True, however it connected."""
    if r and not -r & _STILL_OPEN:
        _give_cell(cell)
        raise _seam.with_context(_seam.step_failure(r), address, op)
    fd = cell[0] - 1
    code = -r & _CODE_MASK
    try:
        # EINTR: a signal arrived; its handlers ran at this call (and may
        # have raised), and the connect is made again, as Zig does.
        while code == _EINTR:
            code = -_connect_once(fd, family, args) & _CODE_MASK
        if code:
            if code != _IN_PROGRESS or (ms is None and not nonblocking):
                raise _seam.failure(-code, _seam.COMPOSED.connect, "connect")
            if ms is None:  # nonblocking=True: handed over with the connect in progress
                return _connection(cell, peer, False)
            _wait(fd, ms)
        if ms is not None and not nonblocking:
            s = _C.set_nonblocking(fd, 0)
            if s:
                raise _seam.failure(s, {}, "fcntl")
    except BaseException as exc:
        _C.cell_close(cell)
        _give_cell(cell)
        raise _seam.with_context(exc, address, op) from None
    return _connection(cell, peer, not nonblocking)


def _wait(fd: int, ms: int) -> None:
    """Wait up to ms for the connect in progress on fd, then read how it ended."""
    import time

    deadline = time.monotonic() + ms / 1000
    left = ms
    while True:
        w = _C.wait_connect(fd, left)
        if w == 1:
            break
        if w == 0:
            raise _seam.new_error(errors.ConnectionTimedOut, _ETIMEDOUT, "connect")
        if (-w & _CODE_MASK) != _EINTR:
            raise _seam.failure(w, {}, "poll")
        # Interrupted: handlers ran; wait for what is left.
        left = max(0, int((deadline - time.monotonic()) * 1000 + 0.999))
    v = _C.getsockopt_error(fd)
    if v > 0:
        raise _seam.so_error(v, _seam.COMPOSED)
    if v < 0:
        raise _seam.failure(v, _seam.COMPOSED.getsockopt_error_call, "getsockopt")
