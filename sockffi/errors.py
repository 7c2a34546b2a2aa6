"""sockffi's errors: Zig 0.15.2's error sets as Python classes, and the OS-code tables.

Each Zig error name is one class. Each error set (``SocketError``, ``BindError``,
listen(2)'s ``sockffi.posix.ListenError``, ``SetSockOptError``, ``GetSockNameError``;
the first is defined here under an internal name, and has that one public one)
is a class that its members inherit from, so ``except BindError`` catches
``AddressInUse``. ``ListenError`` is ``std.net.Address.ListenError``, the union
of the five: every set inherits from it.

The tables at the end are the mapping from OS codes to names, per syscall and
per platform, as data. The backends turn them into lookups; the docs, the CLI
and the conformance tests read the same tables.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Any, Callable, ClassVar, Optional

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
    "SETS",
    "SYSCALLS",
    "UNREACHABLE",
    "WINDOWS",
    "WSA_CODES",
    "AccessDenied",
    "AddressFamilyNotSupported",
    "AddressInUse",
    "AddressNotAvailable",
    "AlreadyBound",
    "AlreadyConnected",
    "BindError",
    "CallerError",
    "FileDescriptorNotASocket",
    "FileNotFound",
    "GetSockNameError",
    "InvalidProtocolOption",
    "ListenError",
    "NameTooLong",
    "NetworkSubsystemFailed",
    "NoDevice",
    "NotDir",
    "OperationNotSupported",
    "PermissionDenied",
    "ProcessFdQuotaExceeded",
    "ProtocolFamilyNotAvailable",
    "ProtocolNotSupported",
    "ReadOnlyFileSystem",
    "SetSockOptError",
    "SocketError",
    "SocketNotBound",
    "SocketTypeNotSupported",
    "SockffiError",
    "SymLinkLoop",
    "SystemFdQuotaExceeded",
    "SystemResources",
    "TimeoutTooBig",
    "Unexpected",
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
    the address that call was given (bind, listen_tcp, listen_unix; else None);
    ``op``, the composed call that made it ("listen_tcp", "listen_unix"; else
    None). ``str()`` names the call and the address, as Go's ``net.OpError``
    does: ``listen_tcp 127.0.0.1:8080: bind: [Errno 98] Address already in use``.
    """

    # A slot, not the instance __dict__: raising stays as cheap as CPython's own.
    __slots__ = ("syscall",)
    syscall: str
    errno: int  # always set: never None, unlike a bare OSError
    strerror: str
    address: Any = None
    op: Optional[str] = None
    #: What the calling code did, where sockffi knows (a closed object given as an fd).
    detail: Optional[str] = None

    def __str__(self) -> str:
        text = super().__str__()
        if self.address is None:
            return text
        where = describe_address(self.address)
        syscall = getattr(self, "syscall", "?")
        return f"{self.op} {where}: {syscall}: {text}" if self.op else f"{syscall} {where}: {text}"

    def __reduce__(self) -> tuple[Any, ...]:
        # OSError pickles its __dict__ only; keep the slot too.
        reduced = super().__reduce__()
        assert isinstance(reduced, tuple)
        state = dict(reduced[2]) if len(reduced) > 2 and reduced[2] else {}
        if hasattr(self, "syscall"):
            state["syscall"] = self.syscall
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


class ListenError(SockffiError):
    """``std.net.Address.ListenError``: what :func:`sockffi.listen_tcp` can raise.

    SocketError || BindError || posix.ListenError || SetSockOptError || GetSockNameError.
    """

    members: ClassVar[tuple[type, ...]] = ()


class SocketError(ListenError):
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
    """``std.posix.GetSockNameError``: what getsockname(2) can raise."""


class CallerError(SockffiError):
    """An OS code that Zig treats as ``unreachable``: the calling code is at fault.

    For example ``EBADF`` (the fd is closed or never existed) or ``EFAULT``.
    Zig panics here; sockffi raises this instead. It belongs to no error set, so
    ``except ListenError`` does not swallow a bug. ``errno`` keeps the code.
    """

    def __str__(self) -> str:
        said = f" ({self.detail})" if self.detail else ""
        return (
            f"{super().__str__()}{said} [{self.syscall}: a bug in the calling code; "
            "Zig's std.posix treats this code as unreachable]"
        )


# The 26 members, alphabetical. Docstrings are Zig's doc comments; where Zig has
# none, the meaning from the man pages and Microsoft's Winsock reference.


class AccessDenied(SocketError, BindError, PermissionError):
    """Permission to create a socket of the specified type and/or protocol is denied (socket).
    The address is protected, and the user is not the superuser. For UNIX domain sockets:
    Search permission is denied on a component of the path prefix (bind)."""


class AddressFamilyNotSupported(SocketError, BindError):
    """The implementation does not support the specified address family (socket).
    The address is not valid for the address family of socket (bind)."""


class AddressInUse(BindError, ListenSyscallError):
    """The given address is already in use, or all port numbers in the ephemeral port
    range are in use (bind). Another socket is already listening on the same port (listen)."""


class AddressNotAvailable(BindError):
    """A nonexistent interface was requested or the requested address was not local."""


class AlreadyBound(BindError):
    """The socket is already bound to an address."""


class AlreadyConnected(ListenSyscallError, SetSockOptError):
    """The socket is already connected (listen). The socket is already connected, and a
    specified option cannot be set while the socket is connected (setsockopt)."""


class FileDescriptorNotASocket(BindError, ListenSyscallError, SetSockOptError, GetSockNameError):
    """The file descriptor does not refer to a socket."""


class FileNotFound(BindError, FileNotFoundError):
    """A component in the directory prefix of the socket pathname does not exist."""


class InvalidProtocolOption(SetSockOptError):
    """The option is not supported by the protocol."""


class NameTooLong(BindError):
    """addr is too long."""


class NetworkSubsystemFailed(BindError, ListenSyscallError, SetSockOptError, GetSockNameError):
    """The network subsystem has failed."""


class NoDevice(SetSockOptError):
    """No such device: the option names a network interface that does not exist."""


class NotDir(BindError, NotADirectoryError):
    """A component of the path prefix is not a directory."""


class OperationNotSupported(ListenSyscallError, SetSockOptError):
    """The socket is not of a type that supports the operation (listen: a datagram socket)."""


class PermissionDenied(SetSockOptError, PermissionError):
    """Setting the socket option requires more elevated permissions."""


class ProcessFdQuotaExceeded(SocketError):
    """The per-process limit on the number of open file descriptors has been reached."""


class ProtocolFamilyNotAvailable(SocketError):
    """Unknown protocol, or protocol family not available."""


class ProtocolNotSupported(SocketError):
    """The protocol type or the specified protocol is not supported within this domain."""


class ReadOnlyFileSystem(BindError):
    """The socket inode would reside on a read-only filesystem."""


class SocketNotBound(ListenSyscallError, SetSockOptError, GetSockNameError):
    """The socket has not been bound yet."""


class SocketTypeNotSupported(SocketError):
    """The socket type is not supported by the protocol."""


class SymLinkLoop(BindError):
    """Too many symbolic links were encountered in resolving addr."""


class SystemFdQuotaExceeded(SocketError):
    """The system-wide limit on the total number of open files has been reached."""


class SystemResources(SocketError, BindError, ListenSyscallError, SetSockOptError, GetSockNameError):
    """Insufficient memory or other system resources (buffers, socket descriptors) are
    available to complete the call."""


class TimeoutTooBig(SetSockOptError):
    """The send and receive timeout values are too big to fit into the timeout fields
    in the socket structure."""


class Unexpected(SocketError, BindError, ListenSyscallError, SetSockOptError, GetSockNameError):
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
}

#: Which set each syscall raises.
SYSCALLS: dict[str, str] = {
    "socket": "SocketError",
    "bind": "BindError",
    "listen": "ListenSyscallError",
    "setsockopt": "SetSockOptError",
    "getsockname": "GetSockNameError",
}

#: Marks a code Zig treats as ``unreachable``; sockffi raises CallerError for it.
UNREACHABLE = "unreachable"

# POSIX (Linux and macOS run the same branch; only the numbers differ, and the
# backend resolves names through the errno module of the running platform).
# Anything not listed is Unexpected.
POSIX: dict[str, dict[str, str]] = {
    "socket": {
        "EACCES": "AccessDenied",
        "EAFNOSUPPORT": "AddressFamilyNotSupported",
        "EINVAL": "ProtocolFamilyNotAvailable",
        "EMFILE": "ProcessFdQuotaExceeded",
        "ENFILE": "SystemFdQuotaExceeded",
        "ENOBUFS": "SystemResources",
        "ENOMEM": "SystemResources",
        "EPROTONOSUPPORT": "ProtocolNotSupported",
        "EPROTOTYPE": "SocketTypeNotSupported",
    },
    # fcntl inside socket(), where SOCK_CLOEXEC/SOCK_NONBLOCK are emulated
    # (Zig's setSockFlags; every fcntl error it catches is unreachable).
    "socket.fcntl": {
        "EMFILE": "ProcessFdQuotaExceeded",
        "EBADF": UNREACHABLE,
        "EINVAL": UNREACHABLE,
        "ENOTDIR": UNREACHABLE,
        "EAGAIN": UNREACHABLE,
        "EACCES": UNREACHABLE,
        "EBUSY": UNREACHABLE,
        "EPERM": UNREACHABLE,
        "EDEADLK": UNREACHABLE,
        "ENOLCK": UNREACHABLE,
    },
    "bind": {
        "EACCES": "AccessDenied",
        "EPERM": "AccessDenied",
        "EADDRINUSE": "AddressInUse",
        "EBADF": UNREACHABLE,
        "EINVAL": "AlreadyBound",  # departure: Zig says unreachable
        "ENOTSOCK": "FileDescriptorNotASocket",  # departure: Zig says unreachable
        "EAFNOSUPPORT": "AddressFamilyNotSupported",
        "EADDRNOTAVAIL": "AddressNotAvailable",
        "EFAULT": UNREACHABLE,
        "ELOOP": "SymLinkLoop",
        "ENAMETOOLONG": "NameTooLong",
        "ENOENT": "FileNotFound",
        "ENOMEM": "SystemResources",
        "ENOTDIR": "NotDir",
        "EROFS": "ReadOnlyFileSystem",
    },
    "listen": {
        "EADDRINUSE": "AddressInUse",
        "EBADF": UNREACHABLE,
        "ENOTSOCK": "FileDescriptorNotASocket",
        "EOPNOTSUPP": "OperationNotSupported",
        "ENOTSUP": "OperationNotSupported",  # departure on macOS only (45 vs 102)
    },
    "setsockopt": {
        "EBADF": UNREACHABLE,
        "ENOTSOCK": "FileDescriptorNotASocket",  # departure: Zig says unreachable
        "EINVAL": UNREACHABLE,
        "EFAULT": UNREACHABLE,
        "EDOM": "TimeoutTooBig",
        "EISCONN": "AlreadyConnected",
        "ENOPROTOOPT": "InvalidProtocolOption",
        "ENOMEM": "SystemResources",
        "ENOBUFS": "SystemResources",
        "EPERM": "PermissionDenied",
        "ENODEV": "NoDevice",
        "EOPNOTSUPP": "OperationNotSupported",
        "ENOTSUP": "OperationNotSupported",  # departure on macOS only (45 vs 102)
    },
    "getsockname": {
        "EBADF": UNREACHABLE,
        "EFAULT": UNREACHABLE,
        "EINVAL": UNREACHABLE,
        "ENOTSOCK": "FileDescriptorNotASocket",
        "ENOBUFS": "SystemResources",
    },
    # close(2): Zig's posix.close ignores every code but EBADF (and EINTR counts
    # as success); it is listed for sockffi.close's caller-bug check.
    "close": {"EBADF": UNREACHABLE},
}

#: Winsock codes by name (winerror.h); fixed numbers on every Windows version.
WSA_CODES: dict[str, int] = {
    "WSAEINTR": 10004,
    "WSAEBADF": 10009,
    "WSAEACCES": 10013,
    "WSAEFAULT": 10014,
    "WSAEINVAL": 10022,
    "WSAEMFILE": 10024,
    "WSAEWOULDBLOCK": 10035,
    "WSAEINPROGRESS": 10036,
    "WSAEALREADY": 10037,
    "WSAENOTSOCK": 10038,
    "WSAEDESTADDRREQ": 10039,
    "WSAEMSGSIZE": 10040,
    "WSAEPROTOTYPE": 10041,
    "WSAENOPROTOOPT": 10042,
    "WSAEPROTONOSUPPORT": 10043,
    "WSAESOCKTNOSUPPORT": 10044,
    "WSAEOPNOTSUPP": 10045,
    "WSAEPFNOSUPPORT": 10046,
    "WSAEAFNOSUPPORT": 10047,
    "WSAEADDRINUSE": 10048,
    "WSAEADDRNOTAVAIL": 10049,
    "WSAENETDOWN": 10050,
    "WSAENETUNREACH": 10051,
    "WSAENETRESET": 10052,
    "WSAECONNABORTED": 10053,
    "WSAECONNRESET": 10054,
    "WSAENOBUFS": 10055,
    "WSAEISCONN": 10056,
    "WSAENOTCONN": 10057,
    "WSAESHUTDOWN": 10058,
    "WSAETIMEDOUT": 10060,
    "WSAECONNREFUSED": 10061,
    "WSAELOOP": 10062,
    "WSAENAMETOOLONG": 10063,
    "WSAEPROCLIM": 10067,
    "WSASYSNOTREADY": 10091,
    "WSAVERNOTSUPPORTED": 10092,
    "WSANOTINITIALISED": 10093,
    "WSAEINVALIDPROVIDER": 10105,
    "WSAEPROVIDERFAILEDINIT": 10106,
}

WINDOWS: dict[str, dict[str, str]] = {
    "socket": {
        "WSAEPROTOTYPE": "SocketTypeNotSupported",  # departure: Zig says Unexpected
        "WSAEAFNOSUPPORT": "AddressFamilyNotSupported",
        "WSAEMFILE": "ProcessFdQuotaExceeded",
        "WSAENOBUFS": "SystemResources",
        "WSAEPROTONOSUPPORT": "ProtocolNotSupported",
    },
    # ioctlsocket(FIONBIO) inside socket(): Zig marks every code unreachable.
    "socket.ioctlsocket": {},
    # WSAStartup, run once before the first socket (Zig's callWSAStartup).
    "socket.WSAStartup": {
        "WSASYSNOTREADY": "SystemResources",
        "WSAEPROCLIM": "ProcessFdQuotaExceeded",
    },
    "bind": {
        "WSANOTINITIALISED": UNREACHABLE,
        "WSAEACCES": "AccessDenied",
        "WSAEADDRINUSE": "AddressInUse",
        "WSAEADDRNOTAVAIL": "AddressNotAvailable",
        "WSAENOTSOCK": "FileDescriptorNotASocket",
        "WSAEFAULT": UNREACHABLE,
        "WSAEINVAL": "AlreadyBound",
        "WSAENOBUFS": "SystemResources",
        "WSAENETDOWN": "NetworkSubsystemFailed",
    },
    "listen": {
        "WSANOTINITIALISED": UNREACHABLE,
        "WSAENETDOWN": "NetworkSubsystemFailed",
        "WSAEADDRINUSE": "AddressInUse",
        "WSAEISCONN": "AlreadyConnected",
        "WSAEINVAL": "SocketNotBound",
        "WSAEMFILE": "SystemResources",
        "WSAENOBUFS": "SystemResources",
        "WSAENOTSOCK": "FileDescriptorNotASocket",
        "WSAEOPNOTSUPP": "OperationNotSupported",
        "WSAEINPROGRESS": UNREACHABLE,
    },
    "setsockopt": {
        "WSANOTINITIALISED": UNREACHABLE,
        "WSAENETDOWN": "NetworkSubsystemFailed",
        "WSAEFAULT": UNREACHABLE,
        "WSAENOTSOCK": "FileDescriptorNotASocket",
        "WSAEINVAL": UNREACHABLE,  # departure: Zig says SocketNotBound
        "WSAENOPROTOOPT": "InvalidProtocolOption",  # departure: Zig says Unexpected
    },
    "getsockname": {
        "WSANOTINITIALISED": UNREACHABLE,
        "WSAENETDOWN": "NetworkSubsystemFailed",
        "WSAEFAULT": UNREACHABLE,
        "WSAENOTSOCK": "FileDescriptorNotASocket",
        "WSAEINVAL": "SocketNotBound",
    },
    "close": {"WSAENOTSOCK": UNREACHABLE},
}

#: Every errno name with its number, per POSIX platform: Linux's generic table
#: (x86_64, aarch64), and macOS's (xnu's sys/errno.h). For showing and reading
#: any platform's codes from any one of them (the CLI's ``explain``, the docs);
#: the backends resolve codes through the running platform's own errno module.
LINUX_ERRNO: dict[str, int] = {
    "EPERM": 1,
    "ENOENT": 2,
    "ESRCH": 3,
    "EINTR": 4,
    "EIO": 5,
    "ENXIO": 6,
    "E2BIG": 7,
    "ENOEXEC": 8,
    "EBADF": 9,
    "ECHILD": 10,
    "EAGAIN": 11,
    "EWOULDBLOCK": 11,
    "ENOMEM": 12,
    "EACCES": 13,
    "EFAULT": 14,
    "ENOTBLK": 15,
    "EBUSY": 16,
    "EEXIST": 17,
    "EXDEV": 18,
    "ENODEV": 19,
    "ENOTDIR": 20,
    "EISDIR": 21,
    "EINVAL": 22,
    "ENFILE": 23,
    "EMFILE": 24,
    "ENOTTY": 25,
    "ETXTBSY": 26,
    "EFBIG": 27,
    "ENOSPC": 28,
    "ESPIPE": 29,
    "EROFS": 30,
    "EMLINK": 31,
    "EPIPE": 32,
    "EDOM": 33,
    "ERANGE": 34,
    "EDEADLK": 35,
    "EDEADLOCK": 35,
    "ENAMETOOLONG": 36,
    "ENOLCK": 37,
    "ENOSYS": 38,
    "ENOTEMPTY": 39,
    "ELOOP": 40,
    "ENOMSG": 42,
    "EIDRM": 43,
    "ECHRNG": 44,
    "EL2NSYNC": 45,
    "EL3HLT": 46,
    "EL3RST": 47,
    "ELNRNG": 48,
    "EUNATCH": 49,
    "ENOCSI": 50,
    "EL2HLT": 51,
    "EBADE": 52,
    "EBADR": 53,
    "EXFULL": 54,
    "ENOANO": 55,
    "EBADRQC": 56,
    "EBADSLT": 57,
    "EBFONT": 59,
    "ENOSTR": 60,
    "ENODATA": 61,
    "ETIME": 62,
    "ENOSR": 63,
    "ENONET": 64,
    "ENOPKG": 65,
    "EREMOTE": 66,
    "ENOLINK": 67,
    "EADV": 68,
    "ESRMNT": 69,
    "ECOMM": 70,
    "EPROTO": 71,
    "EMULTIHOP": 72,
    "EDOTDOT": 73,
    "EBADMSG": 74,
    "EOVERFLOW": 75,
    "ENOTUNIQ": 76,
    "EBADFD": 77,
    "EREMCHG": 78,
    "ELIBACC": 79,
    "ELIBBAD": 80,
    "ELIBSCN": 81,
    "ELIBMAX": 82,
    "ELIBEXEC": 83,
    "EILSEQ": 84,
    "ERESTART": 85,
    "ESTRPIPE": 86,
    "EUSERS": 87,
    "ENOTSOCK": 88,
    "EDESTADDRREQ": 89,
    "EMSGSIZE": 90,
    "EPROTOTYPE": 91,
    "ENOPROTOOPT": 92,
    "EPROTONOSUPPORT": 93,
    "ESOCKTNOSUPPORT": 94,
    "ENOTSUP": 95,
    "EOPNOTSUPP": 95,
    "EPFNOSUPPORT": 96,
    "EAFNOSUPPORT": 97,
    "EADDRINUSE": 98,
    "EADDRNOTAVAIL": 99,
    "ENETDOWN": 100,
    "ENETUNREACH": 101,
    "ENETRESET": 102,
    "ECONNABORTED": 103,
    "ECONNRESET": 104,
    "ENOBUFS": 105,
    "EISCONN": 106,
    "ENOTCONN": 107,
    "ESHUTDOWN": 108,
    "ETOOMANYREFS": 109,
    "ETIMEDOUT": 110,
    "ECONNREFUSED": 111,
    "EHOSTDOWN": 112,
    "EHOSTUNREACH": 113,
    "EALREADY": 114,
    "EINPROGRESS": 115,
    "ESTALE": 116,
    "EUCLEAN": 117,
    "ENOTNAM": 118,
    "ENAVAIL": 119,
    "EISNAM": 120,
    "EREMOTEIO": 121,
    "EDQUOT": 122,
    "ENOMEDIUM": 123,
    "EMEDIUMTYPE": 124,
    "ECANCELED": 125,
    "ENOKEY": 126,
    "EKEYEXPIRED": 127,
    "EKEYREVOKED": 128,
    "EKEYREJECTED": 129,
    "EOWNERDEAD": 130,
    "ENOTRECOVERABLE": 131,
    "ERFKILL": 132,
}
MACOS_ERRNO: dict[str, int] = {
    "EPERM": 1,
    "ENOENT": 2,
    "ESRCH": 3,
    "EINTR": 4,
    "EIO": 5,
    "ENXIO": 6,
    "E2BIG": 7,
    "ENOEXEC": 8,
    "EBADF": 9,
    "ECHILD": 10,
    "EDEADLK": 11,
    "ENOMEM": 12,
    "EACCES": 13,
    "EFAULT": 14,
    "ENOTBLK": 15,
    "EBUSY": 16,
    "EEXIST": 17,
    "EXDEV": 18,
    "ENODEV": 19,
    "ENOTDIR": 20,
    "EISDIR": 21,
    "EINVAL": 22,
    "ENFILE": 23,
    "EMFILE": 24,
    "ENOTTY": 25,
    "ETXTBSY": 26,
    "EFBIG": 27,
    "ENOSPC": 28,
    "ESPIPE": 29,
    "EROFS": 30,
    "EMLINK": 31,
    "EPIPE": 32,
    "EDOM": 33,
    "ERANGE": 34,
    "EAGAIN": 35,
    "EWOULDBLOCK": 35,
    "EINPROGRESS": 36,
    "EALREADY": 37,
    "ENOTSOCK": 38,
    "EDESTADDRREQ": 39,
    "EMSGSIZE": 40,
    "EPROTOTYPE": 41,
    "ENOPROTOOPT": 42,
    "EPROTONOSUPPORT": 43,
    "ESOCKTNOSUPPORT": 44,
    "ENOTSUP": 45,
    "EPFNOSUPPORT": 46,
    "EAFNOSUPPORT": 47,
    "EADDRINUSE": 48,
    "EADDRNOTAVAIL": 49,
    "ENETDOWN": 50,
    "ENETUNREACH": 51,
    "ENETRESET": 52,
    "ECONNABORTED": 53,
    "ECONNRESET": 54,
    "ENOBUFS": 55,
    "EISCONN": 56,
    "ENOTCONN": 57,
    "ESHUTDOWN": 58,
    "ETOOMANYREFS": 59,
    "ETIMEDOUT": 60,
    "ECONNREFUSED": 61,
    "ELOOP": 62,
    "ENAMETOOLONG": 63,
    "EHOSTDOWN": 64,
    "EHOSTUNREACH": 65,
    "ENOTEMPTY": 66,
    "EPROCLIM": 67,
    "EUSERS": 68,
    "EDQUOT": 69,
    "ESTALE": 70,
    "EREMOTE": 71,
    "EBADRPC": 72,
    "ERPCMISMATCH": 73,
    "EPROGUNAVAIL": 74,
    "EPROGMISMATCH": 75,
    "EPROCUNAVAIL": 76,
    "ENOLCK": 77,
    "ENOSYS": 78,
    "EFTYPE": 79,
    "EAUTH": 80,
    "ENEEDAUTH": 81,
    "EPWROFF": 82,
    "EDEVERR": 83,
    "EOVERFLOW": 84,
    "EBADEXEC": 85,
    "EBADARCH": 86,
    "ESHLIBVERS": 87,
    "EBADMACHO": 88,
    "ECANCELED": 89,
    "EIDRM": 90,
    "ENOMSG": 91,
    "EILSEQ": 92,
    "ENOATTR": 93,
    "EBADMSG": 94,
    "EMULTIHOP": 95,
    "ENODATA": 96,
    "ENOLINK": 97,
    "ENOSR": 98,
    "ENOSTR": 99,
    "EPROTO": 100,
    "ETIME": 101,
    "EOPNOTSUPP": 102,
    "ENOPOLICY": 103,
    "ENOTRECOVERABLE": 104,
    "EOWNERDEAD": 105,
    "EQFULL": 106,
}

#: Every place sockffi raises something other than what Zig 0.15.2 does, with why.
#: Keys are (platform, syscall, code name). The docs and the tests read this.
DEPARTURES: dict[tuple[str, str, str], str] = {
    ("posix", "bind", "EINVAL"): (
        "Zig: unreachable. Linux answers EINVAL both for a socket that is bound already "
        "(Windows' WSAEINVAL, AlreadyBound) and for an address of another family than "
        "the socket's; sockffi asks the socket on the error path: AlreadyBound only if "
        "getsockname shows it bound, AddressFamilyNotSupported for the other family, "
        "otherwise Unexpected with the errno kept."
    ),
    ("posix", "bind", "ENOTSOCK"): (
        "Zig: unreachable. Windows names this FileDescriptorNotASocket (WSAENOTSOCK), "
        "a BindError member; sockffi gives the same name on every OS."
    ),
    ("posix", "setsockopt", "ENOTSOCK"): (
        "Zig: unreachable. Windows names this FileDescriptorNotASocket (WSAENOTSOCK), "
        "a SetSockOptError member; sockffi gives the same name on every OS."
    ),
    ("posix", "listen", "ENOTSUP"): (
        "macOS only (ENOTSUP 45 differs from EOPNOTSUPP 102 there; Linux has one "
        "code). Zig's Darwin errno enum calls 45 OPNOTSUPP and has no 102, so the "
        "code macOS really returns would be Unexpected; sockffi maps both."
    ),
    ("posix", "setsockopt", "ENOTSUP"): ("macOS only, as for listen."),
    ("windows", "setsockopt", "WSAEINVAL"): (
        "Zig: SocketNotBound. Microsoft documents WSAEINVAL from setsockopt as 'the "
        "level parameter is not valid, or the information in the buffer pointed to "
        "by optval is not valid': invalid arguments, as POSIX EINVAL, which Zig "
        "treats as unreachable. sockffi raises CallerError on both."
    ),
    ("windows", "setsockopt", "WSAENOPROTOOPT"): (
        "Zig: Unexpected. Microsoft documents it as 'the option is unknown or "
        "unsupported for the specified provider or socket', which is "
        "InvalidProtocolOption, as POSIX ENOPROTOOPT is."
    ),
    ("windows", "socket", "WSAEPROTOTYPE"): (
        "Zig: Unexpected. Microsoft documents it as 'the specified protocol is the "
        "wrong type for this socket', the condition POSIX EPROTOTYPE names "
        "SocketTypeNotSupported."
    ),
    ("windows", "socket.ioctlsocket", "*"): (
        "Zig: every ioctlsocket(FIONBIO) failure inside socket() is unreachable. "
        "Setting the socket non-blocking is sockffi's own step, never the caller's "
        "bug, so any code raises Unexpected (keeping it), after closing the socket."
    ),
    ("any", "*", "unreachable"): (
        "Zig panics (or, in release builds, has undefined behaviour) on codes it "
        "marks unreachable. sockffi raises CallerError, outside every set, keeping "
        "errno."
    ),
    ("any", "listen_tcp", "unreachable"): (
        "Zig's Address.listen would panic too. listen_tcp creates the fd and builds "
        "the sockaddr itself, so such a code cannot be the caller's bug: it raises "
        "Unexpected, keeping the code, so every listen_tcp failure is a ListenError."
    ),
    ("any", "*", "Unexpected"): (
        "Zig's error.Unexpected carries no code; sockffi's Unexpected keeps errno "
        "(and winerror) so the cause is never lost."
    ),
}

#: The 26 names, alphabetical.
ERROR_NAMES: tuple[str, ...] = tuple(sorted({n for m in SETS.values() for n in m}))


def _members(names: tuple[str, ...]) -> tuple[type, ...]:
    g = globals()
    return tuple(g[n] for n in names)


for _set, _names in SETS.items():
    globals()[_set].members = _members(_names)
# The union in the order Zig's `||` lists it: each set's new names in turn,
# Unexpected (a member of every set) last.
ListenError.members = _members(
    (*tuple(dict.fromkeys(n for s in SETS.values() for n in s if n != "Unexpected")), "Unexpected")
)
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
#: The 26 names, and every set class's name, by what users type.
SET_NAMES: tuple[str, ...] = ("SocketError", "BindError", "ListenSyscallError", "SetSockOptError", "GetSockNameError")
#: The calls whose codes the tables give (close only has its caller bug).
CALLS: tuple[str, ...] = (*SYSCALLS, "close")
EXIT_BASE = 10
#: sockffi's CLI exits with EXIT_BASE + an error's index in ERROR_NAMES (AccessDenied 10 ... Unexpected 35).
EXIT_CODES: dict[str, int] = {name: EXIT_BASE + i for i, name in enumerate(ERROR_NAMES)}
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
    if name in SET_NAMES or name == "ListenError":
        cls: type = globals()[name]
        return cls
    return None


def sets_of(cls: type) -> list[str]:
    """The sets an error class belongs to, as users write them, in syscall order."""
    return [set_title(set_name) for set_name in SYSCALLS.values() if issubclass(cls, globals()[set_name])]


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


#: bind's codes whose class the socket's own state decides (read in C on the
#: error path, _sockffi.c's SF_CLASSIFY_BIND and sf_bind_state): per platform.
STATE_DEPENDENT: dict[str, tuple[str, ...]] = {
    "posix": ("EINVAL",),
    "windows": ("WSAEINVAL", "WSAEFAULT", "WSAEOPNOTSUPP"),
}


def conditional(platform: str, syscall: str, code: str) -> Optional[str]:
    """The rule for a code whose class depends on the socket, as the code applies
    it (_seam.bind_failure), or None: what explanations and tables say."""
    if syscall != "bind" or code not in STATE_DEPENDENT["windows" if platform == "windows" else "posix"]:
        return None
    base = outcome(platform, syscall, code)
    rule = "AddressFamilyNotSupported if the socket is of another family than the address"
    if base == "AlreadyBound":
        return f"{rule}; AlreadyBound if getsockname shows the socket bound; otherwise Unexpected (errno kept)"
    return f"{rule}; otherwise {base}"


def plain(doc: str) -> str:
    """A docstring without its reST markup, for the terminal."""
    import re

    text = re.sub(r":\w+:`~?(?:[\w.]+\.)?([^`]+)`", r"\1", doc)
    return " ".join(text.replace("``", "").split())
