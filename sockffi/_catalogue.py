"""What sockffi knows, as data: its error names, sets and unions, one record
per syscall, and the platform constants it exports.

Everything else derives from here: the error classes and their hierarchy
(:mod:`sockffi.errors`), the seam's tables, the public syscall functions'
argument handling, :mod:`sockffi.trace`'s rendering, :mod:`sockffi.testing`
and its seccomp filters, the CLI's tables, hints and exit statuses, the docs'
generated pages, and the typing stubs (``python build_ffi.py --stubs``).
Nothing here is written down twice, and this module imports nothing, so the
build (build_ffi.py) reads it too.

The numbers of every errno and Winsock code, per platform, are here too, so
any platform's codes can be shown and read on any other (``sockffi explain``).
"""

from __future__ import annotations

#: Marks a code Zig treats as ``unreachable``; sockffi raises CallerError for it.
UNREACHABLE = "unreachable"

# ----------------------------------------------------------------- the error names


class Name:
    """One Zig error name: its documented meaning (Zig's doc comments, per call
    where they differ; else the man pages' and Microsoft's), the builtin
    OSError subclass that means the same (so existing ``except`` clauses keep
    working), and the CLI's hint of what usually causes it."""

    __slots__ = ("builtin", "doc", "hint")

    def __init__(self, doc: str, *, hint: str, builtin: str = "") -> None:
        self.doc, self.hint, self.builtin = doc, hint, builtin


#: Every error name. The order is the CLI's exit statuses (10 + the index), so a
#: status never changes meaning: a new name is appended, never inserted.
NAMES: dict[str, Name] = {
    "AccessDenied": Name(
        (
            "Permission to create a socket of the specified type and/or protocol is denied (socket). The address "
            "is protected, and the user is not the superuser. For UNIX domain sockets: Search permission is "
            "denied on a component of the path prefix (bind). For UNIX domain sockets: write permission is denied "
            "on the socket file, or search permission on a directory of its path; or a connect to a broadcast "
            "address without the socket broadcast flag, or a local firewall rule (connect). The calling process "
            "does not have the appropriate privileges (getsockopt)."
        ),
        builtin="PermissionError",
        hint=(
            "ports below 1024 need privileges (CAP_NET_BIND_SERVICE); for a unix path, check the directory's "
            "permissions"
        ),
    ),
    "AddressFamilyNotSupported": Name(
        (
            "The implementation does not support the specified address family (socket). The address is not valid "
            "for the address family of socket (bind). The passed address didn't have the correct address family "
            "in its sa_family field (connect)."
        ),
        hint=(
            "the address is of another family than the socket (an IPv4 host on an AF_INET6 socket?), or the "
            "kernel lacks it"
        ),
    ),
    "AddressInUse": Name(
        (
            "The given address is already in use, or all port numbers in the ephemeral port range are in use "
            "(bind). Another socket is already listening on the same port (listen). Local address is already in "
            "use (connect)."
        ),
        hint=(
            "another socket already holds this address: find it with `ss -ltnp` (or `lsof -i`), pick another "
            "port, or use port 0"
        ),
    ),
    "AddressNotAvailable": Name(
        (
            "A nonexistent interface was requested or the requested address was not local (bind). The socket had "
            "no local address, and every port of the ephemeral range is in use (connect; see ip_local_port_range "
            "in ip(7))."
        ),
        hint=(
            "the host is not an address of this machine (see `ip addr`); use 127.0.0.1, ::1, or 0.0.0.0 for "
            "every interface"
        ),
    ),
    "AlreadyBound": Name(
        "The socket is already bound to an address.",
        hint="bind() was already called on this socket",
    ),
    "AlreadyConnected": Name(
        (
            "The socket is already connected (listen). The socket is already connected, and a specified option "
            "cannot be set while the socket is connected (setsockopt)."
        ),
        hint="the socket is connected; listen and this option need an unconnected socket",
    ),
    "FileDescriptorNotASocket": Name(
        "The file descriptor does not refer to a socket.",
        hint="the fd is a file or pipe, not a socket",
    ),
    "FileNotFound": Name(
        (
            "A component in the directory prefix of the socket pathname does not exist (bind). The given path for "
            "the unix socket does not exist (connect)."
        ),
        builtin="FileNotFoundError",
        hint="a directory in the unix socket path does not exist",
    ),
    "InvalidProtocolOption": Name(
        "The option is not supported by the protocol.",
        hint="this socket's protocol has no such option (check level and name)",
    ),
    "NameTooLong": Name(
        "addr is too long.",
        hint="unix socket paths must fit in sun_path (107 bytes on Linux, 103 on macOS): use a shorter path",
    ),
    "NetworkSubsystemFailed": Name(
        "The network subsystem has failed.",
        hint="the network stack is down (Windows: WSAENETDOWN)",
    ),
    "NoDevice": Name(
        "No such device: the option names a network interface that does not exist.",
        hint="no network interface of that name",
    ),
    "NotDir": Name(
        "A component of the path prefix is not a directory.",
        builtin="NotADirectoryError",
        hint="a component of the unix socket path is a file, not a directory",
    ),
    "OperationNotSupported": Name(
        (
            "The socket is not of a type that supports the operation (listen: a datagram socket). The referenced "
            "socket is not a type that supports connection-oriented service (accept)."
        ),
        hint="listen needs a stream socket (SOCK_STREAM), not a datagram one",
    ),
    "PermissionDenied": Name(
        (
            "Setting the socket option requires more elevated permissions (setsockopt). See AccessDenied "
            "(connect: EPERM, such as a firewall rule)."
        ),
        builtin="PermissionError",
        hint="this option needs privileges (CAP_NET_ADMIN)",
    ),
    "ProcessFdQuotaExceeded": Name(
        "The per-process limit on the number of open file descriptors has been reached.",
        hint="this process has as many fds open as `ulimit -n` allows: close some or raise the limit",
    ),
    "ProtocolFamilyNotAvailable": Name(
        "Unknown protocol, or protocol family not available.",
        hint="the socket type or flags are invalid for this family",
    ),
    "ProtocolNotSupported": Name(
        "The protocol type or the specified protocol is not supported within this domain.",
        hint="the protocol does not match the socket type (TCP needs SOCK_STREAM, UDP SOCK_DGRAM)",
    ),
    "ReadOnlyFileSystem": Name(
        "The socket inode would reside on a read-only filesystem.",
        hint="unix sockets cannot be created on a read-only file system",
    ),
    "SocketNotBound": Name(
        "The socket has not been bound yet.",
        hint="bind() the socket first (Windows does not bind implicitly)",
    ),
    "SocketTypeNotSupported": Name(
        "The socket type is not supported by the protocol.",
        hint="the socket type does not fit the protocol",
    ),
    "SymLinkLoop": Name(
        "Too many symbolic links were encountered in resolving addr.",
        hint="the unix socket path goes round a loop of symbolic links",
    ),
    "SystemFdQuotaExceeded": Name(
        "The system-wide limit on the total number of open files has been reached.",
        hint="the whole system is out of file descriptors (fs.file-max)",
    ),
    "SystemResources": Name(
        (
            "Insufficient memory or other system resources (buffers, socket descriptors) are available to "
            "complete the call. Not enough free memory; often the socket buffer limits rather than the system's "
            "memory (accept). Insufficient entries in the routing cache (connect)."
        ),
        hint="the kernel is out of memory or buffers for this",
    ),
    "TimeoutTooBig": Name(
        ("The send and receive timeout values are too big to fit into the timeout fields in the socket structure."),
        hint="SO_RCVTIMEO/SO_SNDTIMEO value out of range (microseconds must be < 1000000)",
    ),
    "Unexpected": Name(
        (
            "The operating system returned a code the error set does not name. Zig drops the code; sockffi keeps "
            "it in ``errno`` (and ``winerror``)."
        ),
        hint="the OS returned a code this call's error set does not name; errno keeps it",
    ),
    "BlockedByFirewall": Name(
        "Firewall rules forbid connection.",
        builtin="PermissionError",
        hint="a firewall rule (or a security module) refused the connection at accept",
    ),
    "BlockingOperationInProgress": Name(
        "A blocking Winsock 1.1 call is in progress (Windows' WSAEINPROGRESS).",
        hint="Windows: a blocking Winsock 1.1 call is still running on this thread",
    ),
    "ConnectionAborted": Name(
        (
            "The connection was aborted: by the peer before accept took it (accept), or by the network or the "
            "host (shutdown, Windows)."
        ),
        builtin="ConnectionAbortedError",
        hint="the connection ended before accept took it (or, on Windows, the network aborted it)",
    ),
    "ConnectionPending": Name(
        "Socket is non-blocking and already has a pending connection in progress.",
        builtin="BlockingIOError",
        hint="a non-blocking connect is already under way: wait until writable, then getsockopt_error",
    ),
    "ConnectionRefused": Name(
        "A connect() on a stream socket found no one listening on the remote address.",
        builtin="ConnectionRefusedError",
        hint="nothing listens there: is the server running, on that port or path?",
    ),
    "ConnectionResetByPeer": Name(
        (
            "An incoming connection was indicated, but was subsequently terminated by the remote peer prior to "
            "accepting the call (accept). Connection was reset by peer before connect could complete (connect). "
            "Connection was reset by peer, application should close socket as it is no longer usable (shutdown)."
        ),
        builtin="ConnectionResetError",
        hint="the peer reset the connection (it closed with unread data, or SO_LINGER 0)",
    ),
    "ConnectionTimedOut": Name(
        (
            "Timeout while attempting connection. The server may be too busy to accept new connections. Note that "
            "for IP sockets the timeout may be very long when syncookies are enabled on the server."
        ),
        builtin="TimeoutError",
        hint="no answer in time: a firewall dropping SYNs, a host that is down, or a full queue",
    ),
    "NetworkUnreachable": Name(
        "Network is unreachable (ENETUNREACH), or the host is (EHOSTUNREACH): Zig gives both one name.",
        hint="no route to that network or host from here (check `ip route`)",
    ),
    "ProtocolFailure": Name(
        "A protocol error (EPROTO): the connection failed before accept took it.",
        hint="a protocol error ended the connection before accept took it",
    ),
    "SocketNotConnected": Name(
        "The socket is not connected (connection-oriented sockets only).",
        hint="shutdown needs a connected socket (a listener takes only SHUT_RD)",
    ),
    "SocketNotListening": Name(
        "Socket is not listening for new connections.",
        hint="accept needs a socket that listen() was called on",
    ),
    "WouldBlock": Name(
        (
            "Accepting from the socket would block: no connection is waiting (accept). Connecting would block: a "
            "non-blocking connect is in progress, or an AF_UNIX listener's backlog is full (connect)."
        ),
        builtin="BlockingIOError",
        hint="nothing to do yet on a non-blocking socket: wait until it is ready (select/poll), then retry",
    ),
    "BrokenPipe": Name(
        (
            "The local end has been shut down on a connection oriented socket (send: after shutdown(SHUT_WR), "
            "after the peer's reset was reported once, or on a socket that was never connected). sockffi passes "
            "MSG_NOSIGNAL, so the process never receives SIGPIPE for it."
        ),
        builtin="BrokenPipeError",
        hint="this end can no longer send: it was shut down, or the peer went away (and its reset was reported)",
    ),
    "MessageTooBig": Name(
        (
            "The socket type requires that message be sent atomically, and the size of the message to be sent "
            "made this impossible. The message is not transmitted (send)."
        ),
        hint="a datagram larger than the protocol allows (65507 bytes for UDP over IPv4): send less at once",
    ),
    "FastOpenAlreadyInProgress": Name(
        "Another Fast Open is already in progress (send with MSG_FASTOPEN).",
        hint="a TCP Fast Open connect is already under way on this socket",
    ),
    "UnreachableAddress": Name(
        "The destination address is not reachable by the bound address (sendto: EINVAL, such as a blackhole route).",
        hint="the route to that address discards what is sent to it (a blackhole route), or the address is malformed",
    ),
    "InputOutput": Name(
        "A low-level I/O error (EIO): a file's, never a socket's on Linux (net.Stream's read set has it).",
        hint="an I/O error below the socket layer (a device's or a file system's)",
    ),
    "IsDir": Name(
        "The file descriptor refers to a directory (EISDIR): a file's, never a socket's.",
        builtin="IsADirectoryError",
        hint="the fd is a directory, not a socket",
    ),
    "OperationAborted": Name(
        "The operation was aborted (Windows' ERROR_OPERATION_ABORTED): a file's, never a socket's.",
        hint="Windows aborted the I/O (the thread that started it exited)",
    ),
    "NotOpenForReading": Name(
        "The file descriptor is not open for reading (read's EBADF): the fd was closed behind the Connection's back.",
        hint="the fd was closed by other code (os.close?) while the Connection still held its number",
    ),
    "Canceled": Name(
        "Reading a timerfd with TFD_TIMER_CANCEL_ON_SET after the clock changed: a timerfd's, never a socket's.",
        hint="a timerfd's error: the clock went through a discontinuous change",
    ),
    "ProcessNotFound": Name(
        "The process to be read from no longer exists (ESRCH): a /proc file's, never a socket's.",
        builtin="ProcessLookupError",
        hint="a /proc file's error: the process went away",
    ),
    "LockViolation": Name(
        "The file is locked (Windows' ERROR_LOCK_VIOLATION): a file's, never a socket's.",
        hint="Windows: another process locked this part of the file",
    ),
}


#: The members of each syscall's set, in Zig 0.15.2's declaration order,
#: ``Unexpected`` last (``|| UnexpectedError``). A name's bases are the sets it
#: is a member of, in this order, then its builtin.
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
    "SendError": (
        "AccessDenied",
        "WouldBlock",
        "FastOpenAlreadyInProgress",
        "ConnectionResetByPeer",
        "MessageTooBig",
        "SystemResources",
        "BrokenPipe",
        "FileDescriptorNotASocket",
        "NetworkUnreachable",
        "NetworkSubsystemFailed",
        "ConnectionRefused",
        "Unexpected",
    ),
    "SendToError": (
        "AccessDenied",
        "WouldBlock",
        "FastOpenAlreadyInProgress",
        "ConnectionResetByPeer",
        "MessageTooBig",
        "SystemResources",
        "BrokenPipe",
        "FileDescriptorNotASocket",
        "NetworkUnreachable",
        "NetworkSubsystemFailed",
        "ConnectionRefused",
        "Unexpected",
        "AddressFamilyNotSupported",
        "SymLinkLoop",
        "NameTooLong",
        "FileNotFound",
        "NotDir",
        "SocketNotConnected",
        "AddressNotAvailable",
        "UnreachableAddress",
    ),
    "SendMsgError": (
        "AccessDenied",
        "WouldBlock",
        "FastOpenAlreadyInProgress",
        "ConnectionResetByPeer",
        "MessageTooBig",
        "SystemResources",
        "BrokenPipe",
        "FileDescriptorNotASocket",
        "NetworkUnreachable",
        "NetworkSubsystemFailed",
        "ConnectionRefused",
        "AddressFamilyNotSupported",
        "SymLinkLoop",
        "NameTooLong",
        "FileNotFound",
        "NotDir",
        "SocketNotConnected",
        "AddressNotAvailable",
        "Unexpected",
    ),
    "PollError": (
        "NetworkSubsystemFailed",
        "SystemResources",
        "Unexpected",
    ),
    "StreamReadError": (
        "InputOutput",
        "SystemResources",
        "IsDir",
        "OperationAborted",
        "BrokenPipe",
        "ConnectionResetByPeer",
        "ConnectionTimedOut",
        "NotOpenForReading",
        "SocketNotConnected",
        "WouldBlock",
        "Canceled",
        "AccessDenied",
        "ProcessNotFound",
        "LockViolation",
        "SocketNotBound",
        "MessageTooBig",
        "NetworkSubsystemFailed",
        "Unexpected",
    ),
    "StreamWriteError": (
        "AccessDenied",
        "WouldBlock",
        "FastOpenAlreadyInProgress",
        "ConnectionResetByPeer",
        "MessageTooBig",
        "SystemResources",
        "BrokenPipe",
        "FileDescriptorNotASocket",
        "NetworkUnreachable",
        "NetworkSubsystemFailed",
        "ConnectionRefused",
        "AddressFamilyNotSupported",
        "SymLinkLoop",
        "NameTooLong",
        "FileNotFound",
        "NotDir",
        "SocketNotConnected",
        "AddressNotAvailable",
        "SocketNotBound",
        "Unexpected",
    ),
    "RecvFromError": (
        "WouldBlock",
        "ConnectionRefused",
        "SystemResources",
        "ConnectionResetByPeer",
        "ConnectionTimedOut",
        "SocketNotBound",
        "MessageTooBig",
        "NetworkSubsystemFailed",
        "SocketNotConnected",
        "Unexpected",
    ),
}


class Union:
    """A union of sets (what a composed call raises): its sets, the names it
    adds before any syscall (``connectUnixSocket``'s ``Address.initUnix``), and
    where ``Unexpected`` stands in its ``members``: last, as Zig's ``||`` lists
    ``Address.ListenError``, or where its first set has it (Zig's @typeInfo of
    the connect unions)."""

    __slots__ = ("doc", "extra", "sets", "unexpected_last")

    def __init__(self, doc: str, sets: tuple[str, ...], extra: tuple[str, ...] = (), unexpected_last: bool = False):
        self.doc, self.sets, self.extra, self.unexpected_last = doc, sets, extra, unexpected_last


#: The unions, as users write them. Each set's class inherits every union it joins.
UNIONS: dict[str, Union] = {
    "ListenError": Union(
        "``std.net.Address.ListenError``: what :func:`sockffi.listen_tcp` and :func:`sockffi.listen_unix` can "
        "raise.\n\nSocketError || BindError || posix.ListenError || SetSockOptError || GetSockNameError.",
        ("SocketError", "BindError", "ListenSyscallError", "SetSockOptError", "GetSockNameError"),
        unexpected_last=True,
    ),
    "TcpConnectToAddressError": Union(
        "``std.net.TcpConnectToAddressError``: what :func:`sockffi.connect_tcp` can raise.\n\n"
        "SocketError || ConnectError (19 names).",
        ("SocketError", "ConnectError"),
    ),
    "ConnectUnixSocketError": Union(
        "What Zig's ``std.net.connectUnixSocket`` can raise (its inferred set), and so "
        ":func:`sockffi.connect_unix`.\n\nSocketError || {NameTooLong} (``Address.initUnix``) || ConnectError.",
        ("SocketError", "ConnectError"),
        extra=("NameTooLong",),
    ),
    "BindUdpError": Union(
        "What :func:`sockffi.bind_udp` can raise.\n\nSocketError || BindError || SetSockOptError || GetSockNameError.",
        ("SocketError", "BindError", "SetSockOptError", "GetSockNameError"),
        unexpected_last=True,
    ),
    "ConnectUdpError": Union(
        "What :func:`sockffi.connect_udp` can raise.\n\nSocketError || ConnectError || GetSockNameError.",
        ("SocketError", "ConnectError", "GetSockNameError"),
        unexpected_last=True,
    ),
}

# ----------------------------------------------------------------- the syscalls


class H:
    """One of sockffi's C functions for a syscall: the kinds of its arguments,
    in order, and of its result (>= 0), which sockffi.testing matches by, the
    public function converts by, and the trace renders; ``shows`` is how the
    trace writes the call's arguments, strace-like, one format string each,
    with {kind} for an argument and {result} for what the result says (each
    argument kind in turn, when not given). An argument kind spans one C argument, except
    ``sock`` (cell, ref), ``address`` (family, a4, data, len, port, flowinfo,
    scope_id), ``optval`` (bytes, length) and ``optbuf``/``namebuf`` (buffer,
    capacity): see SPANS. ``out`` (an empty cell the call fills) is not shown."""

    __slots__ = ("args", "result", "shows")

    def __init__(self, *args: str, result: str = "zero", shows: tuple[str, ...] = ()) -> None:
        self.args, self.result = args, result
        self.shows = shows or tuple(f"{{{kind}}}" for kind in args if kind != "out")


#: How many C arguments each argument kind spans (one when not listed).
SPANS: dict[str, int] = {
    "sock": 2,
    "address": 7,
    "optaddress": 7,
    "optval": 2,
    "optbuf": 2,
    "namebuf": 2,
    "data": 2,
    "size": 2,
    "buffers": 3,
    "pollfds": 3,
}


class Syscall:
    """One syscall's facts.

    ``set`` is the Zig error set it raises. ``posix`` and ``windows`` map a
    table key (the call's own name, or ``"call.helper"`` for a call it makes on
    its behalf) to {code name: Zig error name, or UNREACHABLE}; a code not
    listed is Unexpected. Where several codes give one name, the first is the
    one the kernel gives in the commonest case (what an injection of that name
    uses). ``helpers`` are sockffi's C functions that are this syscall, the
    first the one its public function calls; one named like it with ``_fd``
    takes a plain fd instead of (cell, ref) (no pointer for cffi to convert,
    and for a one-argument call no argument tuple to build: the public
    function uses it for an int). ``eintr``: an interrupted call is
    made again, after the signal handlers ran (Zig retries these). ``match``
    names the scalar arguments a kernel-level injection can match on, as
    (index in the syscall, mask). ``kernel`` is the syscall's name in the
    seccomp supervisor and ``seccomp`` its numbers per machine (accept's covers
    accept4 and accept). ``man`` is its man page and Microsoft's page (anchor,
    name).
    """

    __slots__ = ("eintr", "helpers", "kernel", "man", "match", "name", "posix", "seccomp", "set", "windows")

    def __init__(
        self,
        name: str,
        *,
        set: str,
        man: tuple[str, str, str],
        eintr: bool,
        helpers: dict[str, H],
        match: dict[str, tuple[int, int]],
        kernel: str,
        seccomp: dict[str, tuple[int, ...]],
        posix: dict[str, dict[str, str]],
        windows: dict[str, dict[str, str]],
    ) -> None:
        self.name = name
        self.set = set
        self.man = man
        self.eintr = eintr
        self.helpers = helpers
        self.match = match
        self.kernel = kernel
        self.seccomp = seccomp
        self.posix = posix
        self.windows = windows

    @property
    def library_match(self) -> tuple[str, ...]:
        """What a library-level injection matches on beyond ``match``: an
        address's port, where the call takes an address."""
        addresses = ("address", "optaddress")
        return ("port",) if any(k in addresses for h in self.helpers.values() for k in h.args) else ()

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


#: Zig's sendto switch (posix.zig:6272-6305), which send and sendmsg start
#: from; ENOTSOCK is FileDescriptorNotASocket, as Windows names it (a member
#: of every send set), where Zig has unreachable.
SENDTO_POSIX: dict[str, str] = {
    "EACCES": "AccessDenied",
    "EAGAIN": "WouldBlock",
    "EALREADY": "FastOpenAlreadyInProgress",
    "EBADF": UNREACHABLE,
    "ECONNREFUSED": "ConnectionRefused",
    "ECONNRESET": "ConnectionResetByPeer",
    "EDESTADDRREQ": UNREACHABLE,
    "EFAULT": UNREACHABLE,
    "EINVAL": "UnreachableAddress",
    "EISCONN": UNREACHABLE,
    "EMSGSIZE": "MessageTooBig",
    "ENOBUFS": "SystemResources",
    "ENOMEM": "SystemResources",
    "ENOTSOCK": "FileDescriptorNotASocket",
    "EOPNOTSUPP": UNREACHABLE,
    "EPIPE": "BrokenPipe",
    "EAFNOSUPPORT": "AddressFamilyNotSupported",
    "ELOOP": "SymLinkLoop",
    "ENAMETOOLONG": "NameTooLong",
    "ENOENT": "FileNotFound",
    "ENOTDIR": "NotDir",
    "ENETUNREACH": "NetworkUnreachable",
    "EHOSTUNREACH": "NetworkUnreachable",
    "ENOTCONN": "SocketNotConnected",
    "ENETDOWN": "NetworkSubsystemFailed",
}
#: Zig's Windows sendto (posix.zig:6245-6271), with the names its sibling calls
#: give where Zig has none: WSAESHUTDOWN is BrokenPipe (POSIX EPIPE after the
#: same shutdown), WSAECONNABORTED ConnectionResetByPeer (Zig's Windows
#: net.Stream writer).
SENDTO_WINDOWS: dict[str, str] = {
    "WSAEACCES": "AccessDenied",
    "WSAEADDRNOTAVAIL": "AddressNotAvailable",
    "WSAECONNRESET": "ConnectionResetByPeer",
    "WSAEMSGSIZE": "MessageTooBig",
    "WSAENOBUFS": "SystemResources",
    "WSAENOTSOCK": "FileDescriptorNotASocket",
    "WSAEAFNOSUPPORT": "AddressFamilyNotSupported",
    "WSAEDESTADDRREQ": UNREACHABLE,
    "WSAEFAULT": UNREACHABLE,
    "WSAENETUNREACH": "NetworkUnreachable",
    "WSAEHOSTUNREACH": "NetworkUnreachable",
    "WSAEINVAL": UNREACHABLE,
    "WSAENETDOWN": "NetworkSubsystemFailed",
    "WSAENETRESET": "ConnectionResetByPeer",
    "WSAENOTCONN": "SocketNotConnected",
    "WSAESHUTDOWN": "BrokenPipe",
    "WSAEWOULDBLOCK": "WouldBlock",
    "WSANOTINITIALISED": UNREACHABLE,
    "WSAECONNABORTED": "ConnectionResetByPeer",
}

#: Zig's recvfrom switch (posix.zig:6543-6578), which recv is; ENOBUFS is
#: SystemResources, as read(2) names it (Zig: Unexpected).
RECV_POSIX: dict[str, str] = {
    "EBADF": UNREACHABLE,
    "EFAULT": UNREACHABLE,
    "EINVAL": UNREACHABLE,
    "ENOTCONN": "SocketNotConnected",
    "ENOTSOCK": UNREACHABLE,
    "EAGAIN": "WouldBlock",
    "ENOMEM": "SystemResources",
    "ENOBUFS": "SystemResources",
    "ECONNREFUSED": "ConnectionRefused",
    "ECONNRESET": "ConnectionResetByPeer",
    "ETIMEDOUT": "ConnectionTimedOut",
}
#: Zig's Windows recvfrom (posix.zig:6545-6561); WSAENETRESET and
#: WSAECONNABORTED are ConnectionResetByPeer, as Zig's Windows net.Stream
#: reader and writer name them.
RECV_WINDOWS: dict[str, str] = {
    "WSANOTINITIALISED": UNREACHABLE,
    "WSAECONNRESET": "ConnectionResetByPeer",
    "WSAEINVAL": "SocketNotBound",
    "WSAEMSGSIZE": "MessageTooBig",
    "WSAENETDOWN": "NetworkSubsystemFailed",
    "WSAENOTCONN": "SocketNotConnected",
    "WSAEWOULDBLOCK": "WouldBlock",
    "WSAETIMEDOUT": "ConnectionTimedOut",
    "WSAENETRESET": "ConnectionResetByPeer",
    "WSAECONNABORTED": "ConnectionResetByPeer",
}

#: Zig's sendmsg switch (posix.zig:6170-6199): sendto's minus two arms; EINVAL
#: is unreachable, and ECONNREFUSED is ConnectionRefused, the name sendto
#: and send give it and a SendMsgError member (Zig: Unexpected).
SENDMSG_POSIX: dict[str, str] = {**SENDTO_POSIX, "EINVAL": UNREACHABLE}
#: Zig's net.Stream reader on POSIX is read(2): its switch (posix.zig:883-900)
#: read for the codes recv gives (ECONNREFUSED is Unexpected there, as in Zig).
STREAM_READ_POSIX: dict[str, str] = {
    "EINVAL": UNREACHABLE,
    "EFAULT": UNREACHABLE,
    "ESRCH": "ProcessNotFound",
    "EAGAIN": "WouldBlock",
    "ECANCELED": "Canceled",
    "EBADF": "NotOpenForReading",
    "EIO": "InputOutput",
    "EISDIR": "IsDir",
    "ENOBUFS": "SystemResources",
    "ENOMEM": "SystemResources",
    "ENOTCONN": "SocketNotConnected",
    "ECONNRESET": "ConnectionResetByPeer",
    "ETIMEDOUT": "ConnectionTimedOut",
}
#: Zig's Windows net.Stream reader (net.zig:2002-2018), WSAECONNABORTED named
#: as its writer names it.
STREAM_READ_WINDOWS: dict[str, str] = {
    "WSAECONNRESET": "ConnectionResetByPeer",
    "WSAEFAULT": UNREACHABLE,
    "WSAEINPROGRESS": UNREACHABLE,
    "WSAEINTR": UNREACHABLE,
    "WSAEINVAL": "SocketNotBound",
    "WSAEMSGSIZE": "MessageTooBig",
    "WSAENETDOWN": "NetworkSubsystemFailed",
    "WSAENETRESET": "ConnectionResetByPeer",
    "WSAENOTCONN": "SocketNotConnected",
    "WSAEWOULDBLOCK": "WouldBlock",
    "WSANOTINITIALISED": UNREACHABLE,
    "WSAECONNABORTED": "ConnectionResetByPeer",
}
#: Zig's Windows net.Stream writer (net.zig:2167-2188); WSAESHUTDOWN is
#: BrokenPipe, as POSIX EPIPE after the same shutdown (Zig: unreachable).
STREAM_WRITE_WINDOWS: dict[str, str] = {
    "WSAECONNABORTED": "ConnectionResetByPeer",
    "WSAECONNRESET": "ConnectionResetByPeer",
    "WSAENETRESET": "ConnectionResetByPeer",
    "WSAEINVAL": "SocketNotBound",
    "WSAEMSGSIZE": "MessageTooBig",
    "WSAENETDOWN": "NetworkSubsystemFailed",
    "WSAENOBUFS": "SystemResources",
    "WSAENOTCONN": "SocketNotConnected",
    "WSAEWOULDBLOCK": "WouldBlock",
    "WSAESHUTDOWN": "BrokenPipe",
    "WSAENOTSOCK": UNREACHABLE,
    "WSAEOPNOTSUPP": UNREACHABLE,
    "WSAEFAULT": UNREACHABLE,
    "WSAEINPROGRESS": UNREACHABLE,
    "WSAEINTR": UNREACHABLE,
    "WSANOTINITIALISED": UNREACHABLE,
}


def _within(table: dict[str, str], set_name: str) -> dict[str, str]:
    """A table narrowed to a set, as Zig's send narrows sendto's with a catch:
    a name outside the set is unreachable."""
    members = SETS[set_name]
    return {code: (name if name in members or name == UNREACHABLE else UNREACHABLE) for code, name in table.items()}


#: The syscall records, by name, in the order the docs and tables list them.
RECORDS: dict[str, Syscall] = {
    record.name: record
    for record in (
        Syscall(
            "socket",
            set="SocketError",
            man=("socket", "nf-winsock2-wsasocketw", "WSASocketW"),
            eintr=False,
            helpers={
                "socket": H("family", "type", "protocol", result="fd"),
                "socket_cell": H("out", "family", "type", "protocol", result="fd"),
            },
            match={"family": (0, 0xFFFFFFFF), "type": (1, 0xF), "protocol": (2, 0xFFFFFFFF)},
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
            man=("bind", "nf-winsock2-bind", "bind"),
            eintr=False,
            helpers={"bind": H("sock", "address"), "bind_file": H("cell", "address")},
            match={},
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
            man=("listen", "nf-winsock2-listen", "listen"),
            eintr=False,
            helpers={"listen": H("sock", "backlog"), "listen_fd": H("fd", "backlog")},
            match={"backlog": (1, 0xFFFFFFFF)},
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
            man=("setsockopt", "nf-winsock2-setsockopt", "setsockopt"),
            eintr=False,
            helpers={
                "setsockopt_int": H(
                    "sock", "level", "option", "value", shows=("{sock}", "{level}", "{option}", "[{value}], 4")
                ),
                "setsockopt": H("sock", "level", "option", "optval"),
            },
            match={"level": (1, 0xFFFFFFFF), "option": (2, 0xFFFFFFFF)},
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
            man=("getsockname", "nf-winsock2-getsockname", "getsockname"),
            eintr=False,
            helpers={
                "getsockname": H("sock", result="name", shows=("{sock}", "{result}")),
                "getsockname_into": H("sock", "namebuf", result="length"),
                "getsockname_fd": H("fd", result="name", shows=("{fd}", "{result}")),
            },
            match={},
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
            man=("accept", "nf-winsock2-accept", "accept"),
            eintr=True,
            helpers={
                "accept": H("out", "sock", "flags", result="peer", shows=("{sock}", "{result}", "{flags}")),
                "accept_emulated": H("out", "sock", "flags", result="peer", shows=("{sock}", "{result}", "{flags}")),
            },
            match={},
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
            man=("connect", "nf-winsock2-connect", "connect"),
            eintr=True,
            helpers={"connect": H("sock", "address")},
            match={},
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
            man=("getsockopt", "nf-winsock-getsockopt", "getsockopt"),
            eintr=False,
            helpers={
                "getsockopt_int": H(
                    "sock", "level", "option", result="value", shows=("{sock}", "{level}", "{option}", "{result}")
                ),
                "getsockopt_int_fd": H(
                    "fd", "level", "option", result="value", shows=("{fd}", "{level}", "{option}", "{result}")
                ),
                "getsockopt": H("sock", "level", "option", "optbuf", result="length"),
            },
            match={"level": (1, 0xFFFFFFFF), "option": (2, 0xFFFFFFFF)},
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
            man=("getsockopt", "nf-winsock-getsockopt", "getsockopt"),
            eintr=False,
            helpers={
                "getsockopt_error": H(
                    "sock", result="so_error", shows=("{sock}", "SOL_SOCKET", "SO_ERROR", "{result}")
                ),
                "getsockopt_error_fd": H("fd", result="so_error", shows=("{fd}", "SOL_SOCKET", "SO_ERROR", "{result}")),
            },
            match={},
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
            man=("getpeername", "nf-winsock-getpeername", "getpeername"),
            eintr=False,
            helpers={
                "getpeername": H("sock", result="name", shows=("{sock}", "{result}")),
                "getpeername_into": H("sock", "namebuf", result="length"),
                "getpeername_fd": H("fd", result="name", shows=("{fd}", "{result}")),
            },
            match={},
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
            man=("shutdown", "nf-winsock-shutdown", "shutdown"),
            eintr=False,
            helpers={"shutdown": H("sock", "how"), "shutdown_fd": H("fd", "how")},
            match={"how": (1, 0xFFFFFFFF)},
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
            "send",
            set="SendError",
            man=("send", "nf-winsock2-send", "send"),
            eintr=True,
            helpers={
                "send": H(
                    "sock", "data", "sendflags", result="count", shows=("{sock}", "{data}", "{sendflags}", "NULL", "0")
                ),
                "send_fd": H(
                    "fd", "data", "sendflags", result="count", shows=("{fd}", "{data}", "{sendflags}", "NULL", "0")
                ),
            },
            match={"sendflags": (3, 0xFFFFFFFF)},
            kernel="sendto",
            seccomp={"x86_64": (44,), "aarch64": (206,)},
            posix={"send": _within(SENDTO_POSIX, "SendError")},
            windows={"send": _within(SENDTO_WINDOWS, "SendError")},
        ),
        Syscall(
            "sendto",
            set="SendToError",
            man=("sendto", "nf-winsock-sendto", "sendto"),
            eintr=True,
            helpers={
                "sendto": H(
                    "sock",
                    "data",
                    "address",
                    "sendflags",
                    result="count",
                    shows=("{sock}", "{data}", "{sendflags}", "{address}"),
                )
            },
            match={"sendflags": (3, 0xFFFFFFFF)},
            kernel="sendto",
            seccomp={"x86_64": (44,), "aarch64": (206,)},
            posix={"sendto": SENDTO_POSIX},
            windows={"sendto": SENDTO_WINDOWS},
        ),
        Syscall(
            "recv",
            set="RecvFromError",
            man=("recv", "nf-winsock-recv", "recv"),
            eintr=True,
            helpers={
                "recv": H(
                    "sock",
                    "size",
                    "recvflags",
                    result="received",
                    shows=("{sock}", "{size}", "{recvflags}", "NULL", "NULL"),
                ),
                "recv_fd": H(
                    "fd",
                    "size",
                    "recvflags",
                    result="received",
                    shows=("{fd}", "{size}", "{recvflags}", "NULL", "NULL"),
                ),
            },
            match={"recvflags": (3, 0xFFFFFFFF)},
            kernel="recvfrom",
            seccomp={"x86_64": (45,), "aarch64": (207,)},
            posix={"recv": RECV_POSIX, "Connection.read": STREAM_READ_POSIX},
            windows={"recv": RECV_WINDOWS, "Connection.read": STREAM_READ_WINDOWS},
        ),
        Syscall(
            "recvfrom",
            set="RecvFromError",
            man=("recvfrom", "nf-winsock-recvfrom", "recvfrom"),
            eintr=True,
            helpers={
                "recvfrom": H(
                    "sock",
                    "size",
                    "recvflags",
                    "source",
                    result="received_from",
                    shows=("{sock}", "{size}", "{recvflags}", "{source}"),
                ),
            },
            match={"recvflags": (3, 0xFFFFFFFF)},
            kernel="recvfrom",
            seccomp={"x86_64": (45,), "aarch64": (207,)},
            posix={"recvfrom": RECV_POSIX},
            windows={"recvfrom": RECV_WINDOWS},
        ),
        Syscall(
            "sendmsg",
            set="SendMsgError",
            man=("sendmsg", "nf-winsock2-wsasendto", "WSASendTo"),
            eintr=True,
            helpers={
                "sendmsg": H(
                    "sock",
                    "buffers",
                    "optaddress",
                    "sendflags",
                    result="count",
                    shows=("{sock}", "{{msg_name={optaddress}, msg_iov={buffers}}}", "{sendflags}"),
                ),
                "stream_write": H(
                    "sock", "data", result="count", shows=("{sock}", "{{msg_iov=[{data}]}}", "MSG_NOSIGNAL")
                ),
            },
            match={"sendflags": (2, 0xFFFFFFFF)},
            kernel="sendmsg",
            seccomp={"x86_64": (46,), "aarch64": (211,)},
            posix={"sendmsg": SENDMSG_POSIX, "Connection.write": SENDMSG_POSIX},
            windows={"sendmsg": SENDTO_WINDOWS, "Connection.write": STREAM_WRITE_WINDOWS},
        ),
        Syscall(
            "poll",
            set="PollError",
            man=("poll", "nf-winsock2-wsapoll", "WSAPoll"),
            eintr=True,
            helpers={
                "poll": H("pollfds", "timeout", result="ready", shows=("{pollfds}", "{timeout}")),
                "poll1": H(
                    "sock",
                    "events",
                    "timeout",
                    result="revents",
                    shows=("[{{fd={sock}, events={events}}}]", "1", "{timeout}", "{result}"),
                ),
            },
            match={},
            kernel="poll",
            seccomp={"x86_64": (7,), "aarch64": (73,)},
            posix={"poll": {"EFAULT": UNREACHABLE, "EINVAL": UNREACHABLE, "ENOMEM": "SystemResources"}},
            windows={
                "poll": {
                    "WSANOTINITIALISED": UNREACHABLE,
                    "WSAENETDOWN": "NetworkSubsystemFailed",
                    "WSAENOBUFS": "SystemResources",
                }
            },
        ),
        Syscall(
            "close",
            set="",
            man=("close", "nf-winsock2-closesocket", "closesocket"),
            eintr=False,
            helpers={"close": H("fd"), "cell_close": H("cell")},
            match={},
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
}

#: Connection's I/O, Zig's net.Stream: {its table's key in the records (the
#: record of the syscall it makes): (the set it raises, what the set is)}.
STREAMS: dict[str, tuple[str, str]] = {
    "Connection.read": (
        "StreamReadError",
        "``std.net.Stream.ReadError``: what :meth:`Connection.read` and :meth:`Connection.readinto` can raise "
        "(posix.ReadError || {SocketNotBound, MessageTooBig, NetworkSubsystemFailed}). Zig's Stream reads with "
        "read(2); sockffi with recv(2), each code named as read(2)'s switch names it.",
    ),
    "Connection.write": (
        "StreamWriteError",
        "``std.net.Stream.WriteError``: what :meth:`Connection.write` and :meth:`Connection.write_all` can "
        "raise (posix.SendMsgError || {SocketNotBound}); write_all's error carries ``sent``.",
    ),
}

#: The steps connect_tcp's timeout= takes that are no syscall of sockffi's
#: own: {C function: (the syscall the trace names, how it is shown)}.
STEP_HELPERS: dict[str, tuple[str, H]] = {
    "wait_connect": (
        "poll",
        H("sock", "timeout", result="ready", shows=("[{{fd={sock}, events=POLLOUT}}]", "1", "{timeout}")),
    ),
    "set_nonblocking": ("fcntl", H("sock", "on", shows=("{sock}", "F_SETFL", "{on}"))),
}

# ----------------------------------------------------------------- constants

#: The platform constants sockffi exports, by what they name (the trace shows
#: a value by its group's names). Each is declared here only: build_ffi.py
#: has cffi read its value from the platform's headers, and sockffi exports it.
CONSTANTS: dict[str, tuple[str, ...]] = {
    "family": ("AF_INET", "AF_INET6", "AF_UNIX", "AF_UNSPEC"),
    "type": ("SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_SEQPACKET"),
    "type flag": ("SOCK_CLOEXEC", "SOCK_NONBLOCK"),
    "protocol": ("IPPROTO_IP", "IPPROTO_IPV6", "IPPROTO_TCP", "IPPROTO_UDP"),
    "level": ("SOL_SOCKET",),
    "socket option": (
        "SO_REUSEADDR",
        "SO_KEEPALIVE",
        "SO_RCVBUF",
        "SO_SNDBUF",
        "SO_RCVTIMEO",
        "SO_SNDTIMEO",
        "SO_TYPE",
        "SO_LINGER",
        "SO_ERROR",
        "SO_ACCEPTCONN",
        "SO_BROADCAST",
    ),
    "tcp option": ("TCP_NODELAY",),
    "ipv6 option": ("IPV6_V6ONLY",),
    "how": ("SHUT_RD", "SHUT_WR", "SHUT_RDWR"),
    "limit": ("SOMAXCONN",),
    "msg flag": ("MSG_PEEK", "MSG_OOB", "MSG_WAITALL", "MSG_DONTROUTE"),
    "poll event": ("POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL"),
}
#: Constants some platforms lack: exported where the headers define them
#: (``lib.SF_HAS_X``, value ``lib.SF_X``); the trace-only ones are shown, never exported.
OPTIONAL: dict[str, tuple[str, ...]] = {
    "socket option": ("SO_REUSEPORT",),
    "msg flag": ("MSG_TRUNC", "MSG_DONTWAIT", "MSG_NOSIGNAL", "MSG_FASTOPEN"),
    "trace only": ("SO_PRIORITY", "SO_BINDTODEVICE"),
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
    ("posix", "send", "ENOTSOCK"): (
        "Zig: unreachable (a real kernel returns it for send on a pipe). Windows names this "
        "FileDescriptorNotASocket (WSAENOTSOCK), a SendError member; sockffi gives the same name "
        "on every OS. The same in sendto and sendmsg."
    ),
    ("posix", "send", "ENETUNREACH"): (
        "Zig: unreachable (send's catch discards NetworkUnreachable, though SendError holds it). "
        "sendto gives the same errno that name, and send's own set has it: NetworkUnreachable."
    ),
    ("posix", "send", "EHOSTUNREACH"): ("As ENETUNREACH: NetworkUnreachable, the name sendto gives it."),
    ("windows", "send", "WSAENETUNREACH"): ("As POSIX ENETUNREACH: NetworkUnreachable, the name sendto gives it."),
    ("windows", "send", "WSAEHOSTUNREACH"): ("As POSIX EHOSTUNREACH: NetworkUnreachable, the name sendto gives it."),
    ("windows", "send", "WSAESHUTDOWN"): (
        "Zig: unreachable (a real Windows returns it for a send after shutdown(SD_SEND)). POSIX "
        "gives EPIPE for the same send, BrokenPipe, a SendError member: sockffi gives that name on "
        "every OS. The same in sendto and sendmsg."
    ),
    ("windows", "send", "WSAECONNABORTED"): (
        "Zig: Unexpected. Zig's own Windows net.Stream writer names it ConnectionResetByPeer (the "
        "connection is gone), a SendError member. The same in sendto and sendmsg."
    ),
    ("posix", "sendto", "ENOTSOCK"): ("As for send: FileDescriptorNotASocket, as on Windows."),
    ("windows", "sendto", "WSAESHUTDOWN"): ("As for send: BrokenPipe, as POSIX EPIPE."),
    ("windows", "sendto", "WSAECONNABORTED"): ("As for send: ConnectionResetByPeer, as Zig's Windows writer."),
    ("posix", "recv", "ENOBUFS"): (
        "Zig: Unexpected. read(2)'s switch names it SystemResources, a RecvFromError member (as "
        "ENOMEM is in recv's own switch). The same in recvfrom."
    ),
    ("posix", "recvfrom", "ENOBUFS"): ("As for recv: SystemResources."),
    ("windows", "recv", "WSAENETRESET"): (
        "Zig: Unexpected. Zig's own Windows net.Stream reader names it ConnectionResetByPeer, a "
        "RecvFromError member. The same in recvfrom."
    ),
    ("windows", "recvfrom", "WSAENETRESET"): ("As for recv: ConnectionResetByPeer."),
    ("windows", "recv", "WSAECONNABORTED"): (
        "Zig: Unexpected. Zig's own Windows net.Stream writer names it ConnectionResetByPeer (the "
        "connection is gone), a RecvFromError member. The same in recvfrom."
    ),
    ("windows", "recvfrom", "WSAECONNABORTED"): ("As for recv: ConnectionResetByPeer."),
    ("windows", "recv", "shutdown"): (
        "Zig: Unexpected (WSAESHUTDOWN). After shutdown(SHUT_RD) POSIX recv returns 0, the end of "
        "the stream; on Windows it fails with WSAESHUTDOWN. sockffi returns 0 there too, as "
        "socket2 does: the same condition, the same answer. The same in recvfrom."
    ),
    ("any", "recv", "MSG_TRUNC"): (
        "As Zig: recv_into and recvfrom_into return the count the kernel gave, which with MSG_TRUNC "
        "is the datagram's whole length (larger than the buffer). recv and recvfrom return the bytes "
        "received, never more than size."
    ),
    ("posix", "sendmsg", "ENOTSOCK"): ("As for send: FileDescriptorNotASocket, as on Windows."),
    ("posix", "sendmsg", "ECONNREFUSED"): (
        "Zig: Unexpected (sendmsg's switch has no arm for it, though SendMsgError holds "
        "ConnectionRefused). send and sendto give it that name: a connected UDP socket's earlier "
        "datagram was refused (ICMP port unreachable). The same in Connection.write."
    ),
    ("windows", "sendmsg", "*"): (
        "Zig's sendmsg does not build for Windows (std.c.sendmsg does not link against ws2_32). "
        "sockffi sends the same gather list with WSASendTo, its codes named as Zig's Windows "
        "sendto names them."
    ),
    ("any", "poll", "EINTR"): (
        "Zig retries an interrupted poll with the whole timeout again, so a poll of 400 ms can "
        "take 500. sockffi waits again for the time that is left (after the signal handlers ran)."
    ),
    ("any", "Connection.read", "recv"): (
        "Zig's net.Stream reads with read(2), which the kernel-level marker would also see for "
        "the test runner's own pipes; sockffi's Connection reads with recv(2) (flags 0: the same "
        "on a socket) and names each code as read(2)'s switch does (ECONNREFUSED is Unexpected, "
        "EBADF NotOpenForReading), so Connection.read raises Zig's Stream.ReadError."
    ),
    ("any", "send", "MSG_NOSIGNAL"): (
        "Zig's send passes the caller's flags, so a send to a closed peer raises SIGPIPE, which "
        "kills a program that restored SIG_DFL. sockffi always adds MSG_NOSIGNAL (SO_NOSIGPIPE on "
        "the socket where the headers lack the flag): BrokenPipe, never a signal."
    ),
    ("any", "connect_tcp", "unreachable"): (
        "As listen_tcp: connect_tcp and connect_unix create the fd and build the "
        "sockaddr, so a code Zig treats as unreachable raises Unexpected (the code kept), "
        "and every failure is a member of the call's union."
    ),
}
