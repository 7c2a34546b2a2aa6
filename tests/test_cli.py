"""The sockffi command, run for real in a subprocess, and the trace hook under it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from conftest import LINUX

import sockffi
import sockffi.trace
from sockffi import cli

ANSI = re.compile(r"\x1b\[")


def run(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sockffi", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        check=False,
    )


def fits_80(text: str) -> None:
    for line in text.splitlines():
        assert len(line) <= 80, f"{len(line)} columns: {line!r}"


def test_listen_success_prints_each_syscall_in_order():
    r = run("listen", "127.0.0.1:0", "--reuse-address")
    assert r.returncode == 0, r.stderr
    calls = re.findall(r"µs  (\w+)\(", r.stdout)
    assert calls == ["socket", "setsockopt", "bind", "listen", "getsockname", "close"]
    assert "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3" in r.stdout
    assert "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0" in r.stdout
    assert re.search(r"listening on 127\.0\.0\.1:\d+ \(fd 3\)", r.stdout)
    assert not ANSI.search(r.stdout)  # not a TTY
    fits_80(r.stdout)


def test_listen_ipv6_and_unix(shortdir):
    r = run("listen", "[::1]:0")
    assert r.returncode == 0 and re.search(r"listening on \[::1\]:\d+", r.stdout)
    path = os.path.join(shortdir, "cli.sock")
    r = run("listen", path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"listening on {path}" in r.stdout
    assert "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3" in r.stdout


def test_a_held_port_makes_the_second_listen_fail_with_the_full_explanation():
    holder = subprocess.Popen(
        [sys.executable, "-m", "sockffi", "listen", "127.0.0.1:0", "--hold", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        port = None
        deadline = time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            line = holder.stdout.readline()  # type: ignore[union-attr]
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            port = m and m.group(1)
        assert port, "the holder never listened"
        r = run("listen", f"127.0.0.1:{port}")
        assert r.returncode == cli.EXIT_CODES["AddressInUse"] == 12
        out = r.stdout
        assert re.search(rf"bind\(3, \{{AF_INET, 127\.0\.0\.1:{port}\}}\)\s+= -1 EADDRINUSE", out)
        assert "close(3) = 0" in out
        assert "listen_tcp failed in bind(2): AddressInUse" in out
        assert "BindError, posix.ListenError" in out
        assert "EADDRINUSE (98)" in out if LINUX else "EADDRINUSE" in out
        assert "meaning" in out and "hint" in out
        fits_80(out)
    finally:
        holder.send_signal(signal.SIGINT)  # Ctrl-C releases the socket
        out, _ = holder.communicate(timeout=30)
    assert holder.returncode == 0
    assert "close(3) = 0" in out


@pytest.mark.parametrize(
    "address, name, status",
    [("198.51.100.1:0", "AddressNotAvailable", 13), ("/nonexistent-sockffi/dir/s", "FileNotFound", 17)],
)
def test_other_real_failures_have_stable_exit_codes(address, name, status):
    r = run("listen", address)
    assert r.returncode == status == cli.EXIT_CODES[name]
    assert f"failed in bind(2): {name}" in r.stdout


def test_bad_usage_exits_2():
    assert run("listen", "localhost:80").returncode == 2
    assert run("listen", "127.0.0.1:99999").returncode == 2
    assert run("explain", "nonsense").returncode == 2
    assert run("nope").returncode == 2


def test_colour_only_on_a_tty_and_never_with_no_color(monkeypatch):
    import io

    class TTY(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.Style(TTY()).on
    assert not cli.Style(io.StringIO()).on
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.Style(TTY()).on


def test_errors_table_and_json():
    r = run("errors")
    assert r.returncode == 0
    fits_80(r.stdout)
    for syscall in ("socket", "bind", "listen", "setsockopt", "getsockname"):
        assert f"{syscall}(2) raises" in r.stdout
    assert "WSAEADDRINUSE 10048" in r.stdout and "EADDRINUSE 98" in r.stdout and "EADDRINUSE 48" in r.stdout
    data = json.loads(run("errors", "--json").stdout)
    names = [e["name"] for e in data["errors"]]
    assert names == sorted(sockffi.errors.ERROR_NAMES)
    listen = data["sets"]["posix.ListenError"]
    assert listen["members"][0] == "AddressInUse" and listen["caller_bugs"]["linux"] == ["EBADF 9"]
    only_bind = json.loads(run("errors", "bind", "--json").stdout)
    assert list(only_bind["sets"]) == ["BindError"]
    assert "TimeoutTooBig" not in [e["name"] for e in only_bind["errors"]]


@pytest.mark.parametrize("what", ["EADDRINUSE", "98", "WSAEADDRINUSE", "10048"])
def test_explain_a_code_for_every_syscall(what):
    r = run("explain", what)
    assert r.returncode == 0
    fits_80(r.stdout)
    assert re.search(r"bind\s+AddressInUse", r.stdout)
    assert re.search(r"listen\s+AddressInUse", r.stdout)
    assert re.search(r"socket\s+Unexpected", r.stdout)


def test_explain_a_name_and_a_caller_bug():
    r = run("explain", "SocketNotBound")
    assert "Windows WSAEINVAL 10022" in r.stdout and "GetSockNameError" in r.stdout
    r = run("explain", "EBADF")
    assert re.search(r"bind\s+CallerError", r.stdout)


def test_demo_is_the_readme_story():
    r = run("demo")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "listening on 127.0.0.1:" in r.stdout
    assert "failed in bind(2): AddressInUse" in r.stdout
    fits_80(r.stdout)


# ------------------------------------------------------------------ the hook


def test_observe_reports_every_call_and_restores_the_originals(no_fd_leak):
    from sockffi import _seam

    before = _seam.C.bind_in4
    seen: list[sockffi.trace.Event] = []
    with sockffi.trace.observe(seen.append):
        assert _seam.C.bind_in4 is not before
        with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
            fd = server.fd
        with pytest.raises(sockffi.AddressNotAvailable):
            sockffi.listen_tcp(("198.51.100.9", 0), reuse_address=False)
    assert _seam.C.bind_in4 is before
    assert all(getattr(_seam.C, name) is fn for name, fn in _seam.RAW.items())
    names = [e.syscall for e in seen]
    assert names == ["socket", "setsockopt", "bind", "listen", "getsockname", "close", "socket", "bind", "close"]
    assert seen[0].result == fd and not seen[0].failed
    bad = seen[7]
    assert bad.failed and bad.code_name == "EADDRNOTAVAIL" and bad.error is sockffi.AddressNotAvailable
    assert all(e.seconds >= 0 for e in seen)


def test_nested_observers_both_see_calls():
    a: list[sockffi.trace.Event] = []
    b: list[sockffi.trace.Event] = []
    with sockffi.trace.observe(a.append):
        with sockffi.trace.observe(b.append):
            sockffi.close(sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM))
        sockffi.close(sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM))
    assert len(a) == 4 and len(b) == 2
    assert sockffi.trace._observers == []


def test_observe_renders_every_setsockopt_value_shape(no_fd_leak):
    import struct

    seen: list[sockffi.trace.Event] = []
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with sockffi.trace.observe(seen.append):
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_RCVBUF, struct.pack("i", 65536))
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_RCVBUF, bytearray(struct.pack("i", 65536)))
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1)
    finally:
        sockffi.close(fd)
    assert [e.format().split(", ")[2] for e in seen] == ["SO_RCVBUF", "SO_RCVBUF", "SO_REUSEADDR"]
    assert seen[0].args[3] == "b'\\x00\\x00\\x01\\x00', 4" == seen[1].args[3]


def test_a_failing_observer_breaks_nothing_and_leaks_nothing(no_fd_leak):
    def explode(event: sockffi.trace.Event) -> None:
        raise RuntimeError("observer bug")

    with pytest.warns(RuntimeWarning, match="observer bug"), sockffi.trace.observe(explode):
        with sockffi.listen_tcp(("::1", 0)) as server:  # the step-by-step path
            assert server.address[1] > 0
        with pytest.raises(sockffi.AddressNotAvailable):
            sockffi.listen_tcp(("198.51.100.9", 0))
    assert sockffi.trace._observers == []
