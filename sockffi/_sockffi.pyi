# Stub for the module cffi generates from csrc/_sockffi.cdef (the C helpers and
# the platform constants). tests/test_static.py checks that it names everything
# the cdef declares.
from typing import Any

ffi: Any

class _Lib:
    AF_INET: int
    AF_INET6: int
    AF_UNIX: int
    AF_UNSPEC: int
    SOCK_STREAM: int
    SOCK_DGRAM: int
    SOCK_RAW: int
    SOCK_SEQPACKET: int
    SOCK_CLOEXEC: int
    SOCK_NONBLOCK: int
    IPPROTO_IP: int
    IPPROTO_IPV6: int
    IPPROTO_TCP: int
    IPPROTO_UDP: int
    IPV6_V6ONLY: int
    SOL_SOCKET: int
    SO_REUSEADDR: int
    SO_KEEPALIVE: int
    SO_RCVBUF: int
    SO_SNDBUF: int
    SO_RCVTIMEO: int
    SO_SNDTIMEO: int
    SO_TYPE: int
    SO_LINGER: int
    TCP_NODELAY: int
    SOMAXCONN: int
    SF_SO_REUSEPORT: int
    SF_HAS_SO_REUSEPORT: int
    SF_SO_PRIORITY: int
    SF_SO_BINDTODEVICE: int
    SF_SUN_PATH_MAX: int
    SF_SUN_PATH_OFFSET: int
    SF_ADDR_CAP: int
    SF_CODE_MASK: int
    SF_AUX: int
    SF_STARTUP: int
    SF_REJECTED: int
    SF_BOUND: int
    SF_OTHER_FAMILY: int
    SF_STILL_OPEN: int
    SF_REJECT_FD: int
    SF_REJECT_BACKLOG: int
    SF_REJECT_PATH: int
    SF_REJECT_PORT: int
    SF_STEP_SHIFT: int
    SF_STEP_SOCKET: int
    SF_STEP_REUSEADDR: int
    SF_STEP_REUSEPORT: int
    SF_STEP_V6ONLY: int
    SF_STEP_BIND: int
    SF_STEP_LISTEN: int
    SF_STEP_GETSOCKNAME: int
    SF_OPT_REUSEADDR: int
    SF_OPT_REUSEPORT: int
    SF_OPT_V6ONLY: int
    SF_OPT_DUALSTACK: int
    SF_GSN_IN6: int
    SF_GSN_OTHER: int
    SF_GSN_PATH: int
    SF_GSN_BUSY: int
    SF_IN6_ID_SHIFT: int
    SF_LISTEN4_FD_SHIFT: int
    SF_LISTEN4_DIFFERS: int
    def sf_socket(self, domain: int, type: int, protocol: int, /) -> int: ...
    def sf_bind_in4(self, fd: int, addr_be: int, port: int, /) -> int: ...
    def sf_bind_in6(self, fd: int, addr16: bytes | Any, port: int, flowinfo: int, scope_id: int, /) -> int: ...
    def sf_bind_un(self, fd: int, path: bytes | Any, len: int, /) -> int: ...
    def sf_listen(self, fd: int, backlog: int, /) -> int: ...
    def sf_setsockopt_int(self, fd: int, level: int, option: int, value: int, /) -> int: ...
    def sf_setsockopt(self, fd: int, level: int, option: int, value: bytes | Any, len: int, /) -> int: ...
    def sf_getsockname(self, fd: int, /) -> int: ...
    def sf_shared_name_release(self, /) -> None: ...
    sf_shared_name: Any
    def sf_getsockname_into(self, fd: int, out: Any, cap: int, /) -> int: ...
    def sf_close(self, fd: int, /) -> int: ...
    def sf_socket_cell(self, cell: Any, domain: int, type: int, protocol: int, /) -> int: ...
    def sf_bind_un_cell(self, cell: Any, path: bytes | Any, len: int, /) -> int: ...
    def sf_cell_close(self, cell: Any, /) -> int: ...
    def sf_cell_detach(self, cell: Any, /) -> int: ...
    def sf_cell_adopt(self, cell: Any, fd: int, /) -> None: ...
    def sf_cell_release(self, cell: Any, /) -> None: ...
    def sf_listen_in4(self, cell: Any, type: int, addr_be: int, port: int, backlog: int, opts: int, /) -> int: ...
    def sf_listen_in6(
        self, cell: Any, type: int, addr16: bytes | Any, port_flow: int, scope_id: int, backlog: int, opts: int, /
    ) -> int: ...
    def sf_listen_un(self, cell: Any, type: int, path: bytes | Any, len: int, backlog: int, out: Any, /) -> int: ...
    def sf_pton4(self, host: bytes | Any, /) -> int: ...
    def sf_pton6(self, host: bytes | Any, addr16: Any, /) -> int: ...
    def sf_ntop6(self, addr16: bytes | Any, out: Any, cap: int, /) -> int: ...
    def sf_in6_text(self, id: int, out: Any, cap: int, scope_id: Any, /) -> int: ...
    def sf_if_nametoindex(self, name: bytes | Any, /) -> int: ...
    def sf_if_indextoname(self, index: int, out: Any, cap: int, /) -> int: ...
    def sf_socket_emulated(self, domain: int, type: int, protocol: int, /) -> int: ...

lib: _Lib
