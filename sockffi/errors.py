"""sockffi's errors: Zig 0.15.2's error sets as Python classes.

Each Zig error name is one class. Each error set (``SocketError``, ``BindError``,
listen(2)'s ``sockffi.posix.ListenError``, ``SetSockOptError``,
``GetSockNameError``, ``AcceptError``, ``ConnectError``, ``GetSockOptError``,
``ShutdownError``) is a class that its members inherit from, so ``except
BindError`` catches ``AddressInUse``. The unions are classes too, that their
sets inherit from: ``ListenError`` (``std.net.Address.ListenError``, what the
listen helpers raise), ``TcpConnectToAddressError`` and
``ConnectUnixSocketError`` (what the connect helpers raise).

The OS-code maps per syscall and platform are data, in one record per
syscall (sockffi._catalogue); the views below (``SETS``, ``POSIX``,
``WINDOWS`` ...) and the queries at the end are derived from the records, for
the backends, the CLI, the docs and the tests.
"""

from __future__ import annotations

# Real names, not TYPE_CHECKING ones: typing.get_type_hints() reads the annotations.
from typing import Any, Callable, ClassVar, Optional

from ._catalogue import DEPARTURES, LINUX_ERRNO, MACOS_ERRNO, UNREACHABLE, WSA_CODES, Syscall
from ._catalogue import RECORDS as _RECORDS

__all__ = [
    "CALLS",
    "DEPARTURES",
    "ERRNO_NUMBERS",
    "ERROR_NAMES",
    "EXIT_CODES",
    "LINUX_ERRNO",
    "MACOS_ERRNO",
    "PLATFORMS",
    "POSIX",
    "RECORDS",
    "SETS",
    "SYSCALLS",
    "UNIONS",
    "UNREACHABLE",
    "WINDOWS",
    "WSA_CODES",
    "AcceptError",
    "AccessDenied",
    "AddressFamilyNotSupported",
    "AddressInUse",
    "AddressNotAvailable",
    "AlreadyBound",
    "AlreadyConnected",
    "BindError",
    "BlockedByFirewall",
    "BlockingOperationInProgress",
    "CallerError",
    "ConnectError",
    "ConnectUnixSocketError",
    "ConnectionAborted",
    "ConnectionPending",
    "ConnectionRefused",
    "ConnectionResetByPeer",
    "ConnectionTimedOut",
    "FileDescriptorNotASocket",
    "FileNotFound",
    "GetSockNameError",
    "GetSockOptError",
    "InvalidProtocolOption",
    "ListenError",
    "NameTooLong",
    "NetworkSubsystemFailed",
    "NetworkUnreachable",
    "NoDevice",
    "NotDir",
    "OperationNotSupported",
    "PermissionDenied",
    "ProcessFdQuotaExceeded",
    "ProtocolFailure",
    "ProtocolFamilyNotAvailable",
    "ProtocolNotSupported",
    "ReadOnlyFileSystem",
    "SetSockOptError",
    "ShutdownError",
    "SocketError",
    "SocketNotBound",
    "SocketNotConnected",
    "SocketNotListening",
    "SocketTypeNotSupported",
    "SockffiError",
    "SymLinkLoop",
    "SystemFdQuotaExceeded",
    "SystemResources",
    "TcpConnectToAddressError",
    "TimeoutTooBig",
    "Unexpected",
    "WouldBlock",
    "caller_bugs",
    "codes",
    "lookup",
    "names_of",
    "number",
    "outcome",
    "plain",
    "set_class",
    "set_title",
    "sets_of",
    "syscalls_of",
]


class SockffiError(OSError):
    """Root of everything sockffi raises for an OS failure.

    Attributes, besides OSError's ``errno`` and ``strerror`` (and ``winerror``
    on Windows): ``syscall``, the name of the C call that failed; ``address``,
    the address that call was given (bind, connect, and the composed calls;
    else None); ``op``, the composed call that made it ("listen_tcp",
    "connect_unix", ...; else None). ``str()`` names the call and the address, as Go's ``net.OpError``
    does: ``listen_tcp 127.0.0.1:8080: bind: [Errno 98] Address already in use``.
    """

    # Slots, not the instance __dict__: raising stays as cheap as CPython's own
    # (the error paths set _address and _op directly; address and op read them).
    __slots__ = ("_address", "_op", "syscall")
    syscall: str
    errno: int  # always set: never None, unlike a bare OSError
    strerror: str
    _address: Any
    _op: Optional[str]
    #: What the calling code did, where sockffi knows (a closed object given as an fd).
    detail: Optional[str] = None

    @property
    def address(self) -> Any:
        """The address the call was given (None if it took none)."""
        return getattr(self, "_address", None)

    @address.setter
    def address(self, value: Any) -> None:
        self._address = value

    @property
    def op(self) -> Optional[str]:
        """The composed call that made the error ("listen_tcp", "connect_unix" ...), or None."""
        return getattr(self, "_op", None)

    @op.setter
    def op(self, value: Optional[str]) -> None:
        self._op = value

    def __str__(self) -> str:
        text = super().__str__()
        syscall = getattr(self, "syscall", None)
        if self.address is None:
            if syscall is None:  # made by hand, not raised by a call
                return text
            return f"{self.op}: {syscall}: {text}" if self.op else f"{syscall}: {text}"
        where = describe_address(self.address)
        return f"{self.op} {where}: {syscall}: {text}" if self.op else f"{syscall} {where}: {text}"

    def __reduce__(self) -> tuple[Any, ...]:
        # OSError pickles its __dict__ only; keep the slots too.
        reduced = super().__reduce__()
        assert isinstance(reduced, tuple)
        state = dict(reduced[2]) if len(reduced) > 2 and reduced[2] else {}
        for name in SockffiError.__slots__:
            if hasattr(self, name):
                state[name] = getattr(self, name)
        return (reduced[0], reduced[1], state)


def describe_address(address: object) -> str:
    """An address as people write it: 127.0.0.1:8080, [::1]:8080, [fe80::1%2]:80,
    /run/app.sock, @abstract-name."""
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        if isinstance(host, (bytes, bytearray)):
            host = bytes(host).decode("ascii", "backslashreplace")
        host = str(host)
        if ":" in host:
            scope = address[3] if len(address) >= 4 else 0
            if scope:  # a scope_id in the tuple is the one the syscall gets, over a %scope in the host
                host = f"{host.partition('%')[0]}%{scope}"
            return f"[{host}]:{port}"
        return f"{host or '0.0.0.0'}:{port}"
    if isinstance(address, (bytes, bytearray)):
        raw = bytes(address)
        if raw[:1] == b"\0":
            return "@" + raw[1:].decode("utf-8", "backslashreplace")
        return raw.decode("utf-8", "surrogateescape")
    text = str(address.__fspath__()) if hasattr(address, "__fspath__") else str(address)
    return "@" + text[1:] if text[:1] == "\0" else text


# ----------------------------------------------------------------- the unions


class ListenError(SockffiError):
    """``std.net.Address.ListenError``: what :func:`sockffi.listen_tcp` and
    :func:`sockffi.listen_unix` can raise.

    SocketError || BindError || posix.ListenError || SetSockOptError || GetSockNameError.
    """

    members: ClassVar[tuple[type, ...]] = ()


class TcpConnectToAddressError(SockffiError):
    """``std.net.TcpConnectToAddressError``: what :func:`sockffi.connect_tcp` can raise.

    SocketError || ConnectError (19 names).
    """

    members: ClassVar[tuple[type, ...]] = ()


class ConnectUnixSocketError(SockffiError):
    """What Zig's ``std.net.connectUnixSocket`` can raise (its inferred set), and
    so :func:`sockffi.connect_unix`.

    SocketError || {NameTooLong} (``Address.initUnix``) || ConnectError.
    """

    members: ClassVar[tuple[type, ...]] = ()


# ----------------------------------------------------------------- the sets


class SocketError(ListenError, TcpConnectToAddressError, ConnectUnixSocketError):
    """``std.posix.SocketError``: what socket(2) can raise."""


class BindError(ListenError):
    """``std.posix.BindError``: what bind(2) can raise."""


class ListenSyscallError(ListenError):
    """``std.posix.ListenError``: what listen(2) can raise (``sockffi.posix.ListenError``)."""


# Its public name is sockffi.posix.ListenError: reprs, tracebacks and help() say so.
ListenSyscallError.__name__ = ListenSyscallError.__qualname__ = "ListenError"
ListenSyscallError.__module__ = "sockffi.posix"


class SetSockOptError(ListenError):
    """``std.posix.SetSockOptError``: what setsockopt(2) can raise."""


class GetSockNameError(ListenError):
    """``std.posix.GetSockNameError``: what getsockname(2) and getpeername(2) can raise."""


class AcceptError(SockffiError):
    """``std.posix.AcceptError``: what accept(2) can raise (``Server.accept`` too)."""

    members: ClassVar[tuple[type, ...]] = ()


class ConnectError(TcpConnectToAddressError, ConnectUnixSocketError):
    """``std.posix.ConnectError``: what connect(2) can raise, and what
    :func:`sockffi.getsockopt_error` reports of a non-blocking connect."""


class GetSockOptError(SockffiError):
    """``std.posix.GetSockOptError``: what getsockopt(2) can raise."""

    members: ClassVar[tuple[type, ...]] = ()


class ShutdownError(SockffiError):
    """``std.posix.ShutdownError``: what shutdown(2) can raise."""

    members: ClassVar[tuple[type, ...]] = ()


class CallerError(SockffiError):
    """An OS code that Zig treats as ``unreachable``: the calling code is at fault.

    For example ``EBADF`` (the fd is closed or never existed) or ``EFAULT``.
    Zig panics here; sockffi raises this instead. It belongs to no error set, so
    ``except ListenError`` does not swallow a bug. ``errno`` keeps the code.
    """

    def __str__(self) -> str:
        said = f" ({self.detail})" if self.detail else ""
        return f"{super().__str__()}{said} [a bug in the calling code; Zig's std.posix treats this code as unreachable]"


# The 38 members, alphabetical. Docstrings are Zig's doc comments (per call,
# where the calls' comments differ); where Zig has none, the meaning from the
# man pages and Microsoft's Winsock reference.


class AccessDenied(SocketError, BindError, ConnectError, GetSockOptError, PermissionError):
    """Permission to create a socket of the specified type and/or protocol is denied (socket).
    The address is protected, and the user is not the superuser. For UNIX domain sockets:
    Search permission is denied on a component of the path prefix (bind). For UNIX domain
    sockets: write permission is denied on the socket file, or search permission on a
    directory of its path; or a connect to a broadcast address without the socket
    broadcast flag, or a local firewall rule (connect). The calling process does not have
    the appropriate privileges (getsockopt)."""


class AddressFamilyNotSupported(SocketError, BindError, ConnectError):
    """The implementation does not support the specified address family (socket).
    The address is not valid for the address family of socket (bind). The passed
    address didn't have the correct address family in its sa_family field (connect)."""


class AddressInUse(BindError, ListenSyscallError, ConnectError):
    """The given address is already in use, or all port numbers in the ephemeral port
    range are in use (bind). Another socket is already listening on the same port (listen).
    Local address is already in use (connect)."""


class AddressNotAvailable(BindError, ConnectError):
    """A nonexistent interface was requested or the requested address was not local (bind).
    The socket had no local address, and every port of the ephemeral range is in use
    (connect; see ip_local_port_range in ip(7))."""


class AlreadyBound(BindError):
    """The socket is already bound to an address."""


class AlreadyConnected(ListenSyscallError, SetSockOptError):
    """The socket is already connected (listen). The socket is already connected, and a
    specified option cannot be set while the socket is connected (setsockopt)."""


class BlockedByFirewall(AcceptError, PermissionError):
    """Firewall rules forbid connection."""


class BlockingOperationInProgress(ShutdownError):
    """A blocking Winsock 1.1 call is in progress (Windows' WSAEINPROGRESS)."""


class ConnectionAborted(AcceptError, ShutdownError, ConnectionAbortedError):
    """The connection was aborted: by the peer before accept took it (accept), or
    by the network or the host (shutdown, Windows)."""


class ConnectionPending(ConnectError, BlockingIOError):
    """Socket is non-blocking and already has a pending connection in progress."""


class ConnectionRefused(ConnectError, ConnectionRefusedError):
    """A connect() on a stream socket found no one listening on the remote address."""


class ConnectionResetByPeer(AcceptError, ConnectError, ShutdownError, ConnectionResetError):
    """An incoming connection was indicated, but was subsequently terminated by the
    remote peer prior to accepting the call (accept). Connection was reset by peer before
    connect could complete (connect). Connection was reset by peer, application should
    close socket as it is no longer usable (shutdown)."""


class ConnectionTimedOut(ConnectError, TimeoutError):
    """Timeout while attempting connection. The server may be too busy to accept new
    connections. Note that for IP sockets the timeout may be very long when syncookies
    are enabled on the server."""


class FileDescriptorNotASocket(BindError, ListenSyscallError, SetSockOptError, GetSockNameError, AcceptError):
    """The file descriptor does not refer to a socket."""


class FileNotFound(BindError, ConnectError, FileNotFoundError):
    """A component in the directory prefix of the socket pathname does not exist (bind).
    The given path for the unix socket does not exist (connect)."""


class InvalidProtocolOption(SetSockOptError, GetSockOptError):
    """The option is not supported by the protocol."""


class NameTooLong(BindError, ConnectUnixSocketError):
    """addr is too long."""


class NetworkSubsystemFailed(
    BindError, ListenSyscallError, SetSockOptError, GetSockNameError, AcceptError, ShutdownError
):
    """The network subsystem has failed."""


class NetworkUnreachable(ConnectError):
    """Network is unreachable (ENETUNREACH), or the host is (EHOSTUNREACH): Zig gives
    both one name."""


class NoDevice(SetSockOptError):
    """No such device: the option names a network interface that does not exist."""


class NotDir(BindError, NotADirectoryError):
    """A component of the path prefix is not a directory."""


class OperationNotSupported(ListenSyscallError, SetSockOptError, AcceptError):
    """The socket is not of a type that supports the operation (listen: a datagram socket).
    The referenced socket is not a type that supports connection-oriented service (accept)."""


class PermissionDenied(SetSockOptError, ConnectError, PermissionError):
    """Setting the socket option requires more elevated permissions (setsockopt).
    See AccessDenied (connect: EPERM, such as a firewall rule)."""


class ProcessFdQuotaExceeded(SocketError, AcceptError):
    """The per-process limit on the number of open file descriptors has been reached."""


class ProtocolFailure(AcceptError):
    """A protocol error (EPROTO): the connection failed before accept took it."""


class ProtocolFamilyNotAvailable(SocketError):
    """Unknown protocol, or protocol family not available."""


class ProtocolNotSupported(SocketError):
    """The protocol type or the specified protocol is not supported within this domain."""


class ReadOnlyFileSystem(BindError):
    """The socket inode would reside on a read-only filesystem."""


class SocketNotBound(ListenSyscallError, SetSockOptError, GetSockNameError):
    """The socket has not been bound yet."""


class SocketNotConnected(ShutdownError):
    """The socket is not connected (connection-oriented sockets only)."""


class SocketNotListening(AcceptError):
    """Socket is not listening for new connections."""


class SocketTypeNotSupported(SocketError):
    """The socket type is not supported by the protocol."""


class SymLinkLoop(BindError):
    """Too many symbolic links were encountered in resolving addr."""


class SystemFdQuotaExceeded(SocketError, AcceptError):
    """The system-wide limit on the total number of open files has been reached."""


class SystemResources(
    SocketError,
    BindError,
    ListenSyscallError,
    SetSockOptError,
    GetSockNameError,
    AcceptError,
    ConnectError,
    GetSockOptError,
    ShutdownError,
):
    """Insufficient memory or other system resources (buffers, socket descriptors) are
    available to complete the call. Not enough free memory; often the socket buffer
    limits rather than the system's memory (accept). Insufficient entries in the routing
    cache (connect)."""


class TimeoutTooBig(SetSockOptError):
    """The send and receive timeout values are too big to fit into the timeout fields
    in the socket structure."""


class WouldBlock(AcceptError, ConnectError, BlockingIOError):
    """Accepting from the socket would block: no connection is waiting (accept).
    Connecting would block: a non-blocking connect is in progress, or an AF_UNIX
    listener's backlog is full (connect)."""


class Unexpected(
    SocketError,
    BindError,
    ListenSyscallError,
    SetSockOptError,
    GetSockNameError,
    AcceptError,
    ConnectError,
    GetSockOptError,
    ShutdownError,
):
    """The operating system returned a code the error set does not name.

    Zig drops the code; sockffi keeps it in ``errno`` (and ``winerror``).
    """


# --------------------------------------------------------------------------- data

#: The members of each set, in Zig 0.15.2's declaration order, ``Unexpected`` last
#: (``|| UnexpectedError``).
SETS: dict[str, tuple[str, ...]] = {
    "SocketError": (
        "AccessDenied",
        "AddressFamilyNotSupported",
        "ProtocolFamilyNotAvailable",
        "ProcessFdQuotaExceeded",
        "SystemFdQuotaExceeded",
        "SystemResources",
        "ProtocolNotSupported",
        "SocketTypeNotSupported",
        "Unexpected",
    ),
    "BindError": (
        "AccessDenied",
        "AddressInUse",
        "AddressNotAvailable",
        "AddressFamilyNotSupported",
        "SymLinkLoop",
        "NameTooLong",
        "FileNotFound",
        "SystemResources",
        "NotDir",
        "ReadOnlyFileSystem",
        "NetworkSubsystemFailed",
        "FileDescriptorNotASocket",
        "AlreadyBound",
        "Unexpected",
    ),
    "ListenSyscallError": (
        "AddressInUse",
        "FileDescriptorNotASocket",
        "OperationNotSupported",
        "NetworkSubsystemFailed",
        "SystemResources",
        "AlreadyConnected",
        "SocketNotBound",
        "Unexpected",
    ),
    "SetSockOptError": (
        "AlreadyConnected",
        "InvalidProtocolOption",
        "TimeoutTooBig",
        "SystemResources",
        "PermissionDenied",
        "OperationNotSupported",
        "NetworkSubsystemFailed",
        "FileDescriptorNotASocket",
        "SocketNotBound",
        "NoDevice",
        "Unexpected",
    ),
    "GetSockNameError": (
        "SystemResources",
        "NetworkSubsystemFailed",
        "SocketNotBound",
        "FileDescriptorNotASocket",
        "Unexpected",
    ),
    "AcceptError": (
        "ConnectionAborted",
        "FileDescriptorNotASocket",
        "ProcessFdQuotaExceeded",
        "SystemFdQuotaExceeded",
        "SystemResources",
        "SocketNotListening",
        "ProtocolFailure",
        "BlockedByFirewall",
        "WouldBlock",
        "ConnectionResetByPeer",
        "NetworkSubsystemFailed",
        "OperationNotSupported",
        "Unexpected",
    ),
    "ConnectError": (
        "AccessDenied",
        "PermissionDenied",
        "AddressInUse",
        "AddressNotAvailable",
        "AddressFamilyNotSupported",
        "SystemResources",
        "ConnectionRefused",
        "NetworkUnreachable",
        "ConnectionTimedOut",
        "WouldBlock",
        "FileNotFound",
        "ConnectionResetByPeer",
        "ConnectionPending",
        "Unexpected",
    ),
    "GetSockOptError": (
        "AccessDenied",
        "InvalidProtocolOption",
        "SystemResources",
        "Unexpected",
    ),
    "ShutdownError": (
        "ConnectionAborted",
        "ConnectionResetByPeer",
        "BlockingOperationInProgress",
        "NetworkSubsystemFailed",
        "SocketNotConnected",
        "SystemResources",
        "Unexpected",
    ),
}

#: The sets whose union is ``Address.ListenError``, in Zig's ``||`` order.
LISTEN_SETS: tuple[str, ...] = ("SocketError", "BindError", "ListenSyscallError", "SetSockOptError", "GetSockNameError")

#: The syscall records, by name (sockffi._catalogue holds the facts).
RECORDS: dict[str, Syscall] = {record.name: record for record in _RECORDS}

#: Which set each syscall raises (close raises CallerError only).
SYSCALLS: dict[str, str] = {r.name: r.set for r in _RECORDS if r.set}

# POSIX (Linux and macOS run the same branch; only the numbers differ, and the
# backend resolves names through the errno module of the running platform),
# and Windows: {table key: {code name: error name}}, from the records.
# Anything not listed is Unexpected.
POSIX: dict[str, dict[str, str]] = {key: table for r in _RECORDS for key, table in r.posix.items()}
WINDOWS: dict[str, dict[str, str]] = {key: table for r in _RECORDS for key, table in r.windows.items()}


#: The 38 names, alphabetical.
ERROR_NAMES: tuple[str, ...] = tuple(sorted({n for m in SETS.values() for n in m}))
#: The 26 names of ``Address.ListenError``, alphabetical.
LISTEN_NAMES: tuple[str, ...] = tuple(sorted({n for s in LISTEN_SETS for n in SETS[s]}))


def _members(names: tuple[str, ...]) -> tuple[type, ...]:
    g = globals()
    return tuple(g[n] for n in names)


for _set, _names in SETS.items():
    globals()[_set].members = _members(_names)
# ListenError in the order Zig's `||` lists it: each set's new names in turn,
# Unexpected (a member of every set) last.
ListenError.members = _members(
    (*tuple(dict.fromkeys(n for s in LISTEN_SETS for n in SETS[s] if n != "Unexpected")), "Unexpected")
)
# The connect unions in the order Zig's @typeInfo gives them: SocketError's
# names (Unexpected among them), then the new ones of each set in turn.
TcpConnectToAddressError.members = _members(tuple(dict.fromkeys((*SETS["SocketError"], *SETS["ConnectError"]))))
ConnectUnixSocketError.members = _members(
    tuple(dict.fromkeys((*SETS["SocketError"], "NameTooLong", *SETS["ConnectError"])))
)
#: The unions, as users write them, with the sets each joins.
UNIONS: dict[str, tuple[str, ...]] = {
    "ListenError": LISTEN_SETS,
    "TcpConnectToAddressError": ("SocketError", "ConnectError"),
    "ConnectUnixSocketError": ("SocketError", "ConnectError"),
}
del _set, _names


def lookup(
    names: dict[str, str], code: Callable[[str], Optional[int]], unreachable: type = CallerError
) -> dict[int, type]:
    """{OS code: class} for one call's table. Codes Zig calls unreachable map to
    `unreachable`: CallerError for the direct calls; Unexpected inside listen_tcp,
    which owns its fd and builds its own sockaddr, so there such a code is never
    the caller's bug. A name the platform does not define is skipped: that code
    cannot occur there."""
    table: dict[int, type] = {}
    for name, member in names.items():
        value = code(name)
        if value is not None:
            table.setdefault(value, unreachable if member == UNREACHABLE else globals()[member])
    return table


# --------------------------------------------------------------------------- queries
# What the CLI, the docs and the tests ask of the tables above; each is derived
# from them, never written down a second time.

#: The platforms the tables describe, and how people write them.
PLATFORMS: tuple[tuple[str, str], ...] = (("linux", "Linux"), ("macos", "macOS"), ("windows", "Windows"))
#: Every set class's name.
SET_NAMES: tuple[str, ...] = tuple(SETS)
#: The calls whose codes the tables give (close only has its caller bug).
CALLS: tuple[str, ...] = (*SYSCALLS, "close")
EXIT_BASE = 10
#: sockffi's CLI exits with EXIT_BASE + an error's index: the 26 ListenError
#: names alphabetically (AccessDenied 10 ... Unexpected 35), then the 12 that
#: the connection calls added, alphabetically (BlockedByFirewall 36 ...
#: WouldBlock 47), so no status changed meaning when they came.
EXIT_CODES: dict[str, int] = {
    name: EXIT_BASE + i for i, name in enumerate((*LISTEN_NAMES, *(n for n in ERROR_NAMES if n not in LISTEN_NAMES)))
}
_NUMBERS: dict[str, dict[str, int]] = {"linux": LINUX_ERRNO, "macos": MACOS_ERRNO, "windows": WSA_CODES}

#: (Linux, macOS) numbers of the errno names the tables use.
ERRNO_NUMBERS: dict[str, tuple[int, int]] = {
    name: (LINUX_ERRNO[name], MACOS_ERRNO[name])
    for table in POSIX.values()
    for name in table
    if name in LINUX_ERRNO and name in MACOS_ERRNO
}


def set_title(set_name: str) -> str:
    """A set's name as users write it: listen(2)'s own is ``posix.ListenError``."""
    return "posix.ListenError" if set_name == "ListenSyscallError" else set_name


def set_class(title: str) -> Optional[type]:
    """The set class for a name as users write it (``BindError``,
    ``posix.ListenError``; ``ListenError`` is the union)."""
    name = {"posix.ListenError": "ListenSyscallError", "ListenSyscallError": "ListenSyscallError"}.get(title, title)
    if name in SET_NAMES or name in UNIONS:
        cls: type = globals()[name]
        return cls
    return None


def sets_of(cls: type) -> list[str]:
    """The sets an error class belongs to, as users write them, in syscall order."""
    return [set_title(s) for s in dict.fromkeys(SYSCALLS.values()) if issubclass(cls, globals()[s])]


def syscalls_of(cls: type) -> list[str]:
    """The syscalls that can raise an error class."""
    return [s for s, set_name in SYSCALLS.items() if issubclass(cls, globals()[set_name])]


def number(platform: str, name: str) -> Optional[int]:
    """The code `name` has on a platform ("linux", "macos", "windows"), or None."""
    return _NUMBERS[platform].get(name)


def names_of(platform: str, value: int) -> list[str]:
    """Every name of a code on a platform (aliases such as EWOULDBLOCK too)."""
    return [name for name, v in _NUMBERS[platform].items() if v == value]


def codes(name: str, syscall: str) -> dict[str, list[str]]:
    """The OS codes that make `syscall` raise error `name` (or UNREACHABLE: the
    caller bugs), per platform, as "NAME number [via helper]"."""
    out: dict[str, list[str]] = {"linux": [], "macos": [], "windows": []}
    for platform_tables, platforms in ((POSIX, ("linux", "macos")), (WINDOWS, ("windows",))):
        for key, entries in platform_tables.items():
            call, _, helper = key.partition(".")
            if call != syscall:
                continue
            via = f" via {helper}" if helper else ""
            for code, member in entries.items():
                if member != name:
                    continue
                for platform in platforms:
                    if helper == "fcntl" and platform == "linux":
                        continue  # Linux takes the flags in socket(2) itself: no fcntl step
                    value = number(platform, code)
                    # On Linux ENOTSUP is EOPNOTSUPP: one code, listed once.
                    if value is None or (code == "ENOTSUP" and value == number(platform, "EOPNOTSUPP")):
                        continue
                    out[platform].append(f"{code} {value}{via}")
    return out


def caller_bugs(syscall: str) -> dict[str, list[str]]:
    """The codes Zig treats as unreachable for `syscall` (sockffi: CallerError), per platform."""
    return codes(UNREACHABLE, syscall)


def outcome(platform: str, syscall: str, code: str) -> str:
    """What `syscall` raises for a code (by name) on a platform: a member's name,
    "CallerError", "Unexpected", or "ignored" (close)."""
    table = (WINDOWS if platform == "windows" else POSIX).get(syscall, {})
    member = table.get(code)
    if member is None and platform != "windows":
        # An alias (EWOULDBLOCK, EDEADLOCK, ENOTSUP on Linux) means the code of its twin.
        value = number(platform, code)
        member = next((m for c, m in table.items() if value is not None and number(platform, c) == value), None)
    if member == UNREACHABLE:
        return "CallerError"
    if member:
        return member
    return "ignored" if syscall == "close" else "Unexpected"


#: bind's and connect's codes whose class the socket's own state decides (read
#: in C on the error path, _sockffi.c's SF_CLASSIFY_ADDRESS and
#: sf_address_state): per platform.
STATE_DEPENDENT: dict[str, tuple[str, ...]] = {
    "posix": ("EINVAL",),
    "windows": ("WSAEINVAL", "WSAEFAULT", "WSAEOPNOTSUPP"),
}


def conditional(platform: str, syscall: str, code: str) -> Optional[str]:
    """The rule for a code whose class depends on the socket, as the code applies
    it (_seam.bind_failure), or None: what explanations and tables say."""
    if (
        syscall not in ("bind", "connect")
        or code not in STATE_DEPENDENT["windows" if platform == "windows" else "posix"]
    ):
        return None
    base = outcome(platform, syscall, code)
    rule = "AddressFamilyNotSupported if the socket is of another family than the address (a path: TypeError)"
    if base == "AlreadyBound":
        return f"{rule}; AlreadyBound if getsockname shows the socket bound; otherwise Unexpected (errno kept)"
    return f"{rule}; otherwise {base}"


def plain(doc: str) -> str:
    """A docstring without its reST markup, for the terminal."""
    import re

    text = re.sub(r":\w+:`~?(?:[\w.]+\.)?([^`]+)`", r"\1", doc)
    return " ".join(text.replace("``", "").split())
