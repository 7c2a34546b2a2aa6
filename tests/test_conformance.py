"""The whole error space: every errno on every syscall, injected at the kernel boundary.

The expected class for every (syscall, errno) pair comes from the library's own
tables (sockffi.errors.POSIX through the backend); test_tables_match_the_zig_spec
checks those tables against the Zig 0.15.2 specification independently.
"""

from __future__ import annotations

import errno
import gc
import os
from typing import Any, Callable, Optional

import pytest
from conftest import COUNTS, in_child, inject

import sockffi
from sockffi import _seam, _seccomp, errors

pytestmark = pytest.mark.skipif(bool(_seccomp.unavailable()), reason=str(_seccomp.unavailable()))

ALL_ERRNOS = sorted(errno.errorcode)
AF_INET, STREAM, DGRAM = sockffi.AF_INET, sockffi.SOCK_STREAM, sockffi.SOCK_DGRAM
SO_REUSEPORT = getattr(sockffi, "SO_REUSEPORT", None)


def _lowest_free_fd() -> int:
    probe = os.dup(0)
    os.close(probe)
    return probe


def _outcome(exc: Optional[BaseException]) -> tuple[str, Optional[int], Optional[str]]:
    if exc is None:
        return ("no error", None, None)
    return (type(exc).__name__, getattr(exc, "errno", None), getattr(exc, "syscall", None))


def _fds() -> set:
    return set(os.listdir("/proc/self/fd"))


# ------------------------------------------------------------------ the mechanism
# The matrix below makes about 2,600 (call, errno) pairs fail, each in a child
# forked from the worker's fork server (a fresh, single-threaded interpreter:
# see conftest.in_child), which is what sockffi_fail does for one test, without
# starting a pytest per pair. The marker itself is tested in
# test_testing_plugin.py, in pytests of their own: its filter stays for the life
# of the process it is installed in, which must not be this suite's worker.


def test_injection_reaches_the_kernel_boundary_and_only_there():
    def injected():
        fd = sockffi.socket(AF_INET, STREAM)
        inject("bind", errno.ENOMEM)
        sockffi.bind(fd, ("127.0.0.1", 0))

    def filtered_other_fd():
        a = sockffi.socket(AF_INET, STREAM)
        b = sockffi.socket(AF_INET, STREAM)
        inject("bind", errno.ENOMEM, {0: a})
        sockffi.bind(b, ("127.0.0.1", 0))  # another fd: untouched
        return sockffi.getsockname(b)[0]

    exc = in_child(injected).exc
    assert type(exc) is sockffi.SystemResources and exc.errno == errno.ENOMEM and exc.syscall == "bind"
    assert in_child(filtered_other_fd).value == "127.0.0.1"


# ------------------------------------------------------------------ the matrix


#: How each syscall is made under test: (what its fd needs first, the call).
#: A record with no entry here fails loudly (KeyError), never falls through to
#: another call.
CALLED: dict[str, tuple[str, Callable[[int, Any], object]]] = {
    "socket": ("", lambda fd, server: sockffi.socket(AF_INET, STREAM)),
    "bind": ("", lambda fd, server: sockffi.bind(fd, ("127.0.0.1", 0))),
    "listen": ("bound", lambda fd, server: sockffi.listen(fd)),
    "setsockopt": ("", lambda fd, server: sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1)),
    "getsockname": ("", lambda fd, server: sockffi.getsockname(fd)),
    "accept": ("server", lambda fd, server: sockffi.accept(server)),
    "connect": ("server", lambda fd, server: sockffi.connect(fd, server.address)),
    "getsockopt": ("connected", lambda fd, server: sockffi.getsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_TYPE)),
    "getsockopt_error": ("connected", lambda fd, server: sockffi.getsockopt_error(fd)),
    "getpeername": ("connected", lambda fd, server: sockffi.getpeername(fd)),
    "shutdown": ("connected", lambda fd, server: sockffi.shutdown(fd, sockffi.SHUT_RD)),
    "send": ("connected", lambda fd, server: sockffi.send(fd, b"x")),
    "sendto": ("connected", lambda fd, server: sockffi.sendto(fd, b"x", server.address)),
    "recv": ("connected", lambda fd, server: sockffi.recv(fd, 1, sockffi.MSG_DONTWAIT)),
    "recvfrom": ("connected", lambda fd, server: sockffi.recvfrom(fd, 1, sockffi.MSG_DONTWAIT)),
    "sendmsg": ("connected", lambda fd, server: sockffi.sendmsg(fd, [b"x", b"y"])),
    "poll": ("", lambda fd, server: sockffi.poll([(fd, sockffi.POLLIN)], 0)),
}


def test_every_record_is_called_under_test():
    assert set(CALLED) == set(errors.SYSCALLS)


def _call_with(syscall: str, code: int) -> tuple[str, Optional[int], Optional[str], int]:
    """In a child: set up, inject `code` into `syscall`, call it through sockffi."""
    needs, call = CALLED[syscall]

    def child() -> Any:
        fd = sockffi.socket(AF_INET, STREAM)
        if needs == "bound":
            sockffi.bind(fd, ("127.0.0.1", 0))
        server = sockffi.listen_tcp(("127.0.0.1", 0)) if needs in ("server", "connected") else None
        if needs == "connected":
            sockffi.connect(fd, server.address)
        before = _fds()
        inject(errors.RECORDS[syscall].kernel, code)
        exc = None
        try:
            call(fd, server)
        except BaseException as e:
            exc = e
        return (*_outcome(exc), len(_fds() - before))

    result = in_child(child)
    assert result.exc is None, result.tb
    return result.value


def expected(syscall: str, code: int, unreachable: type = errors.CallerError) -> type:
    """The class for `code` from `syscall` on an unbound socket of the address's
    family: bind's EINVAL is AlreadyBound only on a socket that is verifiably
    bound, so here it is Unexpected."""
    if syscall == "bind" and code == errno.EINVAL:
        return errors.Unexpected
    if syscall == "getsockopt_error":  # getsockopt itself failed: its own table
        return _seam.table("getsockopt_error.getsockopt", unreachable).get(code, errors.Unexpected)
    return _seam.table(syscall, unreachable).get(code, errors.Unexpected)


def expected_direct(syscall: str, code: int) -> type:
    return expected(syscall, code)


@pytest.mark.parametrize("syscall", list(errors.SYSCALLS))
def test_every_errno_on_every_syscall(syscall):
    set_cls = getattr(errors, errors.SYSCALLS[syscall])
    problems = []
    for code in ALL_ERRNOS:
        if code == errno.EINTR and errors.RECORDS[syscall].eintr:
            continue  # retried, as Zig does: a filter that always answers EINTR never ends (tested apart)
        name, got_errno, got_syscall, leaked = _call_with(syscall, code)
        want = expected_direct(syscall, code)
        want_syscall = "getsockopt" if syscall == "getsockopt_error" else syscall
        COUNTS["pairs"] += 1
        COUNTS["leaks"] += leaked
        if name != want.__name__ or got_errno != code or got_syscall != want_syscall or leaked:
            problems.append((errno.errorcode[code], name, want.__name__, got_errno, got_syscall, leaked))
            continue
        cls = getattr(sockffi, name)
        # A member of its own set, or, exactly for Zig's unreachable codes, the caller-bug error.
        # (By the code's number: Linux's ENOTSUP is EOPNOTSUPP, under either name.)
        table = errors.POSIX["getsockopt_error.getsockopt" if syscall == "getsockopt_error" else syscall]
        names = [n for n in table if getattr(errno, n, None) == code]
        if syscall == "getsockopt_error":
            assert cls in (sockffi.CallerError, sockffi.Unexpected)
        elif any(table[n] == errors.UNREACHABLE for n in names):
            assert cls is sockffi.CallerError
        else:
            assert issubclass(cls, set_cls), (syscall, errno.errorcode[code], name)
    assert not problems, problems


def test_departures_are_named_and_reached():
    # Each departure is a real (syscall, errno) pair whose class differs from Zig's.
    for (platform, syscall, code), why in errors.DEPARTURES.items():
        assert why
        if platform != "posix" or not hasattr(errno, code):
            continue
        got = _seam.table(syscall).get(getattr(errno, code), errors.Unexpected)
        assert got is not sockffi.CallerError and got is not sockffi.Unexpected, (syscall, code)


# ------------------------------------------------- the emulated flags (macOS's path)


@pytest.mark.parametrize("code", [errno.EMFILE, errno.EBADF, errno.EINVAL, errno.EIO, errno.EPERM])
def test_flag_emulation_failure_closes_the_socket(code):
    """Zig's setSockFlags: fcntl EMFILE -> ProcessFdQuotaExceeded, its caught or
    unreachable codes -> CallerError, anything else -> Unexpected; the fd is closed."""
    F_SETFD = 2

    def child() -> Any:
        expected_fd = _lowest_free_fd()
        before = _fds()
        inject("fcntl", code, {1: F_SETFD})
        rc = sockffi._lib.sf_socket_emulated(AF_INET, STREAM | sockffi._lib.SOCK_CLOEXEC, 0)
        exc = _seam.socket_error(rc) if rc < 0 else None
        reopened = os.dup(0)  # the socket's number again, if it was closed
        return (*_outcome(exc), len(_fds() - before) - 1, reopened == expected_fd)

    name, got, syscall, leaked, closed = in_child(child).value
    want = _seam.table("socket.fcntl").get(code, errors.Unexpected).__name__
    assert (name, got, syscall, leaked, closed) == (want, code, "fcntl", 0, True)


def test_flag_emulation_success_sets_the_flags():
    import fcntl

    rc = sockffi._lib.sf_socket_emulated(AF_INET, STREAM | sockffi._lib.SOCK_CLOEXEC | sockffi._lib.SOCK_NONBLOCK, 0)
    assert rc >= 0
    try:
        assert fcntl.fcntl(rc, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        assert fcntl.fcntl(rc, fcntl.F_GETFL) & os.O_NONBLOCK
    finally:
        os.close(rc)
    rc = sockffi._lib.sf_socket_emulated(AF_INET, STREAM, 0)
    try:
        assert not fcntl.fcntl(rc, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
    finally:
        os.close(rc)


# ------------------------------------------- the composed calls at every failure point


def _failing_call(setup: Any, call: Any, union: type, syscall: str, code: int, match: Any = None) -> tuple[Any, ...]:
    """In a child: setup(), then `syscall` fails with `code`, then call(what
    setup gave). Its outcome, whether the error is in `union`, and whether the
    socket's number is free again and stays open once reused (nothing closes
    it a second time, not even a garbage collection), and what leaked."""

    def child() -> Any:
        ctx = setup()
        expected_fd = _lowest_free_fd()
        before = _fds()
        inject(syscall, code, match)
        exc = None
        try:
            call(ctx)
        except BaseException as e:
            exc = e
        in_union = isinstance(exc, union)
        reopened = os.dup(0)
        gc.collect()
        try:
            os.fstat(reopened)
            still_open = True
        except OSError:
            still_open = False
        leaked = len(_fds() - before) - 1
        del ctx
        return (*_outcome(exc), in_union, reopened == expected_fd, still_open, leaked)

    result = in_child(child)
    assert result.exc is None, result.tb
    return tuple(result.value)


def _judged(outcome: tuple[Any, ...], want: str, code: int, syscall: str, counter: str) -> Optional[tuple[Any, ...]]:
    """None when the call failed as it must (want, the code, the syscall, in
    its union, the fd closed once, nothing leaked); else what was wrong."""
    name, got, got_syscall, in_union, reused, still_open, leaked = outcome
    COUNTS[counter] += 1
    COUNTS["leaks"] += max(leaked, 0)
    COUNTS["double_closes"] += not still_open
    if (name, got, got_syscall, in_union, reused, still_open, leaked) == (want, code, syscall, True, True, True, 0):
        return None
    return (errno.errorcode[code], name, want, got_syscall, in_union, reused, still_open, leaked)


# ------------------------------------------- listen_tcp and listen_unix at every failure point

IPV6_V6ONLY = sockffi.IPV6_V6ONLY
#: step -> (syscall to fail, argument match, which calls make it)
STEPS: dict[str, tuple[str, Optional[dict[int, int]], tuple[str, ...]]] = {
    "socket": ("socket", None, ("v4", "v6", "v4 traced", "unix")),
    "setsockopt SO_REUSEADDR": ("setsockopt", {2: sockffi.SO_REUSEADDR}, ("v4", "v6", "v4 traced")),
    "setsockopt SO_REUSEPORT": ("setsockopt", {2: SO_REUSEPORT or 0}, ("v4", "v6", "v4 traced")),
    "setsockopt IPV6_V6ONLY": ("setsockopt", {2: IPV6_V6ONLY}, ("v6",)),
    "bind": ("bind", None, ("v4", "v6", "v4 traced", "unix")),
    "listen": ("listen", None, ("v4", "v6", "v4 traced", "unix")),
    "getsockname": ("getsockname", None, ("v4", "v6", "v4 traced", "unix")),
}
CALLS = {
    "v4": lambda: sockffi.listen_tcp(("127.0.0.1", 0), reuse_port=SO_REUSEPORT is not None),
    "v6": lambda: sockffi.listen_tcp(("::1", 0), reuse_port=SO_REUSEPORT is not None),
    "v4 traced": lambda: _traced(lambda: sockffi.listen_tcp(("127.0.0.1", 0), reuse_port=SO_REUSEPORT is not None)),
    "unix": lambda: sockffi.listen_unix(f"\0sockffi-conformance-{os.getpid()}"),
}
# The one-crossing C paths get every errno; the Python step path and listen_unix
# (which share one step function) every code a table names, and a few it does not.
SAMPLE = sorted(
    {getattr(errno, n) for t in errors.POSIX.values() for n in t if hasattr(errno, n)}
    | {errno.EIO, errno.EPERM, errno.ENOSYS, errno.EAGAIN, errno.EINTR}
)


def _traced(fn: Any) -> Any:
    import sockffi.trace

    with sockffi.trace.observe(lambda event: None):
        return fn()


CASES = [(step, call) for step, (_s, _m, calls) in STEPS.items() for call in calls]


@pytest.mark.parametrize("step, call", CASES, ids=[f"{c}-{s}" for s, c in CASES])
def test_listen_fails_cleanly_at_every_step_with_every_errno(step, call):
    syscall, match, _calls = STEPS[step]
    if "REUSEPORT" in step and SO_REUSEPORT is None:
        pytest.skip("no SO_REUSEPORT")

    problems = []
    for code in ALL_ERRNOS if call in ("v4", "v6") else SAMPLE:
        outcome = _failing_call(lambda: None, lambda _ctx: CALLS[call](), sockffi.ListenError, syscall, code, match)
        want = expected(syscall, code, errors.Unexpected).__name__
        problem = _judged(outcome, want, code, syscall, "listen_tcp_pairs")
        if problem:
            problems.append(problem)
    assert not problems, problems


# ------------------------------- Server.accept, connect_tcp and connect_unix at every failure point

#: op -> (the call, its union, the steps it makes: (syscall to fail, the table
#: that names its code), the listener it needs)
COMPOSED_OPS: dict[str, tuple[Any, type, tuple[tuple[str, str], ...], str]] = {
    "connect_tcp v4": (
        lambda s, p: sockffi.connect_tcp(s.address),
        sockffi.TcpConnectToAddressError,
        (("socket", "socket"), ("connect", "connect")),
        "tcp4",
    ),
    "connect_tcp v6": (
        lambda s, p: sockffi.connect_tcp(s.address),
        sockffi.TcpConnectToAddressError,
        (("socket", "socket"), ("connect", "connect")),
        "tcp6",
    ),
    "connect_tcp traced": (
        lambda s, p: _traced(lambda: sockffi.connect_tcp(s.address)),
        sockffi.TcpConnectToAddressError,
        (("socket", "socket"), ("connect", "connect")),
        "tcp4",
    ),
    "connect_tcp timeout": (
        lambda s, p: sockffi.connect_tcp(s.address, timeout=10),
        sockffi.TcpConnectToAddressError,
        (("socket", "socket"), ("connect", "connect"), ("getsockopt", "getsockopt_error.getsockopt")),
        "tcp4",
    ),
    "connect_unix": (
        lambda s, p: sockffi.connect_unix(p),
        sockffi.ConnectUnixSocketError,
        (("socket", "socket"), ("connect", "connect")),
        "unix",
    ),
    "Server.accept": (lambda s, p: s.accept(), sockffi.AcceptError, (("accept", "accept"),), "tcp4"),
}
COMPOSED_CASES = [(op, step) for op, (_f, _u, steps, _l) in COMPOSED_OPS.items() for step in steps]


@pytest.mark.parametrize("op, step", COMPOSED_CASES, ids=[f"{o}-{s[0]}" for o, s in COMPOSED_CASES])
def test_connection_calls_fail_cleanly_at_every_step_with_every_errno(op, step):
    """Each step of the composed connection calls answers every errno (seccomp,
    in a child): the union's member Zig's table names (Unexpected for its
    unreachable codes, the calls own their fd), the fd closed exactly once."""
    fn, union, _steps, listener = COMPOSED_OPS[op]
    syscall, table = step
    path = f"\0sockffi-conformance-connect-{os.getpid()}"

    def setup() -> Any:
        import socket as std

        if listener == "unix":
            server = sockffi.listen_unix(path)
        else:
            server = sockffi.listen_tcp(("::1" if listener == "tcp6" else "127.0.0.1", 0))
        client = std.create_connection(server.address[:2]) if op == "Server.accept" else None
        return server, client

    kernel = errors.RECORDS[syscall].kernel
    problems = []
    for code in SAMPLE:
        if code == errno.EINTR and errors.RECORDS[syscall].eintr:
            continue  # retried, as Zig does
        if op == "connect_tcp timeout" and syscall == "connect" and code == errno.EINPROGRESS:
            continue  # the connect goes on: what timeout= waits for (tested for real)
        outcome = _failing_call(setup, lambda ctx: fn(ctx[0], path).close(), union, kernel, code)
        want = _seam.table(table, errors.Unexpected).get(code, errors.Unexpected).__name__
        problem = _judged(outcome, want, code, syscall, "connection_composed_pairs")
        if problem:
            problems.append(problem)
    assert not problems, problems
