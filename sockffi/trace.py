"""Watch sockffi's syscalls as they happen.

    >>> import sockffi, sockffi.trace
    >>> seen = []
    >>> with sockffi.trace.observe(seen.append):
    ...     sockffi.listen_tcp(("127.0.0.1", 0)).close()
    >>> [e.syscall for e in seen]
    ['socket', 'bind', 'listen', 'getsockname', 'close']

While at least one observer is registered, the module-level references through
which sockffi calls C are replaced by recording versions; when the last one
leaves, the originals are put back. Nobody observing therefore costs nothing.
Observation is process-wide: calls from every thread are reported, on the
thread that made them, after the call returns.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Optional

from . import _addr, errors, posix
from ._sockffi import ffi, lib

backend = posix.backend

__all__ = ["Event", "describe_family", "describe_type", "observe"]


@dataclass(frozen=True)
class Event:
    """One syscall: its name, its arguments (readable), what it returned and how long it took."""

    syscall: str
    args: tuple[str, ...]
    result: int
    """The return value (an fd for socket(), 0 otherwise); -1 on failure."""
    code: int
    """The OS code on failure (errno, or the WSA code on Windows); 0 on success."""
    seconds: float
    aux: str = ""
    """Set when the code came from a call socket() made after the socket existed
    (fcntl on macOS; ioctlsocket or WSAStartup on Windows)."""

    @property
    def failed(self) -> bool:
        return self.code != 0

    @property
    def code_name(self) -> str:
        return backend.code_name(self.code) if self.code else ""

    @property
    def error(self) -> Optional[type]:
        """The class sockffi raises for this outcome (None on success)."""
        if not self.code:
            return None
        key = f"socket.{self.aux}" if self.aux else self.syscall
        cls: type = posix.table(key).get(self.code, errors.Unexpected)
        return cls

    def format(self) -> str:
        """strace's shape: ``bind(3, {AF_INET, 127.0.0.1:0}) = -1 EADDRINUSE (...)``."""
        call = f"{self.syscall}({', '.join(self.args)})"
        if not self.code:
            return f"{call} = {self.result}"
        via = f" [in {self.aux}]" if self.aux else ""
        return f"{call} = -1 {self.code_name} ({backend.strerror(self.code)}){via}"


Observer = Callable[[Event], None]
_observers: list[Observer] = []
_lock = threading.Lock()


def _names(prefix: str, *names: str) -> dict[int, str]:
    table: dict[int, str] = {}
    for name in names:
        value = getattr(lib, name, None)
        if value is not None:
            table.setdefault(value, name)
    return table


_FAMILIES = _names("AF_", "AF_INET", "AF_INET6", "AF_UNIX", "AF_UNSPEC")
_TYPES = _names("SOCK_", "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_SEQPACKET")
_PROTOCOLS = _names("IPPROTO_", "IPPROTO_TCP", "IPPROTO_UDP", "IPPROTO_IPV6")
_LEVELS = _names("", "SOL_SOCKET", "IPPROTO_TCP", "IPPROTO_IP", "IPPROTO_IPV6")
_OPTIONS: dict[int, dict[int, str]] = {
    lib.SOL_SOCKET: _names(
        "SO_", "SO_REUSEADDR", "SO_KEEPALIVE", "SO_RCVBUF", "SO_SNDBUF", "SO_RCVTIMEO", "SO_SNDTIMEO", "SO_TYPE"
    ),
    lib.IPPROTO_TCP: _names("TCP_", "TCP_NODELAY"),
    lib.IPPROTO_IPV6: _names("IPV6_", "IPV6_V6ONLY"),
}
if lib.SOCKFFI_HAS_SO_REUSEPORT:
    _OPTIONS[lib.SOL_SOCKET][lib.SOCKFFI_SO_REUSEPORT] = "SO_REUSEPORT"


def describe_family(value: int) -> str:
    return _FAMILIES.get(value, str(value))


def describe_type(value: int) -> str:
    flags = [("SOCK_CLOEXEC", lib.SOCK_CLOEXEC), ("SOCK_NONBLOCK", lib.SOCK_NONBLOCK)]
    base = value & ~(lib.SOCK_CLOEXEC | lib.SOCK_NONBLOCK)
    parts = [_TYPES.get(base, str(base))] + [n for n, bit in flags if value & bit]
    return "|".join(parts)


def _sockaddr(r: int) -> str:
    """The address a successful sf_getsockname returned, rendered."""
    if r < posix._OTHER:
        return f"{{AF_INET, {_addr.ipv4_text(r >> 16)}:{r & 0xFFFF}}}"
    family = lib.sf_last_family()
    value = _addr.decode_other(r & 0xFFFF)
    if family == _addr.AF_INET6:
        return f"{{AF_INET6, [{value[0]}]:{value[1]}, flowinfo={value[2]}, scope_id={value[3]}}}"
    return f"{{{describe_family(family)}, {value!r}}}"


def _emit(event: Event) -> None:
    # An observer's exception must not reach the call it observes: the syscall
    # has happened (an fd may exist that only the caller can close), so it is
    # reported as a warning instead.
    for observer in list(_observers):
        try:
            observer(event)
        except Exception as exc:
            import warnings

            warnings.warn(f"sockffi.trace observer {observer!r} raised {exc!r}", RuntimeWarning, stacklevel=2)


def _recording(name: str, raw: Callable[..., int]) -> Callable[..., int]:
    """A stand-in for one posix._sf_* reference that reports each call."""
    clock = time.perf_counter

    def call(*args: Any) -> int:
        start = clock()
        rc = raw(*args)
        elapsed = clock() - start
        _emit(_event(name, args, rc, elapsed))
        return rc

    call.__wrapped__ = raw  # type: ignore[attr-defined]
    return call


def _event(name: str, a: tuple[Any, ...], rc: int, elapsed: float) -> Event:
    fd = str(a[0]) if a else ""
    args: tuple[str, ...]
    if name == "sf_socket":
        proto = _PROTOCOLS.get(a[2], str(a[2])) if a[2] else "0"
        args = (describe_family(a[0]), describe_type(a[1]), proto)
        if rc >= 0:
            return Event("socket", args, rc, 0, elapsed)
        code, aux = -rc, ""
        if code & posix._AUX:
            aux = posix._AUX_NAME
        elif code & posix._STARTUP:
            aux = posix._STARTUP_NAME
        return Event("socket", args, -1, code & posix._CODE_MASK, elapsed, aux)
    if name == "sf_getsockname":
        if rc < 0:
            return Event("getsockname", (fd, "..."), -1, -rc, elapsed)
        return Event("getsockname", (fd, _sockaddr(rc)), 0, 0, elapsed)
    if name == "sf_bind_in4":
        args = (fd, f"{{AF_INET, {_addr.in4_text(a[1])}:{a[2]}}}")
        syscall = "bind"
    elif name == "sf_bind_in6":
        host = socket.inet_ntop(socket.AF_INET6, bytes(a[1]))
        args = (fd, f"{{AF_INET6, [{host}]:{a[2]}, flowinfo={a[3]}, scope_id={a[4]}}}")
        syscall = "bind"
    elif name == "sf_bind_un":
        args = (fd, f"{{AF_UNIX, {bytes(a[1])!r}}}")
        syscall = "bind"
    elif name == "sf_listen":
        args, syscall = (fd, str(a[1])), "listen"
    elif name in ("sf_setsockopt_int", "sf_setsockopt"):
        level = _LEVELS.get(a[1], str(a[1]))
        option = _OPTIONS.get(a[1], {}).get(a[2], str(a[2]))
        if name == "sf_setsockopt_int":
            value = f"[{a[3]}], 4"
        else:  # bytes as given, or a cffi buffer over a bytearray/memoryview
            raw = a[3] if isinstance(a[3], bytes) else ffi.buffer(a[3], a[4])[:]
            value = f"{raw!r}, {a[4]}"
        args, syscall = (fd, level, option, value), "setsockopt"
    else:  # sf_close
        args, syscall = (fd,), "close"
    return Event(syscall, args, -1 if rc else 0, rc, elapsed)


_TRACED = (
    "_sf_socket",
    "_sf_bind_in4",
    "_sf_bind_in6",
    "_sf_bind_un",
    "_sf_listen",
    "_sf_setsockopt_int",
    "_sf_setsockopt",
    "_sf_getsockname",
    "_sf_close",
)
_originals: dict[str, Any] = {}


def _install() -> None:
    for attr in _TRACED:
        raw = getattr(posix, attr)
        _originals[attr] = raw
        setattr(posix, attr, _recording(attr[1:], raw))
    # listen_tcp's one-crossing path cannot report its steps: off while observed.
    _originals["_sf_listen_tcp_in4"] = posix._sf_listen_tcp_in4
    posix._sf_listen_tcp_in4 = None


def _uninstall() -> None:
    for attr, raw in _originals.items():
        setattr(posix, attr, raw)
    _originals.clear()


@contextmanager
def observe(observer: Observer) -> Iterator[None]:
    """Call ``observer(event)`` after every sockffi syscall inside the block."""
    with _lock:
        if not _observers:
            _install()
        _observers.append(observer)
    try:
        yield
    finally:
        with _lock:
            _observers.remove(observer)
            if not _observers:
                _uninstall()
