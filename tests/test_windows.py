"""The ws2_32 backend, on Windows (in CI: the official Windows CPython under Wine).

Wine's ws2_32 is a reimplementation over Linux sockets; where it is known to
answer differently from Microsoft's documentation (shared/research/windows-wine.md),
the test says so and is an expected failure under Wine only.
"""

from __future__ import annotations

import ctypes
import socket as std
import sys

import pytest

import sockffi
from sockffi import _seam, errors, posix

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows backend (run under Wine in CI)")

WSA = errors.WSA_CODES


def _wine_version() -> str | None:
    if sys.platform != "win32":
        return None
    try:
        ntdll = ctypes.WinDLL("ntdll")
        fn = ntdll.wine_get_version
    except (OSError, AttributeError):
        return None
    fn.restype = ctypes.c_char_p
    return fn().decode()


WINE = _wine_version()
wine_differs = pytest.mark.xfail(bool(WINE), reason="Wine's ws2_32 differs from Microsoft's here", strict=False)


def handles() -> int:
    """Something that moves with every open socket: the process's handle count
    on Windows; under Wine (whose GetProcessHandleCount always says 0) the fds
    of the Linux process Wine runs this Python in, one per socket in use."""
    if WINE:
        import os

        return len(os.listdir("Z:\\proc\\self\\fd"))
    count = ctypes.c_ulong()
    kernel32 = ctypes.WinDLL("kernel32")
    assert kernel32.GetProcessHandleCount(kernel32.GetCurrentProcess(), ctypes.byref(count))
    return count.value


def test_the_handle_count_moves():
    """The leak tests below compare counts; they prove something only if an
    open socket shows in the count."""
    before = handles()
    fds = [sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM) for _ in range(5)]
    for fd in fds:
        sockffi.bind(fd, ("127.0.0.1", 0))  # used once, so Wine holds its host fd
    during = handles()
    for fd in fds:
        sockffi.close(fd)
    assert during >= before + 5
    assert handles() == before


def check(exc: BaseException, cls: type, code: str, syscall: str) -> None:
    assert type(exc) is cls, f"{type(exc).__name__}: {exc}"
    assert exc.winerror == WSA[code]  # type: ignore[attr-defined]
    assert exc.syscall == syscall  # type: ignore[attr-defined]
    assert isinstance(exc, sockffi.ListenError)


@pytest.fixture
def tcp():
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    yield fd
    sockffi.close(fd)


def test_the_backend_is_windows_and_wsastartup_is_implicit():
    assert _seam.backend.PLATFORM == "windows"
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)  # no explicit WSAStartup anywhere
    assert fd > 0
    sockffi.close(fd)


def test_listen_on_an_unbound_socket_is_socket_not_bound(tcp):
    with pytest.raises(sockffi.SocketNotBound) as info:
        sockffi.listen(tcp)
    check(info.value, sockffi.SocketNotBound, "WSAEINVAL", "listen")
    assert isinstance(info.value, posix.ListenError)


def test_getsockname_on_an_unbound_socket_is_socket_not_bound(tcp):
    with pytest.raises(sockffi.GetSockNameError) as info:
        sockffi.getsockname(tcp)
    check(info.value, sockffi.SocketNotBound, "WSAEINVAL", "getsockname")


def test_bind_twice_is_already_bound(tcp):
    sockffi.bind(tcp, ("127.0.0.1", 0))
    with pytest.raises(sockffi.BindError) as info:
        sockffi.bind(tcp, ("127.0.0.1", 0))
    check(info.value, sockffi.AlreadyBound, "WSAEINVAL", "bind")


def test_bind_to_a_listening_port_is_address_in_use(tcp):
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server, pytest.raises(sockffi.AddressInUse) as info:
        sockffi.bind(tcp, server.address)
    check(info.value, sockffi.AddressInUse, "WSAEADDRINUSE", "bind")
    assert info.value.errno == WSA["WSAEADDRINUSE"]


def test_bind_to_a_foreign_address_is_address_not_available(tcp):
    with pytest.raises(sockffi.AddressNotAvailable) as info:
        sockffi.bind(tcp, ("198.51.100.1", 0))
    check(info.value, sockffi.AddressNotAvailable, "WSAEADDRNOTAVAIL", "bind")


def test_listen_on_a_bound_udp_socket_is_operation_not_supported():
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    try:
        sockffi.bind(fd, ("127.0.0.1", 0))  # Wine answers WSAEINVAL for an unbound one
        with pytest.raises(sockffi.OperationNotSupported) as info:
            sockffi.listen(fd)
    finally:
        sockffi.close(fd)
    check(info.value, sockffi.OperationNotSupported, "WSAEOPNOTSUPP", "listen")


def test_unknown_option_is_invalid_protocol_option(tcp):
    # Zig maps WSAENOPROTOOPT to Unexpected; sockffi to the member it means.
    with pytest.raises(sockffi.InvalidProtocolOption) as info:
        sockffi.setsockopt(tcp, sockffi.SOL_SOCKET, 0x7777, 1)
    check(info.value, sockffi.InvalidProtocolOption, "WSAENOPROTOOPT", "setsockopt")


def test_invalid_level_is_a_caller_bug(tcp):
    # Microsoft: WSAEINVAL from setsockopt means a bad level or optval (Zig: SocketNotBound).
    with pytest.raises(sockffi.CallerError) as info:
        sockffi.setsockopt(tcp, 12345, 1, 1)
    assert info.value.winerror == WSA["WSAEINVAL"]  # type: ignore[attr-defined]


def test_a_closed_handle_is_not_a_socket():
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    sockffi.close(fd)
    with pytest.raises(sockffi.FileDescriptorNotASocket) as info:
        sockffi.bind(fd, ("127.0.0.1", 0))
    check(info.value, sockffi.FileDescriptorNotASocket, "WSAENOTSOCK", "bind")
    with pytest.raises(sockffi.FileDescriptorNotASocket):
        sockffi.getsockname(fd)
    with pytest.raises(sockffi.CallerError):  # closing twice is the caller's bug
        sockffi.close(fd)


@wine_differs
def test_a_file_handle_is_not_a_socket(tmp_path):
    import msvcrt

    with open(tmp_path / "f", "wb") as f:
        handle = msvcrt.get_osfhandle(f.fileno())
        with pytest.raises(sockffi.FileDescriptorNotASocket):
            sockffi.listen(handle)  # Microsoft: WSAENOTSOCK; Wine 8: WSAEOPNOTSUPP


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_listen_tcp_serves_a_client_and_is_not_inherited(host):
    with sockffi.listen_tcp((host, 0)) as server:
        assert server.address[0] == host and server.address[1] > 0
        sock = std.socket(fileno=server.fd)
        try:
            assert not sock.get_inheritable()  # WSA_FLAG_NO_HANDLE_INHERIT
            assert sock.getsockname()[:2] == server.address[:2]
            with std.create_connection(server.address[:2], timeout=10):
                conn, _ = sock.accept()
                conn.close()
        finally:
            sock.detach()


def test_nonblocking_listen_tcp():
    with sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True) as server:
        sock = std.socket(fileno=server.fd)
        try:
            with pytest.raises(BlockingIOError):
                sock.accept()  # ioctlsocket(FIONBIO) made it non-blocking
        finally:
            sock.detach()


def test_reuse_address_sets_nothing_on_windows():
    # SO_REUSEADDR on Windows lets another socket steal the port; exclusive use
    # is the safe default, as in CPython's create_server and libuv.
    with sockffi.listen_tcp(("127.0.0.1", 0), reuse_address=True) as server:
        sock = std.socket(fileno=server.fd)
        try:
            assert sock.getsockopt(std.SOL_SOCKET, std.SO_REUSEADDR) == 0
        finally:
            sock.detach()


def test_reuse_port_is_refused():
    assert not hasattr(sockffi, "SO_REUSEPORT")
    with pytest.raises(ValueError, match="SO_REUSEPORT"):
        sockffi.listen_tcp(("127.0.0.1", 0), reuse_port=True)


@pytest.mark.parametrize("address", [("198.51.100.4", 0), "in use", ("::1", 0), "v6 in use"])
def test_listen_tcp_failure_leaks_no_handle(address):
    with sockffi.listen_tcp(("127.0.0.1", 0)) as held, sockffi.listen_tcp(("::1", 0)) as held6:
        target = {"in use": held.address, "v6 in use": held6.address}.get(address, address)  # type: ignore[arg-type]
        sockffi.listen_tcp(("127.0.0.1", 0)).close()  # warm up anything lazily opened
        before = handles()
        for _ in range(20):
            try:
                sockffi.listen_tcp(target).close()
            except sockffi.ListenError:
                pass
        assert handles() == before


def test_closed_servers_leak_no_handle_and_say_so():
    sockffi.listen_tcp(("127.0.0.1", 0)).close()
    before = handles()
    servers = [sockffi.listen_tcp(("127.0.0.1", 0)) for _ in range(10)]
    assert handles() >= before + 10
    for server in servers:
        server.close()
        assert server.fileno() == -1
        with pytest.raises(sockffi.CallerError):
            sockffi.listen(server, 1)  # refused before any call
    assert handles() == before


def test_a_lingering_close_never_forgets_an_open_handle():
    """closesocket on a non-blocking socket that lingers over unsent data
    answers WSAEWOULDBLOCK and keeps the handle (Microsoft's documentation).
    sockffi finishes the close in blocking mode, as the linger asks, or raises
    with the socket still open; it never reports success over an open handle."""
    import struct

    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        listener = std.socket(fileno=server.fd)
        try:
            client = std.create_connection(server.address, timeout=10)
            peer, _ = listener.accept()
        finally:
            listener.detach()
        client.setblocking(False)
        client.setsockopt(std.SOL_SOCKET, std.SO_LINGER, struct.pack("HH", 1, 2))
        try:
            while True:
                client.send(b"x" * 65536)  # the peer never reads
        except BlockingIOError:
            pass
        before = handles()
        fd = client.detach()
        try:
            sockffi.close(fd)
        except sockffi.Unexpected as e:
            assert e.syscall == "close"
            assert handles() == before  # still open, and still the caller's
            with std.socket(fileno=fd) as again:
                again.setblocking(True)
        else:
            assert handles() < before  # really gone
        peer.close()


def test_errors_carry_winerror_and_its_text(tcp):
    with pytest.raises(sockffi.SocketNotBound) as info:
        sockffi.listen(tcp)
    e = info.value
    # winerror is the WSA code; errno is what CPython's own socket errors carry
    # for it (CPython maps the six Winsock codes that mirror errno values, such
    # as WSAEINVAL, to EINVAL; every other WSA code is its own errno).
    assert e.winerror == 10022  # type: ignore[attr-defined]
    assert e.errno == 22
    assert e.strerror
    with pytest.raises(sockffi.AddressNotAvailable) as info2:
        sockffi.bind(tcp, ("198.51.100.2", 0))
    assert info2.value.errno == info2.value.winerror == 10049  # type: ignore[attr-defined]


def test_wsastartup_once_lazily_and_thread_safely_in_a_fresh_process():
    """Eight threads make the process's first sockets at once: WSASocketW answers
    WSANOTINITIALISED, sockffi starts Winsock exactly once and retries."""
    import subprocess

    code = (
        "import threading, sockffi\n"
        "out = []\n"
        "def f():\n"
        "    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)\n"
        "    out.append(fd); sockffi.close(fd)\n"
        "ts = [threading.Thread(target=f) for _ in range(8)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "print(len(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.PIPE,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "8", done.stdout + done.stderr


@pytest.mark.parametrize(
    "family, address",
    [(sockffi.AF_INET6, ("127.0.0.1", 0)), (sockffi.AF_INET, ("::1", 0))],
    ids=["v4-on-v6", "v6-on-v4"],
)
def test_an_address_of_the_other_family_is_address_family_not_supported(family, address):
    """Linux answers EINVAL (or EAFNOSUPPORT), Windows WSAEFAULT: the same
    condition gets the same name, told apart by the socket's own family."""
    fd = sockffi.socket(family, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(sockffi.AddressFamilyNotSupported) as info:
            sockffi.bind(fd, address)
    finally:
        sockffi.close(fd)
    # Microsoft documents WSAEFAULT; Wine answers WSAEINVAL or WSAEOPNOTSUPP.
    assert info.value.winerror in (WSA["WSAEFAULT"], WSA["WSAEAFNOSUPPORT"], WSA["WSAEINVAL"], WSA["WSAEOPNOTSUPP"])  # type: ignore[attr-defined]
    assert isinstance(info.value, sockffi.BindError)


def test_a_unix_path_too_long_carries_winerror(tcp):
    with pytest.raises(sockffi.NameTooLong) as info:
        sockffi.bind(tcp, "C:\\" + "x" * 200)  # refused before the call (Wine has no AF_UNIX)
    assert info.value.winerror == WSA["WSAENAMETOOLONG"]  # type: ignore[attr-defined]
    assert info.value.syscall == "bind"


# ------------------------------------------------------------------ the connection calls on ws2_32


def check_conn(exc: BaseException, cls: type, code: str, syscall: str) -> None:
    assert type(exc) is cls, f"{type(exc).__name__}: {exc}"
    assert exc.winerror == WSA[code]  # type: ignore[attr-defined]
    assert exc.syscall == syscall  # type: ignore[attr-defined]


def _closed_port() -> int:
    s = std.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_connect_tcp_and_accept_make_a_connection_that_is_not_inherited(host):
    before = handles()
    server = sockffi.listen_tcp((host, 0))
    with server, sockffi.connect_tcp(server.address[:2]) as client, server.accept() as conn:
        assert conn.address[:2] == client.local_address[:2]
        assert sockffi.getpeername(client)[:2] == server.address[:2]
        assert sockffi.getsockopt(conn, sockffi.SOL_SOCKET, sockffi.SO_TYPE) == sockffi.SOCK_STREAM
        client.shutdown(sockffi.SHUT_WR)
        sock = conn.to_socket()
        assert sock.recv(1) == b""  # the client's SHUT_WR: end of stream
        assert not sock.get_inheritable()
        sock.close()
    assert handles() == before


def test_connect_to_a_closed_port_is_connection_refused_and_leaks_nothing():
    port = _closed_port()
    before = handles()
    with pytest.raises(sockffi.ConnectionRefused) as info:
        sockffi.connect_tcp(("127.0.0.1", port))
    check_conn(info.value, sockffi.ConnectionRefused, "WSAECONNREFUSED", "connect")
    assert info.value.address == ("127.0.0.1", port) and isinstance(info.value, sockffi.TcpConnectToAddressError)
    with pytest.raises(sockffi.ConnectionRefused) as timed:
        sockffi.connect_tcp(("127.0.0.1", port), timeout=10)  # select, then SO_ERROR's Winsock code
    assert timed.value.winerror == WSA["WSAECONNREFUSED"]
    assert handles() == before


def test_a_nonblocking_listener_with_nobody_waiting_would_block():
    with sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True) as server:
        with pytest.raises(sockffi.WouldBlock) as info:
            server.accept()
        check_conn(info.value, sockffi.WouldBlock, "WSAEWOULDBLOCK", "accept")


def test_a_nonblocking_connect_comes_back_in_progress():
    import select

    server = sockffi.listen_tcp(("127.0.0.1", 0))
    with server, sockffi.connect_tcp(server.address, nonblocking=True) as client:
        select.select([], [client.fd], [], 10)
        assert sockffi.getsockopt_error(client) is None
        server.accept().close()


def test_accept_on_a_socket_that_is_not_listening(tcp):
    sockffi.bind(tcp, ("127.0.0.1", 0))
    with pytest.raises(sockffi.SocketNotListening) as info:
        sockffi.accept(tcp)
    check_conn(info.value, sockffi.SocketNotListening, "WSAEINVAL", "accept")


def test_shutdown_and_getpeername_on_an_unconnected_socket(tcp):
    with pytest.raises(sockffi.SocketNotConnected) as info:
        sockffi.shutdown(tcp, sockffi.SHUT_RDWR)
    check_conn(info.value, sockffi.SocketNotConnected, "WSAENOTCONN", "shutdown")
    with pytest.raises(sockffi.Unexpected) as peer:  # as Zig: GetSockNameError has no name for it
        sockffi.getpeername(tcp)
    assert peer.value.winerror == WSA["WSAENOTCONN"]


@pytest.mark.parametrize("call", ["accept", "connect", "getsockopt", "getsockopt_error", "getpeername", "shutdown"])
def test_every_winsock_code_of_the_connection_calls_through_the_library_layer(call):
    """sockffi.testing gives each call each Winsock code its table names; the
    class, winerror and set are the table's (Zig's, and the departures)."""
    import sockffi.testing

    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        checked = 0
        for code, member in errors.WINDOWS[call].items():
            if member == errors.UNREACHABLE:
                continue
            with sockffi.testing.fail(call, code), pytest.raises(getattr(errors, member)) as info:
                if call == "accept":
                    sockffi.accept(server)
                elif call == "connect":
                    sockffi.connect_tcp(server.address).close()
                else:
                    with sockffi.connect_tcp(server.address) as conn:
                        if call == "getsockopt":
                            sockffi.getsockopt(conn, sockffi.SOL_SOCKET, sockffi.SO_TYPE)
                        elif call == "getsockopt_error":
                            sockffi.getsockopt_error(conn)
                        elif call == "getpeername":
                            sockffi.getpeername(conn)
                        else:
                            conn.shutdown(sockffi.SHUT_RDWR)
                    server.accept().close()
            assert type(info.value).__name__ == member and info.value.winerror == WSA[code], (call, code)
            checked += 1
        assert checked


# ------------------------------------------------------------------- the data path


def _pair() -> tuple[sockffi.Connection, sockffi.Connection, sockffi.Server]:
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    conn = sockffi.connect_tcp(server.address)
    return conn, server.accept(), server


def test_send_recv_and_connection_io():
    conn, peer, server = _pair()
    with conn, peer, server:
        assert sockffi.send(conn, b"hello") == 5
        assert sockffi.recv(peer, 5) == b"hello"
        assert conn.write(bytearray(b"abc")) == 3
        buffer = bytearray(8)
        assert peer.readinto(buffer) == 3 and buffer[:3] == b"abc"
        assert sockffi.sendmsg(conn, [b"x", b"yz"]) == 3  # WSASendTo's gather list
        assert peer.read(3) == b"xyz"
        conn.write_all(b"q" * 100_000)
        got = 0
        while got < 100_000:
            got += len(peer.read(65536))


def test_wsaewouldblock_is_would_block_as_eagain_is():
    conn, peer, server = _pair()
    with conn, peer, server:
        with pytest.raises(sockffi.WouldBlock) as info:
            _nonblocking_recv(conn)
        check_conn(info.value, sockffi.WouldBlock, "WSAEWOULDBLOCK", "recv")


def _nonblocking_recv(conn: sockffi.Connection) -> bytes:
    import ctypes as c

    one = c.c_ulong(1)
    assert c.WinDLL("ws2_32").ioctlsocket(c.c_size_t(conn.fd), c.c_long(0x8004667E), c.byref(one)) == 0  # FIONBIO
    return sockffi.recv(conn, 10)


def test_a_send_after_shutdown_is_broken_pipe_as_on_posix():
    conn, peer, server = _pair()
    with conn, peer, server:
        conn.shutdown(sockffi.SHUT_WR)
        with pytest.raises(sockffi.BrokenPipe) as info:
            sockffi.send(conn, b"x")
        check_conn(info.value, sockffi.BrokenPipe, "WSAESHUTDOWN", "send")
        with pytest.raises(sockffi.BrokenPipe):
            conn.write_all(b"x")


def test_a_recv_after_shutdown_of_reading_is_the_end_of_the_stream_as_on_posix():
    conn, peer, server = _pair()
    with conn, peer, server:
        conn.shutdown(sockffi.SHUT_RD)
        assert sockffi.recv(conn, 10) == b""


def test_an_unconnected_udp_socket_never_sees_an_earlier_datagrams_icmp_report():
    # Without SIO_UDP_CONNRESET off, the second recvfrom would raise WSAECONNRESET.
    with std.socket(std.AF_INET, std.SOCK_DGRAM) as closed:
        closed.bind(("127.0.0.1", 0))
        dead = closed.getsockname()
    with sockffi.bind_udp(("127.0.0.1", 0), nonblocking=True) as udp, sockffi.bind_udp(("127.0.0.1", 0)) as other:
        udp.sendto(b"x", dead)
        other.sendto(b"hello", udp.address)
        import time

        deadline = time.monotonic() + 10
        while True:
            try:
                assert udp.recvfrom(10) == (b"hello", other.address)
                break
            except sockffi.WouldBlock:
                assert time.monotonic() < deadline
                time.sleep(0.01)


def test_poll_is_wsapoll():
    conn, peer, server = _pair()
    with conn, peer, server:
        assert sockffi.poll([(conn, sockffi.POLLIN)], 0) == []
        peer.write(b"x")
        ((given, revents),) = sockffi.poll([(conn, sockffi.POLLIN)], 10_000)
        assert given is conn and revents & sockffi.POLLIN


@pytest.mark.parametrize("call", ["send", "sendto", "recv", "recvfrom"])
def test_every_winsock_code_of_the_data_calls_through_the_library_layer(call):
    import sockffi.testing

    checked = 0
    for code, member in errors.WINDOWS[call].items():
        if member == errors.UNREACHABLE:
            continue
        udp = sockffi.bind_udp(("127.0.0.1", 0))
        with udp, sockffi.testing.fail(call, code), pytest.raises(getattr(errors, member)) as info:
            if call == "send":
                sockffi.send(udp, b"x")
            elif call == "sendto":
                sockffi.sendto(udp, b"x", udp.address)
            elif call == "recv":
                sockffi.recv(udp, 1)
            else:
                sockffi.recvfrom(udp, 1)
        assert type(info.value).__name__ == member and info.value.winerror == WSA[code], (call, code)
        checked += 1
    assert checked
