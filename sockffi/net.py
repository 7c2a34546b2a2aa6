"""``listen_tcp``: Zig's ``std.net.Address.listen``, raising the union ``ListenError``."""

from __future__ import annotations

from . import _addr, posix
from ._sockffi import lib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    import socket as _socket_mod
    from typing import Any, Generic, TypeVar, overload

    from .types import Address, IPv4Address, IPv6Address, UnixAddress

    A = TypeVar("A")

    class _Generic(Generic[A]):
        __slots__ = ()
else:

    def overload(fn):  # typing.overload, without importing typing at run time
        return fn

    class _Generic:
        __slots__ = ()

        def __class_getitem__(cls, item):  # Server[...] in annotations evaluated at run time
            return cls


__all__ = ["Server", "listen_tcp"]

_SOCK_STREAM_CLOEXEC: int = lib.SOCK_STREAM | lib.SOCK_CLOEXEC
_SOCK_NONBLOCK: int = lib.SOCK_NONBLOCK
_AF_INET: int = lib.AF_INET
_AF_UNIX: int = lib.AF_UNIX
_OTHER: int = lib.SOCKFFI_OTHER_FAMILY
_in4 = _addr._in4
_in4_host = _addr._in4_host.get
_IPPROTO_TCP: int = lib.IPPROTO_TCP
_SOL_SOCKET: int = lib.SOL_SOCKET
_SO_REUSEADDR: int = lib.SO_REUSEADDR
_SO_REUSEPORT: int = lib.SOCKFFI_SO_REUSEPORT
_HAS_REUSEPORT: bool = bool(lib.SOCKFFI_HAS_SO_REUSEPORT)
_WINDOWS = posix.backend.PLATFORM == "windows"


class Server(_Generic["A"]):
    """A listening socket made by :func:`listen_tcp`.

    ``fd`` is the socket, ``address`` the address getsockname reported (the real
    port when port 0 was asked for). ``close()`` is idempotent; the context
    manager closes. ``to_socket()`` hands the fd to a ``socket.socket``, which
    owns it from then on.
    """

    __slots__ = ("_owned", "address", "fd")

    address: A

    def __init__(self, fd: int, address: A) -> None:
        self.fd = fd
        self.address = address
        # Holds the fd while this Server owns it. list.pop() is one atomic step
        # (under the GIL, and per object on free-threaded builds), so of two
        # threads closing at once exactly one gets the fd: it is never closed
        # twice, even after another thread has reopened its number.
        self._owned = [fd]

    def fileno(self) -> int:
        return self.fd

    @property
    def closed(self) -> bool:
        return not self._owned

    def close(self) -> None:
        try:
            fd = self._owned.pop()
        except IndexError:  # closed already, or handed to a socket.socket
            return
        err = posix._sf_close(fd)
        if err and err in posix._E_CLOSE:
            raise posix._error(posix._E_CLOSE, err, "close")

    def to_socket(self) -> _socket_mod.socket:
        """A ``socket.socket`` that owns the fd; this Server no longer closes it."""
        import socket

        try:
            fd = self._owned.pop()
        except IndexError:
            raise ValueError("the Server is closed") from None
        try:
            return socket.socket(fileno=fd)
        except BaseException:
            self._owned.append(fd)  # still ours to close
            raise

    def __enter__(self) -> Server[A]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if self._owned:
            try:
                import warnings  # only here: import sockffi stays cheap

                warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self, stacklevel=2)
            except ImportError:  # interpreter shutdown
                pass
            self.close()

    def __repr__(self) -> str:
        state = "" if self._owned else " closed"
        return f"<sockffi.Server fd={self.fd} address={self.address!r}{state}>"


@overload
# `overload` is typing's for type checkers and a no-op at run time, hence the noqa below.
def listen_tcp(
    address: tuple[str, int],
    backlog: int = ...,
    reuse_address: bool = ...,
    reuse_port: bool = ...,
    nonblocking: bool = ...,
) -> Server[IPv4Address | IPv6Address]: ...
@overload
def listen_tcp(  # noqa: F811
    address: tuple[str, int, int] | IPv6Address,
    backlog: int = ...,
    reuse_address: bool = ...,
    reuse_port: bool = ...,
    nonblocking: bool = ...,
) -> Server[IPv6Address]: ...
@overload
def listen_tcp(  # noqa: F811
    address: UnixAddress,
    backlog: int = ...,
    reuse_address: bool = ...,
    reuse_port: bool = ...,
    nonblocking: bool = ...,
) -> Server[str | bytes]: ...
def listen_tcp(  # noqa: F811
    address: Address,
    backlog: int = 128,
    reuse_address: bool = False,
    reuse_port: bool = False,
    nonblocking: bool = False,
) -> Server[Any]:
    """socket → setsockopt (the reuse options asked for) → bind → listen → getsockname.

    Zig's ``Address.listen`` sequence, one syscall per step. The socket is always
    close-on-exec (not inherited); ``nonblocking`` adds ``SOCK_NONBLOCK``. A
    unix path listens on an AF_UNIX stream socket (protocol 0, as Zig).

    ``reuse_address`` sets SO_REUSEADDR and ``reuse_port`` SO_REUSEPORT, as in
    asyncio. On Windows ``reuse_address=True`` sets nothing: there SO_REUSEADDR
    lets another process steal the port, and exclusive use is already the
    default (CPython and libuv make the same choice). ``reuse_port=True`` raises
    ValueError where the platform has no SO_REUSEPORT, and for AF_UNIX.

    Any failure after socket(2) closes the fd and re-raises the original error,
    a member of :class:`sockffi.ListenError`. A code Zig treats as unreachable
    raises :class:`Unexpected` here rather than CallerError: listen_tcp owns
    the fd and builds the sockaddr, so such a code is never the caller's bug.
    """
    s_addr, port = None, 0
    if isinstance(address, tuple) and len(address) == 2 and type(address[1]) is int and 0 <= address[1] <= 0xFFFF:
        s_addr, port = _in4.get(address[0]), address[1]  # an IPv4 host seen before: nothing to parse
    if s_addr is not None:
        family, args = _AF_INET, (s_addr, port)
    else:
        family, args = _addr.encode(address)
    if _type(backlog) is not int or not 0 <= backlog <= 0x7FFFFFFF:
        backlog = posix.backlog_of(backlog)
    if reuse_port and (not _HAS_REUSEPORT or family == _AF_UNIX):
        where = "AF_UNIX sockets" if family == _AF_UNIX else "this platform"
        raise ValueError(f"SO_REUSEPORT is not supported on {where}")
    kind = _SOCK_STREAM_CLOEXEC | _SOCK_NONBLOCK if nonblocking else _SOCK_STREAM_CLOEXEC
    if _WINDOWS:
        reuse_address = False
    one_crossing = posix._sf_listen_tcp_in4
    if family == _AF_INET and one_crossing is not None:
        # socket..getsockname in one C crossing (None while sockffi.trace
        # observes, so that each step is reported).
        r = one_crossing(kind, args[0], args[1], backlog, reuse_address, reuse_port)
        if r < 0:
            raise _step_error(-r)
        if r >> 62:
            return Server(r >> 16 & 0x7FFFFFFFFFFF, _addr.decode_other(0))
        return Server(r >> 16, (_in4_host(args[0]) or _addr.in4_text(args[0]), r & 0xFFFF))
    fd = _open_listener_by_steps(family, args, kind, backlog, reuse_address=reuse_address, reuse_port=reuse_port)
    r = posix._sf_getsockname(fd)
    if r < 0:
        posix._sf_close(fd)
        raise posix._error(posix.COMPOSED.getsockname, -r, "getsockname")
    return Server(fd, _addr.sockname(r))


def _step_error(code: int) -> Exception:
    """The error sf_listen_tcp_in4 reported as (step << 24) | code."""
    step, code = code >> 24, code & 0xFFFFFF
    tables = posix.COMPOSED
    if step == 1:
        return posix.socket_error(-code, tables)
    if step in (2, 3):
        return posix._error(tables.setsockopt, code, "setsockopt")
    if step == 4:
        return posix._error(tables.bind, code, "bind")
    if step == 5:
        return posix._error(tables.listen, code, "listen")
    if step == 6:
        return posix._error(tables.getsockname, code, "getsockname")
    return posix._error(tables.listen, code, "listen")  # step 0: an argument refused in C


def _open_listener_by_steps(
    family: int, args: tuple[Any, ...], kind: int, backlog: int, *, reuse_address: bool, reuse_port: bool
) -> int:
    """socket..listen one Python-level step at a time (IPv6, AF_UNIX, or traced)."""
    tables = posix.COMPOSED
    fd = posix._sf_socket(family, kind, 0 if family == _AF_UNIX else _IPPROTO_TCP)
    if fd < 0:
        raise posix.socket_error(fd, tables)
    err = 0
    try:
        if reuse_address:
            err = posix._sf_setsockopt_int(fd, _SOL_SOCKET, _SO_REUSEADDR, 1)
        if not err and reuse_port:
            err = posix._sf_setsockopt_int(fd, _SOL_SOCKET, _SO_REUSEPORT, 1)
        if err:
            raise posix._error(tables.setsockopt, err, "setsockopt")
        if family == _AF_INET:
            err = posix._sf_bind_in4(fd, *args)
        elif family == _addr.AF_INET6:
            err = posix._sf_bind_in6(fd, *args)
        else:
            err = posix._sf_bind_un(fd, args[0], len(args[0]))
        if err:
            raise posix.bind_error(err, fd, family, tables)
        err = posix._sf_listen(fd, backlog)
        if err:
            raise posix._error(tables.listen, err, "listen")
    except BaseException:
        # Zig: errdefer stream.close(). The fd is ours alone until we return, so
        # it cannot have been closed and reused by another thread meanwhile.
        posix._sf_close(fd)
        raise
    return fd


_type = type
