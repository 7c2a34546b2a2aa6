"""Shared helpers: run process-wide changes in a forked child, count fds, check errors.

Everything that changes the whole process (setuid, setrlimit, unshare, mounts,
seccomp) runs in a forked child, which reports back through a pipe and leaves
with os._exit, so the xdist worker is never touched.
"""

from __future__ import annotations

import ctypes
import errno
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest

import sockffi

pytest_plugins = ["pytester"]

LINUX = sys.platform.startswith("linux")
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOBODY = 65534

SET_OF = {
    "socket": sockffi.SocketError,
    "bind": sockffi.BindError,
    "listen": sockffi.posix.ListenError,
    "setsockopt": sockffi.SetSockOptError,
    "getsockname": sockffi.GetSockNameError,
}

needs_linux = pytest.mark.skipif(not LINUX, reason="Linux kernel behaviour")
needs_root = pytest.mark.skipif(not ROOT, reason="needs root (setuid, namespaces or mounts)")


class ChildResult:
    def __init__(self, value: Any = None, exc: BaseException | None = None, tb: str = "") -> None:
        self.value, self.exc, self.tb = value, exc, tb


# The fork server: process-wide changes (setuid, setrlimit, unshare, mounts,
# seccomp) are made in a forked child, but an xdist worker has threads of its
# own, and forking a threaded process can deadlock the child (Python 3.12 warns
# about it). So each worker starts one fresh, single-threaded interpreter, and
# only that one forks: it receives a function (cloudpickle: closures too), forks,
# runs it in the child, and sends back what it returned or raised.
SERVER = r"""
import os, pickle, struct, sys, traceback
sys.path[:0] = {path!r}
import cloudpickle, sockffi
sys.modules.setdefault("conftest", __import__("conftest"))
# Format one traceback here, so that what formatting imports lazily (3.15's
# _colorize) is loaded before a child can have used up its fds.
try:
    raise ValueError("warm-up")
except ValueError:
    traceback.format_exc()

def read(f):
    head = f.read(8)
    if len(head) < 8:
        return None
    return f.read(struct.unpack("<Q", head)[0])

def write(f, data):
    f.write(struct.pack("<Q", len(data)) + data)
    f.flush()

inp, out = sys.stdin.buffer, sys.stdout.buffer
sys.stdout = sys.stderr
while True:
    payload = read(inp)
    if payload is None:
        break
    module, blob = pickle.loads(payload)
    if module and module not in sys.modules:
        try:
            __import__(module)
        except Exception:
            pass
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            try:
                fn = cloudpickle.loads(blob)
                result = ("value", fn())
            except BaseException as e:
                result = ("exc", e, traceback.format_exc())
            try:
                data = pickle.dumps(result)
            except Exception:
                data = pickle.dumps(("exc", RuntimeError(repr(result[1])), result[-1]))
            with os.fdopen(w, "wb") as f:
                f.write(data)
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    write(out, pickle.dumps((status, data)))
"""


class ForkServer:
    def __init__(self) -> None:
        import subprocess

        code = SERVER.replace("{path!r}", repr([p for p in sys.path if p]))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None
        )

    def run(self, fn: Callable[[], Any]) -> tuple[int, bytes]:
        import struct

        import cloudpickle

        assert self.proc.stdin and self.proc.stdout
        blob = cloudpickle.dumps(fn)
        payload = pickle.dumps((getattr(fn, "__module__", None), blob))
        self.proc.stdin.write(struct.pack("<Q", len(payload)) + payload)
        self.proc.stdin.flush()
        head = self.proc.stdout.read(8)
        assert len(head) == 8, "the fork server died"
        status, data = pickle.loads(self.proc.stdout.read(struct.unpack("<Q", head)[0]))
        return status, data


_server: list[ForkServer] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    # Started before any test, so its pipes are never counted as a test's leak.
    if hasattr(os, "fork") and not _server:
        _server.append(ForkServer())


def in_child(fn: Callable[[], Any], timeout: float = 60) -> ChildResult:
    """Run fn in a child forked from this worker's single-threaded fork server;
    return what it returned or raised (pickled back)."""
    if not _server or _server[0].proc.poll() is not None:
        _server[:] = [ForkServer()]
    status, data = _server[0].run(fn)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child died: status {status}"
    assert data, "child sent nothing"
    result = pickle.loads(data)
    if result[0] == "value":
        return ChildResult(value=result[1])
    return ChildResult(exc=result[1], tb=result[2])


def run_python(
    code: str, *args: str, flags: tuple[str, ...] = (), timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter (for what is process-wide: signals,
    timers, -bb, forking without other threads)."""
    import textwrap

    return subprocess.run(
        [sys.executable, *flags, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def child_error(fn: Callable[[], Any]) -> BaseException:
    """The exception fn raises in a child; fails the test if it returns."""
    res = in_child(fn)
    assert res.exc is not None, f"expected an error, the child returned {res.value!r}"
    return res.exc


def assert_error(exc: BaseException, cls: type, code: int, syscall: str) -> None:
    """Exact class, its set (and the union), errno and syscall."""
    assert type(exc) is cls, f"{type(exc).__name__} ({exc}) is not {cls.__name__}"
    assert isinstance(exc, OSError)
    assert exc.errno == code, f"errno {exc.errno} != {code} ({errno.errorcode.get(code)})"
    assert exc.syscall == syscall  # type: ignore[attr-defined]
    assert isinstance(exc, SET_OF[syscall])
    assert isinstance(exc, sockffi.ListenError)
    assert exc.strerror


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd" if LINUX else "/dev/fd"))


@pytest.fixture
def no_fd_leak():
    """Fails the test if it leaves fds open that were not open before."""
    before = open_fds()
    yield
    leaked = open_fds() - before
    assert not leaked, f"leaked fds: {sorted(leaked)}"


@pytest.fixture
def shortdir():
    """A short private directory for AF_UNIX paths (tmp_path can exceed sun_path)."""
    d = tempfile.mkdtemp(prefix="sf", dir="/tmp")
    yield d
    import shutil

    shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- child-only setup

_libc = ctypes.CDLL(None, use_errno=True) if LINUX else None
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_REC, MS_PRIVATE = 1, 0x4000, 1 << 18


def _check(rc: int, what: str) -> None:
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")


def inject(syscall: str, code: int, args: dict[int, int] | None = None) -> None:
    """Child only: from now on `syscall` (with `args` matching) fails with `code`:
    sockffi.testing's own seccomp filter, installed in a forked child."""
    from sockffi import _seccomp

    _seccomp.install(syscall, code, {i: (v, 0xFFFFFFFF) for i, v in (args or {}).items()})


def drop_root(uid: int = NOBODY) -> None:
    """Child only: become an unprivileged user (drops all capabilities)."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def new_netns(lo_up: bool = True) -> None:
    """Child only: a fresh network namespace, loopback up."""
    assert _libc is not None
    _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    if lo_up:
        import fcntl
        import socket
        import struct

        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 1
        req = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))
        s.close()


def write_netns_sysctl(path: str, value: str) -> None:
    """Child only, inside a netns this child created: never the host's."""
    with open(f"/proc/sys/{path}", "w") as f:
        f.write(value)


def readonly_dir(path: str) -> None:
    """Child only: a private mount namespace in which `path` is a read-only tmpfs."""
    assert _libc is not None
    _libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount private")
    _check(_libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_RDONLY, None), "mount tmpfs ro")


def set_nofile(limit: int) -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


# ------------------------------------------------ counts printed at the end of the run

import collections  # noqa: E402

#: Conformance counters; xdist workers send theirs to the controller.
COUNTS: collections.Counter[str] = collections.Counter()


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["sockffi_counts"] = dict(COUNTS)
    for server in _server:  # its stdin closed, it exits; nothing is left for the interpreter to warn about
        assert server.proc.stdin and server.proc.stdout
        server.proc.stdin.close()
        server.proc.wait(timeout=60)
        server.proc.stdout.close()
    _server.clear()


try:
    import xdist  # noqa: F401
except ImportError:  # pragma: no cover
    pass
else:

    def pytest_testnodedown(node: Any, error: Any) -> None:
        COUNTS.update(getattr(node, "workeroutput", {}).get("sockffi_counts", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS:
        return
    c = COUNTS
    terminalreporter.write_sep("=", "sockffi conformance")
    terminalreporter.write_line(
        f"(syscall, errno) pairs checked: {c['pairs']} direct, {c['listen_tcp_pairs']} in listen_tcp; "
        f"spec rows compared: {c['spec_rows']}; departures from Zig: {c['departures']}; "
        f"fd leaks found: {c['leaks']}; double closes found: {c['double_closes']}; "
        f"thread errors checked: {c['thread_errors']}"
    )
    if c["differential"]:
        kinds = sorted((k.split(":", 1)[1], n) for k, n in c.items() if k.startswith("differential_departure:"))
        shown = ", ".join(f"{kind} {n}" for kind, n in kinds) or "none"
        terminalreporter.write_line(
            f"differential against CPython's socket: {c['differential']} binds compared, "
            f"{c['differential_same']} the same, the rest documented departures ({shown}), 0 undocumented"
        )


def build_ffi() -> Any:
    """The project's build_ffi.py (the cffi builder and the stub generator),
    loaded from the checkout whatever sys.path holds."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_ffi", Path(__file__).resolve().parent.parent / "build_ffi.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
