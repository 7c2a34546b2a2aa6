"""listen_tcp: Zig's Address.listen, happy paths and failure paths, never leaking an fd."""

from __future__ import annotations

import errno
import fcntl
import gc
import os
import socket as std
import warnings

import pytest
from conftest import LINUX, assert_error, child_error, in_child, open_fds, set_nofile

import sockffi


def _accepts(server: sockffi.Server) -> None:
    """A real client connects, and the server accepts it."""
    family = std.AF_INET6 if len(server.address) == 4 else std.AF_INET
    with std.socket(family, std.SOCK_STREAM) as client:
        client.connect(server.address)
        listener = std.socket(fileno=os.dup(server.fd))
        try:
            listener.settimeout(5)
            conn, _ = listener.accept()
            conn.close()
        finally:
            listener.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_listens_on_loopback_port_0(host, no_fd_leak):
    with sockffi.listen_tcp((host, 0)) as server:
        assert server.address[0] == host
        assert server.address[1] > 0
        assert server.fileno() == server.fd >= 0
        with std.socket(fileno=os.dup(server.fd)) as s:
            assert s.getsockname() == server.address
            assert s.getsockopt(std.SOL_SOCKET, std.SO_ACCEPTCONN) == 1
            assert s.type == std.SOCK_STREAM
        _accepts(server)
    assert server.closed


def test_ipv6_address_has_cpythons_four_fields(no_fd_leak):
    with sockffi.listen_tcp(("::1", 0, 0, 0)) as server:
        host, _port, flowinfo, scope_id = server.address
        assert (host, flowinfo, scope_id) == ("::1", 0, 0)


def test_always_close_on_exec(no_fd_leak):
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        assert fcntl.fcntl(server.fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        assert not fcntl.fcntl(server.fd, fcntl.F_GETFL) & os.O_NONBLOCK


def test_nonblocking(no_fd_leak):
    with sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True) as server:
        assert fcntl.fcntl(server.fd, fcntl.F_GETFL) & os.O_NONBLOCK
        with std.socket(fileno=os.dup(server.fd)) as s, pytest.raises(BlockingIOError):
            s.accept()


def test_reuse_address_sets_so_reuseaddr_only(no_fd_leak):
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server, std.socket(fileno=os.dup(server.fd)) as s:
        assert s.getsockopt(std.SOL_SOCKET, std.SO_REUSEADDR) == 1
        if hasattr(std, "SO_REUSEPORT"):
            assert s.getsockopt(std.SOL_SOCKET, std.SO_REUSEPORT) == 0


@pytest.mark.skipif(not hasattr(std, "SO_REUSEPORT"), reason="no SO_REUSEPORT")
def test_reuse_port_lets_two_servers_share_a_port(no_fd_leak):
    with (
        sockffi.listen_tcp(("127.0.0.1", 0), reuse_port=True) as a,
        sockffi.listen_tcp(a.address, reuse_port=True) as b,
    ):
        assert a.address == b.address
        with std.socket(fileno=os.dup(b.fd)) as s:
            assert s.getsockopt(std.SOL_SOCKET, std.SO_REUSEPORT) == 1


def test_reuse_port_on_unix_is_refused_before_any_syscall(shortdir, no_fd_leak):
    with pytest.raises(TypeError, match="reuse_port"):
        sockffi.listen_unix(os.path.join(shortdir, "s"), reuse_port=True)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="listen_unix"):
        sockffi.listen_tcp(os.path.join(shortdir, "s"), reuse_port=True)
    assert not os.path.exists(os.path.join(shortdir, "s"))


def test_unix_path_and_abstract_name(shortdir, no_fd_leak):
    path = os.path.join(shortdir, "s")
    with sockffi.listen_unix(path) as server:
        assert server.address == path
        with std.socket(std.AF_UNIX) as c:
            c.connect(path)
    if LINUX:
        name = f"\0sockffi-{os.getpid()}".encode()
        with sockffi.listen_unix(name) as server:
            assert server.address == name
            with std.socket(std.AF_UNIX) as c:
                c.connect(name)


def test_close_is_idempotent_and_context_manager_closes(no_fd_leak):
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    fd = server.fd
    server.close()
    server.close()
    with pytest.raises(OSError):
        os.fstat(fd)


def test_to_socket_transfers_ownership(no_fd_leak):
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    fd = server.fd
    sock = server.to_socket()
    assert sock.fileno() == fd and server.fd == server.fileno() == -1
    assert sock.getsockname() == server.address
    server.close()  # must not close the fd that the socket now owns
    assert sock.getsockname() == server.address
    sock.close()
    with pytest.raises(ValueError):
        server.to_socket()


def test_unclosed_server_warns_and_closes(no_fd_leak):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        server = sockffi.listen_tcp(("127.0.0.1", 0))
        fd = server.fd
        del server
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) for w in caught), [str(w.message) for w in caught]
    with pytest.raises(OSError):
        os.fstat(fd)


# ------------------------------------------------------------------ failures


def test_address_in_use_closes_the_fd(no_fd_leak):
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        before = open_fds()
        with pytest.raises(sockffi.ListenError) as info:
            sockffi.listen_tcp(server.address)
        assert open_fds() == before
    assert_error(info.value, sockffi.AddressInUse, errno.EADDRINUSE, "bind")


@pytest.mark.parametrize("address", [("198.51.100.7", 0), ("2001:db8::7", 0)])
def test_non_local_address_closes_the_fd(address, no_fd_leak):
    before = open_fds()
    with pytest.raises(sockffi.AddressNotAvailable) as info:
        sockffi.listen_tcp(address)
    assert open_fds() == before
    assert_error(info.value, sockffi.AddressNotAvailable, errno.EADDRNOTAVAIL, "bind")


def test_fd_limit_in_child_raises_process_fd_quota():
    def child():
        lowest_free = os.dup(0)
        os.close(lowest_free)
        set_nofile(lowest_free)  # no fd number left below the limit
        sockffi.listen_tcp(("127.0.0.1", 0))

    assert_error(child_error(child), sockffi.ProcessFdQuotaExceeded, errno.EMFILE, "socket")


def test_unix_path_missing_dir_closes_the_fd(shortdir, no_fd_leak):
    before = open_fds()
    with pytest.raises(sockffi.FileNotFound):
        sockffi.listen_unix(os.path.join(shortdir, "nope", "s"))
    assert open_fds() == before


def test_every_failure_is_in_the_union():
    assert issubclass(sockffi.AddressInUse, sockffi.ListenError)
    for cls in sockffi.ListenError.members:
        assert issubclass(cls, sockffi.ListenError)


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        ({"address": ("localhost", 0)}, ValueError),
        ({"address": ("127.0.0.1", 70000)}, OverflowError),
        ({"address": ("127.0.0.1", "80")}, TypeError),
        ({"address": ("127.0.0.1", 0), "backlog": -1}, OverflowError),
        ({"address": ("127.0.0.1", 0), "backlog": 2**31}, OverflowError),
        ({"address": ("127.0.0.1", 0), "backlog": 1.5}, TypeError),
        ({"address": 42}, TypeError),
    ],
)
def test_bad_arguments_fail_before_any_syscall(kwargs, exc, no_fd_leak):
    def child():
        # Any socket() would succeed here; a failure must come before it.
        before = open_fds()
        try:
            sockffi.listen_tcp(**kwargs)
        except exc:
            return open_fds() == before
        return "no error"

    assert in_child(child).value is True


def test_concurrent_close_closes_the_fd_exactly_once(no_fd_leak):
    """Eight threads closing one Server at once: one close(2), never two. (On a GIL
    build the old check-then-set happened to be atomic too; on free-threaded
    builds only the atomic claim in Server.close holds.)"""
    import threading

    import sockffi.trace

    closes: list[int] = []

    def count(event: sockffi.trace.Event) -> None:
        if event.syscall == "close":
            closes.append(int(event.args[0]))

    with sockffi.trace.observe(count):
        for _ in range(50):
            server = sockffi.listen_tcp(("127.0.0.1", 0))
            barrier = threading.Barrier(8)

            def closer(s: sockffi.Server = server, b: threading.Barrier = barrier) -> None:
                b.wait()
                s.close()

            threads = [threading.Thread(target=closer) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert server.closed
    assert len(closes) == 50


# ------------------------------------------------------------------ IP addresses only


@pytest.mark.parametrize(
    "text, address",
    [
        ("127.0.0.1:0", ("127.0.0.1", 0)),
        ("[::1]:0", ("::1", 0, 0, 0)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
        ("[::]:0", ("::", 0, 0, 0)),
    ],
)
def test_host_port_strings_as_rust_and_go_take_them(text, address, no_fd_leak):
    with sockffi.listen_tcp(text) as server:
        assert server.address[0] == address[0] and len(server.address) == len(address)


@pytest.mark.parametrize(
    "bad, exc, says",
    [
        ("/tmp/x.sock", ValueError, "listen_unix"),
        ("./relative.sock", ValueError, "listen_unix"),
        ("unix:/tmp/x", ValueError, "listen_unix"),
        ("@abstract", ValueError, "listen_unix"),
        ("x.sock", ValueError, "listen_unix"),
        (b"/tmp/x.sock", TypeError, "listen_unix"),
        (8080, TypeError, "bare port"),
        ("8080", ValueError, "HOST:PORT"),
        (":8080", ValueError, "HOST:PORT"),
        ("localhost:8080", ValueError, "resolve"),
        ("127.0.0.1", ValueError, "HOST:PORT"),
        ("127.0.0.1:", ValueError, "HOST:PORT"),
        ("127.0.0.1:+1", ValueError, "HOST:PORT"),
        ("127.0.0.1:99999", OverflowError, "65535"),
        ("::1:80", ValueError, "HOST:PORT"),
        ("[::1]", ValueError, "HOST:PORT"),
        (" ", ValueError, "HOST:PORT"),
        ("127.0.0.1:８０", ValueError, "HOST:PORT"),
    ],
)
def test_listen_tcp_never_makes_a_file_from_a_string(bad, exc, says, shortdir, monkeypatch):
    monkeypatch.chdir(shortdir)
    with pytest.raises(exc, match=says):
        sockffi.listen_tcp(bad)
    assert os.listdir(shortdir) == []


def test_listen_unix_refuses_ip_addresses():
    with pytest.raises(TypeError, match="listen_tcp"):
        sockffi.listen_unix(("127.0.0.1", 0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="listen_tcp"):
        sockffi.listen_unix(8080)  # type: ignore[arg-type]


def test_listen_unix_removes_only_its_own_file_and_nothing_at_bind_time(shortdir, no_fd_leak):
    path = os.path.join(shortdir, "s")
    with sockffi.listen_unix(path) as server:
        assert os.path.exists(path) and server.family == sockffi.AF_UNIX
    assert not os.path.exists(path)
    # A live server's socket is never displaced: the next one fails, and the file stays.
    with sockffi.listen_unix(path):
        with pytest.raises(sockffi.AddressInUse) as info:
            sockffi.listen_unix(path)
        assert os.path.exists(path)
        assert info.value.address == path and "listen_unix " + path in str(info.value)
    # A file that is no longer that socket (replaced since) is left alone.
    server = sockffi.listen_unix(path)
    os.unlink(path)
    with open(path, "w") as f:
        f.write("someone else's")
    server.close()
    with open(path) as f:
        assert f.read() == "someone else's"


# ------------------------------------------------------------------ errors say what failed where


def test_errors_carry_the_call_and_the_address(no_fd_leak):
    with sockffi.listen_tcp(("127.0.0.1", 0)) as held:
        port = held.address[1]
        with pytest.raises(sockffi.AddressInUse) as info:
            sockffi.listen_tcp(f"127.0.0.1:{port}")
    e = info.value
    assert e.address == ("127.0.0.1", port) and e.op == "listen_tcp" and e.syscall == "bind"
    assert str(e) == f"listen_tcp 127.0.0.1:{port}: bind: [Errno {errno.EADDRINUSE}] {os.strerror(errno.EADDRINUSE)}"
    assert (e.errno, e.strerror) == (errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))
    with pytest.raises(sockffi.AddressNotAvailable) as info6:
        sockffi.listen_tcp(("2001:db8::1", 8080))
    assert str(info6.value).startswith("listen_tcp [2001:db8::1]:8080: bind: ")
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(sockffi.AddressNotAvailable) as direct:
            sockffi.bind(fd, ("198.51.100.1", 80))
    finally:
        sockffi.close(fd)
    assert str(direct.value).startswith("bind 198.51.100.1:80: [Errno")
    assert direct.value.address == ("198.51.100.1", 80) and direct.value.op is None


def test_errors_with_context_pickle_with_it():
    import pickle

    try:
        sockffi.listen_tcp(("198.51.100.1", 0))
    except sockffi.AddressNotAvailable as e:
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is type(e) and str(again) == str(e) and again.syscall == "bind"
