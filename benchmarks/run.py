"""sockffi against CPython's socket module and a C loop, side by side, in one run.

    python3 benchmarks/run.py [--rounds 15] [--quick] [--baseline DIR] [--wall]

Every contender makes the same syscalls. In each round the C loop and CPython
are measured around each sockffi contender (their order flips every round,
the contenders' order rotates), and the table reports the median of the
per-round ratios with its spread: pairing within a round cancels most of the
drift other jobs on the machine cause. The clock is this thread's CPU time
(time spent descheduled is not counted) unless --wall is given.

--baseline DIR measures another checkout's sockffi in the same run (imported
under another name), for before/after tables.

The C loop is compiled here, through cffi, into a throwaway module. Timings are
not tests: the suite checks syscall counts and leaks; this script only measures.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit

import sockffi

C_SOURCE = r"""
#include <sys/socket.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

static double clk(int wall)
{
    struct timespec t;
    clock_gettime(wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* socket, setsockopt(SO_REUSEADDR), bind 127.0.0.1:0, listen, getsockname
   (with the address made into text, as the Python contenders do), close. */
double c_cycle4(int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in sin, out; socklen_t len = sizeof out; char host[16]; int one = 1;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        memset(&sin, 0, sizeof sin); sin.sin_family = AF_INET; sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd, (struct sockaddr *)&sin, sizeof sin);
        listen(fd, 128);
        getsockname(fd, (struct sockaddr *)&out, &len);
        inet_ntop(AF_INET, &out.sin_addr, host, sizeof host);
        close(fd);
    }
    return (clk(wall) - t0) / n;
}

/* The same on [::1]:0, with IPV6_V6ONLY set explicitly, as create_server does. */
double c_cycle6(int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in6 sin6, out; socklen_t len = sizeof out; char host[46]; int one = 1;
        int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        memset(&sin6, 0, sizeof sin6); sin6.sin6_family = AF_INET6; sin6.sin6_addr = in6addr_loopback;
        bind(fd, (struct sockaddr *)&sin6, sizeof sin6);
        listen(fd, 128);
        getsockname(fd, (struct sockaddr *)&out, &len);
        inet_ntop(AF_INET6, &out.sin6_addr, host, sizeof host);
        close(fd);
    }
    return (clk(wall) - t0) / n;
}

double c_getsockname(int fd, int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct sockaddr_storage out; socklen_t len = sizeof out; char host[46];
        getsockname(fd, (struct sockaddr *)&out, &len);
        if (out.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&out)->sin6_addr, host, sizeof host);
        else
            inet_ntop(AF_INET, &((struct sockaddr_in *)&out)->sin_addr, host, sizeof host);
    }
    return (clk(wall) - t0) / n;
}

/* socket(AF_UNIX), bind a path, listen, getsockname (the path made into a
   string), then what asyncio's create_unix_server does at close: stat the
   path, compare the inode recorded at bind, unlink, close. */
double c_cycle_unix(const char *path, int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct sockaddr_un sun, out; socklen_t len = sizeof out; struct stat st; char name[sizeof sun.sun_path + 1];
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ino_t ino;
        memset(&sun, 0, sizeof sun); sun.sun_family = AF_UNIX; strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
        bind(fd, (struct sockaddr *)&sun, sizeof sun);
        stat(path, &st); ino = st.st_ino;
        listen(fd, 128);
        getsockname(fd, (struct sockaddr *)&out, &len);
        memcpy(name, out.sun_path, sizeof out.sun_path); name[sizeof out.sun_path] = 0;
        if (stat(path, &st) == 0 && st.st_ino == ino) unlink(path);
        close(fd);
    }
    return (clk(wall) - t0) / n;
}

double c_getsockname_unix(int fd, int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct sockaddr_un out; socklen_t len = sizeof out; char name[sizeof out.sun_path + 1];
        getsockname(fd, (struct sockaddr *)&out, &len);
        memcpy(name, out.sun_path, sizeof out.sun_path); name[sizeof out.sun_path] = 0;
    }
    return (clk(wall) - t0) / n;
}

/* n loopback clients connected to port (blocking: the listener's queue takes
   them), each set to reset on close (SO_LINGER 0, so no TIME_WAIT piles up):
   what an accept benchmark accepts. */
int c_connect_many(int port, int n, int *fds)
{
    struct linger lg = {1, 0};
    for (int i = 0; i < n; i++) {
        struct sockaddr_in sin;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        memset(&sin, 0, sizeof sin); sin.sin_family = AF_INET; sin.sin_port = htons(port);
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) { close(fd); return i; }
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        fds[i] = fd;
    }
    return n;
}

void c_close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++) close(fds[i]);
}

/* accept4(SOCK_CLOEXEC) with the peer's address made into text, then close. */
double c_accept_close(int fd, int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct sockaddr_storage peer; socklen_t len = sizeof peer; char host[16];
        int c = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
        inet_ntop(AF_INET, &((struct sockaddr_in *)&peer)->sin_addr, host, sizeof host);
        close(c);
    }
    return (clk(wall) - t0) / n;
}

/* socket, connect to a loopback port, SO_LINGER 0 (no TIME_WAIT), close:
   connected when a listener is there, refused when not. */
double c_connect_close(int port, int n, int wall)
{
    struct linger lg = {1, 0};
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in sin;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        memset(&sin, 0, sizeof sin); sin.sin_family = AF_INET; sin.sin_port = htons(port);
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);
    }
    return (clk(wall) - t0) / n;
}

/* shutdown(SHUT_WR) on a connected socket (after the first, each one is a no-op that succeeds). */
double c_shutdown(int fd, int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) shutdown(fd, SHUT_WR);
    return (clk(wall) - t0) / n;
}

/* getsockopt(SOL_SOCKET, SO_ERROR): how a non-blocking connect ended. */
double c_so_error(int fd, int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        int v = 0; socklen_t len = sizeof v;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len);
    }
    return (clk(wall) - t0) / n;
}

/* getpeername of an IPv4 peer, its address made into text. */
double c_getpeername(int fd, int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in out; socklen_t len = sizeof out; char host[16];
        getpeername(fd, (struct sockaddr *)&out, &len);
        inet_ntop(AF_INET, &out.sin_addr, host, sizeof host);
    }
    return (clk(wall) - t0) / n;
}

/* send 64 bytes on a, recv them on b: one round of a ping-pong, in one thread. */
double c_pingpong(int a, int b, int n, int wall)
{
    char out[64] = {0}, in[64];
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        send(a, out, sizeof out, MSG_NOSIGNAL);
        recv(b, in, sizeof in, 0);
    }
    return (clk(wall) - t0) / n;
}

/* 64 KiB sent whole on a (a send loop), then received whole on b (a recv loop). */
double c_bulk(int a, int b, int n, int wall)
{
    static char out[65536], in[65536];
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        size_t sent = 0, got = 0;
        while (sent < sizeof out) sent += (size_t)send(a, out + sent, sizeof out - sent, MSG_NOSIGNAL);
        while (got < sizeof in) got += (size_t)recv(b, in + got, sizeof in - got, 0);
    }
    return (clk(wall) - t0) / n;
}

/* sendto a 64-byte datagram from a to b's port, recvfrom it on b (the source made into text). */
double c_udp(int a, int b, int port, int n, int wall)
{
    char out[64] = {0}, in[64], host[16];
    struct sockaddr_in to;
    memset(&to, 0, sizeof to); to.sin_family = AF_INET; to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in from; socklen_t len = sizeof from;
        sendto(a, out, sizeof out, MSG_NOSIGNAL, (struct sockaddr *)&to, sizeof to);
        recvfrom(b, in, sizeof in, 0, (struct sockaddr *)&from, &len);
        inet_ntop(AF_INET, &from.sin_addr, host, sizeof host);
    }
    return (clk(wall) - t0) / n;
}

/* poll one fd that is ready (writable), timeout 0. */
double c_poll(int fd, int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) {
        struct pollfd p = {fd, POLLOUT, 0};
        poll(&p, 1, 0);
    }
    return (clk(wall) - t0) / n;
}

double c_failing_listen(int fd, int n, int wall)
{
    double t0 = clk(wall);
    for (int i = 0; i < n; i++) listen(fd, 128);
    return (clk(wall) - t0) / n;
}
"""

C_CDEF = """
double c_cycle4(int n, int wall);
double c_cycle6(int n, int wall);
double c_getsockname(int fd, int n, int wall);
double c_failing_listen(int fd, int n, int wall);
double c_cycle_unix(const char *path, int n, int wall);
double c_getsockname_unix(int fd, int n, int wall);
int c_connect_many(int port, int n, int *fds);
void c_close_all(int *fds, int n);
double c_accept_close(int fd, int n, int wall);
double c_connect_close(int port, int n, int wall);
double c_shutdown(int fd, int n, int wall);
double c_pingpong(int a, int b, int n, int wall);
double c_bulk(int a, int b, int n, int wall);
double c_udp(int a, int b, int port, int n, int wall);
double c_poll(int fd, int n, int wall);
double c_so_error(int fd, int n, int wall);
double c_getpeername(int fd, int n, int wall);
"""


def build_c_loop():
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(C_CDEF)
    ffi.set_source("_sockffi_bench_c", C_SOURCE, extra_compile_args=["-O2"])
    tmp = tempfile.mkdtemp(prefix="sockffi-bench-")
    ffi.compile(tmpdir=tmp, verbose=False)
    sys.path.insert(0, tmp)
    import _sockffi_bench_c  # type: ignore[import-not-found]

    return _sockffi_bench_c


def load_baseline(directory: str):
    """Another checkout's sockffi package, imported as `sockffi_baseline`."""
    package = os.path.join(os.path.abspath(directory), "sockffi")
    spec = importlib.util.spec_from_file_location(
        "sockffi_baseline", os.path.join(package, "__init__.py"), submodule_search_locations=[package]
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["sockffi_baseline"] = module
    spec.loader.exec_module(module)
    return module


class Bench:
    def __init__(self, c, wall: bool, rounds: int) -> None:
        self.c, self.ffi, self.wall, self.rounds = c.lib, c.ffi, wall, rounds
        self.timer = time.perf_counter if wall else time.thread_time

    def py(self, stmt: str, glb: dict, n: int):
        timer = timeit.Timer(stmt, globals=glb, timer=self.timer)
        return lambda: timer.timeit(n) / n

    def compare(self, c_ref, std, contenders: dict) -> dict:
        """{name: (median seconds, [x CPython per round], [x C per round])}."""
        names = list(contenders)
        out: dict = {name: ([], [], []) for name in ["C loop", "CPython socket", *names]}
        for r in range(self.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                refs = [("C loop", c_ref), ("CPython socket", std)]
                if r % 2:
                    refs.reverse()
                first = refs[0][1]()
                value = contenders[name]()
                second = refs[1][1]()
                measured = {refs[0][0]: first, refs[1][0]: second}
                for ref_name, seconds in measured.items():
                    out[ref_name][0].append(seconds)
                out[name][0].append(value)
                out[name][1].append(value / measured["CPython socket"])
                if c_ref is not None:
                    out[name][2].append(value / measured["C loop"])
            out["CPython socket"][2].append(1.0)
        return out


def rows(label: str, result: dict, has_c: bool = True) -> list[str]:
    lines = []
    c_median = statistics.median(result["C loop"][0]) if has_c else None
    std_median = statistics.median(result["CPython socket"][0])
    for name, (seconds, vs_std, vs_c) in result.items():
        if not seconds:
            continue
        med = statistics.median(seconds)
        if name == "C loop":
            x_std, x_c = f"{med / std_median:.2f}x", "1.00x"
        elif name == "CPython socket":
            x_std = "1.00x"
            x_c = f"{med / c_median:.2f}x" if has_c else "-"
        else:
            x_std = f"{statistics.median(vs_std):.2f}x ({min(vs_std):.2f}-{max(vs_std):.2f})"
            x_c = f"{statistics.median(vs_c):.2f}x ({min(vs_c):.2f}-{max(vs_c):.2f})" if has_c else "-"
        unit = f"{med * 1e9:,.0f} ns" if med < 1e-3 else f"{med * 1e3:.2f} ms"
        lines.append(f"| {label} | {name} | {unit} | {x_std} | {x_c} |")
    return lines


def contenders_for(modules: dict, stmt: str, bench: Bench, n: int, extra: dict) -> dict:
    return {name: bench.py(stmt, {**extra, "sockffi": module}, n) for name, module in modules.items()}


def bench_cycle(bench: Bench, modules: dict, n: int, v6: bool) -> dict:
    glb = {"socket": socket}
    if v6:
        std = (
            "s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
            "s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); "
            "s.bind(('::1', 0)); s.listen(128); s.getsockname(); s.close()"
        )
        sf = "sockffi.listen_tcp(('::1', 0), reuse_address=True).close()"
        c_ref = lambda: bench.c.c_cycle6(n, bench.wall)
    else:
        std = (
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
            "s.bind(('127.0.0.1', 0)); s.listen(128); s.getsockname(); s.close()"
        )
        sf = "sockffi.listen_tcp(('127.0.0.1', 0), reuse_address=True).close()"
        c_ref = lambda: bench.c.c_cycle4(n, bench.wall)
    return bench.compare(c_ref, bench.py(std, glb, n), contenders_for(modules, sf, bench, n, glb))


def bench_getsockname(bench: Bench, modules: dict, n: int, family: str) -> dict:
    """getsockname on a bound socket of one family: "v4", "v6" or "unix" (a path)."""
    d = tempfile.mkdtemp(prefix="sfb", dir="/tmp")
    if family == "unix":
        s = socket.socket(socket.AF_UNIX)
        s.bind(os.path.join(d, "g.sock"))
    else:
        s = socket.socket(socket.AF_INET6 if family == "v6" else socket.AF_INET)
        s.bind(("::1" if family == "v6" else "127.0.0.1", 0))
    fd = s.fileno()
    c_loop = bench.c.c_getsockname_unix if family == "unix" else bench.c.c_getsockname
    glb = {"s": s, "fd": fd}
    try:
        return bench.compare(
            lambda: c_loop(fd, n, bench.wall),
            bench.py("s.getsockname()", glb, n),
            contenders_for(modules, "sockffi.getsockname(fd)", bench, n, glb),
        )
    finally:
        s.close()
        import shutil

        shutil.rmtree(d, ignore_errors=True)


def bench_cycle_unix(bench: Bench, modules: dict, n: int) -> dict:
    """listen_unix + close against what asyncio's create_unix_server does by hand
    (bind, listen, getsockname, stat for the inode; at close stat, compare,
    unlink, close), each on a path of its own."""
    d = tempfile.mkdtemp(prefix="sfb", dir="/tmp")
    std_path, c_path = os.path.join(d, "std.sock"), os.path.join(d, "c.sock")
    glb = {"socket": socket, "os": os, "path": std_path}
    std = (
        "s = socket.socket(socket.AF_UNIX); s.bind(path); ino = os.stat(path).st_ino; s.listen(128); "
        "s.getsockname()\nif os.stat(path).st_ino == ino: os.unlink(path)\ns.close()"
    )
    extra = {name: os.path.join(d, f"{name}.sock") for name in modules}
    try:
        return bench.compare(
            lambda: bench.c.c_cycle_unix(c_path.encode(), n, bench.wall),
            bench.py(std, glb, n),
            {
                name: bench.py("sockffi.listen_unix(path).close()", {"sockffi": module, "path": extra[name]}, n)
                for name, module in modules.items()
            },
        )
    finally:
        import shutil

        shutil.rmtree(d, ignore_errors=True)


LINGER0 = __import__("struct").pack("ii", 1, 0)


def bench_accept(bench: Bench, modules: dict, n: int) -> dict:
    """Server.accept + close of the new connection, n clients queued beforehand
    (outside the timing, by the C helper; they reset on close, so nothing
    lingers), against CPython's accept + close and accept4 + close in C."""
    fds = bench.ffi.new("int[]", n)

    def timed(listener_port: int, accept_n) -> float:
        got = bench.c.c_connect_many(listener_port, n, fds)
        assert got == n, f"only {got} of {n} clients connected"
        try:
            t0 = bench.timer()
            accept_n()
            return (bench.timer() - t0) / n
        finally:
            bench.c.c_close_all(fds, n)

    std_server = socket.socket()
    std_server.bind(("127.0.0.1", 0))
    std_server.listen(4096)
    std_port = std_server.getsockname()[1]
    servers = {name: m.listen_tcp(("127.0.0.1", 0), backlog=4096) for name, m in modules.items()}

    def std_accept() -> None:
        accept = std_server.accept
        for _ in range(n):
            accept()[0].close()

    def sf_accept(server) -> None:
        accept = server.accept
        for _ in range(n):
            accept().close()

    def c_accept() -> float:
        got = bench.c.c_connect_many(std_port, n, fds)
        assert got == n
        try:
            return bench.c.c_accept_close(std_server.fileno(), n, bench.wall)
        finally:
            bench.c.c_close_all(fds, n)

    try:
        return bench.compare(
            c_accept,
            lambda: timed(std_port, std_accept),
            {name: (lambda srv=srv: timed(srv.address[1], lambda: sf_accept(srv))) for name, srv in servers.items()},
        )
    finally:
        std_server.close()
        for srv in servers.values():
            srv.close()


def bench_connect(bench: Bench, modules: dict, n: int, refused: bool) -> dict:
    """connect_tcp + close to a loopback listener (each connection reset on
    close, SO_LINGER 0, as the C loop and CPython do too, so no TIME_WAIT piles
    up; the listener's queue is emptied between measurements), or to a port
    nobody listens on (refused, the error caught)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    if refused:
        port = listener.getsockname()[1]
        listener.close()
    else:
        listener.listen(4096)
        listener.setblocking(False)
        port = listener.getsockname()[1]

    def drained(measure):
        def run() -> float:
            try:
                return measure()
            finally:
                while not refused:
                    try:
                        listener.accept()[0].close()
                    except BlockingIOError:
                        break

        return run

    addr = ("127.0.0.1", port)
    glb = {"socket": socket, "addr": addr, "L": LINGER0}
    if refused:
        std = "s = socket.socket()\ntry:\n s.connect(addr)\nexcept ConnectionRefusedError:\n pass\ns.close()"
        sf = "try:\n sockffi.connect_tcp(addr)\nexcept sockffi.ConnectionRefused:\n pass"
    else:
        std = "s = socket.socket(); s.connect(addr); s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, L); s.close()"
        sf = "c = sockffi.connect_tcp(addr); sockffi.setsockopt(c, sockffi.SOL_SOCKET, sockffi.SO_LINGER, L); c.close()"
    try:
        return bench.compare(
            drained(lambda: bench.c.c_connect_close(port, n, bench.wall)),
            drained(bench.py(std, glb, n)),
            {name: drained(fn) for name, fn in contenders_for(modules, sf, bench, n, glb).items()},
        )
    finally:
        if not refused:
            listener.close()


def bench_on_a_connection(bench: Bench, modules: dict, n: int, what: str) -> dict:
    """One call on a connected loopback socket, by its fd: shutdown(SHUT_WR),
    getsockopt(SOL_SOCKET, SO_ERROR) or getpeername."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    s = socket.create_connection(listener.getsockname())
    peer, _ = listener.accept()
    fd = s.fileno()
    glb = {"s": s, "fd": fd, "socket": socket}
    std, sf, c_loop = {
        "shutdown": ("s.shutdown(socket.SHUT_WR)", "sockffi.shutdown(fd, sockffi.SHUT_WR)", bench.c.c_shutdown),
        "so_error": (
            "s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)",
            "sockffi.getsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_ERROR)",
            bench.c.c_so_error,
        ),
        "getpeername": ("s.getpeername()", "sockffi.getpeername(fd)", bench.c.c_getpeername),
    }[what]
    try:
        return bench.compare(
            lambda: c_loop(fd, n, bench.wall), bench.py(std, glb, n), contenders_for(modules, sf, bench, n, glb)
        )
    finally:
        for sock in (s, peer, listener):
            sock.close()


def _tcp_pair() -> tuple[socket.socket, socket.socket]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    a = socket.create_connection(listener.getsockname())
    b, _ = listener.accept()
    listener.close()
    for sock in (a, b):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return a, b


def bench_data(bench: Bench, modules: dict, n: int, what: str) -> dict:
    """The data path on loopback, in one thread: a 64-byte ping-pong (send,
    recv; and Connection.write, read), 64 KiB bulk (sent whole, received
    whole), a UDP round (sendto, recvfrom), poll of a ready fd."""
    if what == "udp":
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        b.bind(("127.0.0.1", 0))
    else:
        a, b = _tcp_pair()
    to = b.getsockname()
    data, chunk = bytes(64), bytes(65536)
    buf = bytearray(65536)
    glb = {"a": a, "b": b, "fa": a.fileno(), "fb": b.fileno(), "to": to, "data": data, "chunk": chunk}
    glb.update({"buf": buf, "view": memoryview(buf), "socket": socket})
    extra: dict = {}
    if what == "pingpong":
        std = "a.send(data); b.recv(64)"
        sf = "sockffi.send(fa, data); sockffi.recv(fb, 64)"
        c_ref = lambda: bench.c.c_pingpong(a.fileno(), b.fileno(), n, bench.wall)
    elif what == "stream":
        std = "a.send(data); b.recv(64)"
        sf = "ca.write(data); cb.read(64)"
        c_ref = lambda: bench.c.c_pingpong(a.fileno(), b.fileno(), n, bench.wall)
        # Connections of each contender's own, over the same pair: adopted, not closed by them.
        extra = {name: _adopted(module, a, b) for name, module in modules.items()}
    elif what == "bulk":
        std = "a.sendall(chunk)\ngot = 0\nwhile got < 65536:\n    got += b.recv_into(view[got:])"
        sf = "ca.write_all(chunk)\ngot = 0\nwhile got < 65536:\n    got += cb.readinto(view[got:])"
        c_ref = lambda: bench.c.c_bulk(a.fileno(), b.fileno(), n, bench.wall)
        extra = {name: _adopted(module, a, b) for name, module in modules.items()}
    elif what == "udp":
        std = "a.sendto(data, to); b.recvfrom(64)"
        sf = "sockffi.sendto(fa, data, to); sockffi.recvfrom(fb, 64)"
        c_ref = lambda: bench.c.c_udp(a.fileno(), b.fileno(), to[1], n, bench.wall)
    else:  # poll
        import select

        poller = select.poll()
        poller.register(a.fileno(), select.POLLOUT)
        glb["poller"] = poller
        std = "poller.poll(0)"
        sf = "sockffi.poll([(fa, sockffi.POLLOUT)], 0)"
        c_ref = lambda: bench.c.c_poll(a.fileno(), n, bench.wall)
    contenders = {
        name: bench.py(sf, {**glb, **extra.get(name, {}), "sockffi": module}, n) for name, module in modules.items()
    }
    if what in ("pingpong", "udp", "poll"):  # the floor of a cffi binding, on this machine
        import lean

        lean.use(modules["sockffi"])
        contenders["lean cffi (one call in a def)"] = bench.py(sf, {**glb, "sockffi": lean}, n)
    try:
        return bench.compare(c_ref, bench.py(std, glb, n), contenders)
    finally:
        for made in extra.values():
            for conn in made.values():
                os.close(conn.detach())
        a.close()
        b.close()


def _adopted(module, a: socket.socket, b: socket.socket) -> dict:
    """Connections of `module` over a's and b's fds (dup'ed: theirs to close)."""
    made = {}
    for name, sock in (("ca", a), ("cb", b)):
        fd = os.dup(sock.fileno())
        server = module.listen_tcp(("127.0.0.1", 0))
        conn = module.connect_tcp(server.address)
        server.accept().close()
        server.close()
        os.dup2(fd, conn.fd)  # the Connection's number now names the pair's socket
        os.close(fd)
        made[name] = conn
    return made


def bench_failing(bench: Bench, modules: dict, n: int) -> dict:
    r, w = os.pipe()
    s = socket.socket()
    os.dup2(r, s.fileno())  # a socket object whose fd is a pipe: listen fails, ENOTSOCK
    glb = {"s": s, "r": r}
    try:
        return bench.compare(
            lambda: bench.c.c_failing_listen(r, n, bench.wall),
            bench.py("try:\n s.listen(128)\nexcept OSError:\n pass", glb, n),
            contenders_for(modules, "try:\n sockffi.listen(r, 128)\nexcept OSError:\n pass", bench, n, glb),
        )
    finally:
        s.close()
        os.close(r)
        os.close(w)


def wheel_venv() -> str:
    """A fresh venv with sockffi installed from a wheel built now: how users get it."""
    import glob

    tmp = tempfile.mkdtemp(prefix="sockffi-bench-venv-")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(
        [sys.executable, "-m", "build", "-q", "--wheel", "--outdir", f"{tmp}/dist", root],
        check=True,
        capture_output=True,
    )
    subprocess.run([sys.executable, "-m", "venv", f"{tmp}/venv"], check=True)
    python = f"{tmp}/venv/bin/python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", *glob.glob(f"{tmp}/dist/*.whl")], check=True, capture_output=True
    )
    subprocess.run([python, "-m", "compileall", "-q", f"{tmp}/venv"], check=True, capture_output=True)
    return python


def import_time(module: str, python: str, bare: bool) -> float:
    """Seconds for `import module` in a fresh interpreter (-X importtime, cumulative).

    bare: no site (-S), so no .pth file preloads anything (an editable install's
    finder preloads enum, re and typing, which `socket` then gets for free).
    """
    if bare:
        path = [p for p in sys.path if p]
        code = f"import os, sys; sys.path[:0] = {path!r}; import {module}"
        argv = [python, "-S", "-X", "importtime", "-c", code]
    else:
        argv = [python, "-X", "importtime", "-c", f"import {module}"]
    out = subprocess.run(
        argv, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""}
    ).stderr
    line = [ln for ln in out.splitlines() if ln.rstrip().endswith(f"| {module}")][-1]
    return int(line.split("|")[1]) * 1e-6


def bench_import(rounds: int, python: str, bare: bool) -> dict:
    out: dict = {"C loop": ([], [], []), "CPython socket": ([], [], []), "sockffi": ([], [], [])}
    for _ in range(rounds):
        std = import_time("socket", python, bare)
        sf = import_time("sockffi", python, bare)
        out["CPython socket"][0].append(std)
        out["sockffi"][0].append(sf)
        out["sockffi"][1].append(sf / std)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument("--baseline", metavar="DIR", help="also measure the sockffi of this checkout")
    parser.add_argument("--wall", action="store_true", help="wall-clock time instead of thread CPU time")
    parser.add_argument("--no-import", action="store_true", help="skip the import-time rows")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    bench = Bench(build_c_loop(), args.wall, args.rounds)
    modules = {"sockffi": sockffi}
    if args.baseline:
        modules["sockffi (baseline)"] = load_baseline(args.baseline)
    lines = ["| operation | contender | median | x CPython (spread) | x C (spread) |", "|---|---|---:|---:|---:|"]
    lines += rows("listen_tcp + close, IPv4", bench_cycle(bench, modules, 2000 // scale, v6=False))
    lines += rows("listen_tcp + close, IPv6", bench_cycle(bench, modules, 2000 // scale, v6=True))
    lines += rows("getsockname, IPv4", bench_getsockname(bench, modules, 50_000 // scale, "v4"))
    lines += rows("getsockname, IPv6", bench_getsockname(bench, modules, 50_000 // scale, "v6"))
    lines += rows("listen_unix + close (a path)", bench_cycle_unix(bench, modules, 2000 // scale))
    lines += rows("getsockname, AF_UNIX path", bench_getsockname(bench, modules, 50_000 // scale, "unix"))
    lines += rows("failing listen (pipe), error caught", bench_failing(bench, modules, 50_000 // scale))
    with_accept = {name: m for name, m in modules.items() if hasattr(m, "connect_tcp")}  # a baseline may predate it
    lines += rows("Server.accept + close (loopback)", bench_accept(bench, with_accept, 500 // scale))
    lines += rows("connect_tcp + close (loopback listener)", bench_connect(bench, with_accept, 500 // scale, False))
    lines += rows("connect_tcp refused, error caught", bench_connect(bench, with_accept, 2000 // scale, True))
    for label, what in (
        ("shutdown(SHUT_WR)", "shutdown"),
        ("getsockopt(SOL_SOCKET, SO_ERROR)", "so_error"),
        ("getpeername, IPv4", "getpeername"),
    ):
        lines += rows(label, bench_on_a_connection(bench, with_accept, 50_000 // scale, what))
    with_data = {name: m for name, m in modules.items() if hasattr(m, "poll")}
    for label, what, count in (
        ("ping-pong, 64 bytes: send + recv", "pingpong", 20_000),
        ("ping-pong, 64 bytes: Connection.write + read", "stream", 20_000),
        ("bulk, 64 KiB: write_all + readinto (256 MiB a timing)", "bulk", 4096),
        ("UDP, 64 bytes: sendto + recvfrom", "udp", 20_000),
        ("poll, one ready fd, timeout 0", "poll", 50_000),
    ):
        lines += rows(label, bench_data(bench, with_data, count // scale, what))
    if not args.no_import:
        lines += rows(
            "import, fresh interpreter, no .pth preloads", bench_import(args.rounds, sys.executable, True), False
        )
        if not args.quick:
            python = wheel_venv()
            lines += rows("import, fresh venv with the built wheel", bench_import(args.rounds, python, False), False)
    clock = "wall clock" if args.wall else "thread CPU time"
    print(
        f"sockffi {sockffi.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M')}; {clock}; medians of {args.rounds} paired rounds"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
