"""What sockffi knows of each syscall, as data: one record per call.

A :class:`Syscall` holds everything about one C call that any part of
sockffi needs: the Zig error set it raises, its POSIX and Windows code maps
(and those of the helper calls it makes, such as the fcntl of an emulated
SOCK_CLOEXEC), sockffi's own C functions that make it, what an injected
failure may match on, and the Linux syscall numbers the seccomp filters use.
The error tables (:mod:`sockffi.errors`), the seam, :mod:`sockffi.trace`,
:mod:`sockffi.testing`, the pytest marker, the CLI and the docs' generated
tables all derive what they need from :data:`RECORDS`; nothing here is
written down twice.

The numbers of every errno and Winsock code, per platform, are here too, so
any platform's codes can be shown and read on any other (``sockffi explain``).
"""

from __future__ import annotations

#: Marks a code Zig treats as ``unreachable``; sockffi raises CallerError for it.
UNREACHABLE = "unreachable"


class Syscall:
    """One syscall's facts.

    ``posix`` and ``windows`` map a table key (the call's own name, or
    ``"call.helper"`` for a call it makes on its behalf) to {code name: Zig
    error name, or UNREACHABLE}; a code not listed is Unexpected. Where
    several codes give one name, the first is the one the kernel gives in the
    commonest case (what an injection of that name uses). ``helpers``
    are sockffi's C functions that are this syscall; ``match`` names the
    scalar arguments an injection can match on, as (index in the syscall,
    mask); ``library_match`` those only a library-level injection sees (an
    address's port). ``kernel`` is the syscall's name in the seccomp
    supervisor and ``seccomp`` its numbers per machine (accept's covers
    accept4 and accept).
    """

    __slots__ = (
        "helpers",
        "kernel",
        "library_match",
        "match",
        "name",
        "posix",
        "seccomp",
        "set",
        "summary",
        "windows",
    )

    def __init__(
        self,
        name: str,
        *,
        set: str,
        summary: str,
        helpers: tuple[str, ...],
        match: dict[str, tuple[int, int]],
        library_match: tuple[str, ...],
        kernel: str,
        seccomp: dict[str, tuple[int, ...]],
        posix: dict[str, dict[str, str]],
        windows: dict[str, dict[str, str]],
    ) -> None:
        self.name = name
        self.set = set
        self.summary = summary
        self.helpers = helpers
        self.match = match
        self.library_match = library_match
        self.kernel = kernel
        self.seccomp = seccomp
        self.posix = posix
        self.windows = windows

    def tables(self, platform: str) -> dict[str, dict[str, str]]:
        """The code maps for "posix" or "windows"."""
        return self.windows if platform == "windows" else self.posix

    def __repr__(self) -> str:
        return f"<Syscall {self.name}: {self.set or 'no set'}>"


# Tables more than one call uses, each as Zig has it once.

#: Zig's setSockFlags: the fcntl calls that emulate SOCK_CLOEXEC/SOCK_NONBLOCK
#: (in socket() and accept(), where the platform cannot take the flags).
FCNTL_FLAGS: dict[str, str] = {
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
}

#: getsockname's switch, which Zig's getpeername repeats exactly.
NAME_POSIX: dict[str, str] = {
    "EBADF": UNREACHABLE,
    "EFAULT": UNREACHABLE,
    "EINVAL": UNREACHABLE,
    "ENOTSOCK": "FileDescriptorNotASocket",
    "ENOBUFS": "SystemResources",
}
NAME_WINDOWS: dict[str, str] = {
    "WSANOTINITIALISED": UNREACHABLE,
    "WSAENETDOWN": "NetworkSubsystemFailed",
    "WSAEFAULT": UNREACHABLE,
    "WSAENOTSOCK": "FileDescriptorNotASocket",
    "WSAEINVAL": "SocketNotBound",
}

CONNECT_POSIX: dict[str, str] = {
    "EACCES": "AccessDenied",
    "EPERM": "PermissionDenied",
    "EADDRINUSE": "AddressInUse",
    "EADDRNOTAVAIL": "AddressNotAvailable",
    "EAFNOSUPPORT": "AddressFamilyNotSupported",
    "EINPROGRESS": "WouldBlock",
    "EAGAIN": "WouldBlock",
    "EALREADY": "ConnectionPending",
    "EBADF": UNREACHABLE,
    "ECONNREFUSED": "ConnectionRefused",
    "ECONNRESET": "ConnectionResetByPeer",
    "EFAULT": UNREACHABLE,
    "EISCONN": UNREACHABLE,
    "ENETUNREACH": "NetworkUnreachable",
    "EHOSTUNREACH": "NetworkUnreachable",
    "ENOTSOCK": UNREACHABLE,
    "EPROTOTYPE": UNREACHABLE,
    "ETIMEDOUT": "ConnectionTimedOut",
    "ENOENT": "FileNotFound",
    "ECONNABORTED": UNREACHABLE,
}
CONNECT_WINDOWS: dict[str, str] = {
    "WSAEADDRINUSE": "AddressInUse",
    "WSAEADDRNOTAVAIL": "AddressNotAvailable",
    "WSAECONNREFUSED": "ConnectionRefused",
    "WSAECONNRESET": "ConnectionResetByPeer",
    "WSAETIMEDOUT": "ConnectionTimedOut",
    "WSAENETUNREACH": "NetworkUnreachable",
    "WSAEHOSTUNREACH": "NetworkUnreachable",
    "WSAEFAULT": UNREACHABLE,
    "WSAEINVAL": UNREACHABLE,
    "WSAEISCONN": UNREACHABLE,
    "WSAENOTSOCK": UNREACHABLE,
    "WSAEWOULDBLOCK": "WouldBlock",
    "WSAEACCES": "AccessDenied",
    "WSAENOBUFS": "SystemResources",
    "WSAEAFNOSUPPORT": "AddressFamilyNotSupported",
    "WSAEALREADY": "ConnectionPending",
}

#: What Zig's getsockoptError makes of the code SO_ERROR holds: connect's
#: switch, with its stated differences (EAGAIN is SystemResources there;
#: EINPROGRESS, ENOENT and ECONNABORTED are Unexpected).
SO_ERROR_POSIX: dict[str, str] = {
    code: ("SystemResources" if code == "EAGAIN" else member)
    for code, member in CONNECT_POSIX.items()
    if code not in ("EINPROGRESS", "ENOENT", "ECONNABORTED")
}
#: Zig has no Windows branch here; sockffi reads SO_ERROR's Winsock code with
#: connect's Windows names, but for the codes only connect itself returns.
SO_ERROR_WINDOWS: dict[str, str] = {
    code: member for code, member in CONNECT_WINDOWS.items() if code not in ("WSAEWOULDBLOCK", "WSAEINVAL")
}


RECORDS: tuple[Syscall, ...] = (
    Syscall(
        "socket",
        set="SocketError",
        summary="create a socket",
        helpers=("socket", "socket_cell"),
        match={"family": (0, 0xFFFFFFFF), "type": (1, 0xF), "protocol": (2, 0xFFFFFFFF)},
        library_match=(),
        kernel="socket",
        seccomp={"x86_64": (41,), "aarch64": (198,)},
        posix={
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
            "socket.fcntl": FCNTL_FLAGS,
        },
        windows={
            "socket": {
                "WSAEPROTOTYPE": "SocketTypeNotSupported",
                "WSAEAFNOSUPPORT": "AddressFamilyNotSupported",
                "WSAEMFILE": "ProcessFdQuotaExceeded",
                "WSAENOBUFS": "SystemResources",
                "WSAEPROTONOSUPPORT": "ProtocolNotSupported",
            },
            "socket.ioctlsocket": {},
            "socket.WSAStartup": {
                "WSASYSNOTREADY": "SystemResources",
                "WSAEPROCLIM": "ProcessFdQuotaExceeded",
            },
        },
    ),
    Syscall(
        "bind",
        set="BindError",
        summary="give a socket its local address",
        helpers=("bind_in4", "bind_in6", "bind_un", "bind_un_cell"),
        match={},
        library_match=("port",),
        kernel="bind",
        seccomp={"x86_64": (49,), "aarch64": (200,)},
        posix={
            "bind": {
                "EACCES": "AccessDenied",
                "EPERM": "AccessDenied",
                "EADDRINUSE": "AddressInUse",
                "EBADF": UNREACHABLE,
                "EINVAL": "AlreadyBound",
                "ENOTSOCK": "FileDescriptorNotASocket",
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
        },
        windows={
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
        },
    ),
    Syscall(
        "listen",
        set="ListenSyscallError",
        summary="accept connections on a bound socket",
        helpers=("listen",),
        match={"backlog": (1, 0xFFFFFFFF)},
        library_match=(),
        kernel="listen",
        seccomp={"x86_64": (50,), "aarch64": (201,)},
        posix={
            "listen": {
                "EADDRINUSE": "AddressInUse",
                "EBADF": UNREACHABLE,
                "ENOTSOCK": "FileDescriptorNotASocket",
                "EOPNOTSUPP": "OperationNotSupported",
                "ENOTSUP": "OperationNotSupported",
            },
        },
        windows={
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
        },
    ),
    Syscall(
        "setsockopt",
        set="SetSockOptError",
        summary="set a socket option",
        helpers=("setsockopt_int", "setsockopt"),
        match={"level": (1, 0xFFFFFFFF), "option": (2, 0xFFFFFFFF)},
        library_match=(),
        kernel="setsockopt",
        seccomp={"x86_64": (54,), "aarch64": (208,)},
        posix={
            "setsockopt": {
                "EBADF": UNREACHABLE,
                "ENOTSOCK": "FileDescriptorNotASocket",
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
                "ENOTSUP": "OperationNotSupported",
            },
        },
        windows={
            "setsockopt": {
                "WSANOTINITIALISED": UNREACHABLE,
                "WSAENETDOWN": "NetworkSubsystemFailed",
                "WSAEFAULT": UNREACHABLE,
                "WSAENOTSOCK": "FileDescriptorNotASocket",
                "WSAEINVAL": UNREACHABLE,
                "WSAENOPROTOOPT": "InvalidProtocolOption",
            },
        },
    ),
    Syscall(
        "getsockname",
        set="GetSockNameError",
        summary="read a socket's local address",
        helpers=("getsockname", "getsockname_into"),
        match={},
        library_match=(),
        kernel="getsockname",
        seccomp={"x86_64": (51,), "aarch64": (204,)},
        posix={
            "getsockname": NAME_POSIX,
        },
        windows={
            "getsockname": NAME_WINDOWS,
        },
    ),
    Syscall(
        "accept",
        set="AcceptError",
        summary="take a connection from a listening socket",
        helpers=("accept", "accept_emulated"),
        match={},
        library_match=(),
        kernel="accept",
        seccomp={"x86_64": (288, 43), "aarch64": (242, 202)},
        posix={
            "accept": {
                "EAGAIN": "WouldBlock",
                "EBADF": UNREACHABLE,
                "ECONNABORTED": "ConnectionAborted",
                "EFAULT": UNREACHABLE,
                "EINVAL": "SocketNotListening",
                "ENOTSOCK": "FileDescriptorNotASocket",
                "EMFILE": "ProcessFdQuotaExceeded",
                "ENFILE": "SystemFdQuotaExceeded",
                "ENOBUFS": "SystemResources",
                "ENOMEM": "SystemResources",
                "EOPNOTSUPP": "OperationNotSupported",
                "ENOTSUP": "OperationNotSupported",
                "EPROTO": "ProtocolFailure",
                "EPERM": "BlockedByFirewall",
            },
            "accept.fcntl": FCNTL_FLAGS,
        },
        windows={
            "accept": {
                "WSANOTINITIALISED": UNREACHABLE,
                "WSAECONNRESET": "ConnectionResetByPeer",
                "WSAEFAULT": UNREACHABLE,
                "WSAENOTSOCK": "FileDescriptorNotASocket",
                "WSAEINVAL": "SocketNotListening",
                "WSAEMFILE": "ProcessFdQuotaExceeded",
                "WSAENETDOWN": "NetworkSubsystemFailed",
                "WSAENOBUFS": "SystemResources",
                "WSAEOPNOTSUPP": "OperationNotSupported",
                "WSAEWOULDBLOCK": "WouldBlock",
                "WSAECONNABORTED": "ConnectionAborted",
            },
            "accept.ioctlsocket": {
                "WSANOTINITIALISED": UNREACHABLE,
                "WSAENETDOWN": "NetworkSubsystemFailed",
                "WSAENOTSOCK": "FileDescriptorNotASocket",
            },
        },
    ),
    Syscall(
        "connect",
        set="ConnectError",
        summary="connect a socket to an address",
        helpers=("connect_in4", "connect_in6", "connect_un"),
        match={},
        library_match=("port",),
        kernel="connect",
        seccomp={"x86_64": (42,), "aarch64": (203,)},
        posix={
            "connect": CONNECT_POSIX,
        },
        windows={
            "connect": CONNECT_WINDOWS,
        },
    ),
    Syscall(
        "getsockopt",
        set="GetSockOptError",
        summary="read a socket option",
        helpers=("getsockopt_int", "getsockopt"),
        match={"level": (1, 0xFFFFFFFF), "option": (2, 0xFFFFFFFF)},
        library_match=(),
        kernel="getsockopt",
        seccomp={"x86_64": (55,), "aarch64": (209,)},
        posix={
            "getsockopt": {
                "EBADF": UNREACHABLE,
                "ENOTSOCK": UNREACHABLE,
                "EINVAL": UNREACHABLE,
                "EFAULT": UNREACHABLE,
                "ENOPROTOOPT": "InvalidProtocolOption",
                "ENOMEM": "SystemResources",
                "ENOBUFS": "SystemResources",
                "EACCES": "AccessDenied",
            },
        },
        windows={
            "getsockopt": {
                "WSANOTINITIALISED": UNREACHABLE,
                "WSAEFAULT": UNREACHABLE,
                "WSAEINVAL": UNREACHABLE,
                "WSAENOTSOCK": UNREACHABLE,
                "WSAENOPROTOOPT": "InvalidProtocolOption",
            },
        },
    ),
    Syscall(
        "getsockopt_error",
        set="ConnectError",
        summary="read and clear SO_ERROR: how a non-blocking connect ended",
        helpers=("getsockopt_error",),
        match={},
        library_match=(),
        kernel="getsockopt",
        seccomp={"x86_64": (55,), "aarch64": (209,)},
        posix={
            "getsockopt_error": SO_ERROR_POSIX,
            "getsockopt_error.getsockopt": {
                "EBADF": UNREACHABLE,
                "EFAULT": UNREACHABLE,
                "EINVAL": UNREACHABLE,
                "ENOPROTOOPT": UNREACHABLE,
                "ENOTSOCK": UNREACHABLE,
            },
        },
        windows={
            "getsockopt_error": SO_ERROR_WINDOWS,
            "getsockopt_error.getsockopt": {
                "WSANOTINITIALISED": UNREACHABLE,
                "WSAEFAULT": UNREACHABLE,
                "WSAEINVAL": UNREACHABLE,
                "WSAENOPROTOOPT": UNREACHABLE,
                "WSAENOTSOCK": UNREACHABLE,
            },
        },
    ),
    Syscall(
        "getpeername",
        set="GetSockNameError",
        summary="read a connected socket's peer address",
        helpers=("getpeername", "getpeername_into"),
        match={},
        library_match=(),
        kernel="getpeername",
        seccomp={"x86_64": (52,), "aarch64": (205,)},
        posix={
            "getpeername": NAME_POSIX,
        },
        windows={
            "getpeername": NAME_WINDOWS,
        },
    ),
    Syscall(
        "shutdown",
        set="ShutdownError",
        summary="stop receiving, sending, or both",
        helpers=("shutdown",),
        match={"how": (1, 0xFFFFFFFF)},
        library_match=(),
        kernel="shutdown",
        seccomp={"x86_64": (48,), "aarch64": (210,)},
        posix={
            "shutdown": {
                "EBADF": UNREACHABLE,
                "EINVAL": UNREACHABLE,
                "ENOTCONN": "SocketNotConnected",
                "ENOTSOCK": UNREACHABLE,
                "ENOBUFS": "SystemResources",
            },
        },
        windows={
            "shutdown": {
                "WSAECONNABORTED": "ConnectionAborted",
                "WSAECONNRESET": "ConnectionResetByPeer",
                "WSAEINPROGRESS": "BlockingOperationInProgress",
                "WSAEINVAL": UNREACHABLE,
                "WSAENETDOWN": "NetworkSubsystemFailed",
                "WSAENOTCONN": "SocketNotConnected",
                "WSAENOTSOCK": UNREACHABLE,
                "WSANOTINITIALISED": UNREACHABLE,
            },
        },
    ),
    Syscall(
        "close",
        set="",
        summary="close a socket",
        helpers=("close", "cell_close"),
        match={},
        library_match=(),
        kernel="close",
        seccomp={"x86_64": (3,), "aarch64": (57,)},
        posix={
            "close": {
                "EBADF": UNREACHABLE,
            },
        },
        windows={
            "close": {
                "WSAENOTSOCK": UNREACHABLE,
            },
        },
    ),
)

#: The records by name.
BY_NAME: dict[str, Syscall] = {record.name: record for record in RECORDS}

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
    "WSAEHOSTUNREACH": 10065,
    "WSAENAMETOOLONG": 10063,
    "WSAEPROCLIM": 10067,
    "WSASYSNOTREADY": 10091,
    "WSAVERNOTSUPPORTED": 10092,
    "WSANOTINITIALISED": 10093,
    "WSAEINVALIDPROVIDER": 10105,
    "WSAEPROVIDERFAILEDINIT": 10106,
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
    ("posix", "accept", "ENOTSOCK"): (
        "Zig: unreachable (a real kernel returns it for accept on a pipe). Windows names "
        "this FileDescriptorNotASocket (WSAENOTSOCK), an AcceptError member; sockffi gives "
        "the same name on every OS."
    ),
    ("posix", "accept", "EOPNOTSUPP"): (
        "Zig: unreachable (a real kernel returns it for accept on a UDP socket). Windows "
        "names this OperationNotSupported (WSAEOPNOTSUPP), an AcceptError member; sockffi "
        "gives the same name on every OS."
    ),
    ("posix", "accept", "ENOTSUP"): ("macOS only, as for listen."),
    ("windows", "accept", "WSAENOBUFS"): (
        "Zig: FileDescriptorNotASocket (its accept maps WSAENOBUFS so, in 0.12 to 0.15.2 "
        "alike). Microsoft documents it as 'no buffer space is available', the condition "
        "POSIX ENOBUFS names SystemResources, an AcceptError member."
    ),
    ("windows", "accept", "WSAECONNABORTED"): (
        "Zig: Unexpected. Microsoft documents it as a connection aborted before accept "
        "took it, the condition POSIX ECONNABORTED names ConnectionAborted."
    ),
    ("any", "accept", "flags"): (
        "Zig ORs the requested flags in, so where accept4 is missing (macOS, Windows) the "
        "new socket may keep the listener's non-blocking mode. sockffi makes it blocking "
        "unless nonblocking=True, on every OS."
    ),
    ("linux", "connect", "EISCONN"): (
        "Zig: unreachable, and a real kernel returns it for a second connect on a "
        "connected socket. ConnectError has no member for it: CallerError (the calling "
        "code connected twice), errno kept."
    ),
    ("linux", "connect", "ECONNABORTED"): (
        "Zig: unreachable ('tried to reuse socket that previously received "
        "error.ConnectionRefused'), and a real kernel returns it for a connect after "
        "getsockopt_error read the refusal. ConnectError has no member for it: "
        "CallerError, errno kept."
    ),
    ("linux", "connect", "EAGAIN"): (
        "As Zig: WouldBlock. An AF_UNIX connect gives it when the listener's backlog is "
        "full: nothing is in progress then, so connect_unix(nonblocking=True) raises it "
        "(the socket closed) rather than returning a Connection; only EINPROGRESS is a "
        "connect that goes on."
    ),
    ("windows", "connect", "WSAEACCES"): (
        "Zig: unreachable. Microsoft documents it as a connect to a broadcast address "
        "without SO_BROADCAST, the condition POSIX EACCES names AccessDenied, a "
        "ConnectError member."
    ),
    ("windows", "connect", "WSAEALREADY"): (
        "Zig: Unexpected. Microsoft documents it as 'a nonblocking connect call is in "
        "progress', the condition POSIX EALREADY names ConnectionPending."
    ),
    ("linux", "getpeername", "ENOTCONN"): (
        "As Zig: Unexpected (errno kept). GetSockNameError, the set Zig's getpeername "
        "raises, has no member for 'not connected', so an unconnected, listening or "
        "connect-pending socket gives Unexpected with ENOTCONN (Zig 0.16 adds "
        "SocketUnconnected)."
    ),
    ("linux", "shutdown", "ENOTSOCK"): (
        "Zig: unreachable, and a real kernel returns it for shutdown on a pipe. "
        "ShutdownError has no member for it: CallerError, errno kept."
    ),
    ("windows", "getsockopt", "*"): (
        "Zig's getsockopt has no Windows branch (it does not build for Windows without "
        "libc). sockffi maps the Winsock codes that mean what the POSIX ones mean: "
        "WSAENOPROTOOPT is InvalidProtocolOption; WSAENOTSOCK, WSAEFAULT, WSAEINVAL and "
        "WSANOTINITIALISED are CallerError."
    ),
    ("windows", "getsockopt_error", "*"): (
        "Zig's getsockoptError has no Windows branch. sockffi reads SO_ERROR (a Winsock "
        "code there) through the names connect gives those codes on Windows."
    ),
    ("any", "getsockopt", "size"): (
        "Zig asserts that the OS filled the whole buffer. sockffi returns what the OS "
        "wrote: an int for size=None, else bytes of at most size."
    ),
    ("any", "connect_tcp", "timeout"): (
        "Zig's tcpConnectToAddress is always blocking. With timeout=, sockffi connects "
        "non-blocking, waits, and reads SO_ERROR (getsockopt_error); on expiry it raises "
        "ConnectionTimedOut (errno ETIMEDOUT) with the socket closed. The same for "
        "connect_unix."
    ),
    ("any", "connect_tcp", "nonblocking"): (
        "Zig has no non-blocking form. With nonblocking=True (and no timeout) a connect "
        "in progress is not an error: the Connection comes back, and "
        "getsockopt_error(conn) completes it, as a non-blocking socket.connect_ex user "
        "expects."
    ),
    ("windows", "connect_tcp", "inheritable"): (
        "Zig's tcpConnectToAddress leaves CLOEXEC out on Windows, so its socket is "
        "inheritable there. sockffi's sockets are never inherited unless asked (PEP 446), "
        "on every OS."
    ),
    ("any", "connect_tcp", "unreachable"): (
        "As listen_tcp: connect_tcp and connect_unix create the fd and build the "
        "sockaddr, so a code Zig treats as unreachable raises Unexpected (the code kept), "
        "and every failure is a member of the call's union."
    ),
}
