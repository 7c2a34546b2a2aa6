"""What every recipe shares, and is not part of any recipe: the sockffi
listener named on the command line, the line the test harness waits for, the
reply every server gives, and the check that the listening fd was released.

    python docs/recipes/<recipe>.py 127.0.0.1:0 | [::1]:0 | unix:/path [reuse_port]
"""

from __future__ import annotations

import os
import sys

import sockffi

NAME = os.path.basename(sys.argv[0]).removesuffix(".py")


def listen(**options: object) -> sockffi.Server:
    """sockffi.listen_tcp("HOST:PORT") or sockffi.listen_unix(path), as argv says."""
    where = sys.argv[1]
    if "reuse_port" in sys.argv[2:]:
        options["reuse_port"] = True
    if where.startswith("unix:"):
        options.pop("reuse_port", None)
        return sockffi.listen_unix(where[5:], **options)  # type: ignore[arg-type]
    return sockffi.listen_tcp(where, **options)  # type: ignore[arg-type]


def body() -> bytes:
    return f"hello from {NAME} {os.getpid()}".encode()


def http_reply() -> bytes:
    """A whole HTTP/1.1 response, for the servers that speak raw sockets."""
    data = body()
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(data), data)


class Watch:
    """Remembers the listening fd (number and inode) and checks at the end that
    this process no longer has it open: no leak, and no double close either (a
    second close would have failed loudly in the framework or in sockffi)."""

    def __init__(self, server: sockffi.Server) -> None:
        self.fd = server.fd
        st = os.fstat(self.fd)
        self.identity = (st.st_dev, st.st_ino)
        print("ready", repr(server.address), os.getpid(), flush=True)

    def released(self) -> None:
        try:
            st = os.fstat(self.fd)
        except OSError:
            held = False
        else:
            held = (st.st_dev, st.st_ino) == self.identity
        print("still-open" if held else "released", flush=True)
