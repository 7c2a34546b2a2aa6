"""Addresses in CPython's shapes, to and from the C helpers' arguments and results.

    (host, port)                       AF_INET, or AF_INET6 when host has a ':'
    (host, port, flowinfo, scope_id)   AF_INET6 (a 3-tuple is accepted too)
    str / bytes / os.PathLike          AF_UNIX; a leading NUL is a Linux abstract name

Hosts are numeric literals only: sockffi never resolves names.

Every cache here maps an exact-type key (a ``str``, or an int that came from
C) to the one value that key always means, so a cache makes a call cheaper and
never different. Anything else (str and bytes subclasses, bytearrays, tuple
subclasses) is first copied to its plain value, read from its real storage,
never from methods a subclass may override.
"""

from __future__ import annotations

import os
import sys

from . import _args, _seam, errors
from ._sockffi import ffi, lib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Any

AF_INET: int = lib.AF_INET
AF_INET6: int = lib.AF_INET6
AF_UNIX: int = lib.AF_UNIX
SUN_PATH_MAX: int = lib.SF_SUN_PATH_MAX
SUN_PATH_OFFSET: int = lib.SF_SUN_PATH_OFFSET

_GSN_IN6 = _seam.GSN_IN6
_GSN_OTHER = _seam.GSN_OTHER
_GSN_PATH: int = lib.SF_GSN_PATH
_GSN_PATH_ID: int = lib.SF_GSN_PATH_ID
_GSN_BUSY: int = lib.SF_GSN_BUSY
_PATH_ID_SHIFT: int = lib.SF_PATH_ID_SHIFT
_string = ffi.string
_FS_ENCODING = sys.getfilesystemencoding()
_FS_ERRORS = sys.getfilesystemencodeerrors()
_IN6_ID_SHIFT = _seam.IN6_ID_SHIFT

# Bounded: emptied when full rather than grown. Plain dict reads and writes are
# atomic (per object on free-threaded builds).
_CACHE_MAX = 1024
in4_cache: dict[str, int] = {}  # exact str host -> s_addr (network order)
in4_named: dict[str, tuple[int, str]] = {}  # exact str host -> (s_addr, its dotted quad)
in6_cache: dict[str, tuple[bytes, int]] = {}  # exact str host (numeric scope only) -> (16 bytes, scope)
in4_text_cache: dict[int, str] = {}  # s_addr -> dotted quad
names: dict[int, Any] = {}  # a packed name result -> its address (an IP tuple, an interned path)
in6_ids: dict[int, tuple[str, int]] = {}  # interned IPv6 id -> (text, scope_id)

_ENCODING = "ascii"
_BYTEORDER = sys.byteorder
_type = type


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = value


# ----------------------------------------------------------------- hosts


def host_text(host: object) -> str:
    """The host as a plain str. str, bytes and bytearray, as CPython's socket
    takes them; subclasses by their real contents."""
    if isinstance(host, str):
        text = str.__str__(host)  # a plain copy of a subclass's own characters
        if not text.isascii():
            # As CPython's socket, which encodes a str host with the idna codec
            # (NFKC first): '１２７．０．０．１' is 127.0.0.1.
            import unicodedata

            text = unicodedata.normalize("NFKC", text).replace("\u3002", ".").replace("\uff61", ".")
    elif isinstance(host, (bytes, bytearray)):
        try:
            text = bytes(memoryview(host)).decode(_ENCODING)
        except UnicodeDecodeError:
            raise ValueError(f"host {bytes(memoryview(host))!r} is not a numeric IP address") from None
    else:
        raise TypeError(f"host must be str, bytes or bytearray, not {_type(host).__name__}")
    if "\0" in text:
        raise ValueError("host contains an embedded null character")
    return text


_NUMERIC_LOOKING = frozenset("0123456789abcdefABCDEFxX.")


def _not_numeric(text: str, family: str) -> ValueError:
    numeric = bool(text) and set(text) <= _NUMERIC_LOOKING and any(c.isdigit() for c in text)
    if family == "IPv4" and numeric:
        return ValueError(
            f"{text!r} is not a numeric IPv4 address in the four-part form a.b.c.d (each 0-255); "
            "sockffi does not read the short, octal and hex forms libc also takes, such as '127.1'"
        )
    if family == "IPv6" and numeric and lib.sf_pton4(text.encode()) < 0:  # a short, octal or hex IPv4 form
        return ValueError(
            f"{text!r} looks like an IPv4 address in a short, octal or hex form, which libc reads and sockffi "
            "does not (it takes a.b.c.d), and this address is IPv6 (a 4-tuple, or an IPv6 socket): use "
            "('a.b.c.d', port) for IPv4, or an IPv6 host such as '::1' or '::ffff:a.b.c.d'"
        )
    if family == "IPv6" and text.isascii() and lib.sf_pton4(text.encode()) >= 0:
        return ValueError(
            f"{text!r} is an IPv4 address, and this address is IPv6 (a 4-tuple, or an IPv6 socket): "
            f"use ({text!r}, port) for IPv4, or an IPv6 host such as '::1' (or '::ffff:{text}', the same "
            "IPv4 address mapped into IPv6)"
        )
    if family == "IPv4" and ":" in text:
        return ValueError(
            f"{text!r} is an IPv6 address, and this address is IPv4 (a 2-tuple on an AF_INET socket): "
            f"use ({text!r}, port, 0, 0) on an AF_INET6 socket, or an IPv4 host such as '127.0.0.1'"
        )
    example = "'127.0.0.1'" if family == "IPv4" else "'::1'"
    return ValueError(
        f"{text!r} is not a numeric {family} address, and sockffi does not resolve "
        f"host names: pass a literal, such as {example}"
    )


def in4(host: object) -> int:
    """s_addr for a dotted-quad host ('' is INADDR_ANY and '<broadcast>' is
    INADDR_BROADCAST, as in CPython)."""
    if _type(host) is str:
        cached = in4_cache.get(host)
        if cached is not None:
            return cached
    text = host_text(host)
    lit = "0.0.0.0" if text == "" else "255.255.255.255" if text == "<broadcast>" else text
    try:
        raw = lit.encode(_ENCODING)
    except UnicodeEncodeError:
        raise _not_numeric(text, "IPv4") from None
    value = int(lib.sf_pton4(raw))
    if value < 0:
        raise _not_numeric(text, "IPv4")
    _remember(in4_cache, text, value)
    _remember(in4_named, text, (value, in4_text(value)))
    return value


def _scope(text: str, scope_text: str) -> tuple[int, bool]:
    """(scope id, whether it is a number): a number, or an interface name."""
    if not scope_text:
        raise ValueError(f"{text!r} has an empty scope after '%'")
    if scope_text.isascii() and scope_text.isdigit():
        scope = int(scope_text)
        if scope > 0xFFFFFFFF:
            raise OverflowError(f"scope id in {text!r} must be 0-4294967295")
        return scope, True
    try:
        scope = int(lib.sf_if_nametoindex(scope_text.encode(_ENCODING)))
    except UnicodeEncodeError:
        scope = 0
    if scope == 0:
        raise ValueError(f"no network interface named {scope_text!r} for the scope of {text!r}")
    return scope, False


def in6(host: object) -> tuple[bytes, int]:
    """(16 address bytes, scope id named in the host after '%', or 0)."""
    if _type(host) is str:
        cached = in6_cache.get(host)
        if cached is not None:
            return cached
    text = host_text(host)
    lit, sep, scope_text = (text or "::").partition("%")
    scope, numeric = _scope(text, scope_text) if sep else (0, True)
    buf = ffi.new("char[16]")
    try:
        raw = lit.encode(_ENCODING)
    except UnicodeEncodeError:
        raise _not_numeric(text, "IPv6") from None
    if lib.sf_pton6(raw, buf) != 0:
        raise _not_numeric(text, "IPv6")
    value = (ffi.buffer(buf)[:], scope)
    if numeric:  # an interface's index can change; a number cannot
        _remember(in6_cache, text, value)
    return value


def is_ipv6_host(host: object) -> bool:
    if isinstance(host, str):
        return ":" in str.__str__(host)
    if isinstance(host, (bytes, bytearray)):
        return b":" in bytes(memoryview(host))
    return False


# ----------------------------------------------------------------- numbers


def u_int(value: object, what: str, limit: int) -> int:
    """0..limit, an int (not a bool), as CPython's range messages say it."""
    if _type(value) is not int:
        if isinstance(value, bool) or not (isinstance(value, int) or hasattr(_type(value), "__index__")):
            raise TypeError(f"{what} must be int, not {_type(value).__name__}")
        value = _args.c_int(value, what, -(2**63), 2**63)
    if not 0 <= value <= limit:
        raise OverflowError(f"{what} must be 0-{limit}.")
    return value


def port_of(port: object) -> int:
    return u_int(port, "port", 0xFFFF)


# ----------------------------------------------------------------- unix paths


def unix_path(path: object, syscall: str = "bind") -> bytes:
    """The sun_path bytes; NameTooLong if they cannot fit, as Zig's initUnix,
    refused before `syscall` (the call the path was meant for) is made."""
    if isinstance(path, str):
        raw = os.fsencode(str.__str__(path))
    elif isinstance(path, (bytes, bytearray, memoryview)):
        raw = bytes(memoryview(path))  # the real bytes, not what a subclass says of them
    elif isinstance(path, os.PathLike):
        # __fspath__ may return a subclass whose __len__ lies: its real contents.
        return unix_path(os.fspath(path), syscall)
    else:
        raise TypeError(f"an AF_UNIX address must be str, bytes or os.PathLike, not {_type(path).__name__}")
    abstract = raw[:1] == b"\0"
    if not abstract and b"\0" in raw:
        raise ValueError("AF_UNIX path contains an embedded null byte")
    # A regular path needs room for its terminating NUL; an abstract name does not.
    if len(raw) + (0 if abstract else 1) > SUN_PATH_MAX:
        limit = SUN_PATH_MAX if abstract else SUN_PATH_MAX - 1
        code = _seam.backend.NAME_TOO_LONG
        exc = _seam.new_error(
            errors.NameTooLong, code, syscall, f"AF_UNIX path is {len(raw)} bytes; at most {limit} fit in sun_path"
        )
        exc.detail = f"refused before {syscall}(2)"
        raise exc
    return raw


# ----------------------------------------------------------------- encode


def as_tuple(address: tuple[Any, ...]) -> tuple[Any, ...]:
    """A tuple's real items (a subclass's __len__/__getitem__/__iter__ may lie)."""
    return address if _type(address) is tuple else tuple(tuple.__iter__(address))


#: An IPv4 address's unused C arguments (the 16-byte host and its length).
_NO_DATA = b""


def encode(address: object, syscall: str = "bind") -> tuple[int, int, bytes, int, int, int, int]:
    """An address as every C call takes it: (family, a4, data, len, port,
    flowinfo, scope_id); see csrc/sockffi.h. `syscall` is the call the
    address is for (what a too-long unix path is refused before)."""
    if _type(address) is tuple and len(address) == 2:  # the commonest: a plain (str, int) IPv4 pair seen before
        host, port = address
        if _type(host) is str and _type(port) is int and 0 <= port <= 0xFFFF:
            s_addr = in4_cache.get(host)
            if s_addr is not None:
                return AF_INET, s_addr, _NO_DATA, 0, port, 0, 0
    if isinstance(address, tuple):
        items = as_tuple(address)
        n = len(items)
        if n == 2:
            host, port = items
            if is_ipv6_host(host):
                a16, scope = in6(host)
                return AF_INET6, 0, a16, 16, port_of(port), 0, scope
            return AF_INET, in4(host), _NO_DATA, 0, port_of(port), 0, 0
        if n in (3, 4):
            host, port, flowinfo, scope_id = (*items, 0) if n == 3 else items
            a16, host_scope = in6(host)
            scope = u_int(scope_id, "scope_id", 0xFFFFFFFF) or host_scope
            return AF_INET6, 0, a16, 16, port_of(port), u_int(flowinfo, "flowinfo", 0xFFFFF), scope
        raise TypeError(f"an address tuple must be (host, port) or (host, port, flowinfo, scope_id), not {n} items")
    try:
        raw = unix_path(address, syscall)
    except errors.NameTooLong as exc:
        if "NameTooLong" not in errors.SETS[errors.SYSCALLS[syscall]]:  # connect's set has no such member
            raise ValueError(f"{syscall}(): {exc.strerror}") from None
        exc._address = address
        raise
    return AF_UNIX, 0, raw, len(raw), 0, 0, 0


def path_on_an_ip_socket(address: object, syscall: str) -> TypeError:
    """A str/bytes/path address is an AF_UNIX one; the socket (the failed bind
    or connect showed) is not: CPython's TypeError, with the tuple that was
    probably meant."""
    hint = ""
    if isinstance(address, str) and address.count(":") >= 1:
        host, _, port = address.rpartition(":")
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        if port.isascii() and port.isdigit() and host:
            hint = f": ({host!r}, {int(port)}) for {address!r}"
    return TypeError(
        f"{syscall}(): this socket is not AF_UNIX, so its address must be a (host, port) tuple, "
        f"not {_type(address).__name__}{hint}"
    )


# ----------------------------------------------------------------- the composed calls' addresses

_UNIX_TWIN = {"listen_tcp": "listen_unix", "connect_tcp": "connect_unix"}


def ip_address(address: Any, op: str = "listen_tcp") -> tuple[int, int, bytes, int, int, int, int]:
    """An IP address only (listen_tcp's, connect_tcp's), as the C takes it
    (_addr.encode)."""
    if isinstance(address, tuple):
        return encode(address)  # a tuple is always an IP address
    if isinstance(address, (bytes, bytearray, memoryview, os.PathLike)):
        raise TypeError(
            f"{op} takes an IP address ((host, port) or 'HOST:PORT'), not {_type(address).__name__}; "
            f"for an AF_UNIX socket path use sockffi.{_UNIX_TWIN[op]}()"
        )
    if isinstance(address, int) and not isinstance(address, bool):
        if op == "connect_tcp":
            raise TypeError(f"connect_tcp takes an address, not a bare port: ('127.0.0.1', {address}), say")
        raise TypeError(
            f"listen_tcp takes an address, not a bare port: ('0.0.0.0', {address}) for every IPv4 "
            f"interface, ('127.0.0.1', {address}) for this machine only"
        )
    raise TypeError(f"{op} takes (host, port) or 'HOST:PORT', not {_type(address).__name__}")


def parse_host_port(text: str, op: str = "listen_tcp") -> tuple[str, int]:
    """'127.0.0.1:8080' or '[::1]:8080' ('[fe80::1%eth0]:80'), numeric only."""
    host = port = None
    if text.startswith("["):
        inside, sep, rest = text[1:].partition("]")
        if sep and rest.startswith(":"):
            host, port = inside, rest[1:]
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    if host is not None and port is not None and port.isascii() and port.isdigit() and host:
        number = int(port)
        if number > 0xFFFF:
            raise OverflowError(f"port must be 0-65535, not {number} (in {text!r})")
        return (host, number)
    looks_like_path = "/" in text or text.startswith(("unix:", "@", "\0", ".")) or text.endswith(".sock")
    if looks_like_path:
        raise ValueError(
            f"{op}: {text!r} is not 'HOST:PORT' or '[V6HOST]:PORT'; for an AF_UNIX socket path "
            f"use sockffi.{_UNIX_TWIN[op]}()"
        )
    raise ValueError(f"{op} takes a numeric 'HOST:PORT' or '[V6HOST]:PORT': {why_not_host_port(text)}")


def why_not_host_port(text: str) -> str:
    """What is wrong with a string that was meant as a numeric HOST:PORT, and a
    value that would work."""
    if text != text.strip():
        return f"{text!r} has white space around it: {text.strip()!r}"
    if text.count(":") > 1 and not text.startswith("["):
        host, _, port = text.rpartition(":")
        return f"{text!r}: an IPv6 host goes in brackets, before the port: '[{host}]:{port}'"
    if text.startswith(":"):
        return (
            f"{text!r} has no host: '0.0.0.0{text}' for every IPv4 interface, '[::]{text}' for every IPv6 "
            f"one, '127.0.0.1{text}' for this machine only (sockffi does not choose, as Go's ':port' does)"
        )
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            return f"{text!r}: give '[V6HOST]:PORT', such as '[::1]:8080'"
        port = rest[1:]
    else:
        host, sep, port = text.rpartition(":")
        if not sep:
            return f"{text!r} has no port: '{text}:8080', say (or port 0 for any free one)"
    if not port:
        return f"{text!r} has no port after the ':' (0 asks for any free one)"
    if not (port.isascii() and port.isdigit()):
        return f"the port {port!r} in {text!r} is not a number (sockffi looks no service names up: use the number)"
    if not host:
        return f"{text!r} has no host"
    example = f"'[::1]:{port}'" if ":" in host else f"'127.0.0.1:{port}'"
    if any(c.isalpha() for c in host) and ":" not in host:
        return f"{host!r} is a host name, and sockffi does not resolve names: give a literal, such as {example}"
    return f"{host!r} is not a numeric IP address: give a literal, such as {example}"


# ----------------------------------------------------------------- decode


def in4_text(s_addr: int) -> str:
    """Dotted quad for a network-order address (as inet_ntop writes it)."""
    text = in4_text_cache.get(s_addr)
    if text is None:
        b = s_addr.to_bytes(4, _BYTEORDER)  # its bytes in memory: network order
        text = f"{b[0]}.{b[1]}.{b[2]}.{b[3]}"
        _remember(in4_text_cache, s_addr, text)
    return text


def _in6_entry(ident: int) -> tuple[str, int]:
    entry = in6_ids.get(ident)
    if entry is None:
        buf = ffi.new("char[64]")
        scope = ffi.new("unsigned int *")
        n = lib.sf_in6_text(ident, buf, 64, scope)
        if n < 0:
            raise SystemError(f"sockffi: IPv6 id {ident} was never handed out")
        entry = in6_ids[ident] = (ffi.string(buf, n).decode(_ENCODING), int(scope[0]))
    return entry


def packed(r: int, remember: bool = True) -> Any:
    """The address of a packed name result (an IP address, or an interned
    unix path): cached by its value, which always means the same address,
    unless told not to (a new listener's or peer's port is rarely asked for
    again)."""
    if r < _GSN_IN6:
        a = r >> 16  # host order
        address: Any = (f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}", r & 0xFFFF)
    elif r < _GSN_OTHER:
        host, scope = _in6_entry((r >> _IN6_ID_SHIFT) & 0xFFFFFF)
        address = (host, r & 0xFFFF, (r >> 16) & 0xFFFFF, scope)
    else:  # an interned path (SF_GSN_PATH_ID): its id always means that path,
        # so it is always remembered (a server is often made again on one path)
        found = names.get(r)
        if found is not None:
            return found
        remember = True
        buf = ffi.new("char[]", SUN_PATH_MAX)
        n = lib.sf_path_text((r >> _PATH_ID_SHIFT) & 0xFFFF, buf, SUN_PATH_MAX)
        if n < 0:
            raise SystemError(f"sockffi: path id {r} was never handed out")
        address = ffi.buffer(buf, n)[:].decode(_FS_ENCODING, _FS_ERRORS)
    if remember:
        _remember(names, r, address)
    return address


def source(frm: Any) -> Any:
    """The source address sf_recvfrom left in `frm` (None when the kernel gave
    none: a connected stream socket), in CPython's shape."""
    r = frm[0]
    found = names.get(r)
    if found is not None:
        return found
    if r == -1:
        return None
    if r < _GSN_OTHER or r & _GSN_PATH_ID:
        return packed(r)
    return other_name(r, ffi.cast("char *", frm + 1))


def name_of(r: int, cell: Any, ref: int, syscall: str, remember: bool = True) -> Any:
    """The address of a getsockname/getpeername/accept result (>= 0) that no
    cache had: a packed one decoded, one in the shared name buffer the call
    claimed (released here), or, when another call held that buffer, asked
    again into a buffer of this call's own."""
    if r < _GSN_OTHER or r & _GSN_PATH_ID:
        return packed(r, remember)
    if r & _GSN_BUSY:
        return read_name(cell, ref, syscall)
    try:
        return other_name(r, _seam.SHARED_NAME)
    finally:
        _seam.release_shared_name()


def other_name(r: int, buf: Any) -> Any:
    """The address the C copied into `buf` (a family it does not pack). An
    AF_UNIX path comes NUL-terminated at the buffer's start (SF_GSN_PATH), so
    it is read without parsing."""
    if r & _GSN_PATH:
        return _string(buf).decode(_FS_ENCODING, _FS_ERRORS)
    return decode(ffi.buffer(buf, r & 0xFFFF)[:])


def read_name(cell: Any, ref: int, syscall: str, tables: Any = None) -> Any:
    """getsockname (getpeername, for that syscall) into a caller-owned buffer,
    decoded as CPython does."""
    buf = ffi.new("char[]", _seam.ADDR_CAP)
    peer = syscall == "getpeername"
    n = (_seam.C.getpeername_into if peer else _seam.C.getsockname_into)(cell, ref, buf, _seam.ADDR_CAP)
    if n < 0:
        tbl = tables or _seam.DIRECT
        raise _seam.os_error(n, tbl.getpeername if peer else tbl.getsockname, syscall)
    return decode(ffi.buffer(buf, n)[:])


def ntop6(a16: bytes) -> str:
    """inet_ntop's text for 16 address bytes (the form CPython returns)."""
    text = ffi.new("char[64]")
    n = lib.sf_ntop6(a16, text, 64)
    return ffi.string(text, n).decode(_ENCODING)  # type: ignore[no-any-return]


def decode(raw: bytes) -> Any:
    """A raw sockaddr in CPython's shape (makesockaddr)."""
    if len(raw) < 2:
        return None
    family = int.from_bytes(raw[:2], _BYTEORDER) if not _BSD else raw[1]
    if family == AF_INET and len(raw) >= 8:
        return (f"{raw[4]}.{raw[5]}.{raw[6]}.{raw[7]}", int.from_bytes(raw[2:4], "big"))
    if family == AF_INET6 and len(raw) >= 28:
        port = int.from_bytes(raw[2:4], "big")
        return (ntop6(raw[8:24]), port, int.from_bytes(raw[4:8], "big"), int.from_bytes(raw[24:28], _BYTEORDER))
    if family == AF_UNIX:
        path = raw[SUN_PATH_OFFSET:]
        if path[:1] == b"\0" and _LINUX:
            return path  # Linux abstract name: exact bytes
        end = path.find(b"\0")
        return os.fsdecode(path if end < 0 else path[:end])
    if family == _AF_NETLINK and len(raw) >= 12:
        return (int.from_bytes(raw[4:8], _BYTEORDER), int.from_bytes(raw[8:12], _BYTEORDER))
    if family == _AF_PACKET and len(raw) >= 12:
        protocol = int.from_bytes(raw[2:4], "big")
        ifindex = int.from_bytes(raw[4:8], _BYTEORDER, signed=True)
        hatype, pkttype, halen = int.from_bytes(raw[8:10], _BYTEORDER), raw[10], raw[11]
        name = ffi.new("char[64]")
        ifname = ffi.string(name).decode() if ifindex and lib.sf_if_indextoname(ifindex, name, 64) >= 0 else ""
        return (ifname, protocol, pkttype, hatype, raw[12 : 12 + halen])
    return (family, raw[2:16].ljust(14, b"\0"))


_LINUX = _seam.backend.LINUX
_BSD = _seam.backend.SA_LEN
_AF_NETLINK = 16 if _LINUX else -1
_AF_PACKET = 17 if _LINUX else -1
