"""``listen_tcp``: Zig's ``std.net.Address.listen``, raising the union ``ListenError``."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from . import _addr, posix
from ._sockffi import lib

if TYPE_CHECKING:
    import socket as _socket_mod

__all__ = ["listen_tcp", "Server"]

_SOCK_STREAM: int = lib.SOCK_STREAM
_SOCK_CLOEXEC: int = lib.SOCK_CLOEXEC
_SOCK_NONBLOCK: int = lib.SOCK_NONBLOCK
_IPPROTO_TCP: int = lib.IPPROTO_TCP
_SOL_SOCKET: int = lib.SOL_SOCKET
_SO_REUSEADDR: int = lib.SO_REUSEADDR
_SO_REUSEPORT: int = lib.SOCKFFI_SO_REUSEPORT
_HAS_REUSEPORT: bool = bool(lib.SOCKFFI_HAS_SO_REUSEPORT)
_WINDOWS = posix.backend.PLATFORM == "windows"


class Server:
    """A listening socket made by :func:`listen_tcp`.

    ``fd`` is the socket, ``address`` the address getsockname reported (the real
    port when port 0 was asked for). ``close()`` is idempotent; the context
    manager closes. ``to_socket()`` hands the fd to a ``socket.socket``, which
    owns it from then on.
    """

    __slots__ = ("fd", "address", "_open")

    def __init__(self, fd: int, address: Any) -> None:
        self.fd = fd
        self.address = address
        self._open = True

    def fileno(self) -> int:
        return self.fd

    @property
    def closed(self) -> bool:
        return not self._open

    def close(self) -> None:
        if self._open:
            self._open = False
            posix.close(self.fd)

    def to_socket(self) -> "_socket_mod.socket":
        """A ``socket.socket`` that owns the fd; this Server no longer closes it."""
        import socket

        if not self._open:
            raise ValueError("the Server is closed")
        sock = socket.socket(fileno=self.fd)
        self._open = False
        return sock

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_open", False):
            warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self, stacklevel=2)
            self.close()

    def __repr__(self) -> str:
        state = "" if self._open else " closed"
        return f"<sockffi.Server fd={self.fd} address={self.address!r}{state}>"


def listen_tcp(
    address: Any,
    backlog: int = 128,
    reuse_address: bool = False,
    reuse_port: bool = False,
    nonblocking: bool = False,
) -> Server:
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
    family, args = _addr.encode(address)
    if _type(backlog) is not int or not 0 <= backlog <= 0x7FFFFFFF:
        backlog = posix._backlog(backlog)
    if reuse_port and (not _HAS_REUSEPORT or family == _addr.AF_UNIX):
        where = "AF_UNIX sockets" if family == _addr.AF_UNIX else "this platform"
        raise ValueError(f"SO_REUSEPORT is not supported on {where}")
    kind = _SOCK_STREAM | _SOCK_CLOEXEC | (_SOCK_NONBLOCK if nonblocking else 0)
    fd = posix._sf_socket(family, kind, 0 if family == _addr.AF_UNIX else _IPPROTO_TCP)
    tables = posix.COMPOSED
    if fd < 0:
        raise posix.socket_error(fd, tables)
    err = 0
    try:
        if reuse_address and not _WINDOWS:
            err = posix._sf_setsockopt_int(fd, _SOL_SOCKET, _SO_REUSEADDR, 1)
        if not err and reuse_port:
            err = posix._sf_setsockopt_int(fd, _SOL_SOCKET, _SO_REUSEPORT, 1)
        if err:
            raise posix._error(tables.setsockopt, err, "setsockopt")
        if family == _addr.AF_INET:
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
        r = posix._sf_getsockname(fd)
        if r < 0:
            raise posix._error(tables.getsockname, -r, "getsockname")
    except BaseException:
        # Zig: errdefer stream.close(). The fd is ours alone until we return, so
        # it cannot have been closed and reused by another thread meanwhile.
        posix._sf_close(fd)
        raise
    if r < posix._OTHER:
        return Server(fd, (_addr.ipv4_text(r >> 16), r & 0xFFFF))
    return Server(fd, _addr.decode_other(r & 0xFFFF))


_type = type
