"""``sockffi reproduce NAME``: make one of the errors happen for real, here.

Each recipe is what the test suite does to reach that error on a real kernel.
It runs in a child process (a fresh interpreter, isolated from the current
directory and the environment, importing from exactly the parent's
``sys.path``), so its setup (dropping root, a private mount or network
namespace, a lower fd limit) never touches the process that asked; its files
live in a scratch directory under ``TMPDIR`` that the parent removes, whatever
way the child ends; the failing call is shown
syscall by syscall, as ``sockffi listen`` shows it, then explained. Where this
machine or user cannot reproduce an error, ``--list`` says exactly what it
would take.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, Callable

import sockffi

from .. import errors

LINUX = sys.platform.startswith("linux")
WINDOWS = sys.platform == "win32"
PLATFORM = "linux" if LINUX else "windows" if WINDOWS else "macos" if sys.platform == "darwin" else sys.platform
NOBODY = 65534

Call = Callable[[], object]


class Recipe:
    def __init__(
        self,
        what: str,
        platforms: tuple[str, ...],
        setup: Callable[[], tuple[str, Call]],
        needs_root: bool = False,
        otherwise: str = "",
        tools: tuple[str, ...] = (),
    ) -> None:
        self.what = what
        self.platforms = platforms
        self.setup = setup
        self.needs_root = needs_root
        self.otherwise = otherwise
        self.tools = tools

    def available(self, name: str) -> tuple[bool, str]:
        """(whether this machine can, and how; or why not, and what it would take)."""
        if PLATFORM not in self.platforms:
            return (
                False,
                self.otherwise or f"no recipe on {PLATFORM}: the suite reaches it on {', '.join(self.platforms)}",
            )
        if self.needs_root and not _root():
            return False, f"needs root here: {self.here()} (run `sudo sockffi reproduce {name}`)"
        import shutil

        missing = [tool for tool in self.tools if shutil.which(tool) is None]
        if missing:
            return False, f"needs {', '.join(missing)} here (iproute2): {self.here()}"
        return True, self.here()

    def here(self) -> str:
        """What the recipe does, as it will do it for this user."""
        if not _root():
            return self.what.replace("(a child drops root)", "(this user is not root already)")
        return self.what


def _impossible(why: str) -> Recipe:
    """An error no program can cause on any OS sockffi knows: only why not."""
    return Recipe("", (), lambda: ("", lambda: None), otherwise=why)


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# ------------------------------------------------------------------- child-only steps


def _drop_root() -> None:
    """Become nobody (a child's step: it drops every capability)."""
    if _root():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def _unshare(flags: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"unshare: {os.strerror(e)}")


def _scratch() -> str:
    """A new directory inside the parent's scratch directory (the child's cwd,
    which the parent removes): short relative paths fit sun_path wherever
    TMPDIR is."""
    return os.path.relpath(tempfile.mkdtemp(prefix="d", dir="."))


# ------------------------------------------------------------------- recipes (each returns (shown, call))


def _access_denied() -> tuple[str, Call]:
    _drop_root()
    return (
        'sockffi.listen_tcp(("127.0.0.1", 80))  as nobody: ports below 1024 need privilege',
        lambda: sockffi.listen_tcp(("127.0.0.1", 80)),
    )


def _address_family() -> tuple[str, Call]:
    return "sockffi.socket(46, SOCK_STREAM)  (46 is past the last address family)", lambda: sockffi.socket(
        46, sockffi.SOCK_STREAM
    )


def _address_in_use() -> tuple[str, Call]:
    held = sockffi.listen_tcp(("127.0.0.1", 0))
    _keep.append(held)
    return f"sockffi.listen_tcp({held.address!r})  (another socket holds that port)", lambda: sockffi.listen_tcp(
        held.address
    )


def _address_not_available() -> tuple[str, Call]:
    return (
        'sockffi.listen_tcp(("198.51.100.1", 0))  (a documentation address, not this machine\'s)',
        lambda: sockffi.listen_tcp(("198.51.100.1", 0)),
    )


def _already_bound() -> tuple[str, Call]:
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    sockffi.bind(fd, ("127.0.0.1", 0))
    return 'sockffi.bind(fd, ("127.0.0.1", 0))  (fd is bound already)', lambda: sockffi.bind(fd, ("127.0.0.1", 0))


def _already_connected() -> tuple[str, Call]:
    import socket

    server = sockffi.listen_tcp(("127.0.0.1", 0))
    client = socket.create_connection(server.address[:2], timeout=10)
    _keep.extend((server, client))
    return "sockffi.listen(client)  (client is a connected socket)", lambda: sockffi.listen(client)


def _not_a_socket() -> tuple[str, Call]:
    if WINDOWS:
        fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
        sockffi.close(fd)
        return "sockffi.bind(handle, ...)  (a handle that was a socket, closed)", lambda: sockffi.bind(
            fd, ("127.0.0.1", 0)
        )
    r, _w = os.pipe()
    return "sockffi.listen(r)  (r is a pipe's read end)", lambda: sockffi.listen(r)


def _unix_in(sub: str, prepare: Callable[[str], None], shown: str) -> tuple[str, Call]:
    d = _scratch()
    prepare(d)
    path = os.path.join(d, sub)
    return f"sockffi.listen_unix({path!r})  ({shown})", lambda: sockffi.listen_unix(path)


def _file_not_found() -> tuple[str, Call]:
    return _unix_in("missing/s", lambda d: None, "the directory 'missing' does not exist")


def _not_dir() -> tuple[str, Call]:
    return _unix_in("f/s", lambda d: open(os.path.join(d, "f"), "w").close(), "'f' is a file, not a directory")


def _loop() -> tuple[str, Call]:
    def prepare(d: str) -> None:
        os.symlink("b", os.path.join(d, "a"))
        os.symlink("a", os.path.join(d, "b"))

    return _unix_in("a/s", prepare, "a and b are symbolic links to each other")


def _name_too_long() -> tuple[str, Call]:
    return _unix_in(
        "l/s",
        lambda d: os.symlink("/tmp/" + "x" * 300, os.path.join(d, "l")),
        "l links to a path with a 300-byte name: the kernel says so",
    )


def _read_only() -> tuple[str, Call]:
    d = _scratch()
    _unshare(0x00020000)  # CLONE_NEWNS: a mount namespace of this child's own
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    for source, target, kind, flags in ((b"none", b"/", None, 0x4000 | (1 << 18)), (b"tmpfs", d.encode(), b"tmpfs", 1)):
        if libc.mount(source, target, kind, flags, None) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"mount: {os.strerror(e)}")
    path = os.path.join(d, "s")
    return (
        f"sockffi.listen_unix({path!r})  ({d} is a read-only tmpfs, in a private mount namespace)",
        lambda: sockffi.listen_unix(path),
    )


def _fd_quota() -> tuple[str, Call]:
    import resource

    lowest = os.dup(0)
    os.close(lowest)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest, hard))
    return (
        f'sockffi.listen_tcp(("127.0.0.1", 0))  (RLIMIT_NOFILE lowered to {lowest}: no fd number left)',
        lambda: sockffi.listen_tcp(("127.0.0.1", 0)),
    )


def _setsockopt(shown: str, level: int, option: int, value: Any, kind: int = 0, drop: bool = False) -> Any:
    def setup() -> tuple[str, Call]:
        if drop:
            _drop_root()
        fd = sockffi.socket(sockffi.AF_INET, kind or sockffi.SOCK_STREAM)
        return f"sockffi.setsockopt(fd, {shown})", lambda: sockffi.setsockopt(fd, level, option, value)

    return setup


def _socket(shown: str, *args: int) -> Callable[[], tuple[str, Call]]:
    return lambda: (f"sockffi.socket({shown})", lambda: sockffi.socket(*args))


def _listen_udp() -> tuple[str, Call]:
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    sockffi.bind(fd, ("127.0.0.1", 0))  # Windows answers an unbound one otherwise
    return "sockffi.listen(fd)  (fd is a UDP socket: datagrams have no connections to accept)", lambda: sockffi.listen(
        fd
    )


def _listen_unbound() -> tuple[str, Call]:
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    return "sockffi.listen(fd)  (fd was never bound: Windows does not bind implicitly)", lambda: sockffi.listen(fd)


_keep: list[object] = []  # what a recipe's setup must keep open until its call

_IP_MSFILTER, _SO_BINDTODEVICE, _SO_PRIORITY = 41, 25, 12
_MSFILTER = struct.pack("4s4sII", bytes(4), bytes(4), 0, 11) + bytes(44)  # 11 sources, over igmp_max_msf

# ------------------------------------------------------------------- the connection calls' names


def _closed_port() -> int:
    """A loopback port nobody listens on (bound once, then let go)."""
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    sockffi.bind(fd, ("127.0.0.1", 0))
    port: int = sockffi.getsockname(fd)[1]
    sockffi.close(fd)
    return port


def _would_block() -> tuple[str, Call]:
    server = sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True)
    return "server.accept()  (a non-blocking listener that nobody has connected to)", server.accept


def _refused() -> tuple[str, Call]:
    port = _closed_port()
    return (
        f'sockffi.connect_tcp(("127.0.0.1", {port}))  (a loopback port nobody listens on)',
        lambda: sockffi.connect_tcp(("127.0.0.1", port)),
    )


def _not_listening() -> tuple[str, Call]:
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    sockffi.bind(fd, ("127.0.0.1", 0))
    return "sockffi.accept(fd)  (fd is bound, but listen was never called)", lambda: sockffi.accept(fd)


def _not_connected() -> tuple[str, Call]:
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    return "sockffi.shutdown(fd, SHUT_RDWR)  (fd was never connected)", lambda: sockffi.shutdown(fd, sockffi.SHUT_RDWR)


def _broken_pipe() -> tuple[str, Call]:
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    conn = sockffi.connect_tcp(server.address)
    sockffi.shutdown(conn, sockffi.SHUT_WR)
    return (
        'sockffi.send(conn, b"x")  (conn is connected, and this end was shut down with SHUT_WR)',
        _keeping((server, conn), lambda: sockffi.send(conn, b"x")),
    )


def _message_too_big() -> tuple[str, Call]:
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    sockffi.connect(fd, ("127.0.0.1", _closed_port()))
    return (
        "sockffi.send(fd, bytes(65508))  (a UDP socket: an IPv4 datagram carries at most 65507 bytes)",
        lambda: sockffi.send(fd, bytes(65508)),
    )


def _keeping(kept: object, call: Call) -> Call:
    """call, holding `kept` (the listener it needs) alive until it has run."""

    def run() -> object:
        del_me = kept
        result = call()
        del del_me
        return result

    return run


def _full_queue() -> Any:
    """A loopback listener with backlog 0 and a full queue: Linux drops new SYNs."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    keep = [socket.create_connection(listener.getsockname(), timeout=2)]
    return listener, keep


def _pending() -> tuple[str, Call]:
    listener, keep = _full_queue()
    address = listener.getsockname()
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM | sockffi.SOCK_NONBLOCK)
    try:
        sockffi.connect(fd, address)
    except sockffi.WouldBlock:
        pass
    return (
        "sockffi.connect(fd, address) again  (non-blocking, its first SYN unanswered: a listener with a full queue)",
        _keeping((listener, keep), lambda: sockffi.connect(fd, address)),
    )


def _timed_out() -> tuple[str, Call]:
    listener, keep = _full_queue()
    address = listener.getsockname()
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    sockffi.setsockopt(fd, sockffi.IPPROTO_TCP, 7, 1)  # TCP_SYNCNT: one SYN retry, so about 3 s
    return (
        f"sockffi.connect(fd, {address!r})  (TCP_SYNCNT=1; the listener's full queue drops the SYNs: "
        "the kernel gives up after about 3 s)",
        _keeping((listener, keep), lambda: sockffi.connect(fd, address)),
    )


def _reset() -> tuple[str, Call]:
    import socket
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM | sockffi.SOCK_NONBLOCK)
    try:
        sockffi.connect(fd, listener.getsockname())
    except sockffi.WouldBlock:
        pass
    address = listener.getsockname()
    peer, _ = listener.accept()
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    peer.close()
    time.sleep(0.05)
    return (
        "sockffi.connect(fd, address) again  (a non-blocking connect the peer accepted, then reset: SO_LINGER 0)",
        _keeping(listener, lambda: sockffi.connect(fd, address)),
    )


def _unreachable() -> tuple[str, Call]:
    _unshare(0x40000000)  # CLONE_NEWNET: a network namespace of this child's own, only lo (down)
    return (
        'sockffi.connect_tcp(("198.51.100.7", 9))  (in a new network namespace: no route at all)',
        lambda: sockffi.connect_tcp(("198.51.100.7", 9)),
    )


def _blackholed() -> tuple[str, Call]:
    _unshare(0x40000000)  # CLONE_NEWNET: this child's own network namespace
    for command in (["ip", "link", "set", "lo", "up"], ["ip", "route", "add", "blackhole", "198.51.100.0/24"]):
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    return (
        'sockffi.sendto(fd, b"x", ("198.51.100.7", 9))  (in a new network namespace, where a blackhole route '
        "takes 198.51.100.0/24)",
        lambda: sockffi.sendto(fd, b"x", ("198.51.100.7", 9)),
    )


RECIPES: dict[str, Recipe] = {
    "BlockedByFirewall": _impossible(
        "accept's EPERM: no firewall rule or ordinary path returns it on Linux (an LSM could); the suite "
        "injects it (sockffi.testing, the sockffi_fail marker)"
    ),
    "BlockingOperationInProgress": _impossible(
        "Windows' WSAEINPROGRESS from shutdown: a Winsock 1.1 blocking call in progress; POSIX shutdown "
        "cannot return it, and the suite injects it under Wine"
    ),
    "ConnectionAborted": _impossible(
        "accept's ECONNABORTED: Linux hands out a queued connection its client reset, so no reliable "
        "trigger exists; the suite injects it"
    ),
    "BrokenPipe": Recipe("send on a connection after this end's shutdown(SHUT_WR)", ("linux", "windows"), _broken_pipe),
    "FastOpenAlreadyInProgress": _impossible(
        "send's EALREADY with MSG_FASTOPEN while a Fast Open connect is under way: a race with the "
        "kernel's own handshake, not something to cause on demand; the suite injects it"
    ),
    "UnreachableAddress": Recipe(
        "sendto an address a blackhole route takes, inside a new network namespace (needs `ip`)",
        ("linux",),
        _blackholed,
        needs_root=True,
        tools=("ip",),
    ),
    # net.Stream's read set is read(2)'s: these are files' errors, which a socket never gives.
    "Canceled": _impossible("a timerfd's ECANCELED; no socket call returns it (Connection.read's set has it as Zig's)"),
    "InputOutput": _impossible("a file's or device's EIO; no socket call on Linux returns it; the suite injects it"),
    "IsDir": _impossible("read(2) on a directory (EISDIR); a socket never is one; the suite injects it"),
    "LockViolation": _impossible("Windows' ERROR_LOCK_VIOLATION on a locked file; never a socket's"),
    "NotOpenForReading": _impossible(
        "read(2)'s EBADF: an fd closed behind the Connection's back, which sockffi refuses to reach (a closed "
        "Connection is CallerError before any syscall); the suite injects it"
    ),
    "OperationAborted": _impossible("Windows' ERROR_OPERATION_ABORTED on a file handle; never a socket's"),
    "ProcessNotFound": _impossible("read(2)'s ESRCH on a /proc file whose process went away; never a socket's"),
    "MessageTooBig": Recipe(
        "send of a 65508-byte datagram on a connected UDP socket", ("linux", "windows"), _message_too_big
    ),
    "ConnectionPending": Recipe(
        "a second non-blocking connect while the first SYN is unanswered", ("linux",), _pending
    ),
    "ConnectionRefused": Recipe("connect_tcp to a loopback port nobody listens on", ("linux", "windows"), _refused),
    "ConnectionResetByPeer": Recipe(
        "connect again, after the peer accepted a non-blocking connect and reset it", ("linux",), _reset
    ),
    "ConnectionTimedOut": Recipe(
        "a blocking connect with TCP_SYNCNT=1 to a listener whose queue is full: the kernel's own timeout",
        ("linux",),
        _timed_out,
    ),
    "NetworkUnreachable": Recipe(
        "connect_tcp inside a new network namespace, which has no route", ("linux",), _unreachable, needs_root=True
    ),
    "ProtocolFailure": _impossible(
        "accept's EPROTO: Linux TCP does not return it; the suite injects it (sockffi.testing, the marker)"
    ),
    "SocketNotConnected": Recipe("shutdown on a socket that was never connected", ("linux", "windows"), _not_connected),
    "SocketNotListening": Recipe(
        "accept on a bound socket that is not listening", ("linux", "windows"), _not_listening
    ),
    "WouldBlock": Recipe("accept on a non-blocking listener nobody connected to", ("linux", "windows"), _would_block),
    "AccessDenied": Recipe(
        "listen_tcp on port 80 as nobody (a child drops root): its bind needs privilege", ("linux",), _access_denied
    ),
    "AddressFamilyNotSupported": Recipe("socket(46, SOCK_STREAM)", ("linux", "windows"), _address_family),
    "AddressInUse": Recipe("listen_tcp on a port another socket holds", ("linux", "windows"), _address_in_use),
    "AddressNotAvailable": Recipe(
        "listen_tcp on 198.51.100.1, an address this machine does not have",
        ("linux", "windows"),
        _address_not_available,
    ),
    "AlreadyBound": Recipe("bind a socket a second time", ("linux", "windows"), _already_bound),
    "AlreadyConnected": Recipe(
        "listen on a connected socket",
        ("windows",),
        _already_connected,
        otherwise="Linux and macOS answer EINVAL for a connected socket (Unexpected here); "
        "Windows gives WSAEISCONN: run this on Windows",
    ),
    "FileDescriptorNotASocket": Recipe("listen on a pipe's fd", ("linux", "windows"), _not_a_socket),
    "FileNotFound": Recipe("listen_unix in a directory that does not exist", ("linux",), _file_not_found),
    "InvalidProtocolOption": Recipe(
        "setsockopt of option 9999 at SOL_SOCKET",
        ("linux", "windows"),
        _setsockopt("SOL_SOCKET, 9999, 1", sockffi.SOL_SOCKET, 9999, 1),
    ),
    "NameTooLong": Recipe("listen_unix through a symlink to a 300-byte name", ("linux",), _name_too_long),
    "NetworkSubsystemFailed": _impossible(
        "Windows only (WSAENETDOWN), and only when its network stack fails: nothing a program "
        "can safely cause; the test suite injects it",
    ),
    "NoDevice": Recipe(
        "setsockopt SO_BINDTODEVICE to an interface that does not exist",
        ("linux",),
        _setsockopt(
            'SOL_SOCKET, SO_BINDTODEVICE, b"nonexist0\\0"', sockffi.SOL_SOCKET, _SO_BINDTODEVICE, b"nonexist0\0"
        ),
        needs_root=True,
    ),
    "NotDir": Recipe("listen_unix below a file", ("linux",), _not_dir),
    "OperationNotSupported": Recipe("listen on a UDP socket", ("linux", "windows"), _listen_udp),
    "PermissionDenied": Recipe(
        "setsockopt SO_PRIORITY 7 as nobody (a child drops root)",
        ("linux",),
        _setsockopt("SOL_SOCKET, SO_PRIORITY, 7", sockffi.SOL_SOCKET, _SO_PRIORITY, 7, drop=True),
    ),
    "ProcessFdQuotaExceeded": Recipe("listen_tcp with RLIMIT_NOFILE at the lowest free fd", ("linux",), _fd_quota),
    "ProtocolFamilyNotAvailable": Recipe(
        "socket(AF_INET, 11): no such socket type",
        ("linux",),
        _socket("AF_INET, 11", sockffi.AF_INET, 11),
    ),
    "ProtocolNotSupported": Recipe(
        "socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)",
        ("linux", "windows"),
        _socket("AF_INET, SOCK_STREAM, IPPROTO_UDP", sockffi.AF_INET, sockffi.SOCK_STREAM, sockffi.IPPROTO_UDP),
    ),
    "ReadOnlyFileSystem": Recipe(
        "listen_unix on a read-only tmpfs in a private mount namespace", ("linux",), _read_only, needs_root=True
    ),
    "SocketNotBound": Recipe(
        "listen on a socket never bound",
        ("windows",),
        _listen_unbound,
        otherwise="Windows only: Linux and macOS bind a listening socket to a free port themselves",
    ),
    "SocketTypeNotSupported": _impossible(
        "Linux's socket(2) has no path to EPROTOTYPE that a program can take (a type that does not "
        "fit the protocol gives EPROTONOSUPPORT); the test suite injects it at the syscall boundary",
    ),
    "SymLinkLoop": Recipe("listen_unix through two symlinks that point at each other", ("linux",), _loop),
    "SystemFdQuotaExceeded": _impossible(
        "ENFILE is the whole system's fd table (fs.file-max), which no namespace isolates: "
        "reaching it would disturb every process here, so sockffi does not; the test suite injects it",
    ),
    "SystemResources": Recipe(
        "setsockopt IP_MSFILTER with more sources than igmp_max_msf (ENOBUFS)",
        ("linux",),
        _setsockopt("IPPROTO_IP, IP_MSFILTER, <11 sources>", sockffi.IPPROTO_IP, _IP_MSFILTER, _MSFILTER, 2),
    ),
    "TimeoutTooBig": Recipe(
        "setsockopt SO_RCVTIMEO with 1,000,000 microseconds",
        ("linux",),
        _setsockopt(
            "SOL_SOCKET, SO_RCVTIMEO, timeval(0, 1000000)",
            sockffi.SOL_SOCKET,
            sockffi.SO_RCVTIMEO,
            struct.pack("ll", 0, 1_000_000) if not WINDOWS else b"",
        ),
    ),
    "Unexpected": Recipe(
        "socket(AF_INET, SOCK_SEQPACKET): a code socket's set does not name (ESOCKTNOSUPPORT)",
        ("linux",),
        _socket("AF_INET, SOCK_SEQPACKET", sockffi.AF_INET, sockffi.SOCK_SEQPACKET),
    ),
}
RECIPES = dict(sorted(RECIPES.items()))
assert list(RECIPES) == list(errors.ERROR_NAMES)


# ------------------------------------------------------------------- the data path's ways to the same names


def _pair() -> tuple[Any, Any]:
    """A connected loopback TCP pair of sockffi Connections (the listener closed)."""
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        conn = sockffi.connect_tcp(server.address)
        return conn, server.accept()


def _wait(fd: Any, events: int) -> None:
    sockffi.poll([(fd, events)], 30_000)


def _reset_on_recv() -> tuple[str, Call]:
    conn, peer = _pair()
    sockffi.setsockopt(peer, sockffi.SOL_SOCKET, sockffi.SO_LINGER, struct.pack("ii", 1, 0))
    peer.close()  # SO_LINGER {1, 0}: the kernel sends RST
    _wait(conn, sockffi.POLLIN)
    return (
        "sockffi.recv(conn, 100)  (the peer closed with SO_LINGER {1, 0}: a reset)",
        _keeping(conn, lambda: sockffi.recv(conn, 100)),
    )


def _refused_on_send() -> tuple[str, Call]:
    udp = sockffi.connect_udp(("127.0.0.1", _closed_port()))
    udp.send(b"x")  # the port answers with ICMP port unreachable, reported to this socket
    _wait(udp, sockffi.POLLERR)
    return (
        'udp.send(b"x")  (a UDP socket connected to a loopback port nobody holds; its earlier datagram was refused)',
        _keeping(udp, lambda: udp.send(b"x")),
    )


def _would_block_on_send() -> tuple[str, Call]:
    conn, peer = _pair()
    sockffi.setsockopt(conn, sockffi.SOL_SOCKET, sockffi.SO_SNDBUF, 4096)
    sockffi.setsockopt(peer, sockffi.SOL_SOCKET, sockffi.SO_RCVBUF, 4096)
    data = bytes(65536)
    try:
        while True:  # fill this end's send buffer and the peer's receive buffer
            sockffi.send(conn, data, sockffi.MSG_DONTWAIT)
    except sockffi.WouldBlock:
        pass
    return (
        "sockffi.send(conn, bytes(65536), MSG_DONTWAIT)  (both buffers are full: the peer reads nothing)",
        _keeping((conn, peer), lambda: sockffi.send(conn, data, sockffi.MSG_DONTWAIT)),
    )


def _broadcast_denied() -> tuple[str, Call]:
    udp = sockffi.bind_udp(("127.0.0.1", 0))
    return (
        'udp.sendto(b"x", ("255.255.255.255", 9))  (a broadcast, and SO_BROADCAST is off)',
        _keeping(udp, lambda: udp.sendto(b"x", ("255.255.255.255", 9))),
    )


def _timed_out_on_recv() -> tuple[str, Call]:
    _unshare(0x40000000)  # CLONE_NEWNET: this child's own network namespace
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, stdin=subprocess.DEVNULL)
    conn, peer = _pair()
    sockffi.setsockopt(conn, sockffi.IPPROTO_TCP, 18, 500)  # TCP_USER_TIMEOUT: 500 ms unacknowledged
    subprocess.run(["ip", "link", "set", "lo", "down"], check=True, stdin=subprocess.DEVNULL)
    sockffi.send(conn, b"x")  # never acknowledged: the kernel gives up after 500 ms
    _wait(conn, sockffi.POLLIN)
    return (
        "sockffi.recv(conn, 100)  (in a new network namespace whose lo went down, TCP_USER_TIMEOUT 500 ms: "
        "a byte sent was never acknowledged)",
        _keeping((conn, peer), lambda: sockffi.recv(conn, 100)),
    )


#: The data path's ways to names that have a recipe above: ``sockffi
#: reproduce NAME --via CALL``.
VIA: dict[tuple[str, str], Recipe] = {
    ("ConnectionResetByPeer", "recv"): Recipe(
        "recv after the peer reset the connection", ("linux", "windows"), _reset_on_recv
    ),
    ("ConnectionRefused", "send"): Recipe(
        "send on a connected UDP socket whose earlier datagram the port refused", ("linux",), _refused_on_send
    ),
    ("WouldBlock", "send"): Recipe(
        "send with MSG_DONTWAIT once both socket buffers are full", ("linux",), _would_block_on_send
    ),
    ("AccessDenied", "sendto"): Recipe(
        "sendto a broadcast address without SO_BROADCAST", ("linux", "windows"), _broadcast_denied
    ),
    ("ConnectionTimedOut", "recv"): Recipe(
        "recv after TCP_USER_TIMEOUT expired, inside a new network namespace whose lo went down",
        ("linux",),
        _timed_out_on_recv,
        needs_root=True,
        tools=("ip",),
    ),
}


# ------------------------------------------------------------------- the CLI's side


def list_recipes(out: Any, style: Any) -> int:
    who = "root" if _root() else "not root"
    found = {name: recipe.available(name) for name, recipe in RECIPES.items()}
    count = sum(ok for ok, _ in found.values())
    out.write(style.bold(f"{count} of {len(RECIPES)} errors can be reproduced here ({PLATFORM}, {who})") + "\n")
    for name, (ok, text) in found.items():
        out.write(style.wrap(f"{name}", ("yes: " if ok else "no: ") + text, 30) + "\n")
    out.write("\n" + style.bold("the data path's ways to them (sockffi reproduce NAME --via CALL)") + "\n")
    for (name, via), recipe in VIA.items():
        ok, text = recipe.available(name)
        out.write(style.wrap(f"{name} --via {via}", ("yes: " if ok else "no: ") + text, 30) + "\n")
    return 0


def run(name: str, out: Any, err: Any, via: str = "") -> int:
    ok, text = (VIA[(name, via)] if via else RECIPES[name]).available(name)
    if not ok:
        err.write(f"sockffi: {name} cannot be reproduced here: {text}\n")
        return 1
    out.flush()
    with _forwarding_signals() as (running, stopped):
        scratch = tempfile.mkdtemp(prefix="sockffi-reproduce-")
        try:
            if not stopped:
                try:
                    argv = child_argv("sockffi.cli._reproduce", name, *([via] if via else []))
                    running.append(subprocess.Popen(argv, cwd=scratch))
                except OSError as exc:  # the interpreter itself could not be started
                    err.write(f"sockffi: cannot start {sys.executable} to reproduce {name}: {exc.strerror}\n")
                    return 1
            if not running:
                return 128 + stopped[0]
            if stopped:  # it came between the start and the line above
                running[0].send_signal(stopped[0])
            while True:
                try:
                    return int(running[0].wait())
                except KeyboardInterrupt:  # the child has its own Ctrl-C: let it finish
                    continue
        finally:
            _remove_tree(scratch)


def child_argv(module: str, *args: str) -> list[str]:
    """A fresh interpreter running `module` that imports exactly what this one
    can: -I keeps the current directory, the script's directory and PYTHON*
    variables out of sys.path, which is then set to this process's own (made
    absolute, without the '' that means "wherever the cwd is")."""
    import json

    path = [os.path.abspath(entry) for entry in sys.path if entry]
    boot = (
        "import sys, json, runpy; sys.path[:] = json.loads(sys.argv.pop(1)); "
        f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)"
    )
    return [sys.executable, "-I", "-c", boot, json.dumps(path), *args]


@contextlib.contextmanager
def _forwarding_signals() -> Iterator[tuple[list[Any], list[int]]]:
    """SIGTERM and SIGHUP are passed on to the child once it runs, and waited
    for, so whatever it made is gone when run() returns; one that comes before
    is remembered, and no child is started."""
    import signal

    running: list[Any] = []
    stopped: list[int] = []
    previous: dict[int, Any] = {}

    def forward(signum: int, frame: object) -> None:
        if running:
            running[0].send_signal(signum)
        else:
            stopped.append(signum)

    try:
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None:
                previous[number] = signal.signal(number, forward)
    except ValueError:  # not the main thread
        pass
    try:
        yield running, stopped
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _remove_tree(path: str) -> None:
    import shutil

    def writable(fn: Any, target: str, info: Any) -> None:
        # A recipe may leave a read-only directory or a dangling link loop.
        try:
            os.chmod(os.path.dirname(target) or ".", 0o700)
            fn(target)
        except OSError:
            pass

    shutil.rmtree(path, onerror=writable)


def _child(name: str, via: str = "") -> int:
    import signal

    from .. import trace
    from . import _render

    def terminated(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds: every open socket is closed on the way out

    for signame in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, signame):
            signal.signal(getattr(signal, signame), terminated)
    style = _render.Style(sys.stdout)
    recipe = VIA[(name, via)] if via else RECIPES[name]
    print(style.bold(f"reproducing {name}: {recipe.here()}"))
    shown, call = recipe.setup()
    print(f"  the call: {shown}")

    def show(event: trace.Event) -> None:
        try:
            print(_render.trace_line(event, style, "   "), flush=True)
        except BrokenPipeError:
            _render.silence(sys.stdout)

    try:
        with trace.observe(show):
            call()
    except errors.SockffiError as exc:
        unix = "listen_unix" in shown
        print("\n" + "\n".join(_render.explain_failure(exc, style, unix=unix)))
        if type(exc).__name__ != name:
            print(f"(this machine answered {type(exc).__name__}, not {name})")
        return _render.exit_status(exc)
    print(f"the call succeeded here: {name} did not happen")
    return 1


def _main(name: str, via: str = "") -> int:
    from . import _render

    try:
        status = _child(name, via)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        _render.silence(sys.stdout)
        status = 0
    finally:
        # Done (or leaving): a SIGTERM from here on could only interrupt the
        # interpreter's own shutdown ("Exception ignored in threading._shutdown"),
        # where nothing of the recipe is left to close.
        import signal

        for signame in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, signame):
                signal.signal(getattr(signal, signame), signal.SIG_IGN)
    return status


if __name__ == "__main__":
    sys.exit(_main(*sys.argv[1:3]))
