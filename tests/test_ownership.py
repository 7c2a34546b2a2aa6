"""Handles that cannot lie or leak: a Server owns its fd from inside the C call
that made it until exactly one of close/detach/to_socket/its finalizer gives it
up, whatever a signal handler, a fork, a thread or a warning filter does."""

from __future__ import annotations

import copy
import gc
import os
import pickle
import socket as std
import sys
import threading
import warnings
from typing import Any

import pytest
from conftest import LINUX, in_child, open_fds, run_python, set_nofile

import sockffi
import sockffi.trace


def accepting(fd: int) -> bool:
    with std.socket(fileno=os.dup(fd)) as s:
        return bool(s.getsockopt(std.SOL_SOCKET, std.SO_ACCEPTCONN))


# ------------------------------------------------------------------ a closed Server says so


@pytest.mark.parametrize("how", ["close", "detach", "to_socket"])
def test_a_server_that_gave_its_fd_up_reports_minus_one(how, no_fd_leak):
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    fd = server.fd
    kept = getattr(server, how)()
    assert server.fd == server.fileno() == -1 and server.closed
    assert "closed" in repr(server)
    if how == "detach":
        assert kept == fd and accepting(fd)
        sockffi.close(fd)
    elif how == "to_socket":
        assert kept.fileno() == fd
        kept.close()


@pytest.mark.parametrize(
    "call",
    [
        lambda s: sockffi.listen(s, 1),
        lambda s: sockffi.bind(s, ("127.0.0.1", 0)),
        lambda s: sockffi.setsockopt(s, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1),
        lambda s: sockffi.getsockname(s),
        lambda s: sockffi.close(s),
    ],
    ids=["listen", "bind", "setsockopt", "getsockname", "close"],
)
def test_no_call_reaches_a_recycled_fd_through_a_closed_server(call, no_fd_leak):
    def child() -> tuple[str, int, bool]:
        server = sockffi.listen_tcp(("127.0.0.1", 0))
        old = server.fd
        server.close()
        victim = std.socket()  # takes the lowest free number: the Server's old one
        assert victim.fileno() == old
        seen: list[sockffi.trace.Event] = []
        with sockffi.trace.observe(seen.append):
            try:
                call(server)
            except sockffi.CallerError as e:
                outcome = (type(e).__name__, e.errno, bool(seen))
            else:
                outcome = ("no error", 0, bool(seen))
        untouched = not victim.getsockopt(std.SOL_SOCKET, std.SO_ACCEPTCONN) and victim.getsockname()[1] == 0
        victim.close()
        return (*outcome[:2], outcome[2] or not untouched)

    name, code, touched = in_child(child).value
    assert (name, code, touched) == ("CallerError", 9, False)


def test_detach_gives_the_fd_away_once(no_fd_leak):
    server = sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True)
    fd = server.detach()
    assert server.detach() == -1
    server.close()  # a no-op: the Server has nothing left
    assert accepting(fd)
    with std.socket(fileno=fd) as adopted:  # hypercorn's fd://, anyio's from_socket(int)...
        assert adopted.getsockname() == server.address


@pytest.mark.parametrize("nonblocking", [False, True])
def test_to_socket_keeps_the_blocking_mode(nonblocking, no_fd_leak):
    sock = sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=nonblocking).to_socket()
    with sock:
        assert sock.getblocking() is (not nonblocking)
        if nonblocking:
            with pytest.raises(BlockingIOError):
                sock.accept()
        else:
            sock.settimeout(0.05)
            with pytest.raises(std.timeout):
                sock.accept()


def test_sockffi_close_of_objects_closes_each_once(no_fd_leak):
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    sockffi.close(server)
    assert server.closed
    with pytest.raises(sockffi.CallerError):
        sockffi.close(server)
    sock = std.socket()
    sockffi.close(sock)  # takes the fd from the socket, which then knows
    assert sock.fileno() == -1
    sock.close()
    with open(os.devnull) as f, pytest.raises(TypeError, match="own close"):
        sockffi.close(f)


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_a_server_cannot_be_copied_or_pickled(how, no_fd_leak):
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        with pytest.raises(TypeError):
            if how == "copy":
                copy.copy(server)
            elif how == "deepcopy":
                copy.deepcopy(server)
            else:
                pickle.dumps(server)
        assert accepting(server.fd)


def test_server_objects_are_only_made_by_the_listen_calls():
    with pytest.raises(TypeError, match="listen_tcp"):
        sockffi.Server()


# ------------------------------------------------------------------ signals at any bytecode

SIGNALS = """
import gc, os, random, signal, sys, warnings, sockffi, sockffi.trace
warnings.simplefilter("ignore", ResourceWarning)
mode, count = sys.argv[1], int(sys.argv[2])
name = f"\\0sockffi-signals-{os.getpid()}"
path = f"/tmp/sockffi-signals-{os.getpid()}.sock"

class Interrupted(Exception):
    pass

def handler(sig, frame):
    raise Interrupted

def once():
    if mode == "v4":
        sockffi.listen_tcp(("127.0.0.1", 0)).close()
    elif mode == "v6":
        sockffi.listen_tcp(("::1", 0)).close()
    elif mode == "unix":
        sockffi.listen_unix(name).close()
    elif mode == "unix-file":
        try:
            sockffi.listen_unix(path).close()
        except sockffi.AddressInUse:  # a file left behind by an interrupted call
            stale.append(1)
            os.unlink(path)
    elif mode == "dropped":
        sockffi.listen_tcp(("127.0.0.1", 0))
    elif mode == "traced":
        sockffi.listen_tcp(("::1", 0)).close()
        sockffi.listen_tcp(("127.0.0.1", 0)).close()
    elif mode == "udp":
        sockffi.connect_udp(sockffi.bind_udp(("127.0.0.1", 0)).address).close()
    elif mode == "write_all":
        conn.write_all(b"x" * 100)
        peer.read(100)

stale = []
observation = sockffi.trace.observe(lambda event: None) if mode == "traced" else None
if mode == "write_all":
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    conn = sockffi.connect_tcp(server.address)
    peer = server.accept()
import time

def timed():
    start = time.perf_counter()
    once()
    return time.perf_counter() - start

for _ in range(20):
    once()
gc.collect()
before = len(os.listdir("/proc/self/fd"))
signal.signal(signal.SIGALRM, handler)
rnd = random.Random(7)
# Signals land anywhere in the call (or just after it): each timer is set to
# fire within the call's own recent duration, measured as it goes, so a slow
# or busy machine only makes the calls (and the timers) longer. The loop runs
# until `count` signals interrupted a call, however many calls that takes
# (bounded, so that a broken timer cannot make it run forever).
span = max(timed() for _ in range(5))
interrupted = i = 0
while interrupted < count and i < 100 * count:
    try:  # the outer try takes a late signal too (3.9 delivers it at the loop's back-edge)
        while interrupted < count and i < 100 * count:
            i += 1
            try:
                signal.setitimer(signal.ITIMER_REAL, rnd.uniform(1e-6, span * 1.3))
                span = 0.8 * span + 0.2 * timed()
                signal.setitimer(signal.ITIMER_REAL, 0)
            except Interrupted:
                interrupted += 1
    except Interrupted:
        pass
signal.setitimer(signal.ITIMER_REAL, 0)
gc.collect()
if observation is not None:
    observation.close()
leaked = len(os.listdir("/proc/self/fd")) - before
if os.path.exists(path):
    stale.append(1)
    os.unlink(path)
print(interrupted, leaked, len(stale))
"""


@pytest.mark.skipif(not LINUX, reason="counts /proc/self/fd")
@pytest.mark.parametrize("mode", ["v4", "v6", "unix", "unix-file", "dropped", "traced", "udp", "write_all"])
def test_a_raising_signal_handler_at_any_point_leaks_nothing(mode):
    """Not a socket, and for listen_unix not its file either."""
    done = run_python(SIGNALS, mode, "400")
    assert done.returncode == 0, done.stderr[-3000:]
    interrupted, leaked, stale_files = map(int, done.stdout.split())
    # Not a matter of speed: the loop runs until 400 signals interrupted a call.
    assert interrupted == 400, "the handler hardly ever fired inside a call: the test would prove nothing"
    assert leaked == 0
    assert stale_files == 0


class AtBytecode(Exception):
    pass


def raise_at_bytecode(k: int, fn: Any) -> bool:
    """Run fn with an exception raised at the k-th bytecode executed in
    sockffi's own code (as a signal handler may, at any of them); True if it was.
    Per-instruction events come from sys.monitoring on 3.12+ (where settrace's
    f_trace_opcodes no longer fires reliably), from sys.settrace before."""
    if hasattr(sys, "monitoring"):
        return _raise_at_bytecode_monitoring(k, fn)
    package = os.path.dirname(sockffi.__file__)
    count = [0]

    def local(frame: Any, event: str, arg: object) -> Any:
        if event == "opcode":
            count[0] += 1
            # At or after the k-th: the first instruction a signal handler can run before.
            if count[0] >= k and frame.f_lasti not in _no_signal_before(frame.f_code):
                raise AtBytecode
        return local

    def tracer(frame: Any, event: str, arg: object) -> Any:
        if frame.f_code.co_filename.startswith(package):
            frame.f_trace_opcodes = True
            return local
        return None

    sys.settrace(tracer)
    try:
        fn()
    except AtBytecode:
        return True
    finally:
        sys.settrace(None)
    return False


_NO_SIGNAL: dict[Any, frozenset[int]] = {}


def _no_signal_before(code: Any) -> frozenset[int]:
    """The offsets in code before which no signal handler can run, and where an
    exception raised from a trace function breaks CPython 3.9's and 3.10's own
    exception state: from a ROT_FOUR to the POP_EXCEPT it leads to (a `return`
    inside `except`, or from a `finally`, moves the result below the saved
    exception, and unwinding from there restores the result as the exception:
    a freed object later). 3.9 checks for signals after neither ROT_FOUR nor
    POP_TOP, 3.10 only at calls and backward jumps; 3.11's exception table
    unwinds any offset correctly."""
    if sys.version_info >= (3, 11):
        return frozenset()
    found = _NO_SIGNAL.get(code)
    if found is None:
        import dis

        offsets: set[int] = set()
        inside = False
        for ins in dis.get_instructions(code):
            if inside:
                offsets.add(ins.offset)
                inside = ins.opname != "POP_EXCEPT"
            elif ins.opname == "ROT_FOUR":
                inside = True
        found = _NO_SIGNAL[code] = frozenset(offsets)
    return found


def _sockffi_code() -> list[Any]:
    """Every code object of sockffi's modules, nested ones included."""
    import types

    found: dict[int, Any] = {}

    def add(code: Any) -> None:
        if id(code) not in found:
            found[id(code)] = code
            for const in code.co_consts:
                if isinstance(const, types.CodeType):
                    add(const)

    def scan(obj: Any) -> None:
        if isinstance(obj, types.FunctionType):
            add(obj.__code__)
        elif isinstance(obj, property):
            for f in (obj.fget, obj.fset, obj.fdel):
                if f is not None:
                    scan(f)
        elif isinstance(obj, (staticmethod, classmethod)):
            scan(obj.__func__)

    for name, module in list(sys.modules.items()):
        if name == "sockffi" or name.startswith("sockffi."):
            for value in vars(module).values():
                scan(value)
                if isinstance(value, type) and value.__module__.startswith("sockffi"):
                    for member in vars(value).values():
                        scan(member)
    return list(found.values())


def _raise_at_bytecode_monitoring(k: int, fn: Any) -> bool:
    mon = sys.monitoring  # type: ignore[attr-defined]
    tool = mon.DEBUGGER_ID
    mon.use_tool_id(tool, "sockffi-tests")
    count = [0]

    def on_instruction(code: Any, offset: int) -> Any:
        count[0] += 1
        if count[0] == k:
            raise AtBytecode
        return None

    codes = _sockffi_code()
    mon.register_callback(tool, mon.events.INSTRUCTION, on_instruction)
    for code in codes:
        mon.set_local_events(tool, code, mon.events.INSTRUCTION)
    try:
        fn()
    except AtBytecode:
        return True
    finally:
        for code in codes:
            mon.set_local_events(tool, code, 0)
        mon.register_callback(tool, mon.events.INSTRUCTION, None)
        mon.free_tool_id(tool)
    return False


@pytest.mark.skipif(not LINUX, reason="counts /proc/self/fd")
@pytest.mark.parametrize(
    "mode", ["v4", "v6", "v4-str", "unix-file", "traced", "to_socket", "detach-close", "bind_udp", "connect_udp"]
)
def test_an_exception_at_every_bytecode_of_a_call_leaks_nothing(mode, shortdir):
    """Every bytecode boundary of listen_tcp/listen_unix and close, one at a time."""
    path = os.path.join(shortdir, "b.sock")
    calls = {
        "v4": lambda: sockffi.listen_tcp(("127.0.0.1", 0)).close(),
        "v6": lambda: sockffi.listen_tcp(("::1", 0)).close(),
        "v4-str": lambda: sockffi.listen_tcp("127.0.0.1:0", nonblocking=True).close(),
        "unix-file": lambda: sockffi.listen_unix(path).close(),
        "traced": lambda: sockffi.listen_tcp(("::1", 0)).close(),
        "to_socket": lambda: sockffi.listen_tcp(("127.0.0.1", 0)).to_socket().close(),
        "detach-close": lambda: sockffi.close(sockffi.listen_tcp(("127.0.0.1", 0))),
        "bind_udp": lambda: sockffi.bind_udp(("127.0.0.1", 0), reuse_address=True).close(),
        "connect_udp": lambda: sockffi.connect_udp(("127.0.0.1", 9)).close(),
    }
    fn = calls[mode]
    observation = sockffi.trace.observe(lambda event: None) if mode == "traced" else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)  # the observer interrupted too, on purpose
            fn()
            gc.collect()
            before = open_fds()
            k = 1
            while raise_at_bytecode(k, fn):
                leaked = open_fds() - before
                if leaked:  # only a collection may still be due: make it, then judge
                    gc.collect()
                    leaked = open_fds() - before
                assert not leaked, f"an exception at bytecode {k} leaked {leaked}"
                assert not os.path.exists(path), f"an exception at bytecode {k} left the socket file"
                k += 1
    finally:
        if observation is not None:
            observation.close()
    assert k > 40, "too few bytecodes: the test would prove little"


# ------------------------------------------------------------------ finalizers and warnings


@pytest.mark.skipif(not LINUX, reason="counts /proc/self/fd")
def test_a_dropped_server_closes_first_even_when_its_warning_is_an_error():
    done = run_python(
        """
        import gc, os, sockffi
        before = len(os.listdir("/proc/self/fd"))
        for host in ("127.0.0.1", "::1"):
            server = sockffi.listen_tcp((host, 0))
            fd = server.fd
            del server
        unix = sockffi.listen_unix(f"\\0sockffi-dropped-{os.getpid()}")
        del unix
        gc.collect()
        print(len(os.listdir("/proc/self/fd")) - before)
        """,
        flags=("-W", "error::ResourceWarning"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
    assert done.stderr.count("ResourceWarning: unclosed sockffi.Server") == 3


def test_a_server_in_a_reference_cycle_is_closed_by_the_collector(no_fd_leak):
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    cycle: list[object] = [server]
    cycle.append(cycle)
    fd = server.fd
    del server, cycle
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    with pytest.raises(OSError):
        os.fstat(fd)


# ------------------------------------------------------------------ threads


def test_racing_close_detach_and_to_socket_give_the_fd_up_exactly_once(no_fd_leak):
    closes: list[str] = []

    def count(event: sockffi.trace.Event) -> None:
        if event.syscall == "close":
            closes.append(event.args[0])

    outcomes = {"closed": 0, "detached": 0, "socket": 0}
    with sockffi.trace.observe(count):
        for _ in range(60):
            server = sockffi.listen_tcp(("127.0.0.1", 0))
            barrier = threading.Barrier(6)
            got: list[object] = []

            def racer(
                kind: int, s: sockffi.Server = server, b: threading.Barrier = barrier, got: list[object] = got
            ) -> None:
                b.wait()
                if kind % 3 == 0:
                    s.close()
                elif kind % 3 == 1:
                    got.append(s.detach())
                else:
                    try:
                        got.append(s.to_socket())
                    except ValueError:
                        pass

            threads = [threading.Thread(target=racer, args=(k,)) for k in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            owners = [g for g in got if not (isinstance(g, int) and g == -1)]
            assert len(owners) <= 1
            for owner in owners:
                if isinstance(owner, int):
                    outcomes["detached"] += 1
                    sockffi.close(owner)
                else:
                    outcomes["socket"] += 1
                    owner.close()  # type: ignore[attr-defined]
            if not owners:
                outcomes["closed"] += 1
    # One close(2) per Server made by sockffi, whoever made it; detached fds were
    # closed by sockffi.close above, sockets by their own close (not traced).
    assert len(closes) == outcomes["closed"] + outcomes["detached"]


def test_threads_dropping_servers_while_the_collector_runs(no_fd_leak):
    stop = threading.Event()
    errors: list[str] = []

    def dropper() -> None:
        try:
            while not stop.is_set():
                for host in ("127.0.0.1", "::1"):
                    sockffi.listen_tcp((host, 0))  # dropped unclosed
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))

    def collector() -> None:
        while not stop.is_set():
            gc.collect()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        threads = [threading.Thread(target=dropper) for _ in range(4)] + [threading.Thread(target=collector)]
        for t in threads:
            t.start()
        stop.wait(1.5)
        stop.set()
        for t in threads:
            t.join()
        gc.collect()
    assert not errors


# ------------------------------------------------------------------ fork


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_closing_its_copies_leaves_the_parents_servers_alone(shortdir):
    """In a fresh interpreter (forking needs a process without other threads):
    the child closes and drops its copies; the parent's sockets and socket file
    are untouched, and closed once, by the parent."""
    done = run_python(
        """
        import gc, os, socket, sys, warnings, sockffi
        warnings.simplefilter("ignore", ResourceWarning)
        path = os.path.join(sys.argv[1], "parent.sock")
        tcp = sockffi.listen_tcp(("127.0.0.1", 0))
        unix = sockffi.listen_unix(path)
        pid = os.fork()
        if pid == 0:
            tcp.close()
            unix.close()  # the child's copy: the parent's socket file must stay
            leftover = [sockffi.listen_tcp(("127.0.0.1", 0)) for _ in range(3)]
            del leftover
            gc.collect()
            os._exit(0)
        os.waitpid(pid, 0)
        def accepting(fd):
            with socket.socket(fileno=os.dup(fd)) as s:
                return s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
        ok = accepting(tcp.fd) and accepting(unix.fd) and os.path.exists(path)
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
        tcp.close()
        unix.close()
        print(ok, os.path.exists(path))
        """,
        shortdir,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


# ------------------------------------------------------------------ fd exhaustion


@pytest.mark.parametrize("call", ["tcp", "tcp6", "unix"])
def test_running_out_of_fds_fails_cleanly_and_recovers(call):
    def child() -> tuple[str, int, int]:
        base = len(open_fds())
        set_nofile(base + 40)
        made: list[sockffi.Server] = []
        name = f"\0sockffi-exhaust-{os.getpid()}-"
        error = None
        for i in range(100):
            try:
                if call == "tcp":
                    made.append(sockffi.listen_tcp(("127.0.0.1", 0)))
                elif call == "tcp6":
                    made.append(sockffi.listen_tcp(("::1", 0)))
                else:
                    made.append(sockffi.listen_unix(f"{name}{i}"))
            except sockffi.ListenError as e:
                error = type(e).__name__
                break
        held = len(made)
        for server in made:
            server.close()
        return (error or "none", held, len(open_fds()) - base)

    error, held, left = in_child(child).value
    assert error == "ProcessFdQuotaExceeded" and held > 30 and left == 0


@pytest.mark.skipif(not LINUX, reason="seccomp")
@pytest.mark.parametrize(
    "syscall, code, name", [("listen", "EADDRINUSE", "AddressInUse"), ("getsockname", "ENOBUFS", "SystemResources")]
)
def test_listen_unix_failing_after_bind_removes_the_file_it_made(syscall, code, name, shortdir):
    import errno

    from conftest import inject

    path = os.path.join(shortdir, "s")

    def child() -> tuple[str, bool]:
        inject(syscall, getattr(errno, code))
        try:
            sockffi.listen_unix(path)
        except sockffi.ListenError as e:
            return (type(e).__name__, os.path.exists(path))
        return ("no error", os.path.exists(path))

    assert in_child(child).value == (name, False)


def test_a_detached_unix_server_leaves_its_file_to_the_new_owner(shortdir, no_fd_leak):
    path = os.path.join(shortdir, "kept.sock")
    server = sockffi.listen_unix(path)
    sock = server.to_socket()
    server.close()
    assert os.path.exists(path)
    sock.close()
    os.unlink(path)
    dropped = sockffi.listen_unix(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        del dropped
        gc.collect()
    assert not os.path.exists(path)  # dropped unclosed: its cell removed the file too


@pytest.mark.skipif(not LINUX, reason="unix socket files")
def test_a_unix_server_never_closed_leaves_no_file_at_exit(shortdir):
    """Held by a daemon thread (or a cycle, or anything the interpreter never
    frees) when the program ends: its file goes at exit, as close() would
    remove it; a forked child that exits leaves the parent's file alone, and
    detach() hands it on."""
    code = """
import os, sys, threading, sockffi
kept, forked, detached = sys.argv[1:4]
server = sockffi.listen_unix(kept)
other = sockffi.listen_unix(forked)
pid = os.fork()  # before any thread: forking a threaded process is deprecated
if pid == 0:
    sys.exit(0)  # the child's exit runs the exit handlers: not its file to remove
os.waitpid(pid, 0)
assert os.path.exists(forked), "a child's exit removed the parent's file"
threading.Thread(target=lambda s=server: threading.Event().wait(), daemon=True).start()
handed = sockffi.listen_unix(detached)
os.set_inheritable(handed.detach(), False)
cycle = [other]
cycle.append(cycle)
print("ready", flush=True)
"""
    paths = [os.path.join(shortdir, name) for name in ("kept", "forked", "detached")]
    done = run_python(code, *paths)
    assert done.returncode == 0 and "ready" in done.stdout, done.stderr
    assert not os.path.exists(paths[0]) and not os.path.exists(paths[1])
    assert os.path.exists(paths[2])  # detached: its owner now decides


def test_a_cell_a_kept_traceback_still_holds_is_never_shared(no_fd_leak):
    """A failed call gives its empty cell back to the pool, then raises; an
    exception that is kept (logging keeps them) holds that frame, and so the
    cell. A new owner must never get that cell: dropped, it would not close."""
    port = std.socket()
    port.bind(("127.0.0.1", 0))
    address = port.getsockname()
    port.close()
    kept = []
    for _ in range(5):
        try:
            sockffi.connect_tcp(address)  # refused: its cell back in the pool, then the raise
        except sockffi.ConnectionRefused as exc:
            kept.append(exc)  # with its traceback, and the frame's cell
    for _ in range(10):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            server = sockffi.listen_tcp(("127.0.0.1", 0))
            fd = server.fd
            del server
            gc.collect()
        with pytest.raises(OSError):
            os.fstat(fd)  # dropped: closed, whatever the kept exceptions hold
    assert len(kept) == 5
