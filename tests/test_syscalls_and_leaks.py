"""What each call costs the kernel (counted with strace), and that nothing leaks."""

from __future__ import annotations

import gc
import os
import re
import shutil
import subprocess
import sys
import tracemalloc

import pytest
from conftest import COUNTS, LINUX, open_fds

import sockffi

STRACE = shutil.which("strace")
TRACED = "socket,setsockopt,bind,listen,getsockname,close,getpgid"
MARK = 424242  # getpgid(MARK) fails harmlessly; it brackets the part to count

SCRIPT = """
import os, sys
sys.path[:0] = {path!r}
import sockffi, socket
def mark():
    try: os.getpgid({mark})
    except OSError: pass
{setup}
for _ in range(1):  # once before counting: a first use may import something
{body}
mark()
for _ in range({n}):
{body}
mark()
"""


def strace_calls(body: str, n: int = 10, setup: str = "", trace: str = TRACED) -> list[str]:
    """The traced syscalls the body makes, n times over, as a list of names."""
    script = SCRIPT.format(path=[p for p in sys.path if p], mark=MARK, n=n, setup=setup, body=body)
    out = subprocess.run(
        [STRACE, "-f", "-qq", "-e", f"trace={trace}", "-o", "/dev/stderr", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stderr.splitlines()
    marks = [i for i, line in enumerate(lines) if f"getpgid({MARK})" in line]
    assert len(marks) == 2, out.stderr[-2000:]
    names = []
    for line in lines[marks[0] + 1 : marks[1]]:
        m = re.match(r"(?:\[pid\s+\d+\]\s+|\d+\s+)?(\w+)\(", line)
        if m:
            names.append(m.group(1))
    return names


needs_strace = pytest.mark.skipif(not (LINUX and STRACE), reason="needs strace on Linux (.ci/run installs it)")


@needs_strace
@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_listen_tcp_makes_exactly_one_syscall_per_step(host):
    calls = strace_calls(f"    sockffi.listen_tcp(({host!r}, 0)).close()")
    v6only = ["setsockopt"] if ":" in host else []  # IPV6_V6ONLY, always set explicitly
    assert calls == ["socket", "setsockopt", *v6only, "bind", "listen", "getsockname", "close"] * 10


@needs_strace
def test_listen_tcp_without_options_and_with_both():
    assert (
        strace_calls("    sockffi.listen_tcp(('127.0.0.1', 0), reuse_address=False).close()", n=3)
        == ["socket", "bind", "listen", "getsockname", "close"] * 3
    )
    assert (
        strace_calls("    sockffi.listen_tcp(('127.0.0.1', 0), reuse_address=True, reuse_port=True).close()", n=3)
        == ["socket", "setsockopt", "setsockopt", "bind", "listen", "getsockname", "close"] * 3
    )


@needs_strace
def test_failing_listen_tcp_makes_no_extra_call():
    # bind fails (address in use): socket, bind, close, and nothing else.
    setup = "held = sockffi.listen_tcp(('127.0.0.1', 0))"
    body = "    try: sockffi.listen_tcp(held.address)\n    except sockffi.AddressInUse: pass"
    assert strace_calls(body, n=5, setup=setup) == ["socket", "setsockopt", "bind", "close"] * 5


@needs_strace
@pytest.mark.parametrize(
    "name", ["'/tmp/sockffi-gsn-%d.sock' % os.getpid()", "b'\\0sockffi-gsn-%d' % os.getpid()", "''"]
)
def test_getsockname_on_a_unix_socket_is_one_syscall(name):
    setup = (
        f"u = socket.socket(socket.AF_UNIX); path = {name}; u.bind(path)\n"
        "assert sockffi.getsockname(u) == u.getsockname(), (sockffi.getsockname(u), u.getsockname())\n"
        "import atexit; atexit.register(lambda: path and path[:1] not in ('\\0', b'\\0') and os.unlink(path))"
    )
    assert strace_calls("    sockffi.getsockname(u)", n=4, setup=setup) == ["getsockname"] * 4


@needs_strace
def test_each_syscall_wrapper_makes_one_call():
    setup = "fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM); sockffi.bind(fd, ('127.0.0.1', 0))"
    assert strace_calls("    sockffi.getsockname(fd)", n=4, setup=setup) == ["getsockname"] * 4
    assert (
        strace_calls("    sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1)", n=4, setup=setup)
        == ["setsockopt"] * 4
    )
    assert (
        strace_calls("    sockffi.close(sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM))", n=4)
        == ["socket", "close"] * 4
    )


# ------------------------------------------------------------------ leaks


def _cycle():
    sockffi.listen_tcp(("127.0.0.1", 0), reuse_address=True).close()


def _cycle6():
    sockffi.listen_tcp(("::1", 0)).close()


def _failing_listen(r):
    try:
        sockffi.listen(r)
    except sockffi.FileDescriptorNotASocket:
        pass


def _failing_listen_tcp(held):
    try:
        sockffi.listen_tcp(held.address)
    except sockffi.AddressInUse:
        pass


def _caller_bug():
    try:
        sockffi.getsockname(1_000_000)
    except sockffi.CallerError:
        pass


@pytest.mark.parametrize("op", ["cycle", "cycle6", "getsockname", "failing_listen", "failing_listen_tcp", "caller_bug"])
def test_no_memory_growth_and_no_fd_leak(op):
    """20,000 repetitions after a warm-up: no fd left open, and no Python
    allocation still live that was not live before (benchmarks/soak.py runs
    100,000 and watches RSS too)."""
    r, w = os.pipe()
    held = sockffi.listen_tcp(("127.0.0.1", 0))
    fns = {
        "cycle": _cycle,
        "cycle6": _cycle6,
        "getsockname": lambda: sockffi.getsockname(held),
        "failing_listen": lambda: _failing_listen(r),
        "failing_listen_tcp": lambda: _failing_listen_tcp(held),
        "caller_bug": _caller_bug,
    }
    fn = fns[op]
    try:
        for _ in range(2000):
            fn()
        gc.collect()
        fds = open_fds()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        for _ in range(20000):
            fn()
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        growth = sum(
            s.size_diff
            for s in after.compare_to(before, "filename")
            if "sockffi" in str(s.traceback) or "test_syscalls" in str(s.traceback)
        )
        leaked = len(open_fds() - fds)
        COUNTS["leaks"] += leaked
        assert leaked == 0
        assert growth < 4096, f"{growth} bytes still held after 20,000 calls"
    finally:
        held.close()
        os.close(r)
        os.close(w)


DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "teaching.rst")
STAT_NAMES = {"newfstatat": "statx", "fstatat64": "statx", "statx": "statx", "ppoll": "poll"}


def documented_sequences() -> list[tuple[str, list[str]]]:
    with open(DOCS) as f:
        text = f.read()
    found = re.findall(r":caption: (sockffi\.[^\n]+)\n\n\s+([a-z ]+)\n", text)
    assert len(found) >= 5, "the teaching page lost its syscall sequences"
    return [(call, names.split()) for call, names in found]


@needs_strace
@pytest.mark.parametrize("call, names", documented_sequences(), ids=lambda v: v if isinstance(v, str) else None)
def test_the_syscall_sequences_the_docs_show_are_the_real_ones(call, names, tmp_path):
    path = f"/tmp/sockffi-docs-{os.getpid()}-{len(call)}.sock"
    statement = call.split("  #")[0].replace("/tmp/app.sock", path)
    setup = "held = sockffi.listen_tcp(('127.0.0.1', 0))"
    body = f"    try: {statement}\n    except sockffi.SockffiError: pass"
    trace = (
        TRACED + ",openat,newfstatat,fstatat64,statx,unlink,unlinkat,getpid,connect,accept4,poll,ppoll,getsockopt,fcntl"
    )
    got = [STAT_NAMES.get(name, name) for name in strace_calls(body, n=2, setup=setup, trace=trace)]
    assert got == names * 2
    assert not os.path.exists(path)
