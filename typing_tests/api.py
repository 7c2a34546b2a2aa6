"""How user code type-checks against sockffi's API. Checked by mypy, never run.

Each assert_type must hold, and each `type: ignore[...]` line must be an error
(mypy's warn_unused_ignores, on under --strict, fails if one is not).
"""

from __future__ import annotations

import socket

from typing_extensions import assert_type

import sockffi
from sockffi.types import IPv4Address, IPv6Address

# The syscalls: fds are ints, or anything with fileno().
fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
assert_type(fd, int)
sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1)
sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_RCVBUF, b"\0\0\1\0")
sockffi.bind(fd, ("127.0.0.1", 0))
sockffi.bind(fd, ("::1", 0, 0, 0))
sockffi.bind(fd, "/tmp/sock")
sockffi.listen(fd, 16)
sockffi.listen(socket.socket())
sockffi.close(fd)

sockffi.bind(fd, 8080)  # type: ignore[arg-type]
sockffi.listen(fd, "16")  # type: ignore[arg-type]
sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, "1")  # type: ignore[arg-type]
sockffi.socket("inet", sockffi.SOCK_STREAM)  # type: ignore[arg-type]

# listen_tcp: the address type follows the address given.
with sockffi.listen_tcp(("127.0.0.1", 0), reuse_address=True) as v4:
    assert_type(v4, sockffi.Server[IPv4Address | IPv6Address])
    assert_type(v4.fd, int)
    assert_type(v4.fileno(), int)
with sockffi.listen_tcp(("::1", 0, 0, 0)) as v6:
    assert_type(v6.address, IPv6Address)
    host, port, flowinfo, scope_id = v6.address
with sockffi.listen_unix("/tmp/sock") as unix:
    assert_type(unix.address, str | bytes)
with sockffi.listen_tcp("127.0.0.1:8080") as parsed:
    assert_type(parsed, sockffi.Server[IPv4Address | IPv6Address])
sock = sockffi.listen_tcp(("127.0.0.1", 0)).to_socket()
assert_type(sock, socket.socket)

sockffi.listen_tcp(("127.0.0.1", 0), backlog="128")  # type: ignore[call-overload]

# Errors: classes, sets and attributes.
try:
    sockffi.listen_tcp(("127.0.0.1", 0))
except sockffi.AddressInUse as e:
    assert_type(e.syscall, str)
    assert_type(e.errno, int)
except sockffi.ListenError as e:
    assert_type(e, sockffi.ListenError)
except sockffi.CallerError:
    pass
members: tuple[type, ...] = sockffi.BindError.members
listen_set: type[sockffi.posix.ListenError] = sockffi.OperationNotSupported

# Handing the fd over, and who owns it.
server = sockffi.listen_tcp("127.0.0.1:0", nonblocking=True, dualstack_ipv6=False, inheritable=False)
assert_type(server.detach(), int)
assert_type(server.family, int)
assert_type(server.closed, bool)
sockffi.listen_tcp(("127.0.0.1", 0), 128)  # type: ignore[call-overload]

# Making a call fail on purpose.
import sockffi.testing  # noqa: E402

with sockffi.testing.fail("bind", sockffi.AddressInUse, times=None, port=8080) as injection:
    assert_type(injection.count, int)
