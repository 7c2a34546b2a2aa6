"""sockffi against CPython's socket module and a C loop, side by side, in one run.

    python3 benchmarks/run.py [--rounds 9] [--quick]

Each operation is timed for each contender in interleaved rounds (the order
rotates every round), and the table reports medians with their spread
(min-max over rounds) and the ratios the performance targets are stated in.
The C loop is compiled here, through cffi, into a throwaway module: it makes the
same syscalls with no Python in between. Timings are not tests: the suite checks
syscall counts and leaks; this script only measures.
"""

from __future__ import annotations

import argparse
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
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

/* socket, setsockopt(SO_REUSEADDR), bind 127.0.0.1:0, listen, getsockname
   (with the address made into text, as the Python contenders do), close. */
double c_cycle(int n)
{
    double t0 = now();
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
    return (now() - t0) / n;
}

double c_getsockname(int fd, int n)
{
    double t0 = now();
    for (int i = 0; i < n; i++) {
        struct sockaddr_in out; socklen_t len = sizeof out; char host[16];
        getsockname(fd, (struct sockaddr *)&out, &len);
        inet_ntop(AF_INET, &out.sin_addr, host, sizeof host);
    }
    return (now() - t0) / n;
}

double c_failing_listen(int fd, int n)
{
    double t0 = now();
    for (int i = 0; i < n; i++) listen(fd, 128);
    return (now() - t0) / n;
}
"""

C_CDEF = """
double c_cycle(int n);
double c_getsockname(int fd, int n);
double c_failing_listen(int fd, int n);
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

    return _sockffi_bench_c.lib


def timed(stmt: str, glb: dict, number: int) -> float:
    return timeit.Timer(stmt, globals=glb).timeit(number) / number


def interleave(contenders: dict, rounds: int) -> dict:
    """{name: [seconds per op, one per round]}, with the order rotated every round."""
    names = list(contenders)
    results: dict = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            results[name].append(contenders[name]())
    return results


def row(label: str, results: dict, c_name: str | None = None) -> list:
    med = {n: statistics.median(v) for n, v in results.items()}
    lines = []
    for name, values in results.items():
        spread = f"{min(values) * 1e9:,.0f}-{max(values) * 1e9:,.0f}"
        vs_std = med[name] / med["CPython socket"]
        vs_c = f"{med[name] / med[c_name]:.2f}x" if c_name else "-"
        lines.append(f"| {label} | {name} | {med[name] * 1e9:,.0f} | {spread} | {vs_std:.2f}x | {vs_c} |")
    return lines


def bench_cycle(c, rounds: int, n: int) -> dict:
    glb = {"socket": socket, "sockffi": sockffi}
    std = (
        "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
        "s.bind(('127.0.0.1', 0)); s.listen(128); s.getsockname(); s.close()"
    )
    sf = "sockffi.listen_tcp(('127.0.0.1', 0), reuse_address=True).close()"
    return interleave(
        {
            "C loop": lambda: c.c_cycle(n),
            "CPython socket": lambda: timed(std, glb, n),
            "sockffi": lambda: timed(sf, glb, n),
        },
        rounds,
    )


def bench_getsockname(c, rounds: int, n: int) -> dict:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    fd = s.fileno()
    glb = {"s": s, "fd": fd, "getsockname": sockffi.getsockname}
    try:
        return interleave(
            {
                "C loop": lambda: c.c_getsockname(fd, n),
                "CPython socket": lambda: timed("s.getsockname()", glb, n),
                "sockffi": lambda: timed("getsockname(fd)", glb, n),
            },
            rounds,
        )
    finally:
        s.close()


def bench_failing(c, rounds: int, n: int) -> dict:
    r, w = os.pipe()
    s = socket.socket()
    os.dup2(r, s.fileno())  # a socket object whose fd is a pipe: listen fails, ENOTSOCK
    glb = {"s": s, "r": r, "listen": sockffi.listen}
    try:
        return interleave(
            {
                "C loop": lambda: c.c_failing_listen(r, n),
                "CPython socket": lambda: timed("try:\n s.listen(128)\nexcept OSError:\n pass", glb, n),
                "sockffi": lambda: timed("try:\n listen(r, 128)\nexcept OSError:\n pass", glb, n),
            },
            rounds,
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


def import_time(module: str, bare: bool = False, python: str = sys.executable) -> float:
    """Seconds for `import module` in a fresh interpreter (-X importtime, cumulative).

    bare: no site (-S), so no .pth file preloads anything (an editable install's
    finder, for one, preloads enum, re and typing, which `socket` then gets for
    free); os and the path are set up first, as site would.
    """
    if bare:
        path = [p for p in sys.path if p]
        code = f"import os, sys; sys.path[:0] = {path!r}; import {module}"
        argv = [sys.executable, "-S", "-X", "importtime", "-c", code]
    else:
        argv = [python, "-X", "importtime", "-c", f"import {module}"]
    out = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},
    ).stderr
    line = [ln for ln in out.splitlines() if ln.rstrip().endswith(f"| {module}")][-1]
    return int(line.split("|")[1]) * 1e-6


def bench_import(rounds: int, bare: bool, python: str = sys.executable) -> dict:
    import compileall

    compileall.compile_dir(os.path.dirname(sockffi.__file__), quiet=1)
    return interleave(
        {
            "CPython socket": lambda: import_time("socket", bare, python),
            "sockffi": lambda: import_time("sockffi", bare, python),
        },
        rounds,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    c = build_c_loop()
    lines = ["| operation | contender | median ns | spread ns | x CPython | x C |", "|---|---|---:|---:|---:|---:|"]
    lines += row("listen_tcp + close, full cycle", bench_cycle(c, args.rounds, 2000 // scale), "C loop")
    lines += row("getsockname, bound IPv4", bench_getsockname(c, args.rounds, 100_000 // scale), "C loop")
    lines += row("failing listen (pipe), typed error caught", bench_failing(c, args.rounds, 100_000 // scale), "C loop")
    lines += row("import, fresh interpreter, no .pth preloads", bench_import(args.rounds, bare=True))
    lines += row("import, fresh interpreter, this environment's site", bench_import(args.rounds, bare=False))
    if not args.quick:
        venv_python = wheel_venv()
        lines += row("import, fresh venv with the built wheel", bench_import(args.rounds, False, venv_python))
    print(
        f"sockffi {sockffi.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M')}; medians of {args.rounds} interleaved rounds"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
