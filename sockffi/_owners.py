"""The objects that own a socket: :class:`Server` (what listen_tcp and
listen_unix make) and :class:`Connection` (what Server.accept, connect_tcp and
connect_unix make).

Ownership is never in doubt, whatever exception a signal handler raises at
whatever bytecode: the C puts the new fd into a *cell* before it returns (see
csrc/sockffi.h), the cell belongs to a local variable and then to the owner,
and a cell dropped while it holds an fd closes it in C, where no Python code
can run in between. Every call given an owner reads the fd from its cell
inside the C call, checked against the cell's generation the owner keeps, so
no call reaches a socket after it left its owner, even as cells are reused.
"""

from __future__ import annotations

import os

# Every name an annotation uses is defined at run time, so typing.get_type_hints()
# (pydantic, sphinx, beartype ...) can read them.
from typing import TYPE_CHECKING, Any, Generic, NoReturn, Optional, TypeVar, Union

from . import _addr, _args, _seam, errors
from . import posix as _posix
from ._sockffi import ffi, lib
from .posix import accept_flags as _accept_flags
from .posix import accept_into as _accept_into
from .posix import getsockname as _getsockname
from .posix import shutdown as _shutdown
from .types import Buffer, IPv4Address, IPv6Address

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

_C = _seam.C
_type = type
_new = object.__new__
_AF_INET: int = lib.AF_INET
_AF_INET6: int = lib.AF_INET6
_AF_UNIX: int = lib.AF_UNIX
_SOCK_CLOEXEC: int = lib.SOCK_CLOEXEC
_SOCK_NONBLOCK: int = lib.SOCK_NONBLOCK
_BLOCKING_READABLE: bool = _seam.backend.BLOCKING_READABLE
_give_cell = _seam.give_cell
_names_get = _addr.names.get
_socket_of = _seam.socket_of
_chars = _args.chars
_POOLED = _args.POOLED
_POOL = _args.POOL
_pool_pop = _POOL.pop
_pool_append = _POOL.append
_unpack = ffi.unpack
_from_buffer = ffi.from_buffer
_CODE_MASK = _seam.CODE_MASK
_REJECTED = _seam.REJECTED
_EINTR: int = _seam.backend.INTERRUPTED
# Zig's net.Stream sets over recv and sendmsg (a code Zig treats as
# unreachable is CallerError, as from the syscalls themselves).
_stream_read_error = _seam.error_maker(_seam.DIRECT.stream_read, "recv")
_stream_write_error = _seam.error_maker(_seam.DIRECT.stream_write, "sendmsg")


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
        "_gen": None,
        "_gone": None,
        "_owned": None,
        "fd": "The socket's fd (a SOCKET handle on Windows); -1 once closed, detached or handed over.",
    }

    address: A
    fd: int
    _owned: list[Any]  # [its cell], or [] once it gave the socket up
    _gen: int  # the cell's generation when the socket came: what its calls pass as ref
    _blocking: bool

    def fileno(self) -> int:
        """The fd, or -1 once closed, detached or handed over."""
        return self.fd

    @property
    def _context(self) -> Any:
        """The address an error of a call given this object names: its
        ``address`` (a Datagram's peer, where it has one)."""
        return self.address

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
        exc = _seam.close_error(r)
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
        flags = _SOCK_CLOEXEC if nonblocking is False else _accept_flags(nonblocking)
        cell, r = _accept_into(self, flags, _seam.COMPOSED)
        peer = _names_get(r)
        if peer is None:
            peer = _peer_name(r, cell)
        return connection(cell, peer, not flags & _SOCK_NONBLOCK)


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
            local = self._local = _getsockname(self)
        result: A = local
        return result

    def shutdown(self, how: int) -> None:
        """shutdown(2) on the connection: SHUT_RD, SHUT_WR or SHUT_RDWR. Raises
        a member of :class:`sockffi.ShutdownError`."""
        _shutdown(self, how)

    # Zig's net.Stream I/O. io.BufferedReader(conn) and io.BufferedWriter(conn)
    # take a Connection as their raw stream.

    def read(self, size: int = -1) -> bytes:
        """Zig's ``Stream.read``: one recv(2) of at most ``size`` bytes; ``b""``
        at the end of the stream (``size=-1``, io's default: every byte until
        the end, :meth:`readall`). Raises a member of
        :class:`sockffi.StreamReadError`."""
        if _type(size) is not int or size < 0:
            if size == -1 and _type(size) is int:
                return self.readall()
            size = _args.size_of(size)
        pooled = size <= _POOLED  # a pooled buffer, as recv's generated body takes
        if pooled:
            try:
                buf = _pool_pop()
            except IndexError:
                buf = _chars(_POOLED)
        else:
            buf = _chars(size)
        r = self._read(buf, size)
        data: bytes = _unpack(buf, r)
        if pooled and len(_POOL) < 8:
            _pool_append(buf)
        return data

    def readall(self) -> bytes:
        """Every byte until the end of the stream (io's readall): recv(2) after
        recv(2) until one gives ``b""``."""
        chunks: list[bytes] = []
        while True:
            chunk = self.read(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def readinto(self, buffer: Buffer) -> int:
        """Zig's ``Stream.read`` into ``buffer`` (any writable C-contiguous
        buffer): one recv(2), the count it gave. Raises a member of
        :class:`sockffi.StreamReadError`."""
        kind = _type(buffer)
        if kind is bytearray or (kind is memoryview and not buffer.readonly and buffer.c_contiguous):  # type: ignore[union-attr]
            view = _from_buffer(buffer)
        else:
            view = _args.writable_of(buffer)
        return self._read(view, len(view))

    def _read(self, buf: Any, size: int) -> int:
        try:  # the owner's own cell (what _socket_of gives for an exact owner), no call
            cell = self._owned[0]
        except IndexError:
            raise _seam.closed_error("recv", self) from None
        gen = self._gen
        while True:
            r: int = _C.recv(cell, gen, buf, size, 0)
            if r >= 0:
                return r
            if (-r & _CODE_MASK) != _EINTR or -r & _REJECTED:
                raise self._failed(_stream_read_error(r, self), "read")

    def write(self, data: Buffer) -> int:
        """Zig's ``Stream.write``: one sendmsg(2) with MSG_NOSIGNAL (WSASend on
        Windows) of ``data`` (any bytes-like object); the count sent, which may
        be short. Raises a member of :class:`sockffi.StreamWriteError`."""
        view = data if _type(data) is bytes else _args.data_of(data)
        return self._write(view, len(view))

    def write_all(self, data: Buffer) -> None:
        """Zig's ``Stream.writeAll``: write until every byte of ``data`` is
        sent. An error raised on the way carries ``sent``, how many bytes went
        out before it (what Zig's writeAll, CPython's ``sendall`` and trio's
        ``send_all`` lose): the rest is ``data[e.sent:]``. Raises a member of
        :class:`sockffi.StreamWriteError`."""
        view: Any = data if _type(data) is bytes else _args.data_of(data)
        total = len(view)
        sent = 0
        try:
            sent = self._write(view, total)
            if sent < total:
                view = _from_buffer(view) if _type(view) is bytes else view
                while sent < total:
                    sent += self._write(view + sent, total - sent)
        except errors.SockffiError as exc:
            exc._sent = sent
            raise

    def _write(self, view: Any, size: int) -> int:
        try:  # the owner's own cell (what _socket_of gives for an exact owner), no call
            cell = self._owned[0]
        except IndexError:
            raise _seam.closed_error("sendmsg", self) from None
        gen = self._gen
        while True:
            r: int = _C.stream_write(cell, gen, view, size)
            if r >= 0:
                return r
            if (-r & _CODE_MASK) != _EINTR or -r & _REJECTED:
                raise self._failed(_stream_write_error(r, self), "write")

    def _failed(self, exc: Any, op: str) -> Any:
        if isinstance(exc, errors.SockffiError):
            exc._address = self.address
            exc._op = f"Connection.{op}"
        return exc

    def readable(self) -> bool:
        """True while it owns its socket (what io.BufferedReader asks)."""
        if not self._owned:
            raise ValueError("I/O operation on a closed Connection")
        return True

    def writable(self) -> bool:
        """True while it owns its socket (what io.BufferedWriter asks)."""
        return self.readable()

    def seekable(self) -> bool:
        """False: a stream."""
        return False


class Datagram(_Owner[A]):
    """A UDP socket made by :func:`bind_udp` or :func:`connect_udp`.

    It owns its fd exactly as a :class:`Server` does (``fd``, ``fileno()``,
    ``close()``, ``detach()``, ``to_socket()``, a context manager, no copies or
    pickles). ``address`` is its own address (getsockname's, the real port);
    ``peer`` the address a :func:`connect_udp` Datagram is connected to, else
    None. Its methods are the syscalls, given the Datagram: each reads the fd
    from it inside the C call.
    """

    __slots__ = {
        "address": "Its own address, as getsockname reported it (the real port), in CPython's shape.",
        "peer": "The address it is connected to (connect_udp), or None.",
    }

    peer: Optional[Union[IPv4Address, IPv6Address]]

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError("Datagram objects are made by sockffi.bind_udp() and sockffi.connect_udp()")

    @property
    def family(self) -> int:
        """AF_INET or AF_INET6."""
        return _family_of(self.address)

    @property
    def _context(self) -> Any:
        """The peer, where it has one, else its own address (what an error of a
        call given it names)."""
        return self.address if self.peer is None else self.peer

    def sendto(self, data: Buffer, address: Union[IPv4Address, IPv6Address], flags: int = 0) -> int:
        """:func:`sockffi.sendto` on this socket: one datagram to ``address``."""
        return _posix.sendto(self, data, address, flags)

    def send(self, data: Buffer, flags: int = 0) -> int:
        """:func:`sockffi.send` on a connected Datagram: one datagram to its peer
        (an unconnected one is :class:`~sockffi.CallerError`, EDESTADDRREQ)."""
        return _posix.send(self, data, flags)

    def recvfrom(self, size: int, flags: int = 0) -> tuple[bytes, Any]:
        """:func:`sockffi.recvfrom` on this socket: ``(data, source)``."""
        return _posix.recvfrom(self, size, flags)

    def recvfrom_into(self, buffer: Buffer, size: Optional[int] = None, flags: int = 0) -> tuple[int, Any]:
        """:func:`sockffi.recvfrom_into` on this socket: ``(count, source)``."""
        return _posix.recvfrom_into(self, buffer, size, flags)

    def recv(self, size: int, flags: int = 0) -> bytes:
        """:func:`sockffi.recv` on this socket: one datagram's bytes."""
        return _posix.recv(self, size, flags)


def datagram(cell: Any, fd: int, blocking: bool) -> Datagram[Any]:
    """A Datagram owning the socket in cell (addresses still to be set)."""
    made: Datagram[Any] = _new(Datagram)
    made._owned = [cell]
    made._gen = cell[2]
    made.fd = fd
    made._blocking = blocking
    made.peer = None
    return made


def _family_of(address: Any) -> int:
    if isinstance(address, tuple):
        return _AF_INET6 if len(address) == 4 else _AF_INET
    return _AF_UNIX


_seam.OWNERS.extend((Server, Connection, Datagram))


def server(cell: Any, fd: int, blocking: bool) -> Server[Any]:
    """A Server owning the socket in cell (address still to be set)."""
    made: Server[Any] = _new(Server)
    made._owned = [cell]
    made._gen = cell[2]
    made.fd = fd
    made._blocking = blocking
    return made


def connection(cell: Any, peer: Any, blocking: bool) -> Connection[Any]:
    """A Connection owning the socket in cell, connected to peer."""
    made: Connection[Any] = _new(Connection)
    made._owned = [cell]
    made._gen = cell[2]
    made.fd = cell[0] - 1
    made._blocking = blocking
    made._local = None
    made.address = peer
    return made


def _peer_name(r: int, cell: Any) -> Any:
    """The peer of a packed accept result no cache had (not remembered:
    every peer is another port)."""
    return _addr.name_of(r, cell, cell[2], "getpeername", False)
