"""sockffi.testing.fail: the next matching sockffi call raises the named error,
with this platform's real code, built as a real failure is. The same file runs
on Linux and, under Wine, inside the Windows CPython (.ci/windows/run.sh)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

import sockffi
import sockffi.testing
import sockffi.trace
from sockffi import _seam, errors

WINDOWS = sys.platform == "win32"


def code(posix: str, windows: str) -> int:
    """This platform's number for a condition, as its own headers say."""
    value = _seam.backend.code(windows if WINDOWS else posix)
    assert value is not None
    return value


def untouched() -> bool:
    return all(getattr(_seam.C, name) is fn for name, fn in _seam.RAW.items())


def test_the_next_listen_tcp_fails_at_bind_with_the_platforms_code():
    with sockffi.testing.fail("bind", sockffi.AddressInUse) as injection:
        with pytest.raises(sockffi.AddressInUse) as info:
            sockffi.listen_tcp(("127.0.0.1", 0))
        assert injection.count == 1
        sockffi.listen_tcp(("127.0.0.1", 0)).close()  # only the next one
    e = info.value
    assert e.errno == (10048 if WINDOWS else code("EADDRINUSE", "WSAEADDRINUSE"))
    assert e.syscall == "bind" and e.op == "listen_tcp" and e.address == ("127.0.0.1", 0)
    assert isinstance(e, sockffi.BindError) and isinstance(e, sockffi.ListenError)
    if WINDOWS:
        assert e.winerror == 10048  # type: ignore[attr-defined]
    assert untouched()


def test_a_direct_call_fails_and_no_syscall_is_made():
    seen: list[sockffi.trace.Event] = []
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        injected = sockffi.testing.fail("bind", "AddressNotAvailable")
        with sockffi.trace.observe(seen.append), injected, pytest.raises(sockffi.AddressNotAvailable) as info:
            sockffi.bind(fd, ("127.0.0.1", 0))
        assert sockffi.getsockname(fd)[1] == 0 if not WINDOWS else True  # never bound
    finally:
        sockffi.close(fd)
    assert info.value.errno in (code("EADDRNOTAVAIL", "WSAEADDRNOTAVAIL"), 10049)
    assert [e.syscall for e in seen] == ["bind"] and seen[0].failed  # the trace reports the injected result


@pytest.mark.parametrize("which", [sockffi.AlreadyBound, "AlreadyBound"])
def test_already_bound_is_already_bound(which):
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with sockffi.testing.fail("bind", which), pytest.raises(sockffi.AlreadyBound):
            sockffi.bind(fd, ("127.0.0.1", 0))
    finally:
        sockffi.close(fd)


def test_every_call_with_times_none_until_closed():
    injection = sockffi.testing.fail("listen", sockffi.AddressInUse, times=None)
    try:
        for _ in range(3):
            with pytest.raises(sockffi.AddressInUse):
                sockffi.listen_tcp(("127.0.0.1", 0))
    finally:
        injection.close()
    assert injection.count == 3 and untouched()
    sockffi.listen_tcp(("127.0.0.1", 0)).close()


def test_a_match_picks_one_call_out_of_several():
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with sockffi.testing.fail("setsockopt", sockffi.InvalidProtocolOption, option="SO_KEEPALIVE"):
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1)  # not this one
            with pytest.raises(sockffi.InvalidProtocolOption):
                sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_KEEPALIVE, 1)
    finally:
        sockffi.close(fd)


def test_bind_matches_a_port():
    with sockffi.testing.fail("bind", sockffi.AddressInUse, port=8080):
        with pytest.raises(sockffi.AddressInUse):
            sockffi.listen_tcp(("127.0.0.1", 8080))  # refused before the kernel: nothing binds 8080
        sockffi.listen_tcp(("127.0.0.1", 0)).close()


@pytest.mark.parametrize(
    "call, error, step",
    [
        ("socket", sockffi.ProcessFdQuotaExceeded, "socket"),
        ("setsockopt", sockffi.InvalidProtocolOption, "setsockopt"),
        ("listen", sockffi.AddressInUse, "listen"),
        ("getsockname", sockffi.NetworkSubsystemFailed if WINDOWS else sockffi.SystemResources, "getsockname"),
    ],
)
def test_each_step_of_listen_tcp_can_fail_and_nothing_leaks(call, error, step):
    if WINDOWS and call == "setsockopt":
        pytest.skip("listen_tcp sets no option on Windows by default (SO_REUSEADDR is off there)")
    sockffi.listen_tcp(("127.0.0.1", 0)).close()
    seen: list[sockffi.trace.Event] = []
    with sockffi.trace.observe(seen.append), sockffi.testing.fail(call, error), pytest.raises(error) as info:
        sockffi.listen_tcp(("127.0.0.1", 0))
    assert info.value.syscall == step
    opened = [e for e in seen if e.syscall == "socket" and not e.failed]
    closed = [e for e in seen if e.syscall == "close"]
    assert len(opened) == len(closed)  # whatever was opened was closed


def test_unexpected_takes_the_code_to_raise():
    injected = sockffi.testing.fail("bind", sockffi.Unexpected, code="WSAEMSGSIZE" if WINDOWS else "EIO")
    with injected, pytest.raises(sockffi.Unexpected) as info:
        sockffi.listen_tcp(("127.0.0.1", 0))
    assert info.value.errno == (code("EIO", "WSAEMSGSIZE") if not WINDOWS else info.value.errno)


@pytest.mark.parametrize(
    "args, kwargs, exc, says",
    [
        (("ioctl", "AddressInUse"), {}, ValueError, "cannot fail 'ioctl'"),
        (("bind", "EPROCLIM"), {}, ValueError, "not an OS error code"),
        (("getsockname", sockffi.AddressInUse), {}, ValueError, "not in GetSockNameError"),
        (("bind", sockffi.Unexpected), {}, ValueError, "needs the code"),
        (("bind", ValueError), {}, TypeError, f"{len(errors.ERROR_NAMES)} error classes"),
        (("bind", "AddressInUse"), {"times": 0}, ValueError, "times"),
        (("bind", "AddressInUse"), {"option": 1}, ValueError, "matched on port"),
        (("listen", "SocketNotBound"), {}, ValueError, "no OS code makes listen raise SocketNotBound"),
    ],
)
def test_meaningless_requests_are_refused(args, kwargs, exc, says):
    if WINDOWS and args[1] == "SocketNotBound":
        pytest.skip("Windows does give SocketNotBound")
    with pytest.raises(exc, match=says):
        sockffi.testing.fail(*args, **kwargs)
    assert untouched()


def test_threads_share_one_count():
    failures: list[int] = []
    with sockffi.testing.fail("listen", sockffi.AddressInUse, times=5):

        def worker() -> None:
            for _ in range(10):
                try:
                    sockffi.listen_tcp(("127.0.0.1", 0)).close()
                except sockffi.AddressInUse:
                    failures.append(1)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(failures) == 5


def test_it_costs_nothing_when_unused():
    assert untouched()
    with sockffi.testing.fail("socket", sockffi.SystemResources, required=False):
        assert not untouched()
    assert untouched()
    assert os.path.basename(sockffi.testing.__file__) == "testing.py"
