"""The least a binding can do: one cffi call inside a Python ``def``, with
only the failure check every binding needs (a negative result raises), and
no argument checks, no EINTR loop, no error names, no pooling, no address
cache. benchmarks/run.py measures it beside sockffi on the data rows, over
sockffi's own C helpers (the same syscalls, the same C), so the table shows
what sockffi's Python layer costs over the floor of a cffi call, on the
machine it runs on."""

from __future__ import annotations

from typing import Any


def use(sockffi: Any) -> None:
    """Call the C helpers of this sockffi package (the one measured beside)."""
    global lib, ffi, _addr, POLLIN, POLLOUT, _NULL
    lib, ffi, _addr = sockffi._sockffi.lib, sockffi._sockffi.ffi, sockffi._addr
    POLLIN, POLLOUT, _NULL = lib.POLLIN, lib.POLLOUT, ffi.NULL


def send(fd: int, data: bytes, flags: int = 0) -> int:
    r: int = lib.sf_send_fd(fd, data, len(data), flags)
    if r < 0:
        raise OSError(-r, "send")
    return r


def recv(fd: int, size: int, flags: int = 0) -> bytes:
    buf = ffi.new("char[]", size)
    r = lib.sf_recv_fd(fd, buf, size, flags)
    if r < 0:
        raise OSError(-r, "recv")
    return ffi.unpack(buf, r)


def sendto(fd: int, data: bytes, address: Any, flags: int = 0) -> int:
    r: int = lib.sf_sendto(_NULL, fd, data, len(data), *_addr.encode(address, "sendto"), flags)
    if r < 0:
        raise OSError(-r, "sendto")
    return r


def recvfrom(fd: int, size: int, flags: int = 0) -> tuple[bytes, Any]:
    buf = ffi.new("char[]", size)
    source = ffi.new("long long[]", lib.SF_FROM_LONGS)
    r = lib.sf_recvfrom(_NULL, fd, buf, size, flags, source)
    if r < 0:
        raise OSError(-r, "recvfrom")
    return ffi.unpack(buf, r), _addr.source(source)


def poll(fds: list[tuple[int, int]], timeout: int) -> list[tuple[int, int]]:
    ((fd, events),) = fds  # the row polls one fd: sockffi's own one-entry C call
    r = lib.sf_poll1(_NULL, fd, events, timeout)
    if r < 0:
        raise OSError(-r, "poll")
    return [(fd, r)] if r else []
