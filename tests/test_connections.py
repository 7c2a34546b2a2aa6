"""The connection calls (accept, connect, getsockopt, getsockopt_error,
getpeername, shutdown) and their composed helpers (Server.accept,
connect_tcp, connect_unix): every (call, code) pair of the records, injected
at the library and at the kernel; every name a Linux kernel produces, for
real; and a Connection's ownership under the worst paths a Server's is
tested under."""

from __future__ import annotations

import copy
import errno
import gc
import os
import pickle
import select
import socket as std
import struct
import sys
import threading
import time
import warnings
from typing import Any

import pytest
from conftest import COUNTS, LINUX, in_child, inject, new_netns, open_fds, set_nofile

import sockffi
import sockffi.testing
import sockffi.trace
from sockffi import _catalogue, _seam, errors

NEW_CALLS = ("accept", "connect", "getsockopt", "getsockopt_error", "getpeername", "shutdown")
SET_OF = {
    "accept": sockffi.AcceptError,
    "connect": sockffi.ConnectError,
    "getsockopt": sockffi.GetSockOptError,
    "getsockopt_error": sockffi.ConnectError,
    "getpeername": sockffi.GetSockNameError,
    "shutdown": sockffi.ShutdownError,
}


@pytest.fixture
def server():
    with sockffi.listen_tcp(("127.0.0.1", 0)) as s:
        yield s


# ------------------------------------------------------------------ the classes


def test_the_twelve_new_names_the_four_sets_and_the_unions():
    new = {
        "WouldBlock",
        "ConnectionPending",
        "ConnectionRefused",
        "NetworkUnreachable",
        "ConnectionTimedOut",
        "ConnectionResetByPeer",
        "ConnectionAborted",
        "SocketNotListening",
        "ProtocolFailure",
        "BlockedByFirewall",
        "BlockingOperationInProgress",
        "SocketNotConnected",
    }
    # The connection round's names, after the listen side's 26 (their exit statuses are pinned in test_records).
    assert set(list(_catalogue.NAMES)[26:38]) == new

    def names(cls: Any) -> list[str]:
        return [m.__name__ for m in cls.members]

    assert names(sockffi.AcceptError) == list(errors.SETS["AcceptError"]) and len(sockffi.AcceptError.members) == 13
    assert len(sockffi.ConnectError.members) == 14 and names(sockffi.ConnectError)[0] == "AccessDenied"
    assert names(sockffi.GetSockOptError) == ["AccessDenied", "InvalidProtocolOption", "SystemResources", "Unexpected"]
    assert len(sockffi.ShutdownError.members) == 7
    assert len(sockffi.TcpConnectToAddressError.members) == 19
    assert names(sockffi.TcpConnectToAddressError)[8:10] == ["Unexpected", "PermissionDenied"]
    assert "NameTooLong" in names(sockffi.ConnectUnixSocketError)
    for set_name, members in errors.SETS.items():
        cls = getattr(errors, set_name)
        for member in members:
            assert issubclass(getattr(errors, member), cls), (member, set_name)
        for other in errors.ERROR_NAMES:
            if other not in members:
                assert not issubclass(getattr(errors, other), cls), (other, set_name)
    for union in (sockffi.TcpConnectToAddressError, sockffi.ConnectUnixSocketError):
        for member in union.members:
            assert issubclass(member, union)
    assert issubclass(sockffi.SocketError, sockffi.TcpConnectToAddressError)
    assert not issubclass(sockffi.BindError, sockffi.TcpConnectToAddressError)
    assert not issubclass(sockffi.CallerError, sockffi.ConnectError)


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("ConnectionRefused", ConnectionRefusedError),
        ("ConnectionResetByPeer", ConnectionResetError),
        ("ConnectionAborted", ConnectionAbortedError),
        ("ConnectionTimedOut", TimeoutError),
        ("WouldBlock", BlockingIOError),
        ("ConnectionPending", BlockingIOError),
        ("BlockedByFirewall", PermissionError),
    ],
)
def test_new_names_are_the_builtins_that_mean_the_same(name, builtin):
    assert issubclass(getattr(sockffi, name), builtin)


# ------------------------------------------------------------------ every (call, code) pair, injected


def _posix_pairs(call: str) -> list[tuple[str, str]]:
    return [(code, member) for code, member in errors.POSIX[call].items() if hasattr(errno, code)]


def _expected(call: str, code: str, composed: bool) -> type:
    member = errors.POSIX[call][code]
    if member == errors.UNREACHABLE:
        return sockffi.Unexpected if composed else sockffi.CallerError
    return getattr(errors, member)


def _direct(call: str, server: Any) -> None:
    if call == "accept":
        sockffi.accept(server)
    elif call == "connect":
        fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
        try:
            sockffi.connect(fd, server.address)
        finally:
            sockffi.close(fd)
    elif call == "getsockopt":
        sockffi.getsockopt(server, sockffi.SOL_SOCKET, sockffi.SO_TYPE)
    elif call == "getsockopt_error":
        sockffi.getsockopt_error(server)
    elif call == "getpeername":
        with sockffi.connect_tcp(server.address) as conn:
            sockffi.getpeername(conn)
    elif call == "shutdown":
        with sockffi.connect_tcp(server.address) as conn:
            sockffi.shutdown(conn, sockffi.SHUT_RDWR)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX tables")
@pytest.mark.parametrize("call", NEW_CALLS)
def test_every_code_of_every_new_call_through_the_library_layer(call, server, no_fd_leak):
    """testing.fail gives the call each code of its table; the class is the table's."""
    checked = 0
    for code, _member in _posix_pairs(call):
        value = getattr(errno, code)
        # Unexpected-by-default codes and members alike: fail() takes members; others by name.
        expected = _expected(call, code, composed=False)
        if expected is sockffi.CallerError:
            continue  # fail() refuses a caller bug: a test of it proves nothing (tested below, by the kernel)
        with sockffi.testing.fail(call, code), pytest.raises(expected) as info:
            _direct(call, server)
        assert type(info.value) is expected and info.value.errno == value, (call, code)
        assert isinstance(info.value, SET_OF[call])
        checked += 1
    COUNTS["connection calls, library layer"] += checked
    assert checked


@pytest.mark.skipif(not LINUX, reason="seccomp")
@pytest.mark.parametrize("call", ("accept", "connect", "getsockopt", "getpeername", "shutdown"))
def test_every_code_of_every_new_call_from_the_kernel(call):
    """Each code of the table, answered by the kernel (seccomp, in a child):
    members, caller bugs (CallerError) and an unnamed code (Unexpected)."""
    pairs = [*_posix_pairs(call), ("EIO", "Unexpected")]

    def child() -> list[tuple[str, str, int, str]]:
        s = sockffi.listen_tcp(("127.0.0.1", 0))
        c = sockffi.connect_tcp(s.address)
        fd = {"accept": s.fd, "connect": None, "getsockopt": c.fd, "getpeername": c.fd, "shutdown": c.fd}[call]
        kernel = errors.RECORDS[call].kernel  # accept: accept4 and accept alike
        results = []
        for code, _ in pairs:
            pid = os.fork()
            if pid == 0:
                try:
                    inject(kernel, getattr(errno, code))
                    try:
                        if call == "connect":
                            t = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
                            sockffi.connect(t, s.address)
                        elif call == "accept":
                            sockffi.accept(fd)
                        elif call == "getsockopt":
                            sockffi.getsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_TYPE)
                        elif call == "getpeername":
                            sockffi.getpeername(fd)
                        else:
                            sockffi.shutdown(fd, sockffi.SHUT_RD)
                        out = "none"
                    except OSError as e:
                        out = f"{type(e).__name__} {e.errno} {getattr(e, 'syscall', '')}"
                    os.write(1, b"")
                    with open(f"/tmp/sf-kernel-{os.getppid()}-{code}", "w") as f:
                        f.write(out)
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)
            with open(f"/tmp/sf-kernel-{os.getpid()}-{code}") as f:
                got = f.read()
            os.unlink(f"/tmp/sf-kernel-{os.getpid()}-{code}")
            name, number, syscall = ([*got.split(), "", "", ""])[:3]
            results.append((code, name, int(number or 0), syscall))
        return results

    res = in_child(child)
    assert res.exc is None, res.tb
    for code, name, number, syscall in res.value:
        member = dict(pairs)[code]
        expected = "CallerError" if member == errors.UNREACHABLE else member
        assert (name, number, syscall) == (expected, getattr(errno, code), call), code
    COUNTS["connection calls, kernel-injected"] += len(res.value)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX tables")
@pytest.mark.parametrize("op", ["Server.accept", "connect_tcp", "connect_unix"])
def test_every_code_inside_the_composed_calls_is_a_member_of_its_union(op, shortdir, no_fd_leak):
    path = os.path.join(shortdir, "c.sock")
    listener = sockffi.listen_unix(path) if op == "connect_unix" else sockffi.listen_tcp(("127.0.0.1", 0))
    call = "accept" if op == "Server.accept" else "connect"
    union = {
        "Server.accept": sockffi.AcceptError,
        "connect_tcp": sockffi.TcpConnectToAddressError,
        "connect_unix": sockffi.ConnectUnixSocketError,
    }[op]
    checked = 0
    try:
        for code, member in _posix_pairs(call):
            expected = _expected(call, code, composed=True)
            if member == errors.UNREACHABLE:
                # fail() refuses caller bugs; the composed call's table turns them into Unexpected.
                assert _seam.COMPOSED.accept.get(getattr(errno, code)) is not sockffi.CallerError
                continue
            if code in ("EINPROGRESS",):
                continue  # a connect in progress is waited for or handed over: tested for real below
            with sockffi.testing.fail(call, code), pytest.raises(union) as info:
                if op == "Server.accept":
                    listener.accept()
                elif op == "connect_tcp":
                    sockffi.connect_tcp(listener.address)
                else:
                    sockffi.connect_unix(path)
            assert type(info.value) is expected, (op, code)
            if op != "Server.accept":
                assert info.value.address is not None and info.value.op == op
            checked += 1
    finally:
        listener.close()
    COUNTS["connection calls, inside composed calls"] += checked
    assert checked >= 8


# ------------------------------------------------------------------ for real


def test_server_accept_gives_a_connection_with_both_addresses(server, no_fd_leak):
    client = std.create_connection(server.address)
    with client, server.accept() as conn:
        assert conn.address == client.getsockname()
        assert conn.local_address == client.getpeername()
        assert conn.family == sockffi.AF_INET
        assert os.get_inheritable(conn.fd) is False
        assert os.get_blocking(conn.fd) is True
        assert sockffi.getpeername(conn) == conn.address


def test_accept_on_a_nonblocking_listener_gives_a_blocking_socket_unless_asked(no_fd_leak):
    with sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True) as s:
        with pytest.raises(sockffi.WouldBlock) as info:
            s.accept()
        assert info.value.errno == errno.EAGAIN and info.value.syscall == "accept"
        c1, c2 = std.create_connection(s.address), std.create_connection(s.address)
        select.select([s], [], [], 5)
        with c1, c2, s.accept() as a, s.accept(nonblocking=True) as b:
            assert os.get_blocking(a.fd) and not os.get_blocking(b.fd)
            assert a.to_socket().getblocking() is True


def test_accept_emulated_with_fcntl_sets_the_flags_exactly(no_fd_leak):
    """The macOS path (plain accept, then fcntl), run on this kernel."""
    from sockffi._sockffi import lib

    with sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True) as s:
        for flags, blocking in ((lib.SOCK_CLOEXEC, True), (lib.SOCK_CLOEXEC | lib.SOCK_NONBLOCK, False)):
            c = std.create_connection(s.address)
            select.select([s], [], [], 5)
            cell = _seam.new_cell()
            r = lib.sf_accept_emulated(cell, _seam.NULL, s.fd, flags)
            assert 0 <= r < _seam.GSN_OTHER  # an IPv4 peer, packed
            fd = _seam.cell_fd(cell)
            assert os.get_blocking(fd) is blocking and os.get_inheritable(fd) is False
            sockffi.close(_seam.cell_detach(cell))
            c.close()


def test_sockffi_accept_returns_the_fd_and_the_peer(server, no_fd_leak):
    with std.create_connection(server.address) as client:
        fd, peer = sockffi.accept(server)
        assert peer == client.getsockname()
        sockffi.close(fd)


def test_accept_names_for_real(no_fd_leak):
    # SocketNotListening: bound, not listening
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    sockffi.bind(fd, ("127.0.0.1", 0))
    with pytest.raises(sockffi.SocketNotListening):
        sockffi.accept(fd)
    sockffi.close(fd)
    # OperationNotSupported: a UDP socket (Zig: unreachable; a departure)
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    with pytest.raises(sockffi.OperationNotSupported):
        sockffi.accept(fd)
    sockffi.close(fd)
    # FileDescriptorNotASocket: a pipe (Zig: unreachable; a departure)
    r, w = os.pipe()
    with pytest.raises(sockffi.FileDescriptorNotASocket):
        sockffi.accept(r)
    with pytest.raises(sockffi.CallerError) as info:
        sockffi.shutdown(r, sockffi.SHUT_RDWR)
    assert info.value.errno == errno.ENOTSOCK
    with pytest.raises(sockffi.FileDescriptorNotASocket):
        sockffi.getpeername(r)
    os.close(r)
    os.close(w)


@pytest.mark.skipif(not LINUX, reason="RLIMIT_NOFILE and /proc/self/fd")
def test_accept_with_no_fd_left_is_process_fd_quota_exceeded():
    def child() -> str:
        s = sockffi.listen_tcp(("127.0.0.1", 0))
        c = std.create_connection(s.address)
        probe = os.dup(0)
        os.close(probe)
        set_nofile(probe)  # the lowest free fd is the first one past the limit
        try:
            s.accept()
        except sockffi.ProcessFdQuotaExceeded as e:
            c.close()
            return f"{e.errno} {e.syscall}"
        return "accepted"

    res = in_child(child)
    assert res.value == f"{errno.EMFILE} accept", res.tb


def test_connect_names_for_real(server, shortdir, no_fd_leak):
    closed = std.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(sockffi.ConnectionRefused) as info:
        sockffi.connect_tcp(("127.0.0.1", port))
    assert info.value.errno == errno.ECONNREFUSED and info.value.address == ("127.0.0.1", port)
    assert str(info.value).startswith(f"connect_tcp 127.0.0.1:{port}: connect:")
    with pytest.raises(sockffi.ConnectionRefused):
        sockffi.connect_tcp(f"[::1]:{port}") if std.has_ipv6 else sockffi.connect_tcp(("127.0.0.1", port))
    # AF_UNIX: missing path, bound but not listening
    with pytest.raises(sockffi.FileNotFound):
        sockffi.connect_unix(os.path.join(shortdir, "missing"))
    bound = std.socket(std.AF_UNIX)
    bound.bind(os.path.join(shortdir, "bound"))
    with pytest.raises(sockffi.ConnectionRefused):
        sockffi.connect_unix(os.path.join(shortdir, "bound"))
    bound.close()
    # AddressFamilyNotSupported: an AF_INET socket given an IPv6 address
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    with pytest.raises(sockffi.AddressFamilyNotSupported):
        sockffi.connect(fd, ("::1", port))
    sockffi.close(fd)
    # AccessDenied: UDP connect to the broadcast address without SO_BROADCAST (nothing is sent)
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    with pytest.raises(sockffi.AccessDenied) as denied:
        sockffi.connect(fd, ("255.255.255.255", 9))
    assert denied.value.errno == errno.EACCES
    sockffi.close(fd)


def test_a_second_connect_and_a_connect_after_so_error_are_caller_errors(server, no_fd_leak):
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    sockffi.connect(fd, server.address)
    with pytest.raises(sockffi.CallerError) as info:
        sockffi.connect(fd, server.address)
    assert info.value.errno == errno.EISCONN and not isinstance(info.value, sockffi.ConnectError)
    sockffi.close(fd)
    closed = std.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM | sockffi.SOCK_NONBLOCK)
    with pytest.raises(sockffi.WouldBlock) as wb:
        sockffi.connect(fd, ("127.0.0.1", port))
    assert wb.value.errno == errno.EINPROGRESS
    select.select([], [fd], [], 5)
    with pytest.raises(sockffi.ConnectionRefused) as refused:
        sockffi.getsockopt_error(fd)
    assert refused.value.syscall == "connect"
    assert sockffi.getsockopt_error(fd) is None  # reading SO_ERROR cleared it
    with pytest.raises(sockffi.CallerError) as aborted:
        sockffi.connect(fd, ("127.0.0.1", port))
    assert aborted.value.errno == errno.ECONNABORTED
    sockffi.close(fd)


def test_nonblocking_connect_tcp_comes_back_in_progress(server, no_fd_leak):
    with sockffi.connect_tcp(server.address, nonblocking=True) as conn:
        assert not os.get_blocking(conn.fd)
        select.select([], [conn], [], 5)
        assert sockffi.getsockopt_error(conn) is None
        with server.accept() as peer:
            assert peer.address == conn.local_address


def test_connect_with_a_timeout_connects_or_says_why(server, no_fd_leak):
    with sockffi.connect_tcp(server.address, timeout=5) as conn:
        assert os.get_blocking(conn.fd)
        assert sockffi.getpeername(conn) == server.address
    closed = std.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(sockffi.ConnectionRefused) as info:
        sockffi.connect_tcp(("127.0.0.1", port), timeout=5)
    assert info.value.op == "connect_tcp"


@pytest.mark.skipif(not LINUX, reason="Linux's SYN handling")
def test_a_full_accept_queue_gives_pending_then_a_timeout(no_fd_leak):
    """A loopback listener with backlog 0 and a full queue drops SYNs: a second
    connect is ConnectionPending (EALREADY), and timeout= gives ConnectionTimedOut."""
    listener = std.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    queued = [std.create_connection(listener.getsockname(), timeout=2)]
    time.sleep(0.05)
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM | sockffi.SOCK_NONBLOCK)
    try:
        with pytest.raises(sockffi.WouldBlock):
            sockffi.connect(fd, listener.getsockname())
        with pytest.raises(sockffi.ConnectionPending) as info:
            sockffi.connect(fd, listener.getsockname())
        assert info.value.errno == errno.EALREADY
    finally:
        sockffi.close(fd)
    start = time.monotonic()
    with pytest.raises(sockffi.ConnectionTimedOut) as timed:
        sockffi.connect_tcp(listener.getsockname(), timeout=0.3)
    assert timed.value.errno == errno.ETIMEDOUT and 0.25 < time.monotonic() - start < 5
    for q in queued:
        q.close()
    listener.close()


@pytest.mark.skipif(not LINUX, reason="Linux AF_UNIX backlog")
def test_a_unix_listener_with_a_full_backlog_says_would_block(shortdir, no_fd_leak):
    path = os.path.join(shortdir, "full.sock")
    with sockffi.listen_unix(path, backlog=0) as s:
        first = [sockffi.connect_unix(path, nonblocking=True) for _ in range(1)]
        with pytest.raises(sockffi.WouldBlock) as info:
            for _ in range(4):
                first.append(sockffi.connect_unix(path, nonblocking=True))
        assert info.value.errno == errno.EAGAIN
        for c in first:
            c.close()
        assert s.fd != -1


def test_connection_reset_by_peer_from_so_error(no_fd_leak):
    """A non-blocking connect completes, then the peer resets (SO_LINGER {1, 0})."""
    listener = std.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM | sockffi.SOCK_NONBLOCK)
    with pytest.raises(sockffi.WouldBlock):
        sockffi.connect(fd, listener.getsockname())
    peer, _ = listener.accept()
    peer.setsockopt(std.SOL_SOCKET, std.SO_LINGER, struct.pack("ii", 1, 0))
    peer.close()
    time.sleep(0.05)
    with pytest.raises(sockffi.ConnectionResetByPeer) as info:
        sockffi.getsockopt_error(fd)
    assert info.value.errno == errno.ECONNRESET and isinstance(info.value, ConnectionResetError)
    sockffi.close(fd)
    listener.close()


@pytest.mark.skipif(not LINUX, reason="network namespaces")
def test_network_unreachable_inside_a_namespace_with_only_loopback():
    def child() -> str:
        try:
            new_netns()
        except OSError as e:
            return f"skip {e}"
        try:
            sockffi.connect_tcp(("198.51.100.7", 9))
        except sockffi.NetworkUnreachable as e:
            return f"{e.errno} {e.op}"
        return "connected?"

    res = in_child(child)
    if res.value and res.value.startswith("skip"):
        pytest.skip(res.value)
    assert res.value == f"{errno.ENETUNREACH} connect_tcp", res.tb


def test_getpeername_and_shutdown_for_real(server, no_fd_leak):
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    with pytest.raises(sockffi.Unexpected) as info:
        sockffi.getpeername(fd)  # not connected: Zig's set has no name for ENOTCONN
    assert info.value.errno == errno.ENOTCONN
    with pytest.raises(sockffi.SocketNotConnected):
        sockffi.shutdown(fd, sockffi.SHUT_RDWR)
    sockffi.close(fd)
    with sockffi.listen_tcp(("127.0.0.1", 0)) as other:
        sockffi.shutdown(other, sockffi.SHUT_RD)  # a listener takes recv (and Linux stops it listening)
    with sockffi.connect_tcp(server.address) as conn:
        for how in (sockffi.SHUT_WR, sockffi.SHUT_RD, sockffi.SHUT_RDWR, sockffi.SHUT_RDWR):
            conn.shutdown(how)
    for bad in (3, -1, "SHUT_RD", 1.0):
        with pytest.raises((ValueError, TypeError)):
            sockffi.shutdown(server, bad)


def test_getsockopt_int_and_bytes(server, no_fd_leak):
    assert sockffi.getsockopt(server, sockffi.SOL_SOCKET, sockffi.SO_ACCEPTCONN) == 1
    assert sockffi.getsockopt(server, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR) == 1
    raw = sockffi.getsockopt(server, sockffi.SOL_SOCKET, sockffi.SO_LINGER, 8)
    with std.socket(fileno=os.dup(server.fd)) as twin:
        assert raw == twin.getsockopt(std.SOL_SOCKET, std.SO_LINGER, 8)
        assert sockffi.getsockopt(server, sockffi.SOL_SOCKET, sockffi.SO_RCVBUF) == twin.getsockopt(
            std.SOL_SOCKET, std.SO_RCVBUF
        )
    with pytest.raises(sockffi.InvalidProtocolOption):
        sockffi.getsockopt(server, sockffi.SOL_SOCKET, 12345)
    # size 0 is the int form, as CPython's buflen 0 is
    assert sockffi.getsockopt(server, sockffi.SOL_SOCKET, sockffi.SO_ACCEPTCONN, 0) == 1
    for bad in (1025, -1):
        with pytest.raises((OverflowError, ValueError)):
            sockffi.getsockopt(server, sockffi.SOL_SOCKET, sockffi.SO_LINGER, bad)
    with pytest.raises(TypeError):
        sockffi.getsockopt(server, sockffi.SOL_SOCKET, sockffi.SO_LINGER, "8")


def test_connect_arguments_are_checked_before_any_syscall(no_fd_leak):
    seen: list[Any] = []
    with sockffi.trace.observe(seen.append):
        for bad, exc in (
            (8080, TypeError),
            (b"/tmp/x", TypeError),
            ("localhost:80", ValueError),
            ("/tmp/x.sock", ValueError),
            (("127.0.0.1", 70000), OverflowError),
            (("example.com", 80), ValueError),
        ):
            with pytest.raises(exc):
                sockffi.connect_tcp(bad)
        for timeout, exc in ((0, ValueError), (-1, ValueError), (float("nan"), ValueError), ("1", TypeError)):
            with pytest.raises(exc):
                sockffi.connect_tcp(("127.0.0.1", 1), timeout=timeout)
        with pytest.raises(TypeError, match="connect_tcp"):
            sockffi.connect_unix(("127.0.0.1", 80))
        with pytest.raises(sockffi.NameTooLong):
            sockffi.connect_unix("/" + "x" * 200)
        with pytest.raises(TypeError):
            sockffi.connect_tcp(("127.0.0.1", 1), nonblocking=2)
    assert seen == []


def test_traced_connect_and_accept_show_each_step(server, no_fd_leak):
    seen: list[Any] = []
    with sockffi.trace.observe(seen.append), sockffi.connect_tcp(server.address) as conn, server.accept():
        conn.shutdown(sockffi.SHUT_WR)
    assert [e.syscall for e in seen] == ["socket", "connect", "accept", "shutdown", "close", "close"]
    assert seen[1].format() == f"connect({seen[0].result}, {{AF_INET, 127.0.0.1:{server.address[1]}}}) = 0"


# ------------------------------------------------------------------ a Connection owns its fd


@pytest.mark.parametrize("how", ["close", "detach", "to_socket"])
def test_a_connection_that_gave_its_fd_up_reports_minus_one(server, how, no_fd_leak):
    conn = sockffi.connect_tcp(server.address)
    fd = conn.fd
    kept = getattr(conn, how)()
    assert conn.fd == conn.fileno() == -1 and conn.closed and "closed" in repr(conn)
    with pytest.raises(sockffi.CallerError):
        sockffi.getpeername(conn)
    with pytest.raises(sockffi.CallerError):
        conn.shutdown(sockffi.SHUT_RDWR)
    if how == "detach":
        assert kept == fd
        sockffi.close(fd)
    elif how == "to_socket":
        assert kept.fileno() == fd and kept.getpeername() == server.address
        kept.close()
    conn.close()
    with server.accept():
        pass


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle", "new"])
def test_a_connection_cannot_be_copied_pickled_or_made(server, how, no_fd_leak):
    with sockffi.connect_tcp(server.address) as conn, pytest.raises(TypeError):
        {
            "copy": copy.copy,
            "deepcopy": copy.deepcopy,
            "pickle": pickle.dumps,
            "new": lambda c: sockffi.Connection(),
        }[how](conn)
    server.accept().close()


def test_sockffi_close_closes_a_connection_through_its_own_close(server, no_fd_leak):
    conn = sockffi.connect_tcp(server.address)
    sockffi.close(conn)
    assert conn.fd == -1
    with pytest.raises(sockffi.CallerError):
        sockffi.close(conn)
    server.accept().close()


@pytest.mark.skipif(not LINUX, reason="counts /proc/self/fd")
@pytest.mark.parametrize("mode", ["connect_tcp", "connect_unix", "accept", "timeout", "traced"])
def test_an_exception_at_every_bytecode_of_a_connection_leaks_nothing(mode, shortdir):
    from test_ownership import raise_at_bytecode

    path = os.path.join(shortdir, "e.sock")
    listener = sockffi.listen_unix(path) if mode == "connect_unix" else sockffi.listen_tcp(("127.0.0.1", 0))
    clients: list[Any] = []

    def accept_one() -> None:
        clients.append(std.create_connection(listener.address))
        listener.accept().close()

    calls = {
        "connect_tcp": lambda: sockffi.connect_tcp(listener.address).close(),
        "connect_unix": lambda: sockffi.connect_unix(path).close(),
        "accept": accept_one,
        "timeout": lambda: sockffi.connect_tcp(listener.address, timeout=5).close(),
        "traced": lambda: sockffi.connect_tcp(listener.address).close(),
    }
    fn = calls[mode]
    observation = sockffi.trace.observe(lambda event: None) if mode == "traced" else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            fn()
            drain(listener)
            gc.collect()
            before = open_fds()
            k = 1
            while raise_at_bytecode(k, fn):
                drain(listener)
                for c in clients:
                    c.close()
                clients.clear()
                gc.collect()
                leaked = open_fds() - before
                assert not leaked, f"an exception at bytecode {k} leaked {leaked}"
                k += 1
    finally:
        if observation is not None:
            observation.close()
        listener.close()
    assert k > 20, "too few bytecodes: the test would prove little"


def drain(listener: Any) -> None:
    """Accept and close whatever connected (the listener's queue is not a leak)."""
    fd = os.dup(listener.fd)
    os.set_blocking(fd, False)
    with std.socket(fileno=fd) as twin:
        while True:
            try:
                twin.accept()[0].close()
            except BlockingIOError:
                return


@pytest.mark.skipif(not LINUX, reason="counts /proc/self/fd")
def test_a_dropped_connection_closes_even_when_its_warning_is_an_error(server):
    before = open_fds()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        conn = sockffi.connect_tcp(server.address)
        del conn
        gc.collect()
    assert open_fds() == before
    assert any("unclosed sockffi.Connection" in str(w.message) for w in caught), [str(w.message) for w in caught]
    unraisable: list[Any] = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            conn = sockffi.connect_tcp(server.address)
            del conn
            gc.collect()
    finally:
        sys.unraisablehook = hook
    assert open_fds() == before  # closed first: the warning turned error cannot keep it open
    assert unraisable and issubclass(unraisable[0].exc_type, ResourceWarning)
    server.accept().close()
    server.accept().close()


def test_racing_threads_close_a_connection_exactly_once(server, no_fd_leak):
    for _ in range(50):
        conn = sockffi.connect_tcp(server.address)
        got: list[Any] = []
        barrier = threading.Barrier(3)

        def take(how: str, c: Any = conn, barrier: Any = barrier, got: Any = got) -> None:
            barrier.wait()
            got.append(getattr(c, how)())

        threads = [threading.Thread(target=take, args=(h,)) for h in ("close", "detach", "close")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        detached = [g for g in got if isinstance(g, int) and g != -1]
        for fd in detached:
            sockffi.close(fd)
        server.accept().close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_closing_its_copy_leaves_the_parents_connection(server, no_fd_leak):
    conn = sockffi.connect_tcp(server.address)
    pid = os.fork()
    if pid == 0:
        conn.close()
        os._exit(0)
    os.waitpid(pid, 0)
    assert sockffi.getpeername(conn) == server.address
    conn.close()
    server.accept().close()


@pytest.mark.skipif(not LINUX, reason="RLIMIT_NOFILE")
def test_running_out_of_fds_in_connect_tcp_fails_cleanly():
    def child() -> str:
        s = sockffi.listen_tcp(("127.0.0.1", 0))
        lowest = os.dup(0)
        os.close(lowest)
        set_nofile(lowest)
        try:
            sockffi.connect_tcp(s.address)
        except sockffi.ProcessFdQuotaExceeded as e:
            assert isinstance(e, sockffi.TcpConnectToAddressError) and e.op == "connect_tcp"
        else:
            return "connected with no fd left?"
        set_nofile(lowest + 2)
        c = sockffi.connect_tcp(s.address)
        c.close()
        return "ok"

    res = in_child(child)
    assert res.value == "ok", res.tb


# ------------------------------------------------------------------ signals in a blocking call, lying objects


@pytest.mark.skipif(not hasattr(os, "fork") or not LINUX, reason="signals in a forked child")
def test_a_signal_in_a_blocking_accept_or_connect_runs_its_handler_and_never_leaks():
    """EINTR: a handler that returns lets the call go on (accept then takes the
    connection that came meanwhile); one that raises ends it, with nothing open."""

    def child() -> list[str]:
        import signal

        out = []
        server = sockffi.listen_tcp(("127.0.0.1", 0))
        calls = []
        signal.signal(signal.SIGALRM, lambda *a: calls.append(1))
        pid = os.fork()
        if pid == 0:  # a client that connects after the handler has run
            time.sleep(0.4)
            std.create_connection(server.address).close()
            os._exit(0)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        conn = server.accept()
        os.waitpid(pid, 0)
        out.append(f"accepted after {len(calls)} signal(s)")
        conn.close()

        class Stop(Exception):
            pass

        def stop(*a: object) -> None:
            raise Stop

        signal.signal(signal.SIGALRM, stop)
        before = set(os.listdir("/proc/self/fd"))
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        try:
            server.accept()
        except Stop:
            out.append("accept stopped")
        # a blocking connect that waits: a listener whose queue is full drops the SYN
        full = std.socket()
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        queued = std.create_connection(full.getsockname(), timeout=2)
        before = set(os.listdir("/proc/self/fd"))
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        try:
            sockffi.connect_tcp(full.getsockname())
        except Stop:
            out.append("connect stopped")
        gc.collect()
        out.append(f"leaked {sorted(set(os.listdir('/proc/self/fd')) - before)}")
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        try:
            sockffi.connect_tcp(full.getsockname(), timeout=5)
        except Stop:
            out.append("timed connect stopped")
        gc.collect()
        out.append(f"leaked {sorted(set(os.listdir('/proc/self/fd')) - before)}")
        queued.close()
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        res = in_child(child)
    assert res.value == [
        "accepted after 1 signal(s)",
        "accept stopped",
        "connect stopped",
        "leaked []",
        "timed connect stopped",
        "leaked []",
    ], res.tb


class LyingInt(int):
    def __index__(self) -> int:
        return 999

    def __int__(self) -> int:
        return 999

    def __float__(self) -> float:
        return -1.0


class LyingFloat(float):
    def __float__(self) -> float:
        return -1.0


def test_lying_numbers_give_their_values(server, no_fd_leak):
    """An int subclass gives its value, not what its own __index__ says."""
    with sockffi.connect_tcp(server.address, timeout=LyingFloat(5.0)) as conn:
        conn.shutdown(LyingInt(sockffi.SHUT_WR))
        assert sockffi.getsockopt(conn, LyingInt(sockffi.SOL_SOCKET), LyingInt(sockffi.SO_TYPE)) == sockffi.SOCK_STREAM
        raw = sockffi.getsockopt(conn, sockffi.SOL_SOCKET, sockffi.SO_LINGER, LyingInt(8))
        assert len(raw) == 8
        assert sockffi.getpeername(LyingInt(conn.fd)) == server.address
    with sockffi.connect_tcp(server.address, timeout=LyingInt(5)):
        pass
    for _ in range(2):
        server.accept().close()


@pytest.mark.skipif(not LINUX, reason="Linux's TCP_SYNCNT")
def test_the_kernels_own_timeout_is_connection_timed_out(no_fd_leak):
    """Not sockffi's timeout=: the kernel gives up (ETIMEDOUT) after one SYN
    retry (TCP_SYNCNT=1, about 3 s) to a listener whose full queue drops SYNs."""
    listener = std.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    queued = std.create_connection(listener.getsockname(), timeout=2)
    time.sleep(0.05)
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        sockffi.setsockopt(fd, sockffi.IPPROTO_TCP, std.TCP_SYNCNT, 1)
        start = time.monotonic()
        with pytest.raises(sockffi.ConnectionTimedOut) as info:
            sockffi.connect(fd, listener.getsockname())
        assert info.value.errno == errno.ETIMEDOUT and info.value.syscall == "connect"
        assert 1 < time.monotonic() - start < 30
    finally:
        sockffi.close(fd)
        queued.close()
        listener.close()


# ------------------------------------------------------------------ faults an outside look found (round 3)


def test_connect_unix_with_a_timeout_gives_a_blocking_connection(shortdir, no_fd_leak):
    """A unix connect with room in the backlog succeeds at once, before any
    wait: the socket made non-blocking for the timeout is blocking again."""
    path = os.path.join(shortdir, "s")
    with sockffi.listen_unix(path) as listener:
        for kind in ("unix", "tcp"):
            if kind == "unix":
                conn = sockffi.connect_unix(path, timeout=5)
            else:
                with sockffi.listen_tcp(("127.0.0.1", 0)) as tcp:
                    conn = sockffi.connect_tcp(tcp.address, timeout=5)
            with conn:
                assert os.get_blocking(conn.fd) is True, kind
                with conn.to_socket() as sock:
                    assert sock.gettimeout() is None
            nonblocking = sockffi.connect_unix(path, timeout=5, nonblocking=True)
            with nonblocking:
                assert os.get_blocking(nonblocking.fd) is False
        drain(listener)


@pytest.mark.parametrize("what", ["server", "connection", "nonblocking"])
def test_to_socket_keeps_the_mode_whatever_the_default_timeout(what, server, no_fd_leak):
    """socket.setdefaulttimeout() must not make a blocking socket non-blocking."""
    if what == "server":
        owner: Any = sockffi.listen_tcp(("127.0.0.1", 0))
    else:
        owner = sockffi.connect_tcp(server.address, nonblocking=what == "nonblocking")
    before = std.getdefaulttimeout()
    std.setdefaulttimeout(42)
    try:
        with owner.to_socket() as sock:
            assert sock.gettimeout() == (0.0 if what == "nonblocking" else None)
            assert os.get_blocking(sock.fileno()) is (what != "nonblocking")
    finally:
        std.setdefaulttimeout(before)
    drain(server)


def test_a_unix_path_too_long_for_connect_names_connect_not_bind(no_fd_leak):
    long_path = "/tmp/" + "x" * 200
    fd = sockffi.socket(sockffi.AF_UNIX, sockffi.SOCK_STREAM)
    try:
        # ConnectError has no NameTooLong: a malformed argument, before any syscall
        with pytest.raises(ValueError, match=r"connect.*sun_path"):
            sockffi.connect(fd, long_path)
    finally:
        sockffi.close(fd)
    with pytest.raises(sockffi.NameTooLong) as info:
        sockffi.connect_unix(long_path)
    assert isinstance(info.value, sockffi.ConnectUnixSocketError)
    assert info.value.syscall == "connect" and "bind" not in str(info.value)
    assert str(info.value).startswith(f"connect_unix {long_path}: connect: ")


@pytest.mark.parametrize("call", ["connect", "bind"])
def test_an_address_of_the_other_family_gets_the_same_answer_from_connect_and_bind(call, no_fd_leak):
    fn = getattr(sockffi, call)

    def attempt(family: int, address: Any) -> BaseException:
        fd = sockffi.socket(family, sockffi.SOCK_STREAM)
        try:
            with pytest.raises((TypeError, sockffi.SockffiError)) as info:
                fn(fd, address)
            return info.value
        finally:
            sockffi.close(fd)

    # A path on an IP socket: CPython's TypeError, with the tuple that was meant.
    for family in (sockffi.AF_INET, sockffi.AF_INET6):
        said = attempt(family, "127.0.0.1:42735")
        assert type(said) is TypeError and "('127.0.0.1', 42735)" in str(said), said
        assert str(said).startswith(f"{call}(): this socket is not AF_UNIX")
        assert type(attempt(family, "/tmp/x")) is TypeError
    # An IP address of the other family, or on a unix socket: AddressFamilyNotSupported.
    for family, address in (
        (sockffi.AF_INET6, ("127.0.0.1", 1)),
        (sockffi.AF_INET, ("::1", 1, 0, 0)),
        (sockffi.AF_UNIX, ("127.0.0.1", 1)),
    ):
        said = attempt(family, address)
        assert type(said) is sockffi.AddressFamilyNotSupported, (family, address, said)
        assert said.syscall == call and said.address == address


def test_errors_of_the_address_less_calls_name_their_call(no_fd_leak):
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        for name, args in (("shutdown", (sockffi.SHUT_RDWR,)), ("getpeername", ())):
            with pytest.raises(sockffi.SockffiError) as info:
                getattr(sockffi, name)(fd, *args)
            assert str(info.value).startswith(f"{name}: [Errno "), str(info.value)
    finally:
        sockffi.close(fd)


def test_why_an_owner_has_no_fd_is_said(server, no_fd_leak):
    handed = sockffi.listen_tcp(("127.0.0.1", 0))
    handed.to_socket().close()
    with pytest.raises(ValueError, match=r"was handed over to a socket\.socket by to_socket"):
        handed.to_socket()
    with pytest.raises(sockffi.CallerError, match="handed over"):
        sockffi.getsockname(handed)
    detached = sockffi.connect_tcp(server.address)
    os.close(detached.detach())
    with pytest.raises(sockffi.CallerError, match="was detached"):
        sockffi.getpeername(detached)
    closed = sockffi.connect_tcp(server.address)
    closed.close()
    with pytest.raises(ValueError, match="is closed"):
        closed.to_socket()
    drain(server)


def test_the_unclosed_warning_says_which_object_and_its_address(server):
    conn = sockffi.connect_tcp(server.address)
    peer = conn.address
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        del conn
        gc.collect()
        listener = sockffi.listen_tcp(("127.0.0.1", 0))
        address = listener.address
        del listener
        gc.collect()
    said = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert "unclosed sockffi.Connection fd=" in said[0] and f"address={peer[0]}:{peer[1]}" in said[0], said
    assert "unclosed sockffi.Server fd=" in said[1] and f"address={address[0]}:{address[1]}" in said[1], said
    drain(server)


def test_getsockopt_size_zero_is_the_int_form_as_in_cpython(server, no_fd_leak):
    with std.socket(fileno=os.dup(server.fd)) as twin:
        assert sockffi.getsockopt(server, sockffi.SOL_SOCKET, sockffi.SO_TYPE, 0) == twin.getsockopt(
            std.SOL_SOCKET, std.SO_TYPE, 0
        )


def test_a_huge_timeout_is_named(no_fd_leak):
    with pytest.raises(OverflowError, match=r"^timeout must be at most \d+ seconds, not 1000.*digits\)$"):
        sockffi.connect_tcp(("127.0.0.1", 9), timeout=10**400)


def test_network_unreachable_is_injected_as_the_kernel_gives_it_most_often():
    with (
        sockffi.testing.fail("connect", sockffi.NetworkUnreachable) as injection,
        pytest.raises(sockffi.NetworkUnreachable) as info,
    ):
        sockffi.connect_tcp(("127.0.0.1", 9))
    assert info.value.errno == errno.ENETUNREACH and injection.count == 1
    assert sockffi.testing.resolve("connect", sockffi.WouldBlock).code_name == "EINPROGRESS"
    assert sockffi.testing.kernel_spec("connect", "NetworkUnreachable")["name"] == "ENETUNREACH"


def test_the_marker_offers_only_calls_it_can_fail():
    with pytest.raises(ValueError) as info:
        sockffi.testing.kernel_spec("connect_tcp", "ConnectionRefused")
    said = str(info.value)
    assert "getsockopt_error" not in said and "connect" in said and "socket" in said


def _stopped_at_each_line(call: Any, owner: Any, reopen: Any) -> list[int]:
    """Run call(owner) in a thread, stopped at the k-th line of sockffi's code
    it runs (as a thread switch may stop it), for k = 1, 2, ... until it no
    longer stops; at each stop another thread closes the owner and reopen()s,
    making a socket that takes its fd number (and, as cells are pooled, often
    its cell). Returns the k at which the call, let go on, reached the new
    socket (reopen's check says)."""
    package = os.path.dirname(sockffi.__file__)
    at, reached_new, stopped = 1, [], True
    while stopped:
        target = owner()
        reached, go_on = threading.Event(), threading.Event()
        outcome: list[Any] = []

        def run(
            target: Any = target,
            at: int = at,
            reached: threading.Event = reached,
            go_on: threading.Event = go_on,
            outcome: list[Any] = outcome,
        ) -> None:
            count = [0]

            def local(frame: Any, event: str, arg: object) -> Any:
                if event == "line":
                    count[0] += 1
                    if count[0] == at:
                        reached.set()
                        go_on.wait(30)
                return local

            sys.settrace(lambda frame, event, arg: local if frame.f_code.co_filename.startswith(package) else None)
            try:
                outcome.append(call(target))
            except sockffi.SockffiError as exc:
                outcome.append(exc)
            finally:
                sys.settrace(None)
                reached.set()

        thread = threading.Thread(target=run)
        thread.start()
        reached.wait(30)
        stopped = thread.is_alive() and not outcome
        target.close()
        _new, check, done = reopen()
        go_on.set()
        thread.join(30)
        assert not thread.is_alive()
        if check(outcome[0]):
            reached_new.append(at)
        done()
        at += 1
    assert at > 5, "the call ran fewer lines than the test thought"
    return reached_new


def _new_listener() -> Any:
    other = sockffi.listen_tcp(("127.0.0.1", 0))
    client = sockffi.connect_tcp(other.address)

    def done() -> None:
        client.close()
        other.close()

    return other, client, done


def _new_pair(listener: Any) -> Any:
    near = sockffi.connect_tcp(listener.address)  # the first new socket: it takes the closed one's fd number
    far = listener.accept().to_socket()
    far.setblocking(False)

    def done() -> None:
        near.close()
        far.close()

    return near, far, done


def _reopened(kind: str, listener: Any) -> Any:
    """A reopen for _stopped_at_each_line and what shows the call reached it."""

    def reopen() -> Any:
        if kind in ("accept", "getsockname", "setsockopt"):
            other, _client, done = _new_listener()
            checks = {
                "accept": lambda got: isinstance(got, sockffi.Connection) and (got.close() or True),
                "getsockname": lambda got: got == other.address,
                "setsockopt": lambda got: sockffi.getsockopt(other, sockffi.SOL_SOCKET, sockffi.SO_KEEPALIVE) == 1,
            }
            return other, checks[kind], done
        near, far, done = _new_pair(listener)

        def shut(got: object) -> bool:
            try:
                return far.recv(1) == b""  # the new connection's peer saw a FIN: shut down by mistake
            except BlockingIOError:
                return False

        checks = {"shutdown": shut, "getpeername": lambda got: got == near.address}
        return near, checks[kind], done

    return reopen


@pytest.mark.parametrize("kind", ["accept", "getsockname", "setsockopt", "shutdown", "getpeername"])
def test_a_call_on_a_closed_owner_never_reaches_the_socket_that_took_its_number(kind, server, no_fd_leak):
    """Every call given a Server or Connection reads its fd from the owner's
    cell inside the C call, against the generation the owner keeps, so a call
    stopped anywhere while the owner is closed and its number (and cell)
    taken by a new socket never acts on that socket. (Server.accept took the
    new listener's client at most lines before; under a 1 µs switch interval,
    with no stopping, in 0-17 of 300 rounds.)"""
    calls = {
        "accept": lambda s: s.accept(),
        "getsockname": sockffi.getsockname,
        "setsockopt": lambda s: sockffi.setsockopt(s, sockffi.SOL_SOCKET, sockffi.SO_KEEPALIVE, 1),
        "shutdown": lambda c: c.shutdown(sockffi.SHUT_WR),
        "getpeername": sockffi.getpeername,
    }
    if kind in ("accept", "getsockname", "setsockopt"):
        owner = lambda: sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True)
    else:
        owner = lambda: sockffi.connect_tcp(server.address)
    other = sockffi.listen_tcp(("127.0.0.1", 0))  # the new connections' peer: another address than server's
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        reached = _stopped_at_each_line(calls[kind], owner, _reopened(kind, other))
    finally:
        sys.setswitchinterval(old)
        drain(server)
        other.close()
    assert not reached, f"{kind}: stopped at lines {reached}, it reached the new socket"


def test_an_owners_error_carries_its_address(server, no_fd_leak):
    """Errors of calls given a Server or Connection name the call and its address."""
    conn = sockffi.connect_tcp(server.address)
    try:
        with pytest.raises(sockffi.SockffiError) as info:
            sockffi.getsockopt(conn, sockffi.SOL_SOCKET, 12345)
        assert info.value.address == server.address
        assert str(info.value).startswith(f"getsockopt {server.address[0]}:{server.address[1]}: [Errno ")
    finally:
        conn.close()
    listener = sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True)
    with listener, pytest.raises(sockffi.WouldBlock) as info:
        listener.accept()
    assert info.value.address == listener.address and info.value.syscall == "accept"
    drain(server)


def test_a_failed_connect_or_accept_leaves_no_cycle_holding_its_cell(no_fd_leak):
    """Their exceptions are raised unnamed: an exception in a local of the
    failing frame is a cycle (frame, traceback, exception) that keeps the
    cell given back to the pool referenced until the gc runs, so the pool
    could not reuse it and every failure made a new one."""
    with std.socket() as gone:
        gone.bind(("127.0.0.1", 0))
        refused = gone.getsockname()
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            try:
                sockffi.connect_tcp(refused)
            except sockffi.ConnectionRefused:
                pass
        with sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True) as server:
            for _ in range(20):
                try:
                    server.accept()
                except sockffi.WouldBlock:
                    pass
        assert gc.collect() == 0
    finally:
        gc.enable()
