"""sockffi: the C socket calls, one Python function each, with Zig's narrow error sets.

>>> import sockffi
>>> with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
...     server.address[0]
'127.0.0.1'
"""


def _quiet_ctrl_c_while_the_command_starts() -> None:
    """The ``sockffi`` command (``python -m sockffi`` too) answers a Ctrl-C
    during its start-up, before its own handling is in place, as it answers
    one later: "sockffi: interrupted", status 130, no traceback. Nothing else
    that imports sockffi is touched."""
    import os
    import sys

    argv0 = sys.argv[0] if sys.argv else ""
    command = os.path.splitext(os.path.basename(argv0))[0] == "sockffi"
    orig = getattr(sys, "orig_argv", ())
    module = argv0 == "-m" and any(orig[i : i + 2] == ["-m", "sockffi"] for i in range(len(orig)))
    if not (command or module):
        return
    import signal

    def interrupted(signum: int, frame: object) -> None:
        os.write(2, b"sockffi: interrupted\n")
        os._exit(130)  # nothing has been made yet: there is nothing to release

    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, interrupted)  # sockffi.__main__ puts the default back
            _STARTING.append(interrupted)
    except ValueError:  # not the main thread
        pass


#: The start-up's Ctrl-C handler, while it is installed (sockffi.__main__ removes it).
_STARTING: list[object] = []


_quiet_ctrl_c_while_the_command_starts()

from . import errors  # noqa: E402
from ._sockffi import lib as _lib  # noqa: E402
from .errors import (  # noqa: E402
    AcceptError,
    AccessDenied,
    AddressFamilyNotSupported,
    AddressInUse,
    AddressNotAvailable,
    AlreadyBound,
    AlreadyConnected,
    BindError,
    BlockedByFirewall,
    BlockingOperationInProgress,
    CallerError,
    ConnectError,
    ConnectionAborted,
    ConnectionPending,
    ConnectionRefused,
    ConnectionResetByPeer,
    ConnectionTimedOut,
    ConnectUnixSocketError,
    FileDescriptorNotASocket,
    FileNotFound,
    GetSockNameError,
    GetSockOptError,
    InvalidProtocolOption,
    ListenError,
    NameTooLong,
    NetworkSubsystemFailed,
    NetworkUnreachable,
    NoDevice,
    NotDir,
    OperationNotSupported,
    PermissionDenied,
    ProcessFdQuotaExceeded,
    ProtocolFailure,
    ProtocolFamilyNotAvailable,
    ProtocolNotSupported,
    ReadOnlyFileSystem,
    SetSockOptError,
    ShutdownError,
    SocketError,
    SocketNotBound,
    SocketNotConnected,
    SocketNotListening,
    SocketTypeNotSupported,
    SockffiError,
    SymLinkLoop,
    SystemFdQuotaExceeded,
    SystemResources,
    TcpConnectToAddressError,
    TimeoutTooBig,
    Unexpected,
    WouldBlock,
)
from .net import Connection, Server, connect_tcp, connect_unix, listen_tcp, listen_unix  # noqa: E402
from .posix import (  # noqa: E402
    accept,
    bind,
    close,
    connect,
    getpeername,
    getsockname,
    getsockopt,
    getsockopt_error,
    listen,
    setsockopt,
    shutdown,
    socket,
)

__version__ = "0.3.0"

# Constants from the platform's own headers (through cffi).
AF_INET: int = _lib.AF_INET
AF_INET6: int = _lib.AF_INET6
AF_UNIX: int = _lib.AF_UNIX
AF_UNSPEC: int = _lib.AF_UNSPEC
SOCK_STREAM: int = _lib.SOCK_STREAM
SOCK_DGRAM: int = _lib.SOCK_DGRAM
SOCK_RAW: int = _lib.SOCK_RAW
SOCK_SEQPACKET: int = _lib.SOCK_SEQPACKET
#: Real flags on Linux; request bits that sockffi.socket() applies with fcntl
#: (macOS) or WSA_FLAG_NO_HANDLE_INHERIT/ioctlsocket (Windows).
SOCK_CLOEXEC: int = _lib.SOCK_CLOEXEC
SOCK_NONBLOCK: int = _lib.SOCK_NONBLOCK
IPPROTO_IP: int = _lib.IPPROTO_IP
IPPROTO_IPV6: int = _lib.IPPROTO_IPV6
IPPROTO_TCP: int = _lib.IPPROTO_TCP
IPPROTO_UDP: int = _lib.IPPROTO_UDP
IPV6_V6ONLY: int = _lib.IPV6_V6ONLY
SOL_SOCKET: int = _lib.SOL_SOCKET
SO_REUSEADDR: int = _lib.SO_REUSEADDR
SO_KEEPALIVE: int = _lib.SO_KEEPALIVE
SO_RCVBUF: int = _lib.SO_RCVBUF
SO_SNDBUF: int = _lib.SO_SNDBUF
SO_RCVTIMEO: int = _lib.SO_RCVTIMEO
SO_SNDTIMEO: int = _lib.SO_SNDTIMEO
SO_TYPE: int = _lib.SO_TYPE
SO_LINGER: int = _lib.SO_LINGER
SO_ERROR: int = _lib.SO_ERROR
SO_ACCEPTCONN: int = _lib.SO_ACCEPTCONN
SO_BROADCAST: int = _lib.SO_BROADCAST
SHUT_RD: int = _lib.SHUT_RD
SHUT_WR: int = _lib.SHUT_WR
SHUT_RDWR: int = _lib.SHUT_RDWR
TCP_NODELAY: int = _lib.TCP_NODELAY
SOMAXCONN: int = _lib.SOMAXCONN
if _lib.SF_HAS_SO_REUSEPORT:
    SO_REUSEPORT: int = _lib.SF_SO_REUSEPORT

__all__ = [
    "AF_INET",
    "AF_INET6",
    "AF_UNIX",
    "AF_UNSPEC",
    "IPPROTO_IP",
    "IPPROTO_IPV6",
    "IPPROTO_TCP",
    "IPPROTO_UDP",
    "IPV6_V6ONLY",
    "SHUT_RD",
    "SHUT_RDWR",
    "SHUT_WR",
    "SOCK_CLOEXEC",
    "SOCK_DGRAM",
    "SOCK_NONBLOCK",
    "SOCK_RAW",
    "SOCK_SEQPACKET",
    "SOCK_STREAM",
    "SOL_SOCKET",
    "SOMAXCONN",
    "SO_ACCEPTCONN",
    "SO_BROADCAST",
    "SO_ERROR",
    "SO_KEEPALIVE",
    "SO_LINGER",
    "SO_RCVBUF",
    "SO_RCVTIMEO",
    "SO_REUSEADDR",
    "SO_SNDBUF",
    "SO_SNDTIMEO",
    "SO_TYPE",
    "TCP_NODELAY",
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
    "Connection",
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
    "Server",
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
    "__version__",
    "accept",
    "bind",
    "close",
    "connect",
    "connect_tcp",
    "connect_unix",
    "errors",
    "getpeername",
    "getsockname",
    "getsockopt",
    "getsockopt_error",
    "listen",
    "listen_tcp",
    "listen_unix",
    "setsockopt",
    "shutdown",
    "socket",
]
if _lib.SF_HAS_SO_REUSEPORT:
    __all__.append("SO_REUSEPORT")
