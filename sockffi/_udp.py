"""sockffi's UDP pair, ``bind_udp`` and ``connect_udp`` (re-exported by
:mod:`sockffi.net`), each returning a :class:`Datagram` that owns its socket
as a Server does. Each step is its own C call: a UDP socket is made once,
not per request, so nothing here is worth a one-crossing C body."""

from __future__ import annotations

from typing import Any, Union

from . import _addr, _args, _seam
from ._owners import Datagram, datagram
from ._sockffi import lib
from .types import IPv4Address, IPv6Address

_C = _seam.C
_flag = _args.flag
_HAS_REUSEPORT = bool(lib.SF_HAS_SO_REUSEPORT)
_EINTR: int = _seam.backend.INTERRUPTED
_CODE_MASK = _seam.CODE_MASK
_REJECTED = _seam.REJECTED
_AF_INET: int = lib.AF_INET
_SOCK_CLOEXEC: int = lib.SOCK_CLOEXEC
_SOCK_NONBLOCK: int = lib.SOCK_NONBLOCK
_in4_text = _addr.in4_text
_take_cell = _seam.take_cell
_give_cell = _seam.give_cell
_SOCK_DGRAM: int = lib.SOCK_DGRAM
_IPPROTO_UDP: int = lib.IPPROTO_UDP
_UDP_RESETS: bool = _seam.backend.UDP_RESETS


def bind_udp(
    address: Union[IPv4Address, IPv6Address, str],
    *,
    reuse_address: bool = False,
    reuse_port: bool = False,
    broadcast: bool = False,
    nonblocking: bool = False,
) -> Datagram[Any]:
    """socket → setsockopt → bind → getsockname, for a UDP socket: a
    :class:`Datagram` whose ``address`` is the bound address (the real port
    for port 0).

    ``address`` is what :func:`listen_tcp` takes. ``reuse_address`` sets
    SO_REUSEADDR, ``reuse_port`` SO_REUSEPORT (where the platform has it),
    ``broadcast`` SO_BROADCAST (a send to a broadcast address without it is
    :class:`AccessDenied`). The socket is close-on-exec, blocking unless
    ``nonblocking=True``; on Windows, an earlier datagram's ICMP error is
    never reported on a later recvfrom (SIO_UDP_CONNRESET and
    SIO_UDP_NETRESET off), as on Linux. Any failure closes the socket and
    raises a member of :class:`sockffi.BindUdpError` carrying ``address``.
    """
    options = [
        (lib.SOL_SOCKET, lib.SO_REUSEADDR, _flag(reuse_address, "reuse_address")),
        (lib.SOL_SOCKET, lib.SF_SO_REUSEPORT, _flag(reuse_port, "reuse_port")),
        (lib.SOL_SOCKET, lib.SO_BROADCAST, _flag(broadcast, "broadcast")),
    ]
    if options[1][2] and not _HAS_REUSEPORT:
        raise ValueError("reuse_port=True: this platform has no SO_REUSEPORT")
    addr = _udp_address(address, "bind_udp")
    made = _udp_socket(addr[0], _flag(nonblocking, "nonblocking"), address, "bind_udp")
    try:
        for level, option, on in options:
            if on:
                r = _C.setsockopt_int(made._owned[0], made._gen, level, option, 1)
                if r:
                    raise _seam.os_error(r, _seam.COMPOSED.setsockopt, "setsockopt")
        r = _C.bind(made._owned[0], made._gen, *addr)
        if r:
            raise _seam.address_error(r, "bind", _seam.COMPOSED)
        made.address = _own_name(made)
    except BaseException as exc:
        made.close()
        raise _seam.with_context(exc, address, "bind_udp") from None
    return made


def connect_udp(address: Union[IPv4Address, IPv6Address, str], *, nonblocking: bool = False) -> Datagram[Any]:
    """socket → connect → getsockname, for a UDP socket: a :class:`Datagram`
    connected to ``address`` (``peer``), its own ``address`` the local one the
    kernel chose. Its ``send`` and ``recv`` go to and come from the peer only;
    a datagram the peer's port refused is reported as
    :class:`ConnectionRefused` by a later send or recv (once), as the kernel
    reports it. The socket is close-on-exec, blocking unless
    ``nonblocking=True``, with Windows' ICMP reports off as for
    :func:`bind_udp`. Any failure closes the socket and raises a member of
    :class:`sockffi.ConnectUdpError` carrying ``address``.
    """
    addr = _udp_address(address, "connect_udp")
    made = _udp_socket(addr[0], _flag(nonblocking, "nonblocking"), address, "connect_udp")
    try:
        while True:
            r = _C.connect(made._owned[0], made._gen, *addr)
            if (-r & _CODE_MASK) != _EINTR or -r & _REJECTED:
                break
        if r:
            raise _seam.address_error(r, "connect", _seam.COMPOSED)
        made.address = _own_name(made)
        made.peer = (_in4_text(addr[1]), addr[4]) if addr[0] == _AF_INET else (_addr.ntop6(addr[2]), *addr[4:7])
    except BaseException as exc:
        made.close()
        raise _seam.with_context(exc, address, "connect_udp") from None
    return made


def _udp_address(address: Any, op: str) -> tuple[Any, ...]:
    if isinstance(address, str):
        address = _addr.parse_host_port(str.__str__(address), op)
    return _addr.ip_address(address, op)


def _udp_socket(family: int, nonblocking: bool, address: Any, op: str) -> Datagram[Any]:
    cell = _take_cell()
    kind = _SOCK_DGRAM | _SOCK_CLOEXEC | (_SOCK_NONBLOCK if nonblocking else 0)
    fd = _C.socket_cell(cell, family, kind, _IPPROTO_UDP)
    if fd < 0:
        _give_cell(cell)
        raise _seam.with_context(_seam.socket_error(fd, _seam.COMPOSED), address, op)
    made = datagram(cell, fd, not nonblocking)
    if _UDP_RESETS:
        r = lib.sf_udp_no_reset(cell, made._gen)
        if r:
            made.close()
            raise _seam.with_context(_seam.os_error(r, {}, "WSAIoctl"), address, op)
    return made


def _own_name(made: Datagram[Any]) -> Any:
    r = _C.getsockname(made._owned[0], made._gen)
    if r < 0:
        raise _seam.os_error(r, _seam.COMPOSED.getsockname, "getsockname")
    return _addr.names.get(r) or _addr.name_of(r, made._owned[0], made._gen, "getsockname")
