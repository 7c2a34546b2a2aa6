"""The paths a hostile local user, a careless caller or a busy program takes:
unix socket files, child interpreters, scratch files, lying objects, fork and
racing layers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest
from conftest import LINUX, in_child, run_python

import sockffi

needs_linux = pytest.mark.skipif(not LINUX, reason="Linux: the *at calls, namespaces and /proc")
SOCKFFI = os.path.join(os.path.dirname(sys.executable), "sockffi")


# ------------------------------------------------------------------ unix socket files


@needs_linux
def test_close_never_follows_a_directory_swapped_for_a_symlink(shortdir):
    """The user who owns a directory on the path swaps it for a symlink to
    another directory holding a file of the same name: close() must not remove
    that file (it removes its own, through the directory it bound in)."""
    mine = os.path.join(shortdir, "d")
    victim_dir = os.path.join(shortdir, "victim")
    os.mkdir(mine)
    os.mkdir(victim_dir)
    victim = socket.socket(socket.AF_UNIX)
    victim.bind(os.path.join(victim_dir, "s"))  # a live socket of "another program", same name
    try:
        server = sockffi.listen_unix(os.path.join(mine, "s"))
        os.rename(mine, mine + ".old")
        os.symlink(victim_dir, mine)
        server.close()
        assert os.path.exists(os.path.join(victim_dir, "s")), "close() removed a file through a swapped path"
        assert not os.path.exists(os.path.join(mine + ".old", "s")), "its own file was left"
    finally:
        victim.close()


@needs_linux
def test_close_leaves_a_new_file_on_the_same_path_even_with_the_same_inode(shortdir):
    """The file removed behind the Server's back and another socket bound on the
    same path (ext4 hands the inode number out again): that one stays."""
    path = os.path.join(shortdir, "s")
    server = sockffi.listen_unix(path)
    old = os.lstat(path).st_ino
    others = []
    try:
        for _ in range(50):  # look for a reused inode number; the rule holds either way
            os.unlink(path)
            other = socket.socket(socket.AF_UNIX)
            other.bind(path)
            others.append(other)
            if os.lstat(path).st_ino == old:
                break
        server.close()
        assert os.path.exists(path), "close() removed another socket's file"
    finally:
        for other in others:
            other.close()


@needs_linux
def test_a_relative_path_keeps_its_meaning_after_chdir(shortdir):
    def child():
        a, b = os.path.join(shortdir, "a"), os.path.join(shortdir, "b")
        os.mkdir(a)
        os.mkdir(b)
        os.chdir(a)
        server = sockffi.listen_unix("s.sock")
        os.chdir(b)
        os.link(os.path.join(a, "s.sock"), "s.sock")  # same inode, another directory
        server.close()
        return os.path.exists(os.path.join(a, "s.sock")), os.path.exists(os.path.join(b, "s.sock"))

    result = in_child(child)
    assert result.exc is None, result.tb
    assert result.value == (False, True)


@needs_linux
def test_a_chmod_after_bind_does_not_keep_the_file(shortdir):
    path = os.path.join(shortdir, "s")
    server = sockffi.listen_unix(path)
    os.chmod(path, 0o666)  # what servers do for their clients
    server.close()
    assert not os.path.exists(path)


@needs_linux
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_the_cli_removes_its_socket_file_when_stopped(sig, shortdir):
    path = os.path.join(shortdir, "app.sock")
    proc = subprocess.Popen(
        [SOCKFFI, "listen", path, "--hold", "forever"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert os.path.exists(path)
        time.sleep(0.2)  # past the bind: holding
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    assert not os.path.exists(path), out + err
    assert "Traceback" not in err
    assert proc.returncode == 0, (proc.returncode, out, err)  # held until stopped, as asked


# ------------------------------------------------------------------ child interpreters


HOSTILE = 'import os, sys; sys.stdout.write("HOSTILE CODE RAN\\n"); sys.stdout.flush(); os._exit(99)\n'


def hostile_cwd(root: str) -> str:
    d = os.path.join(root, "cwd")
    os.makedirs(os.path.join(d, "sockffi", "cli"))
    for name in (
        "sockffi/__init__.py",
        "sockffi/cli/__init__.py",
        "sockffi/cli/_reproduce.py",
        "runpy.py",
        "json.py",
        "pytest.py",
    ):
        with open(os.path.join(d, name), "w") as f:
            f.write(HOSTILE)
    return d


@needs_linux
def test_sockffi_reproduce_never_imports_from_the_current_directory(tmp_path):
    done = subprocess.run(
        [SOCKFFI, "reproduce", "AddressInUse"],
        cwd=hostile_cwd(str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert "HOSTILE" not in done.stdout + done.stderr
    assert done.returncode == 12, done.stdout + done.stderr  # AddressInUse, reproduced


@needs_linux
@pytest.mark.parametrize("name", ["FileNotFound", "NotDir", "SymLinkLoop", "NameTooLong", "ReadOnlyFileSystem"])
def test_recipes_leave_nothing_behind_and_honour_tmpdir(name, tmp_path):
    import shutil

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    strace = shutil.which("strace")
    log = tmp_path / "mkdirs"
    # Every directory the command and its child make, as the kernel saw them.
    traced = [strace, "-f", "-qq", "-e", "trace=mkdir,mkdirat", "-o", str(log)] if strace else []
    done = subprocess.run(
        [*traced, SOCKFFI, "reproduce", name],
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert f"error     {name}" in done.stdout + done.stderr, done.stdout + done.stderr
    assert os.listdir(scratch) == []
    if strace:
        import re

        made = re.findall(r'mkdir(?:at)?\((?:[^,]+, )?"([^"]+)"', log.read_text())
        assert made, "nothing was made: the recipe did not run"
        outside = [p for p in made if p.startswith("/") and not p.startswith(str(scratch)) and "__pycache__" not in p]
        assert not outside, f"made outside TMPDIR: {outside}"


@needs_linux
def test_a_recipe_stopped_by_sigterm_leaves_nothing_behind(tmp_path):
    """The CLI passes SIGTERM on to the child, waits, and removes the scratch
    directory."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # FileNotFound's child runs long enough under a slow start to be hit; whatever
    # moment the signal lands, nothing may stay.
    for delay in (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5):
        proc = subprocess.Popen(
            [SOCKFFI, "reproduce", "NotDir"],
            env={**os.environ, "TMPDIR": str(scratch)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, err
        assert os.listdir(scratch) == []


# ------------------------------------------------------------------ objects that lie


def test_an_fspath_result_is_read_by_its_real_length():
    lying = type("B", (bytes,), {"__len__": lambda self: 108})
    path = type("P", (), {"__fspath__": lambda self: lying(b"\0sockffi-fspath-%d" % os.getpid())})
    if LINUX:
        with sockffi.listen_unix(path()) as server:
            assert server.address == b"\0sockffi-fspath-%d" % os.getpid()
    fd = sockffi.socket(sockffi.AF_UNIX, sockffi.SOCK_STREAM)
    try:
        lying_str = type("S", (str,), {"__len__": lambda self: 500, "encode": lambda self, *a: b"x" * 500})
        short = tempfile.mktemp(prefix="sf", dir="/tmp")
        p = type("P", (), {"__fspath__": lambda self: lying_str(short)})
        sockffi.bind(fd, p())
        assert sockffi.getsockname(fd) == short
        os.unlink(short)
    finally:
        sockffi.close(fd)


# ------------------------------------------------------------------ fork, threads, layers


def test_a_fork_during_observe_and_close_gives_the_child_a_whole_state():
    out = run_python(
        """
        import os, threading, sockffi, sockffi.trace
        from sockffi import _seam
        stop = threading.Event()
        def churn():
            while not stop.is_set():
                with sockffi.trace.observe(lambda e: None):
                    pass
        t = threading.Thread(target=churn)
        t.start()
        bad = 0
        for _ in range(300):
            pid = os.fork()
            if pid == 0:
                seen = []
                with sockffi.trace.observe(seen.append):
                    sockffi.close(sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM))
                # The churning thread's observer may have been whole at the fork: then
                # it is the child's too, with exactly one layer for both.
                layers = len(_seam._layers)
                want = 1 if sockffi.trace._observers else 0
                whole = [e.syscall for e in seen] == ["socket", "close"] and layers == want
                os._exit(0 if whole else 1)
            _, status = os.waitpid(pid, 0)
            bad += status != 0
        stop.set()
        t.join()
        print(bad)
        """,
        flags=("-W", "ignore::DeprecationWarning"),  # 3.12+: fork() with a thread running
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "0", "children saw a half-installed trace"


def test_racing_layers_never_leave_a_closed_one_installed():
    out = run_python(
        """
        import sys, threading, sockffi, sockffi.trace, sockffi.testing
        from sockffi import _seam
        sys.setswitchinterval(1e-6)
        N = 20000
        def observe():
            for _ in range(N):
                with sockffi.trace.observe(lambda e: None):
                    pass
        def inject():
            for _ in range(N):
                with sockffi.testing.fail("bind", sockffi.AddressInUse, times=None, required=False):
                    pass
        threads = [threading.Thread(target=observe), threading.Thread(target=inject)]
        for t in threads: t.start()
        for t in threads: t.join()
        assert not _seam._layers, _seam._layers
        assert all(getattr(_seam.C, n) is f for n, f in _seam.RAW.items())
        sockffi.listen_tcp(("127.0.0.1", 0)).close()
        print("ok")
        """,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "ok"


# ------------------------------------------------------------------ getsockname's shared buffer


@needs_linux
def test_getsockname_with_the_shared_buffer_taken_asks_again_into_its_own():
    """What a thread or a signal handler holding the buffer leaves another call:
    the right address, from a buffer of its own, and the holder's bytes
    untouched. (Abstract names use the buffer; paths are interned.)"""
    from sockffi import _addr
    from sockffi._sockffi import ffi, lib

    holder = socket.socket(socket.AF_UNIX)
    holder.bind(f"\0sockffi-holder-{os.getpid()}")
    s = socket.socket(socket.AF_UNIX)
    s.bind(f"\0sockffi-g-{os.getpid()}")
    try:
        r = lib.sf_getsockname(ffi.NULL, holder.fileno())  # claims the shared buffer, as a call in progress would
        assert r > 0
        try:
            assert sockffi.getsockname(s) == s.getsockname()
            assert sockffi.getsockname(s.fileno()) == s.getsockname()
            assert _addr.other_name(r, lib.sf_shared_name) == holder.getsockname()  # never overwritten
        finally:
            lib.sf_shared_name_release()
        assert sockffi.getsockname(s) == s.getsockname()
        assert sockffi.getsockname(holder) == holder.getsockname()
    finally:
        s.close()
        holder.close()


@needs_linux
def test_threads_reading_unix_and_ip_names_at_once_each_get_their_own(shortdir):
    import threading

    sockets = []
    for i in range(4):  # paths (interned) and abstract names (through the shared buffer)
        u = socket.socket(socket.AF_UNIX)
        u.bind(os.path.join(shortdir, f"t{i}") if i % 2 else b"\0sockffi-threads-%d-%d" % (os.getpid(), i))
        sockets.append(u)
    sockets.append(socket.socket(socket.AF_UNIX))
    sockets[-1].bind(b"\0sockffi-threads-%d" % os.getpid())
    v4 = socket.socket()
    v4.bind(("127.0.0.1", 0))
    sockets.append(v4)
    wrong = []

    def hammer(offset):
        for n in range(3000):
            s = sockets[(n + offset) % len(sockets)]
            got = sockffi.getsockname(s)
            if got != s.getsockname():
                wrong.append((got, s.getsockname()))

    threads = [threading.Thread(target=hammer, args=(k,)) for k in range(4)]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
        for s in sockets:
            s.close()
    assert not wrong, wrong[:3]
