# Stub for the module cffi generates from build_ffi.py (the C helpers and the
# platform constants). Keep in step with CDEF_COMMON / CDEF_POSIX there; the
# test suite compares the two.
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
    TCP_NODELAY: int
    SOMAXCONN: int
    SOCKFFI_SO_REUSEPORT: int
    SOCKFFI_HAS_SO_REUSEPORT: int
    SOCKFFI_SUN_PATH_MAX: int
    SOCKFFI_AUX_FAILED: int
    SOCKFFI_STARTUP_FAILED: int
    SOCKFFI_OTHER_FAMILY: int
    SOCKFFI_NEGATIVE_FD: int
    SOCKFFI_NEGATIVE_BACKLOG: int
    def sf_socket(self, domain: int, type: int, protocol: int, /) -> int: ...
    def sf_listen_tcp_in4(
        self, type: int, addr_be: int, port: int, backlog: int, reuse_addr: int, reuse_port: int, /
    ) -> int: ...
    def sf_bind_in4(self, fd: int, addr_be: int, port: int, /) -> int: ...
    def sf_bind_in6(self, fd: int, addr16: bytes, port: int, flowinfo: int, scope_id: int, /) -> int: ...
    def sf_bind_un(self, fd: int, path: bytes, len: int, /) -> int: ...
    def sf_listen(self, fd: int, backlog: int, /) -> int: ...
    def sf_setsockopt_int(self, fd: int, level: int, option: int, value: int, /) -> int: ...
    def sf_setsockopt(self, fd: int, level: int, option: int, value: Any, len: int, /) -> int: ...
    def sf_getsockname(self, fd: int, /) -> int: ...
    def sf_last_family(self) -> int: ...
    def sf_last_in6(self, host: Any, port_flow_scope: Any, /) -> int: ...
    def sf_last_raw(self, out: Any, cap: int, /) -> int: ...
    def sf_close(self, fd: int, /) -> int: ...
    def sf_pton4(self, host: bytes, /) -> int: ...
    def sf_pton6(self, host: bytes, addr16: Any, /) -> int: ...
    def sf_if_nametoindex(self, name: bytes, /) -> int: ...
    def sf_socket_emulated(self, domain: int, type: int, protocol: int, /) -> int: ...

lib: _Lib
