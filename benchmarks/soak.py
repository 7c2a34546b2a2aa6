"""Memory and fd soak: 100,000 repetitions of each operation, error paths included.

    python3 benchmarks/soak.py [--cycles 100000]

For each operation: RSS growth after a warm-up (from /proc/self/statm), net
Python allocations still live (tracemalloc, over a tenth of the cycles), and
the change in open fds. Prints one table row per operation.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tracemalloc

import sockffi


def rss() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()
    except OSError:  # not Linux: the high-water mark is the best there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def fds() -> int:
    return len(os.listdir("/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=100_000)
    n = parser.parse_args().cycles
    held = sockffi.listen_tcp(("127.0.0.1", 0))
    r, w = os.pipe()

    def failing_listen():
        try:
            sockffi.listen(r)
        except sockffi.FileDescriptorNotASocket:
            pass

    def failing_listen_tcp():
        try:
            sockffi.listen_tcp(held.address)
        except sockffi.AddressInUse:
            pass

    def caller_bug():
        try:
            sockffi.getsockname(1_000_000)
        except sockffi.CallerError:
            pass

    ops = {
        "listen_tcp + close (IPv4, one crossing)": lambda: sockffi.listen_tcp(
            ("127.0.0.1", 0), reuse_address=True
        ).close(),
        "listen_tcp + close (IPv6, by steps)": lambda: sockffi.listen_tcp(("::1", 0)).close(),
        "getsockname": lambda: sockffi.getsockname(held.fd),
        "failing listen (ENOTSOCK)": failing_listen,
        "failing listen_tcp (EADDRINUSE)": failing_listen_tcp,
        "caller bug (EBADF)": caller_bug,
    }
    print(
        f"| operation | cycles | RSS growth (B) | B/cycle | live Python allocations after {n // 10:,} (B) | fd delta |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, op in ops.items():
        for _ in range(min(n // 10, 10_000)):
            op()
        gc.collect()
        fd0, rss0 = fds(), rss()
        for _ in range(n):
            op()
        gc.collect()
        grown, fd1 = rss() - rss0, fds()
        tracemalloc.start()
        snap = tracemalloc.take_snapshot()
        for _ in range(n // 10):
            op()
        gc.collect()
        live = sum(
            s.size_diff
            for s in tracemalloc.take_snapshot().compare_to(snap, "filename")
            if "tracemalloc" not in str(s.traceback)
        )
        tracemalloc.stop()
        print(f"| {name} | {n:,} | {grown:,} | {grown / n:.2f} | {live:,} | {fd1 - fd0} |")
    held.close()
    os.close(r)
    os.close(w)


if __name__ == "__main__":
    main()
