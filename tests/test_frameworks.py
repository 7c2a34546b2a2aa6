"""Python's servers on sockffi's sockets: each recipe of the docs page
"Handing the socket to a server" (docs/recipes/) runs for real here, serves one
HTTP request and a bounded burst on IPv4, IPv6 and AF_UNIX, stops cleanly with
the listening fd released, and its port can be listened on again at once.

Everything is loopback only, and every burst is bounded in requests and seconds.
"""

from __future__ import annotations

import ast
import http.client
import importlib.util
import os
import signal
import socket as std
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import LINUX

import sockffi

RECIPES = Path(__file__).resolve().parent.parent / "docs" / "recipes"
BURST = 200  # requests after the first one
DEADLINE = 60.0  # seconds for the whole burst, at most

#: framework -> the module it needs, and the families it serves in these recipes
FRAMEWORKS = {
    "asyncio": ("asyncio", ("v4", "v6", "unix")),
    "uvicorn": ("uvicorn", ("v4", "v6", "unix")),
    "gunicorn": ("gunicorn", ("v4", "v6", "unix")),
    "hypercorn": ("hypercorn", ("v4", "v6", "unix")),
    "aiohttp": ("aiohttp", ("v4", "v6", "unix")),
    "trio": ("trio", ("v4", "v6", "unix")),
    "anyio": ("anyio", ("v4", "v6", "unix")),
    "twisted": ("twisted", ("v4", "v6", "unix")),
    "tornado": ("tornado", ("v4", "v6", "unix")),
}
CASES = [(name, family) for name, (_m, families) in FRAMEWORKS.items() for family in families]

pytestmark = pytest.mark.skipif(not LINUX, reason="the framework tier runs on Linux")


def need(module: str) -> None:
    """The frameworks are in the test extra for CPython 3.11+ (their own floor):
    there, CI must have them, and a missing one fails rather than skips."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI") and sys.version_info >= (3, 11):
            pytest.fail(f"{module} is not installed: CI installs the frameworks (pip install -e '.[test]')")
        pytest.skip(f"{module} is not installed here (pip install -e '.[test]' on CPython 3.11+)")


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = std.socket(std.AF_UNIX, std.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def get(address: object, timeout: float = 10.0) -> str:
    if isinstance(address, tuple):
        conn: http.client.HTTPConnection = http.client.HTTPConnection(address[0], address[1], timeout=timeout)
    else:
        conn = UnixHTTPConnection(str(address), timeout)
    try:
        conn.request("GET", "/", headers={"Connection": "close"})
        reply = conn.getresponse()
        body = reply.read().decode()
        assert reply.status == 200, (reply.status, body)
        return body
    finally:
        conn.close()


class Running:
    """One recipe, as its own process (its signal handlers, its event loop)."""

    def __init__(self, recipe: str, where: str, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(RECIPES / f"{recipe}_server.py"), where, *extra],
            cwd=RECIPES,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line.startswith("ready "):
            self.proc.kill()
            _, err = self.proc.communicate(timeout=30)
            raise AssertionError(f"{recipe} did not start: {line!r} {err[-3000:]}")
        _, shown, pid = line.split(" ", 1)[0], *line[6:].rsplit(" ", 1)
        self.address = ast.literal_eval(shown)
        self.pid = int(pid)
        self.target = self.address if isinstance(self.address, tuple) else where[5:]

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError(f"did not stop on SIGTERM: {err[-3000:]}") from None
        assert self.proc.returncode == 0, err[-3000:]
        return out


def where_for(family: str, shortdir: str) -> str:
    return {"v4": "127.0.0.1:0", "v6": "[::1]:0"}.get(family) or f"unix:{shortdir}/s.sock"


@pytest.mark.parametrize("name, family", CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_a_framework_serves_from_a_sockffi_socket_and_releases_it(name, family, shortdir):
    need(FRAMEWORKS[name][0])
    server = Running(name, where_for(family, shortdir))
    try:
        assert get(server.target).startswith(f"hello from {name}_server")
        deadline = time.monotonic() + DEADLINE
        for i in range(BURST):
            assert time.monotonic() < deadline, f"only {i} of {BURST} requests in {DEADLINE} s"
            get(server.target)
    finally:
        out = server.stop()
    assert out.splitlines()[-1] == "released", out
    if isinstance(server.address, tuple):
        # The port is free again at once, with the defaults (SO_REUSEADDR), even
        # with the connections the server closed still in TIME_WAIT.
        sockffi.listen_tcp(server.address).close()


def test_two_processes_share_a_port_with_reuse_port():
    need("uvicorn")
    first = Running("uvicorn", "127.0.0.1:0", "reuse_port")
    try:
        second = Running("uvicorn", f"127.0.0.1:{first.address[1]}", "reuse_port")
        try:
            served = {get(first.address).rsplit(" ", 1)[1] for _ in range(BURST)}
        finally:
            assert second.stop().splitlines()[-1] == "released"
    finally:
        assert first.stop().splitlines()[-1] == "released"
    assert served == {str(first.pid), str(second.pid)}


def test_a_restart_on_the_same_port_after_thousands_of_connections(no_fd_leak):
    """The server closes each connection first, so TIME_WAIT stays on its side:
    with the defaults the next listen on that port works; without
    SO_REUSEADDR it fails, which is what makes this test able to fail."""
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    address = server.address
    listener = server.to_socket()
    listener.settimeout(10)
    for _ in range(2000):
        client = std.create_connection(address, timeout=10)
        conn, _ = listener.accept()
        conn.close()  # the server side closes first
        client.close()
    listener.close()
    with pytest.raises(sockffi.AddressInUse):
        sockffi.listen_tcp(address, reuse_address=False)
    sockffi.listen_tcp(address).close()  # the default: it starts


def test_inheritable_sockets_survive_exec_without_pass_fds(no_fd_leak):
    """gunicorn's fd:// with close_fds=False (os.system, a shell): the fd must be
    inheritable, as inheritable=True makes it; the default is not."""
    code = "import os, sys; os.fstat(int(sys.argv[1])); print('open')"
    with sockffi.listen_tcp(("127.0.0.1", 0), inheritable=True) as server:
        done = subprocess.run(
            [sys.executable, "-c", code, str(server.fd)], close_fds=False, capture_output=True, text=True, check=False
        )
        assert done.stdout.strip() == "open", done.stderr
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        done = subprocess.run(
            [sys.executable, "-c", code, str(server.fd)], close_fds=False, capture_output=True, text=True, check=False
        )
        assert done.returncode != 0  # close-on-exec: not there


def test_ipv6_servers_take_ipv4_clients_only_when_asked(no_fd_leak):
    with sockffi.listen_tcp(("::", 0)) as v6only:
        with pytest.raises(OSError):
            std.create_connection(("127.0.0.1", v6only.address[1]), timeout=5).close()
        with std.socket(fileno=os.dup(v6only.fd)) as s:
            assert s.getsockopt(std.IPPROTO_IPV6, std.IPV6_V6ONLY) == 1
    with sockffi.listen_tcp(("::", 0), dualstack_ipv6=True) as both:
        with std.socket(fileno=os.dup(both.fd)) as s:
            assert s.getsockopt(std.IPPROTO_IPV6, std.IPV6_V6ONLY) == 0
        client = std.create_connection(("127.0.0.1", both.address[1]), timeout=5)
        client.close()
    with pytest.raises(ValueError, match="dualstack_ipv6"):
        sockffi.listen_tcp(("127.0.0.1", 0), dualstack_ipv6=True)
