"""Addresses in CPython's shapes, to and from the C helpers' scalar arguments.

    (host, port)                       AF_INET, or AF_INET6 when host has a ':'
    (host, port, flowinfo, scope_id)   AF_INET6 (a 3-tuple is accepted too)
    str / bytes / os.PathLike          AF_UNIX; a leading NUL is a Linux abstract name

Hosts are numeric literals only: sockffi never resolves names.
"""

from __future__ import annotations

import os
import sys

from . import errors
from ._sockffi import ffi, lib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Any

AF_INET: int = lib.AF_INET
AF_INET6: int = lib.AF_INET6
AF_UNIX: int = lib.AF_UNIX
SUN_PATH_MAX: int = lib.SOCKFFI_SUN_PATH_MAX
_OTHER: int = lib.SOCKFFI_OTHER_FAMILY

# Servers see few distinct addresses; these stay small, and are emptied when full
# rather than grown. Plain dict reads and writes are atomic under the GIL.
_CACHE_MAX = 256
_in4: dict[str, int] = {}  # host -> s_addr (network order)
_in4_str: dict[int, str] = {}  # addr (host order) -> dotted quad
_in4_tuple: dict[int, tuple[str, int]] = {}  # (addr << 16) | port -> (host, port)
_in4_host: dict[int, str] = {}  # s_addr (network order) -> dotted quad
_in6: dict[str, tuple[bytes, int]] = {}  # host -> (16 bytes, scope from "%...")

_ENCODING = "ascii"


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = value


def _host_text(host: object) -> str:
    if isinstance(host, str):
        text = host
    elif isinstance(host, (bytes, bytearray)):
        try:
            text = bytes(host).decode(_ENCODING)
        except UnicodeDecodeError:
            raise ValueError(f"host {host!r} is not a numeric IP address") from None
    else:
        raise TypeError(f"host must be str, not {type(host).__name__}")
    if "\0" in text:
        raise ValueError("host contains an embedded null character")
    return text


def _not_numeric(host: str, family: str) -> ValueError:
    return ValueError(
        f"{host!r} is not a numeric {family} address; sockffi does not resolve "
        "host names (pass a literal such as '127.0.0.1' or '::1')"
    )


def in4(host: object) -> int:
    """s_addr for a dotted-quad host ('' is INADDR_ANY, as in CPython)."""
    if type(host) is str:
        cached = _in4.get(host)
        if cached is not None:
            return cached
    text = _host_text(host)
    if text == "":
        lit = "0.0.0.0"
    elif text == "<broadcast>":
        lit = "255.255.255.255"
    else:
        lit = text
    try:
        raw = lit.encode(_ENCODING)
    except UnicodeEncodeError:
        raise _not_numeric(text, "IPv4") from None
    value = int(lib.sf_pton4(raw))
    if value < 0:
        raise _not_numeric(text, "IPv4")
    _remember(_in4, text, value)
    return value


def in6(host: object) -> tuple[bytes, int]:
    """(16 address bytes, scope id named in the host after '%', or 0)."""
    if type(host) is str:
        cached = _in6.get(host)
        if cached is not None:
            return cached
    text = _host_text(host)
    lit, _, scope_text = (text or "::").partition("%")
    scope = 0
    if scope_text:
        if scope_text.isdigit():
            scope = int(scope_text)
            if scope > 0xFFFFFFFF:
                raise OverflowError("scope id must be 0-4294967295.")
        else:
            try:
                scope = int(lib.sf_if_nametoindex(scope_text.encode(_ENCODING)))
            except UnicodeEncodeError:
                scope = 0
            if scope == 0:
                raise ValueError(f"no network interface named {scope_text!r} for the scope of {text!r}")
    buf = ffi.new("char[16]")
    try:
        raw = lit.encode(_ENCODING)
    except UnicodeEncodeError:
        raise _not_numeric(text, "IPv6") from None
    if lib.sf_pton6(raw, buf) != 0:
        raise _not_numeric(text, "IPv6")
    value = (ffi.buffer(buf)[:], scope)
    _remember(_in6, text, value)
    return value


def port_of(port: object) -> int:
    return _u32(port, "port", 0xFFFF)


def _u32(value: object, what: str, limit: int) -> int:
    if type(value) is not int:
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise TypeError(f"{what} must be int, not {type(value).__name__}")
        value = value.__index__()
    if not 0 <= value <= limit:  # type: ignore[operator]
        raise OverflowError(f"{what} must be 0-{limit}.")
    return value  # type: ignore[return-value]


def unix_path(path: object) -> bytes:
    """The sun_path bytes; NameTooLong (a BindError) if they cannot fit, as Zig's initUnix."""
    if isinstance(path, str):
        raw = os.fsencode(path)
    elif isinstance(path, (bytes, bytearray, memoryview)):
        raw = bytes(path)
    elif isinstance(path, os.PathLike):
        raw = os.fsencode(path)
    else:
        raise TypeError(f"an AF_UNIX address must be str, bytes or os.PathLike, not {type(path).__name__}")
    abstract = raw[:1] == b"\0"
    if not abstract and b"\0" in raw:
        raise ValueError("AF_UNIX path contains an embedded null byte")
    # A regular path needs room for its terminating NUL; an abstract name does not.
    if len(raw) + (0 if abstract else 1) > SUN_PATH_MAX:
        from .posix import backend

        limit = SUN_PATH_MAX if abstract else SUN_PATH_MAX - 1
        exc = errors.NameTooLong(
            backend.code("ENAMETOOLONG") or backend.code("WSAENAMETOOLONG") or 0,
            f"AF_UNIX path is {len(raw)} bytes; at most {limit} fit in sun_path",
        )
        exc.syscall = "bind"
        raise exc
    return raw


def encode(address: object) -> tuple[int, tuple[Any, ...]]:
    """(family, arguments after fd for the family's sf_bind_* helper)."""
    if isinstance(address, tuple):
        n = len(address)
        if n == 2:
            host, port = address
            if (isinstance(host, str) and ":" in host) or (isinstance(host, (bytes, bytearray)) and b":" in host):
                a16, scope = in6(host)
                return AF_INET6, (a16, port_of(port), 0, scope)
            return AF_INET, (in4(host), port_of(port))
        if n in (3, 4):
            host, port, flowinfo, scope_id = ((*address, 0))[:4] if n == 3 else address
            a16, host_scope = in6(host)
            scope = _u32(scope_id, "scope_id", 0xFFFFFFFF) or host_scope
            return AF_INET6, (a16, port_of(port), _u32(flowinfo, "flowinfo", 0xFFFFF), scope)
        raise TypeError(f"an address tuple must be (host, port) or (host, port, flowinfo, scope_id), not {n} items")
    return AF_UNIX, (unix_path(address),)


def in4_text(s_addr: int) -> str:
    """Dotted quad for a network-order address (cached)."""
    text = _in4_host.get(s_addr)
    if text is None:
        text = ipv4_text(int.from_bytes(s_addr.to_bytes(4, sys.byteorder), "big"))  # memory order = network order
        _remember(_in4_host, s_addr, text)
    return text


def ipv4_text(addr: int) -> str:
    """Dotted quad for a host-order address (cached)."""
    text = _in4_str.get(addr)
    if text is None:
        text = f"{addr >> 24}.{(addr >> 16) & 255}.{(addr >> 8) & 255}.{addr & 255}"
        _remember(_in4_str, addr, text)
    return text


def sockname(r: int) -> Any:
    """The address for a non-negative sf_getsockname result."""
    if r < _OTHER:
        address = (ipv4_text(r >> 16), r & 0xFFFF)
        _remember(_in4_tuple, r, address)
        return address
    return decode_other(r & 0xFFFF)


def decode_other(length: int) -> Any:
    """The address sf_getsockname left in this thread's slot, as CPython shapes it."""
    family = lib.sf_last_family()
    if family == AF_INET6:
        host = ffi.new("char[1025]")
        pfs = ffi.new("unsigned int[3]")
        lib.sf_last_in6(host, pfs)
        return (ffi.string(host).decode(_ENCODING), pfs[0], pfs[1], pfs[2])
    buf = ffi.new("char[]", 256)
    raw = ffi.buffer(buf, lib.sf_last_raw(buf, 256))[:]
    if family == AF_INET:
        return (ipv4_text(int.from_bytes(raw[4:8], "big")), int.from_bytes(raw[2:4], "big"))
    if family == AF_UNIX:
        path = raw[_SUN_PATH_OFFSET:]
        if path[:1] == b"\0":
            return path  # Linux abstract name: exact bytes
        end = path.find(b"\0")
        return os.fsdecode(path if end < 0 else path[:end])
    return (family, raw)


# sun_path starts right after sun_family (and, on BSDs, sun_len).
_SUN_PATH_OFFSET = 2
