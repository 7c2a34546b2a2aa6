"""sockffi's sockets in real Python servers, reached by real clients on loopback."""

from __future__ import annotations

import asyncio
import http.server
import os
import selectors
import shutil
import socket as std
import socketserver
import subprocess
import threading
import urllib.request

import pytest
from conftest import LINUX

import sockffi


def test_asyncio_start_server_serves_a_real_client(no_fd_leak):
    async def main() -> bytes:
        server_sock = sockffi.listen_tcp(("127.0.0.1", 0)).to_socket()
        address = server_sock.getsockname()

        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"echo:" + await reader.readline())
            await writer.drain()
            writer.close()
            await writer.wait_closed()

        server = await asyncio.start_server(echo, sock=server_sock)
        async with server:
            reader, writer = await asyncio.open_connection(*address)
            writer.write(b"hello\n")
            await writer.drain()
            reply = await reader.read()
            writer.close()
            await writer.wait_closed()
        return reply

    assert asyncio.run(main()) == b"echo:hello\n"


def test_asyncio_unix_server_and_client(shortdir, no_fd_leak):
    path = os.path.join(shortdir, "a.sock")

    async def main() -> bytes:
        async def hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"unix says hi")
            await writer.drain()
            writer.close()
            await writer.wait_closed()

        server = await asyncio.start_unix_server(hello, sock=sockffi.listen_unix(path).to_socket())
        async with server:
            reader, writer = await asyncio.open_unix_connection(path)
            reply = await reader.read()
            writer.close()
            await writer.wait_closed()
        return reply

    assert asyncio.run(main()) == b"unix says hi"


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello from {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _http_server(sock: std.socket) -> http.server.HTTPServer:
    server = http.server.HTTPServer(sock.getsockname()[:2], _Hello, bind_and_activate=False)
    server.socket.close()
    server.socket = sock  # the listening socket sockffi made
    server.server_address = sock.getsockname()[:2]
    return server


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_http_server_serves_urllib_and_curl(host, no_fd_leak):
    sock = sockffi.listen_tcp((host, 0)).to_socket()
    server = _http_server(sock)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        port = sock.getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        url = f"http://{url_host}:{port}/urllib"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, no proxy
        with opener.open(url, timeout=10) as reply:
            assert reply.read() == b"hello from /urllib"
        curl = shutil.which("curl")
        if curl:
            out = subprocess.run(
                [curl, "-sS", "--noproxy", "*", "--max-time", "10", f"http://{url_host}:{port}/curl"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
            assert out.stdout == "hello from /curl"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_socketserver_unix_stream_server(shortdir, no_fd_leak):
    path = os.path.join(shortdir, "ss.sock")

    class Upper(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(self.rfile.readline().upper())

    server = socketserver.UnixStreamServer(path, Upper, bind_and_activate=False)
    server.socket.close()
    server.socket = sockffi.listen_unix(path).to_socket()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with std.socket(std.AF_UNIX) as client:
            client.settimeout(10)
            client.connect(path)
            client.sendall(b"quiet please\n")
            assert client.makefile("rb").readline() == b"QUIET PLEASE\n"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_selectors_loop_accepts_on_a_nonblocking_server(no_fd_leak):
    with sockffi.listen_tcp(("127.0.0.1", 0), nonblocking=True) as server:
        listener = std.socket(fileno=os.dup(server.fd))
        clients = [std.create_connection(server.address, timeout=10) for _ in range(3)]
        accepted = []
        with selectors.DefaultSelector() as sel:
            sel.register(server, selectors.EVENT_READ)  # a Server has fileno()
            while len(accepted) < 3:
                events = sel.select(timeout=10)
                assert events, "no connection became ready"
                for _key, _ in events:
                    try:
                        while True:
                            conn, _ = listener.accept()
                            accepted.append(conn)
                    except BlockingIOError:
                        pass
        for conn, client in zip(accepted, clients):
            client.sendall(b"x")
            assert conn.recv(1) == b"x"
        for s in [*accepted, *clients, listener]:
            s.close()


@pytest.mark.parametrize(
    "family, kind",
    [(std.AF_INET, std.SOCK_STREAM), (std.AF_INET6, std.SOCK_DGRAM), (std.AF_UNIX, std.SOCK_STREAM)],
)
def test_socket_socket_adopts_any_sockffi_fd(family, kind, no_fd_leak):
    fd = sockffi.socket(family, kind)
    sock = std.socket(fileno=fd)  # owns fd now
    assert (sock.family, sock.type) == (family, kind)
    assert not sock.get_inheritable()
    sock.close()
    if LINUX:
        with pytest.raises(sockffi.CallerError):
            sockffi.getsockname(fd)  # closed exactly once, by its new owner


def test_to_socket_then_close_closes_once(no_fd_leak):
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    fd = server.fd
    sock = server.to_socket()
    server.close()
    with server:  # closing again through the context manager is still a no-op
        pass
    assert sock.fileno() == fd and server.fileno() == -1
    sock.close()
    assert sock.fileno() == -1
