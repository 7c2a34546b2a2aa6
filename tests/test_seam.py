"""The boundary between C and Python: results that belong to their own call,
caches that never change meaning, one rule per argument, on every path."""

from __future__ import annotations

import array
import errno
import os
import shutil
import socket as std
import struct
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import LINUX, ROOT, in_child, run_python

import sockffi
import sockffi.trace
from sockffi import _seam

HERE = Path(__file__).resolve().parent


def run_script(code: str, *args: str, timeout: float = 120, flags: tuple[str, ...] = ()) -> str:
    """Run code in a fresh interpreter; its output, once it succeeded."""
    done = run_python(code, *args, flags=flags, timeout=timeout)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


# ------------------------------------------------------------------ reentrancy

REENTRANT = """
import os, signal, socket, sys, sockffi, sockffi.trace
unix = socket.socket(socket.AF_UNIX)
unix.bind(f"\\0sockffi-reentrant-{os.getpid()}")
v6 = socket.socket(socket.AF_INET6)
v6.bind(("::1", 0))
v4 = socket.socket()
v4.bind(("127.0.0.1", 0))
ticks = [0]
inside = [False]

def handler(sig, frame):
    if inside[0]:  # the handler itself interrupted (a loaded machine): no nesting without end
        return
    inside[0] = True
    try:
        ticks[0] += 1
        sockffi.getsockname(unix)       # another socket, another family, mid-call
        sockffi.getsockname(v4)
    finally:
        inside[0] = False

signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.00005, 0.00005)
wrong = checked = 0
observer = sockffi.trace.observe(lambda event: sockffi.getsockname(unix))
try:
    for i in range(int(sys.argv[1])):
        for sock in (v6, unix, v4):
            checked += 1
            if sockffi.getsockname(sock) != sock.getsockname():
                wrong += 1
        if i % 8 == 0:
            for host in ("::1", "127.0.0.1"):
                server = sockffi.listen_tcp((host, 0))
                with socket.socket(fileno=os.dup(server.fd)) as twin:
                    checked += 1
                    wrong += server.address != twin.getsockname()
                server.close()
finally:
    signal.setitimer(signal.ITIMER_REAL, 0, 0)
    observer.close()
print(wrong, checked, ticks[0])
"""


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs setitimer")
def test_results_are_right_under_a_signal_handler_and_an_observer_that_call_sockffi():
    wrong, checked, ticks = map(int, run_script(REENTRANT, "4000").split())
    assert ticks > 100, "the timer hardly fired: the test would prove nothing"
    assert checked > 12000
    assert wrong == 0


def test_an_observer_calling_sockffi_does_not_change_the_observed_result(no_fd_leak):
    with std.socket(std.AF_UNIX) as unix, std.socket(std.AF_INET6) as v6:
        unix.bind(f"\0sockffi-observer-{os.getpid()}")
        v6.bind(("::1", 0))
        with sockffi.trace.observe(lambda event: sockffi.getsockname(unix)):
            assert sockffi.getsockname(v6) == v6.getsockname()
            with sockffi.listen_tcp(("::1", 0)) as server, std.socket(fileno=os.dup(server.fd)) as twin:
                assert server.address == twin.getsockname()


def test_the_ipv6_intern_table_full_falls_back_to_a_buffer_of_the_call(no_fd_leak):
    """More distinct IPv6 (address, scope) pairs than the C table holds: every
    result is still right (in a child: the table is process-wide)."""

    def child() -> int:
        wrong = 0
        for i in range(1100):  # the table holds 1024
            with std.socket(std.AF_INET6, std.SOCK_DGRAM) as s:
                s.bind(("::1", 0, 0, 0))
                host = f"ff02::{i + 1:x}"
                with std.socket(std.AF_INET6, std.SOCK_DGRAM) as m:
                    m.bind((host, 0, 0, 1))
                    wrong += sockffi.getsockname(m) != m.getsockname()
        return wrong

    if not LINUX:
        pytest.skip("binds multicast addresses on lo")
    assert in_child(child).value == 0


# ------------------------------------------------------------------ AlreadyBound only when bound


@pytest.mark.parametrize("host", ["fe80::1", "ff02::1"])
def test_einval_on_an_unbound_socket_is_unexpected_not_already_bound(host, no_fd_leak):
    fd = sockffi.socket(sockffi.AF_INET6, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(sockffi.Unexpected) as info:
            sockffi.bind(fd, (host, 0))  # link-local without a scope: EINVAL
    finally:
        sockffi.close(fd)
    assert info.value.errno == errno.EINVAL and info.value.syscall == "bind"
    with pytest.raises(sockffi.Unexpected) as info2:
        sockffi.listen_tcp((host, 0))
    assert info2.value.errno == errno.EINVAL


def test_a_v4_mapped_address_on_a_v6only_socket_is_unexpected(no_fd_leak):
    fd = sockffi.socket(sockffi.AF_INET6, sockffi.SOCK_STREAM)
    try:
        sockffi.setsockopt(fd, sockffi.IPPROTO_IPV6, sockffi.IPV6_V6ONLY, 1)
        with pytest.raises(sockffi.Unexpected) as info:
            sockffi.bind(fd, ("::ffff:127.0.0.1", 0))
        assert info.value.errno == errno.EINVAL
        sockffi.bind(fd, ("::1", 0))
        with pytest.raises(sockffi.AlreadyBound):  # now it is verifiably bound
            sockffi.bind(fd, ("::1", 0))
    finally:
        sockffi.close(fd)


# ------------------------------------------------------------------ CPython's shapes


@pytest.mark.skipif(not LINUX, reason="binds ff02::1 on lo (index 1)")
def test_ipv6_getsockname_has_no_scope_suffix_as_cpython(no_fd_leak):
    with std.socket(std.AF_INET6, std.SOCK_DGRAM) as s:
        s.bind(("ff02::1", 0, 0, 1))
        got = sockffi.getsockname(s)
        assert got == s.getsockname()
        assert got[0] == "ff02::1" and got[3] == 1


@pytest.mark.skipif(not LINUX, reason="AF_NETLINK is Linux's")
def test_netlink_getsockname_is_cpythons_pid_and_groups(no_fd_leak):
    with std.socket(std.AF_NETLINK, std.SOCK_RAW, 0) as s:
        s.bind((0, 0))
        assert sockffi.getsockname(s) == s.getsockname()
        assert sockffi.getsockname(s)[0] != 0


@pytest.mark.skipif(not (LINUX and ROOT), reason="AF_PACKET needs CAP_NET_RAW (Linux)")
def test_packet_getsockname_is_cpythons_five_fields(no_fd_leak):
    with std.socket(std.AF_PACKET, std.SOCK_RAW, 0) as s:
        s.bind(("lo", 0x0800))
        got = sockffi.getsockname(s)
        assert got == s.getsockname()
        assert got[0] == "lo" and len(got) == 5


def test_short_ipv4_forms_are_refused_without_calling_them_names():
    with pytest.raises(ValueError) as info:
        sockffi.bind(1_000_000, ("127.1", 0))
    assert "name" not in str(info.value) and "127.1" in str(info.value)
    with pytest.raises(ValueError, match="does not resolve host names"):
        sockffi.bind(1_000_000, ("localhost", 0))


# ------------------------------------------------------------------ caches never change meaning


def test_bytearray_and_bytes_hosts_bind_as_cpython_does(no_fd_leak):
    for host in (bytearray(b"127.0.0.1"), b"127.0.0.1", memoryview(b"127.0.0.1").tobytes()):
        fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
        try:
            sockffi.bind(fd, (host, 0))
            assert sockffi.getsockname(fd)[0] == "127.0.0.1"
        finally:
            sockffi.close(fd)


def test_no_bytes_warning_under_bb_after_an_equal_str_host():
    out = run_script(
        """
        import sockffi
        for host in ("127.0.0.1", b"127.0.0.1", "127.0.0.1", bytearray(b"127.0.0.1")):
            fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
            sockffi.bind(fd, (host, 0))
            sockffi.close(fd)
            with sockffi.listen_tcp((host, 0)) as s:
                pass
        print("ok")
        """,
        flags=("-bb", "-W", "error"),
    )
    assert out.strip() == "ok"


class LyingStr(str):
    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash("127.0.0.1")

    def __str__(self) -> str:
        return "127.0.0.1"

    def encode(self, *args: object, **kwargs: object) -> bytes:  # type: ignore[override]
        return b"127.0.0.1"


def test_a_str_subclass_cannot_borrow_another_hosts_cache_entry(no_fd_leak):
    sockffi.listen_tcp(("127.0.0.1", 0)).close()  # 127.0.0.1 is in the cache now
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM)
    try:
        sockffi.bind(fd, (LyingStr("127.0.0.2"), 0))
        assert sockffi.getsockname(fd)[0] == "127.0.0.2"  # its own characters
    finally:
        sockffi.close(fd)
    with sockffi.listen_tcp((LyingStr("127.0.0.3"), 0)) as server:
        assert server.address[0] == "127.0.0.3"


class LyingBytes(bytes):
    def __len__(self) -> int:
        return 200


@pytest.mark.skipif(not LINUX, reason="abstract names")
def test_a_bytes_subclass_lying_about_its_length_binds_its_real_bytes(no_fd_leak):
    name = LyingBytes(f"\0sockffi-lying-{os.getpid()}".encode())
    fd = sockffi.socket(sockffi.AF_UNIX, sockffi.SOCK_STREAM)
    try:
        sockffi.bind(fd, name)
        assert sockffi.getsockname(fd) == bytes(name)  # not 200 bytes of heap
    finally:
        sockffi.close(fd)


def test_setsockopt_passes_a_buffers_real_length(no_fd_leak):
    class Short(bytes):
        def __len__(self) -> int:
            return 4

    linger = Short(struct.pack("ii", 1, 5))
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_LINGER, linger)  # 8 bytes, not 4
        with std.socket(fileno=os.dup(fd)) as twin:
            assert struct.unpack("ii", twin.getsockopt(std.SOL_SOCKET, std.SO_LINGER, 8)) == (1, 5)
    finally:
        sockffi.close(fd)


@pytest.mark.parametrize(
    "value",
    [array.array("i", [1]), memoryview(struct.pack("i", 1)), bytearray(struct.pack("i", 1))],
    ids=["array", "memoryview", "bytearray"],
)
def test_setsockopt_takes_any_buffer_as_cpython_does(value, no_fd_leak):
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_KEEPALIVE, value)
        with std.socket(fileno=os.dup(fd)) as twin:
            assert twin.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 1
    finally:
        sockffi.close(fd)


# ------------------------------------------------------------------ one rule for option flags


@pytest.mark.parametrize("bad", [None, "yes", 1.0, 2**40, 2, -1])
@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
@pytest.mark.parametrize("traced", [False, True], ids=["plain", "traced"])
def test_option_flags_follow_one_rule_on_every_path(bad, host, traced, no_fd_leak):
    def attempt() -> None:
        for name in ("reuse_address", "reuse_port", "nonblocking", "inheritable"):
            with pytest.raises(TypeError, match=name):
                sockffi.listen_tcp((host, 0), **{name: bad})
        with pytest.raises(TypeError, match="nonblocking"):
            sockffi.listen_unix(f"\0sockffi-flags-{os.getpid()}", nonblocking=bad)

    if traced:
        with sockffi.trace.observe(lambda event: None):
            attempt()
    else:
        attempt()


@pytest.mark.parametrize("good", [True, False, 1, 0])
def test_bools_and_zero_or_one_are_flags(good, no_fd_leak):
    sockffi.listen_tcp(("127.0.0.1", 0), reuse_address=good, nonblocking=good).close()
    sockffi.listen_tcp(("::1", 0), reuse_address=good, dualstack_ipv6=good).close()


# ------------------------------------------------------------------ the trace shows only syscalls


def test_arguments_refused_before_the_call_are_not_traced(no_fd_leak):
    seen: list[sockffi.trace.Event] = []
    with sockffi.trace.observe(seen.append):
        for call in (
            lambda: sockffi.bind(-1, ("127.0.0.1", 0)),
            lambda: sockffi.listen(-1),
            lambda: sockffi.getsockname(-1),
            lambda: sockffi.close(-1),
            lambda: sockffi.listen(1_000_000, -1),
        ):
            with pytest.raises((ValueError, OverflowError)):
                call()
    assert seen == []


def test_observe_without_with_observes_until_closed(no_fd_leak):
    seen: list[sockffi.trace.Event] = []
    observation = sockffi.trace.observe(seen.append)  # as the README writes it
    try:
        sockffi.close(sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM))
    finally:
        observation.close()
    sockffi.close(sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM))
    assert [e.syscall for e in seen] == ["socket", "close"]
    with pytest.raises(TypeError):
        sockffi.trace.observe(None)  # type: ignore[arg-type]


# ------------------------------------------------------------------ arguments said with their names


@pytest.mark.parametrize("host", ["::1%", "::1%\u0661"])  # '::1%²' is '::1%2' to CPython (NFKC), and so here
def test_bad_scopes_are_clear_value_errors(host):
    with pytest.raises(ValueError) as info:
        sockffi.bind(1_000_000, (host, 0))
    assert "invalid literal" not in str(info.value)
    assert "scope" in str(info.value) or "interface" in str(info.value)


def test_integer_overflow_names_the_argument(no_fd_leak):
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(OverflowError, match="backlog"):
            sockffi.listen(fd, 2**31)
        with pytest.raises(OverflowError, match="value"):
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_KEEPALIVE, 2**31)
        with pytest.raises(OverflowError, match="level"):
            sockffi.setsockopt(fd, 2**31, sockffi.SO_KEEPALIVE, 1)
        with pytest.raises(OverflowError, match="fd"):
            sockffi.getsockname(2**40)
        with pytest.raises(OverflowError, match="protocol"):
            sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM, 2**31)
    finally:
        sockffi.close(fd)


# ------------------------------------------------------------------ the C itself


@pytest.mark.parametrize("compiler", ["gcc", "x86_64-w64-mingw32-gcc"])
def test_the_c_compiles_clean_with_every_warning(compiler, tmp_path):
    cc = shutil.which(compiler)
    if cc is None:
        pytest.skip(f"{compiler} is not installed")
    from conftest import build_ffi

    source = tmp_path / "as_built.c"  # (not sockffi.c: it includes csrc/sockffi.c by that name)
    source.write_text(build_ffi().source())  # what the compiler sees: csrc/, in order, with the optional constants
    flags = ["-Wall", "-Wextra", "-Wconversion", "-Wshadow", "-Werror", "-fsyntax-only", f"-I{HERE.parent / 'csrc'}"]
    done = subprocess.run(
        [cc, *flags, str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_every_layout_python_reads_comes_from_the_c():
    """No bit layout or step number is written in Python: each is a cdef constant."""
    source = "".join((HERE.parent / "sockffi" / name).read_text() for name in ("_seam.py", "net.py", "_addr.py"))
    for literal in ("<< 60", "<< 61", "<< 24", "0x100000", "0x400000", "1 << 62"):
        assert literal not in source, literal
    assert _seam.STEPS[sockffi._lib.SF_STEP_BIND] == "bind"


def test_threads_racing_on_ipv6_results(no_fd_leak):
    servers = [sockffi.listen_tcp(("::1", 0)) for _ in range(4)]
    failures: list[str] = []

    def worker(i: int) -> None:
        for _ in range(2000):
            server = servers[i % 4]
            if sockffi.getsockname(server) != server.address:
                failures.append(repr(server))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in servers:
        s.close()
    assert not failures
