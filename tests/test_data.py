"""The data path on a real kernel: each call's count, its errors as its set
names them, and what it refuses before any syscall."""

from __future__ import annotations

import array
import errno
import os
import signal
import socket as std

import pytest
from conftest import LINUX, in_child

import sockffi
import sockffi.trace

pytestmark = pytest.mark.skipif(not LINUX, reason="Linux kernel behaviour (Windows runs tests/test_windows.py)")


def _connected() -> tuple[sockffi.Connection, std.socket]:
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    conn = sockffi.connect_tcp(server.address)
    fd, _ = sockffi.accept(server)
    server.close()
    return conn, std.socket(fileno=fd)


def _reset(peer: std.socket) -> None:
    """Close with SO_LINGER {1, 0}: the kernel sends RST."""
    peer.setsockopt(std.SOL_SOCKET, std.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    peer.close()


class Recorded(list):
    """The trace's events while the block runs."""

    def __enter__(self) -> Recorded:
        self._observation = sockffi.trace.observe(self.append)
        return self

    def __exit__(self, *exc: object) -> None:
        self._observation.close()


def _wait_readable(fd: int) -> None:
    import select

    select.select([fd], [], [], 30)


# ------------------------------------------------------------------- send


@pytest.mark.parametrize(
    "data",
    [b"hello", bytearray(b"hello"), memoryview(b"xhellox")[1:6], array.array("b", b"hello")],
    ids=["bytes", "bytearray", "memoryview", "array"],
)
def test_send_takes_any_bytes_like_and_returns_the_count(data):
    conn, peer = _connected()
    with conn, peer:
        assert sockffi.send(conn, data) == 5
        assert sockffi.send(conn.fd, data, 0) == 5
        assert peer.recv(10, std.MSG_WAITALL) == b"hellohello"
        assert sockffi.send(conn, b"") == 0


def test_a_short_send_returns_its_count_and_the_next_would_block():
    conn, peer = _connected()
    with conn, peer:
        conn_fd = conn.fd
        sockffi.setsockopt(conn, sockffi.SOL_SOCKET, sockffi.SO_SNDBUF, 4096)
        peer.setsockopt(std.SOL_SOCKET, std.SO_RCVBUF, 4096)
        os.set_blocking(conn_fd, False)
        big = bytes(1 << 20)
        total = 0
        with pytest.raises(sockffi.WouldBlock) as info:
            for _ in range(10_000):
                n = sockffi.send(conn, big)
                assert 0 < n < len(big)  # short, and said so
                total += n
        assert info.value.errno == errno.EAGAIN and isinstance(info.value, BlockingIOError)
        assert isinstance(info.value, sockffi.SendError)
        received = 0
        peer.settimeout(30)
        while received < total:
            received += len(peer.recv(1 << 16))
        assert received == total  # every byte a count said was sent arrived


def test_broken_pipe_after_this_ends_shutdown():
    conn, peer = _connected()
    with conn, peer:
        sockffi.shutdown(conn, sockffi.SHUT_WR)
        with pytest.raises(sockffi.BrokenPipe) as info:
            sockffi.send(conn, b"x")
        e = info.value
        assert (e.errno, e.syscall) == (errno.EPIPE, "send")
        assert isinstance(e, BrokenPipeError) and isinstance(e, sockffi.SendError)
        assert e.address == conn.address  # given a Connection: its address


def test_no_send_ever_raises_sigpipe_even_with_sig_dfl():
    def child():
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # what kills a CPython socket.send here
        conn, peer = _connected()
        peer.close()
        _wait_readable(conn.fd)
        names = []
        for _ in range(3):
            try:
                sockffi.send(conn, b"x" * 100)
            except sockffi.SendError as e:
                names.append(type(e).__name__)
        return names

    names = in_child(child).value  # a SIGPIPE would have killed the child
    assert names and names[-1] == "BrokenPipe"
    assert set(names) <= {"BrokenPipe", "ConnectionResetByPeer"}


def test_the_peers_reset_is_reported_once_then_broken_pipe():
    conn, peer = _connected()
    with conn:
        _reset(peer)
        _wait_readable(conn.fd)
        with pytest.raises(sockffi.ConnectionResetByPeer) as info:
            sockffi.send(conn, b"x")
        assert info.value.errno == errno.ECONNRESET and isinstance(info.value, ConnectionResetError)
        with pytest.raises(sockffi.BrokenPipe):
            sockffi.send(conn, b"x")


def test_a_datagram_too_big_is_message_too_big_and_nothing_is_sent():
    rx = std.socket(std.AF_INET, std.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    try:
        sockffi.connect(fd, rx.getsockname())
        with pytest.raises(sockffi.MessageTooBig) as info:
            sockffi.send(fd, bytes(65508))
        assert info.value.errno == errno.EMSGSIZE
        assert sockffi.send(fd, bytes(65507)) == 65507  # the largest IPv4 UDP payload
        assert len(rx.recv(70000)) == 65507
    finally:
        sockffi.close(fd)
        rx.close()


def test_send_on_an_unconnected_udp_socket_is_a_caller_error_not_a_crash():
    # Zig panics here (EDESTADDRREQ is unreachable in its send).
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    try:
        with pytest.raises(sockffi.CallerError) as info:
            sockffi.send(fd, b"x")
        assert info.value.errno == errno.EDESTADDRREQ
    finally:
        sockffi.close(fd)


def test_send_on_a_pipe_is_file_descriptor_not_a_socket():
    r, w = os.pipe()
    try:
        with pytest.raises(sockffi.FileDescriptorNotASocket) as info:
            sockffi.send(w, b"x")
        assert info.value.errno == errno.ENOTSOCK
    finally:
        os.close(r)
        os.close(w)


class Lying(bytes):
    def __len__(self) -> int:
        return 1


@pytest.mark.parametrize(
    "data, error",
    [
        ("text", TypeError),
        (5, TypeError),
        (None, TypeError),
        (memoryview(b"abcdef")[::2], TypeError),
        ([1, 2], TypeError),
    ],
    ids=["str", "int", "None", "strided", "list"],
)
def test_bad_data_is_refused_before_any_syscall(data, error):
    conn, peer = _connected()
    with conn, peer, Recorded() as calls, pytest.raises(error):
        sockffi.send(conn, data)
    assert calls == []


def test_the_length_is_the_buffers_never_what_len_says():
    conn, peer = _connected()
    with conn, peer:
        assert sockffi.send(conn, Lying(b"abc")) == 3
        assert peer.recv(3, std.MSG_WAITALL) == b"abc"


def test_flags_are_checked_and_msg_nosignal_is_always_added():
    conn, peer = _connected()
    with conn, peer:
        with pytest.raises(TypeError):
            sockffi.send(conn, b"x", "0")
        with pytest.raises(OverflowError):
            sockffi.send(conn, b"x", 1 << 40)
        with Recorded() as calls:
            sockffi.send(conn, b"hi", sockffi.MSG_DONTWAIT)
        (event,) = calls
        assert (event.syscall, event.call, event.result) == ("sendto", "send", 2)
        assert event.args[1:] == ("b'hi', 2", "MSG_DONTWAIT|MSG_NOSIGNAL", "NULL", "0")


def test_send_on_a_closed_connection_is_refused_and_reaches_no_socket():
    conn, peer = _connected()
    conn.close()
    with peer, Recorded() as calls:
        with pytest.raises(sockffi.CallerError, match="the Connection is closed") as info:
            sockffi.send(conn, b"x")
        assert info.value.errno == errno.EBADF
    assert calls == []


# ------------------------------------------------------------------- sendto


def test_sendto_sends_a_datagram_to_the_address_and_returns_the_count():
    rx = std.socket(std.AF_INET6, std.SOCK_DGRAM)
    rx.bind(("::1", 0))
    fd = sockffi.socket(sockffi.AF_INET6, sockffi.SOCK_DGRAM)
    try:
        assert sockffi.sendto(fd, bytearray(b"ping"), rx.getsockname()) == 4
        assert sockffi.sendto(fd, b"", rx.getsockname()) == 0  # an empty datagram is a datagram
        data, source = rx.recvfrom(10)
        assert data == b"ping" and source[1] == sockffi.getsockname(fd)[1]  # the port it was given
        assert rx.recvfrom(10)[0] == b""
    finally:
        sockffi.close(fd)
        rx.close()


def test_sendto_a_broadcast_address_without_so_broadcast_is_access_denied():
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    try:
        with pytest.raises(sockffi.AccessDenied) as info:
            sockffi.sendto(fd, b"x", ("255.255.255.255", 9))
        e = info.value
        assert (e.errno, e.syscall, e.address) == (errno.EACCES, "sendto", ("255.255.255.255", 9))
        assert isinstance(e, sockffi.SendToError) and isinstance(e, PermissionError)
    finally:
        sockffi.close(fd)


def test_sendto_an_address_of_the_other_family_is_address_family_not_supported():
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    try:
        with pytest.raises(sockffi.AddressFamilyNotSupported):
            sockffi.sendto(fd, b"x", ("::1", 9, 0, 0))
        with pytest.raises(TypeError, match="not AF_UNIX"):  # a path on an IP socket: CPython's TypeError
            sockffi.sendto(fd, b"x", "/tmp/x")
    finally:
        sockffi.close(fd)


def test_sendto_a_unix_datagram_path_that_does_not_exist_is_file_not_found(shortdir):
    fd = sockffi.socket(sockffi.AF_UNIX, sockffi.SOCK_DGRAM)
    try:
        with pytest.raises(sockffi.FileNotFound) as info:
            sockffi.sendto(fd, b"x", os.path.join(shortdir, "nobody"))
        assert info.value.errno == errno.ENOENT and isinstance(info.value, FileNotFoundError)
    finally:
        sockffi.close(fd)


def test_sendto_with_an_address_on_a_connected_unix_stream_is_a_caller_error(shortdir):
    # Zig panics here (EISCONN is unreachable in its sendto).
    path = os.path.join(shortdir, "s")
    with sockffi.listen_unix(path) as server, sockffi.connect_unix(path) as conn:
        with pytest.raises(sockffi.CallerError) as info:
            sockffi.sendto(conn, b"x", path)
        assert info.value.errno == errno.EISCONN
        assert server.accept().close() is None


# ------------------------------------------------------------------- recv and recvfrom


def test_recv_returns_at_most_size_and_empty_bytes_at_the_end_of_the_stream():
    conn, peer = _connected()
    with conn:
        peer.sendall(b"hello")
        assert sockffi.recv(conn, 3) == b"hel"
        assert sockffi.recv(conn.fd, 10) == b"lo"
        peer.close()  # FIN
        assert sockffi.recv(conn, 10) == b""
        assert sockffi.recv(conn, 10) == b""


def test_recv_of_zero_bytes_is_a_real_recv_which_takes_a_datagram():
    # CPython's recv(0) returns b"" without a syscall; sockffi's makes it (documented).
    rx = std.socket(std.AF_INET, std.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    tx = std.socket(std.AF_INET, std.SOCK_DGRAM)
    with rx, tx:
        tx.sendto(b"first", rx.getsockname())
        tx.sendto(b"second", rx.getsockname())
        assert sockffi.recv(rx.fileno(), 0) == b""  # the first datagram, discarded
        assert rx.recv(10) == b"second"


def test_a_reset_is_reported_once_by_recv_then_the_stream_has_ended():
    conn, peer = _connected()
    with conn:
        _reset(peer)
        _wait_readable(conn.fd)
        with pytest.raises(sockffi.ConnectionResetByPeer) as info:
            sockffi.recv(conn, 10)
        assert (info.value.errno, info.value.syscall) == (errno.ECONNRESET, "recv")
        assert isinstance(info.value, sockffi.RecvFromError) and isinstance(info.value, ConnectionResetError)
        assert sockffi.recv(conn, 10) == b""


def test_recv_with_nothing_to_read_on_a_non_blocking_socket_is_would_block():
    conn, peer = _connected()
    with conn, peer:
        with pytest.raises(sockffi.WouldBlock) as info:
            sockffi.recv(conn, 10, sockffi.MSG_DONTWAIT)
        assert info.value.errno == errno.EAGAIN and isinstance(info.value, BlockingIOError)


def test_recv_on_an_unconnected_tcp_socket_is_socket_not_connected():
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(sockffi.SocketNotConnected) as info:
            sockffi.recv(fd, 1)
        assert info.value.errno == errno.ENOTCONN
    finally:
        sockffi.close(fd)


def test_recv_on_an_unconnected_unix_stream_is_a_caller_error_not_a_crash():
    # Zig panics here (recv's EINVAL is unreachable).
    fd = sockffi.socket(sockffi.AF_UNIX, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(sockffi.CallerError) as info:
            sockffi.recv(fd, 1)
        assert info.value.errno == errno.EINVAL
    finally:
        sockffi.close(fd)


@pytest.mark.parametrize(
    "buffer",
    [bytearray(8), memoryview(bytearray(8)), array.array("B", bytes(8))],
    ids=["bytearray", "memoryview", "array"],
)
def test_recv_into_fills_any_writable_buffer_and_returns_the_count(buffer):
    conn, peer = _connected()
    with conn, peer:
        peer.sendall(b"abcdef")
        assert sockffi.recv_into(conn, buffer, 2) == 2
        assert bytes(buffer[:2]) == b"ab"
        assert sockffi.recv_into(conn.fd, buffer) == 4  # None: the whole buffer
        assert bytes(buffer[:4]) == b"cdef"


@pytest.mark.parametrize(
    "buffer, size, error",
    [
        (b"immutable", None, TypeError),
        (bytearray(4), 5, ValueError),
        (bytearray(4), -1, ValueError),
        (bytearray(4), "2", TypeError),
        (memoryview(bytearray(8))[::2], None, TypeError),
        ("text", None, TypeError),
    ],
    ids=["bytes", "too-big", "negative", "str-size", "strided", "str"],
)
def test_recv_into_refuses_bad_arguments_before_any_syscall(buffer, size, error):
    conn, peer = _connected()
    with conn, peer, Recorded() as calls, pytest.raises(error):
        sockffi.recv_into(conn, buffer, size)
    assert calls == []


def test_recv_refuses_a_negative_or_non_int_size_before_any_syscall():
    conn, peer = _connected()
    with conn, peer, Recorded() as calls:
        with pytest.raises(ValueError, match="negative"):
            sockffi.recv(conn, -1)
        with pytest.raises(TypeError):
            sockffi.recv(conn, 1.5)
    assert calls == []


def test_recvfrom_gives_the_source_in_cpythons_shape(shortdir):
    rx = sockffi.socket(sockffi.AF_INET6, sockffi.SOCK_DGRAM)
    tx = std.socket(std.AF_INET6, std.SOCK_DGRAM)
    try:
        sockffi.bind(rx, ("::1", 0))
        tx.bind(("::1", 0))
        tx.sendto(b"one", sockffi.getsockname(rx))
        tx.sendto(b"two", sockffi.getsockname(rx))
        data, source = sockffi.recvfrom(rx, 100)
        assert (data, source) == (b"one", tx.getsockname())
        buffer = bytearray(2)
        assert sockffi.recvfrom_into(rx, buffer) == (2, tx.getsockname())  # the rest of the datagram is dropped
        assert buffer == b"tw"
    finally:
        sockffi.close(rx)
        tx.close()
    # A unix datagram: its path, an abstract name's bytes, or None for an unbound sender, as CPython gives them.
    path = os.path.join(shortdir, "rx")
    rx2 = std.socket(std.AF_UNIX, std.SOCK_DGRAM)
    rx2.bind(path)
    with rx2:
        for bind_to in (None, os.path.join(shortdir, "tx"), b"\0sockffi-test-%d" % os.getpid()):
            with std.socket(std.AF_UNIX, std.SOCK_DGRAM) as tx2:
                if bind_to is not None:
                    tx2.bind(bind_to)
                tx2.sendto(b"a", path)
                tx2.sendto(b"b", path)
                mine = sockffi.recvfrom(rx2.fileno(), 10)
                theirs = rx2.recvfrom(10)
                assert (mine[0], theirs[0]) == (b"a", b"b") and mine[1] == theirs[1]


def test_recvfrom_on_a_connected_stream_has_no_address_as_cpythons():
    conn, peer = _connected()
    with conn, peer:
        peer.sendall(b"xy")
        assert sockffi.recvfrom(conn, 1) == (b"x", None)
        peer.sendall(b"z")
        with conn.to_socket() as std_conn:
            assert std_conn.recvfrom(2) == (b"yz", None)  # CPython: None too


@pytest.mark.skipif(not hasattr(sockffi, "MSG_TRUNC"), reason="no MSG_TRUNC here")
def test_msg_trunc_gives_the_whole_length_from_recv_into_and_never_more_bytes_than_size():
    rx = std.socket(std.AF_INET, std.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    tx = std.socket(std.AF_INET, std.SOCK_DGRAM)
    with rx, tx:
        tx.sendto(bytes(range(100)), rx.getsockname())
        tx.sendto(bytes(range(100)), rx.getsockname())
        buffer = bytearray(10)
        assert sockffi.recv_into(rx.fileno(), buffer, 0, sockffi.MSG_TRUNC) == 100  # the datagram's length
        assert buffer == bytes(range(10))
        assert sockffi.recv(rx.fileno(), 10, sockffi.MSG_TRUNC) == bytes(range(10))


def test_recv_is_traced_with_what_it_received():
    conn, peer = _connected()
    with conn, peer:
        peer.sendall(b"hi")
        with Recorded() as calls:
            assert sockffi.recv(conn, 16) == b"hi"
        (event,) = calls
        assert (event.syscall, event.call, event.result) == ("recvfrom", "recv", 2)
        assert event.args[1:] == ("b'hi', 16", "0", "NULL", "NULL")


# ------------------------------------------------------------------- sendmsg


def test_sendmsg_gathers_any_buffers_into_one_message():
    rx = std.socket(std.AF_INET, std.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    try:
        parts = (b"ab", bytearray(b"cd"), memoryview(b"ef"), array.array("b", b"gh"))
        assert sockffi.sendmsg(fd, iter(parts), rx.getsockname()) == 8  # any iterable, read once
        assert rx.recv(100) == b"abcdefgh"
        assert sockffi.sendmsg(fd, [], rx.getsockname()) == 0  # an empty datagram
        assert rx.recv(100) == b""
        with pytest.raises(TypeError, match=r"sendmsg\(fd, \[data\]\)"):
            sockffi.sendmsg(fd, b"not a list", rx.getsockname())
        with pytest.raises(TypeError):
            sockffi.sendmsg(fd, [b"x", "text"], rx.getsockname())
    finally:
        sockffi.close(fd)
        rx.close()


def test_sendmsg_on_a_connected_stream_and_its_errors():
    conn, peer = _connected()
    with conn:
        assert sockffi.sendmsg(conn, [b"one ", b"two"]) == 7
        assert peer.recv(7, std.MSG_WAITALL) == b"one two"
        sockffi.shutdown(conn, sockffi.SHUT_WR)
        with pytest.raises(sockffi.BrokenPipe) as info:
            sockffi.sendmsg(conn, [b"x"])
        assert isinstance(info.value, sockffi.SendMsgError) and info.value.syscall == "sendmsg"
        peer.close()


def test_sendmsg_after_an_icmp_refusal_is_connection_refused_where_zig_says_unexpected():
    port = _closed_udp_port()
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    try:
        sockffi.connect(fd, ("127.0.0.1", port))
        sockffi.send(fd, b"x")  # the ICMP port-unreachable comes back to this socket
        _wait_for_error(fd)
        with pytest.raises(sockffi.ConnectionRefused) as info:
            sockffi.sendmsg(fd, [b"y"])
        assert info.value.errno == errno.ECONNREFUSED
    finally:
        sockffi.close(fd)


def _closed_udp_port() -> int:
    with std.socket(std.AF_INET, std.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_error(fd: int) -> None:
    import select

    poller = select.poll()
    poller.register(fd, select.POLLERR)
    poller.poll(30_000)


# ------------------------------------------------------------------- poll


def test_poll_reports_each_entry_with_revents_as_given():
    conn, peer = _connected()
    with conn, peer:
        assert sockffi.poll([(conn, sockffi.POLLIN)], 0) == []
        got = sockffi.poll([(conn, sockffi.POLLIN | sockffi.POLLOUT), (peer, sockffi.POLLIN)], 0)
        assert got == [(conn, sockffi.POLLOUT)]  # the object given, not its number
        peer.sendall(b"x")
        got = sockffi.poll([(conn.fd, sockffi.POLLIN)], 10_000)
        assert got == [(conn.fd, sockffi.POLLIN)]
        assert sockffi.poll([], 0) == []


def test_poll_of_a_closed_owner_is_pollnval_and_reaches_no_recycled_fd():
    conn, peer = _connected()
    with peer:
        number = conn.fd
        conn.close()
        with std.socket() as other:  # may take the closed one's number
            assert other.fileno() == number or True
            assert sockffi.poll([(conn, sockffi.POLLIN | sockffi.POLLOUT)], 10_000) == [(conn, sockffi.POLLNVAL)]


def test_an_interrupted_poll_waits_only_for_the_time_left():
    # A layer at the seam (as sockffi.testing's are) makes the first poll take
    # 100 ms and come back interrupted; the retry must ask for what is left.
    import time

    from sockffi import _seam

    asked = []

    def layer(name, fn):
        if name not in ("poll", "poll1"):
            return fn

        def poll(*args):
            asked.append(args[-1])
            if len(asked) == 1:
                time.sleep(0.1)
                return -errno.EINTR
            return fn(*args)

        return poll

    r, w = os.pipe()
    owner = object()
    for fds in ([(r, sockffi.POLLIN)], [(r, sockffi.POLLIN), (w, sockffi.POLLIN)]):  # one entry, and several
        asked.clear()
        _seam.push_layer(owner, layer)
        try:
            assert sockffi.poll(fds, 300) == []
        finally:
            _seam.pop_layer(owner)
        assert asked[0] == 300 and len(asked) == 2 and asked[1] <= 200  # Zig asks for 300 again
    os.close(r)
    os.close(w)


def test_poll_over_the_fd_limit_is_a_caller_error_not_a_crash():
    def child():
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
        try:
            sockffi.poll([(0, sockffi.POLLIN)] * 64, 0)
        except sockffi.CallerError as e:
            return e.errno
        return None

    assert in_child(child).value == errno.EINVAL  # Zig panics here


@pytest.mark.parametrize(
    "fds, timeout, error",
    [
        ([(0,)], 0, TypeError),
        ([(0, "POLLIN")], 0, TypeError),
        ([(0, 1 << 20)], 0, OverflowError),
        ([(-1, 1)], 0, ValueError),
        ([(0, 1)], "1", TypeError),
        ([(0, 1)], 1 << 40, OverflowError),
        ([(0, 1)], float("nan"), ValueError),
    ],
    ids=["pair", "events-str", "events-big", "negative-fd", "timeout-str", "timeout-big", "nan"],
)
def test_poll_refuses_bad_arguments_before_any_syscall(fds, timeout, error):
    with Recorded() as calls, pytest.raises(error):
        sockffi.poll(fds, timeout)
    assert calls == []


# ------------------------------------------------------------------- Connection I/O


def test_connection_read_write_and_the_end_of_the_stream():
    conn, peer = _connected()
    with conn:
        assert conn.write(b"hello") == 5
        assert peer.recv(5, std.MSG_WAITALL) == b"hello"
        peer.sendall(b"world")
        assert conn.read(3) == b"wor"
        buffer = bytearray(10)
        assert conn.readinto(buffer) == 2 and buffer[:2] == b"ld"
        peer.close()
        assert conn.read(10) == b""


def test_connection_read_after_a_reset_is_stream_read_error_once_then_the_end():
    conn, peer = _connected()
    with conn:
        _reset(peer)
        _wait_readable(conn.fd)
        with pytest.raises(sockffi.ConnectionResetByPeer) as info:
            conn.read(10)
        e = info.value
        assert isinstance(e, sockffi.StreamReadError) and (e.errno, e.syscall, e.op) == (
            errno.ECONNRESET,
            "recv",
            "Connection.read",
        )
        assert e.address == conn.address
        assert conn.read(10) == b""


def test_write_all_says_how_much_went_out_before_would_block():
    conn, peer = _connected()
    with conn, peer:
        sockffi.setsockopt(conn, sockffi.SOL_SOCKET, sockffi.SO_SNDBUF, 4096)
        peer.setsockopt(std.SOL_SOCKET, std.SO_RCVBUF, 4096)
        os.set_blocking(conn.fd, False)
        data = bytes(range(256)) * 40960  # 10 MiB: more than both buffers hold
        with pytest.raises(sockffi.WouldBlock) as info:
            conn.write_all(data)
        sent = info.value.sent
        assert isinstance(info.value, sockffi.StreamWriteError) and 0 < sent < len(data)
        received = bytearray()
        peer.settimeout(30)
        while len(received) < sent:
            received += peer.recv(1 << 16)
        assert bytes(received) == data[:sent]  # exactly the first `sent` bytes, nothing more


def test_write_all_sends_everything_and_an_error_without_a_count_has_none():
    conn, peer = _connected()
    with conn, peer:
        data = bytearray(os.urandom(3 << 20))
        import threading

        got = bytearray()
        reader = threading.Thread(target=lambda: got.extend(_read_exactly(peer, len(data))))
        reader.start()
        conn.write_all(data)
        reader.join(60)
        assert got == data
        with pytest.raises(sockffi.SocketNotConnected) as info:
            sockffi.recv(sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM), 1)
        assert info.value.sent is None


def _read_exactly(sock: std.socket, n: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(1 << 16)
        if not chunk:
            break
        chunks += chunk
    return bytes(chunks)


def test_a_connection_is_a_raw_stream_for_io():
    import io

    conn, peer = _connected()
    with conn:
        peer_conn = peer
        writer = io.BufferedWriter(conn)
        writer.write(b"first line\nsecond")
        writer.flush()
        assert _read_exactly(peer_conn, 17) == b"first line\nsecond"
        peer_conn.sendall(b"alpha\nbeta\n")
        reader = io.BufferedReader(conn)
        assert reader.readline() == b"alpha\n" and reader.readline() == b"beta\n"
        assert conn.readable() and conn.writable() and not conn.seekable()
        peer_conn.close()
        assert reader.read() == b""
    with pytest.raises(ValueError, match="closed"):
        conn.readable()


def test_connection_io_on_a_closed_connection_is_refused_before_any_syscall():
    conn, peer = _connected()
    conn.close()
    with peer, Recorded() as calls:
        for call in (lambda: conn.read(1), lambda: conn.write(b"x"), lambda: conn.write_all(b"x")):
            with pytest.raises(sockffi.CallerError, match="closed"):
                call()
    assert calls == []


# ------------------------------------------------------------------- Datagram


def test_bind_udp_and_connect_udp_talk():
    with sockffi.bind_udp("127.0.0.1:0") as server, sockffi.connect_udp(server.address) as client:
        assert server.peer is None and client.peer == server.address
        assert client.address == sockffi.getsockname(client)
        assert client.send(b"ping") == 4
        data, source = server.recvfrom(100)
        assert (data, source) == (b"ping", client.address)
        assert server.sendto(b"pong", source) == 4
        assert client.recv(100) == b"pong"
        buffer = bytearray(8)
        client.send(b"again")
        assert server.recvfrom_into(buffer) == (5, client.address)


def test_a_connected_datagram_reports_the_peers_refusal_once():
    port = _closed_udp_port()
    with sockffi.connect_udp(("127.0.0.1", port)) as client:
        client.send(b"x")
        _wait_for_error(client.fd)
        with pytest.raises(sockffi.ConnectionRefused) as info:
            client.recv(10)
        e = info.value
        assert isinstance(e, sockffi.RecvFromError) and e.address == ("127.0.0.1", port)  # the peer
        with pytest.raises(sockffi.WouldBlock):
            client.recv(10, sockffi.MSG_DONTWAIT)  # reported once


def test_bind_udp_failures_are_bind_udp_errors_and_close_the_socket(no_fd_leak):
    with pytest.raises(sockffi.AddressNotAvailable) as info:
        sockffi.bind_udp(("198.51.100.1", 0))
    e = info.value
    assert isinstance(e, sockffi.BindUdpError) and (e.op, e.syscall) == ("bind_udp", "bind")
    with sockffi.bind_udp(("127.0.0.1", 0)) as held, pytest.raises(sockffi.AddressInUse):
        sockffi.bind_udp(held.address)
    assert issubclass(sockffi.ConnectError, sockffi.ConnectUdpError)


def test_a_broadcast_needs_broadcast_true():
    with sockffi.bind_udp(("127.0.0.1", 0)) as plain, pytest.raises(sockffi.AccessDenied):
        plain.sendto(b"x", ("255.255.255.255", 9))
    with sockffi.bind_udp(("0.0.0.0", 0), broadcast=True) as allowed:
        assert sockffi.getsockopt(allowed, sockffi.SOL_SOCKET, sockffi.SO_BROADCAST) == 1


# ------------------------------------------------------------------- sockffi.testing on the data path


def test_a_stream_reset_after_n_bytes_really_sends_the_first_n():
    import sockffi.testing

    conn, peer = _connected()
    with conn, peer:
        injection = sockffi.testing.fail("sendmsg", sockffi.ConnectionResetByPeer, after_bytes=70_000)
        with injection, pytest.raises(sockffi.ConnectionResetByPeer) as info:
            conn.write_all(bytes(range(256)) * 1024)
        assert info.value.sent == 70_000 == injection.sent and injection.count == 1
        assert info.value.errno == errno.ECONNRESET and isinstance(info.value, sockffi.StreamWriteError)
        assert _read_exactly(peer, 70_000) == (bytes(range(256)) * 1024)[:70_000]
        peer.setblocking(False)
        with pytest.raises(BlockingIOError):
            peer.recv(1)  # not one byte more


def test_a_short_send_really_sends_part_and_returns_its_count():
    import sockffi.testing

    conn, peer = _connected()
    with conn, peer:
        with sockffi.testing.short_sends("send", 3) as shortening:
            assert sockffi.send(conn, b"hello world") == 3
            assert sockffi.send(conn, b"!") == 1  # times=1: the next is whole
        assert shortening.count == 1
        assert _read_exactly(peer, 4) == b"hel!"
        with sockffi.testing.short_sends("sendmsg", 2, times=None):
            conn.write_all(b"abcdefg")  # write_all goes on after each short write
        assert _read_exactly(peer, 7) == b"abcdefg"
        with sockffi.testing.short_sends("sendmsg", 4):
            assert sockffi.sendmsg(conn, [b"ab", b"cd", b"ef"]) == 4  # a gather list cut at 4
        assert _read_exactly(peer, 4) == b"abcd"


def test_byte_injections_refuse_calls_that_send_nothing():
    import sockffi.testing

    with pytest.raises(ValueError, match="needs a call that sends bytes"):
        sockffi.testing.fail("recv", sockffi.WouldBlock, after_bytes=10)
    with pytest.raises(ValueError, match="needs a call that sends bytes"):
        sockffi.testing.short_sends("poll", 1)
    with pytest.raises(sockffi.testing.NotFired), sockffi.testing.short_sends("send", 1):
        pass


def test_threads_racing_on_recvfrom_each_get_their_own_source():
    """The `from` buffers are pooled: each call holds its own while the kernel
    fills it and until the source is read, so no thread ever reads another's."""
    import threading

    receivers = [sockffi.bind_udp(("127.0.0.1", 0)) for _ in range(4)]
    senders = [std.socket(std.AF_INET, std.SOCK_DGRAM) for _ in range(4)]
    for s in senders:
        s.bind(("127.0.0.1", 0))
    count = 300
    failures: list[str] = []

    def worker(i: int) -> None:
        receiver, sender = receivers[i], senders[i]
        port = sender.getsockname()[1]
        for k in range(count):
            sender.sendto(b"%d:%d" % (port, k), receiver.address)
            if k % 2:
                data, source = receiver.recvfrom(64)
            else:
                buf = bytearray(64)
                n, source = sockffi.recvfrom_into(receiver, buf)
                data = bytes(buf[:n])
            if source != ("127.0.0.1", port) or data != b"%d:%d" % (port, k):
                failures.append(f"{data!r} from {source}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for made in (*receivers, *senders):
        made.close()
    assert not failures, failures[:5]
