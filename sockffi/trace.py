"""Watch sockffi's syscalls as they happen.

    >>> import sockffi, sockffi.trace
    >>> seen = []
    >>> with sockffi.trace.observe(seen.append):
    ...     sockffi.listen_tcp(("127.0.0.1", 0)).close()
    >>> [e.syscall for e in seen]
    ['socket', 'setsockopt', 'bind', 'listen', 'getsockname', 'close']

``observe(callback)`` starts observing at once and returns an
:class:`Observation`; ``close()`` it (or use it as a context manager) to stop.
While at least one observer is registered, the C calls in sockffi's one call
namespace are replaced by recording versions (and listen_tcp's one-crossing C
paths are set aside, so that each step is its own call); when the last one
leaves, the originals are put back. Nobody observing therefore costs nothing.

Observation is process-wide: calls from every thread are reported, on the
thread that made them, after the call returns. Arguments refused before any
syscall are not reported (they are not syscalls), and neither are the calls an
observer itself makes (that would never end).
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

from . import _addr, _seam, errors
from ._sockffi import ffi, lib

backend = _seam.backend

__all__ = ["Event", "Observation", "describe_family", "describe_type", "observe"]


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
        """The class a direct sockffi call raises for this code (None on success)."""
        if not self.code:
            return None
        key = f"{'accept' if self.syscall == 'accept' else 'socket'}.{self.aux}" if self.aux else self.syscall
        cls: type = _seam.table(key).get(self.code, errors.Unexpected)
        return cls

    def format(self) -> str:
        """strace's shape: ``bind(3, {AF_INET, 127.0.0.1:0}) = -1 EADDRINUSE (...)``."""
        call = f"{self.syscall}({', '.join(self.args)})"
        if not self.code:
            return f"{call} = {self.result}"
        via = f" [in {self.aux}]" if self.aux else ""
        return f"{call} = -1 {self.code_name} ({backend.strerror(self.code)}){via}"


Observer = Callable[[Event], None]
_observers: list[Observation] = []
# The seam's lock: the observer list and the layer it installs change together,
# and fork() never sees one without the other.
_lock = _seam.LOCK


def _names(*names: str) -> dict[int, str]:
    table: dict[int, str] = {}
    for name in names:
        value = getattr(lib, name, None)
        if value is not None:
            table.setdefault(value, name)
    return table


_FAMILIES = _names("AF_INET", "AF_INET6", "AF_UNIX", "AF_UNSPEC")
_TYPES = _names("SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_SEQPACKET")
_PROTOCOLS = _names("IPPROTO_TCP", "IPPROTO_UDP", "IPPROTO_IPV6")
_LEVELS = _names("SOL_SOCKET", "IPPROTO_TCP", "IPPROTO_IP", "IPPROTO_IPV6")
_OPTIONS: dict[int, dict[int, str]] = {
    lib.SOL_SOCKET: _names(
        "SO_REUSEADDR",
        "SO_KEEPALIVE",
        "SO_RCVBUF",
        "SO_SNDBUF",
        "SO_RCVTIMEO",
        "SO_SNDTIMEO",
        "SO_TYPE",
        "SO_LINGER",
        "SO_ERROR",
        "SO_ACCEPTCONN",
        "SO_BROADCAST",
    ),
    lib.IPPROTO_TCP: _names("TCP_NODELAY"),
    lib.IPPROTO_IPV6: _names("IPV6_V6ONLY"),
}
if lib.SF_HAS_SO_REUSEPORT:
    _OPTIONS[lib.SOL_SOCKET][lib.SF_SO_REUSEPORT] = "SO_REUSEPORT"
for _value, _name in ((lib.SF_SO_PRIORITY, "SO_PRIORITY"), (lib.SF_SO_BINDTODEVICE, "SO_BINDTODEVICE")):
    if _value >= 0:
        _OPTIONS[lib.SOL_SOCKET].setdefault(_value, _name)


def describe_family(value: int) -> str:
    return _FAMILIES.get(value, str(value))


def describe_type(value: int) -> str:
    flags = [("SOCK_CLOEXEC", lib.SOCK_CLOEXEC), ("SOCK_NONBLOCK", lib.SOCK_NONBLOCK)]
    base = value & ~(lib.SOCK_CLOEXEC | lib.SOCK_NONBLOCK)
    parts = [_TYPES.get(base, str(base))] + [n for n, bit in flags if value & bit]
    return "|".join(parts)


def _sockaddr(address: Any) -> str:
    """An address in strace's braces."""
    if isinstance(address, tuple) and len(address) == 4:
        host, port, flowinfo, scope_id = address
        return f"{{AF_INET6, [{host}]:{port}, flowinfo={flowinfo}, scope_id={scope_id}}}"
    if isinstance(address, tuple) and len(address) == 2 and isinstance(address[1], int):
        return f"{{AF_INET, {address[0]}:{address[1]}}}"
    if isinstance(address, (str, bytes)):
        return f"{{AF_UNIX, {address!r}}}"
    return f"{{{address!r}}}"


def _packed(r: int, shared: bool = False) -> str:
    """A getsockname result, rendered from the value (and, with `shared`, the
    bytes the C copied into its shared name buffer for a family it does not
    pack, which the caller still holds) alone: no syscall."""
    if r >= _seam.GSN_OTHER:
        if shared and not r & lib.SF_GSN_BUSY:  # filled by this call, not yet read
            return _sockaddr(_addr.other_name(r, _seam.SHARED_NAME, -1))
        return f"{{{describe_family((r >> 16) & 0xFFFF)}, ...}}"
    return _sockaddr(_addr.sockname(r, -1, False))


# True inside an observer: the calls an observer makes are not reported (that
# would never end). It is only ever set in a copy of the context that the
# observers run in, so no exception, at any moment, can leave it set outside.
_in_observer: contextvars.ContextVar[bool] = contextvars.ContextVar("sockffi_trace_in_observer", default=False)


def _emit(event: Event) -> None:
    contextvars.copy_context().run(_run_observers, event)


def _run_observers(event: Event) -> None:
    # An observer's exception must not reach the call it observes: the syscall
    # has happened (an fd may exist that only the caller can close), so it is
    # reported as a warning instead.
    _in_observer.set(True)
    for observation in list(_observers):
        try:
            observation.observer(event)
        except Exception as exc:
            import warnings

            warnings.warn(
                f"sockffi.trace observer {observation.observer!r} raised {exc!r}", RuntimeWarning, stacklevel=4
            )


def _recording(name: str, raw: Callable[..., int]) -> Callable[..., int]:
    """A stand-in for one of the seam's C calls that reports each call."""
    clock = time.perf_counter

    def call(*args: Any) -> int:
        before = _seam.cell_fd(args[0]) if name in ("cell_close", "bind_un_cell") else 0
        start = clock()
        rc = raw(*args)
        elapsed = clock() - start
        if rc < 0 and (-rc) & _seam.REJECTED:
            return rc  # refused before any syscall: not a syscall
        if name == "cell_close" and rc == 1:
            return rc  # an empty cell: nothing was closed
        if not _in_observer.get():
            _emit(_event(name, args, rc, elapsed, before))
        return rc

    call.__wrapped__ = raw  # type: ignore[attr-defined]
    return call


def _failed(name: str, args: tuple[str, ...], rc: int, elapsed: float) -> Event:
    code = -rc
    return Event(name, args, -1, code & _seam.CODE_MASK, elapsed)


def _event(name: str, a: tuple[Any, ...], rc: int, elapsed: float, cell_fd: int) -> Event:
    if name in ("socket", "socket_cell"):
        d, t, p = a[-3:]
        proto = _PROTOCOLS.get(p, str(p)) if p else "0"
        args: tuple[str, ...] = (describe_family(d), describe_type(t), proto)
        if rc >= 0:
            return Event("socket", args, rc, 0, elapsed)
        code, aux = -rc, ""
        if code & _seam.AUX:
            aux = _seam.AUX_NAME
        elif code & _seam.STARTUP:
            aux = _seam.STARTUP_NAME
        return Event("socket", args, -1, code & _seam.CODE_MASK, elapsed, aux)
    if name == "cell_close":
        return _failed("close", (str(cell_fd),), rc, elapsed) if rc else Event("close", (str(cell_fd),), 0, 0, elapsed)
    if name in ("accept", "accept_emulated"):
        flags = describe_type(a[2] | lib.SOCK_STREAM).partition("|")[2] or "0"
        if rc < 0:
            code, aux = -rc, ""
            if code & _seam.AUX:
                aux = _seam.AUX_NAME
            return Event("accept", (str(a[1]), "...", flags), -1, code & _seam.CODE_MASK, elapsed, aux)
        return Event("accept", (str(a[1]), _packed(rc, True), flags), _seam.cell_fd(a[0]), 0, elapsed)
    fd = str(a[0])
    if name in ("getsockname", "getpeername"):
        if rc < 0:
            return _failed(name, (fd, "..."), rc, elapsed)
        return Event(name, (fd, _packed(rc, True)), 0, 0, elapsed)
    if name in ("getsockname_into", "getpeername_into"):
        syscall = name[: -len("_into")]
        if rc < 0:
            return _failed(syscall, (fd, "..."), rc, elapsed)
        shown = _sockaddr(_addr.decode(ffi.buffer(a[1], rc)[:], int(a[0])))
        return Event(syscall, (fd, shown), 0, 0, elapsed)
    if name in ("getsockopt_int", "getsockopt", "getsockopt_error"):
        level, option = (lib.SOL_SOCKET, lib.SO_ERROR) if name == "getsockopt_error" else (a[1], a[2])
        shown_level = _LEVELS.get(level, str(level))
        shown_option = _OPTIONS.get(level, {}).get(option, str(option))
        if rc < 0:
            return _failed("getsockopt", (fd, shown_level, shown_option, "..."), rc, elapsed)
        if name == "getsockopt":
            value = f"{_shown_bytes(ffi.buffer(a[3], min(rc, a[4]))[:])}, {rc}"
        elif name == "getsockopt_error" and rc:
            value = f"[{backend.code_name(rc)}], 4"
        else:
            value = f"[{rc - 0x100000000 if rc >= 0x80000000 else rc}], 4"
        return Event("getsockopt", (fd, shown_level, shown_option, value), 0, 0, elapsed)
    if name == "wait_connect":
        args = (f"[{{fd={fd}, events=POLLOUT}}]", "1", str(a[1]))
        if rc < 0:
            return _failed("poll", args, rc, elapsed)
        return Event("poll", args, rc, 0, elapsed)
    if name == "set_nonblocking":
        args = (fd, "F_SETFL", "O_NONBLOCK" if a[1] else "~O_NONBLOCK")
        return _failed("fcntl", args, rc, elapsed) if rc < 0 else Event("fcntl", args, 0, 0, elapsed)
    if name == "bind_in4":
        args, syscall = (fd, _sockaddr((_addr.in4_text(a[1]), a[2]))), "bind"
    elif name == "connect_in4":
        args, syscall = (fd, _sockaddr((_addr.in4_text(a[1]), a[2]))), "connect"
    elif name == "connect_in6":
        host = _addr.ntop6(bytes(a[1]))
        args, syscall = (fd, _sockaddr((host, a[2], a[3], a[4]))), "connect"
    elif name == "connect_un":
        args, syscall = (fd, f"{{AF_UNIX, {bytes(a[1])!r}}}"), "connect"
    elif name == "shutdown":
        how = {lib.SHUT_RD: "SHUT_RD", lib.SHUT_WR: "SHUT_WR", lib.SHUT_RDWR: "SHUT_RDWR"}.get(a[1], str(a[1]))
        args, syscall = (fd, how), "shutdown"
    elif name == "bind_in6":
        host = _addr.ntop6(bytes(a[1]))
        args, syscall = (fd, _sockaddr((host, a[2], a[3], a[4]))), "bind"
    elif name in ("bind_un", "bind_un_cell"):
        fd = str(cell_fd) if name == "bind_un_cell" else fd
        args, syscall = (fd, f"{{AF_UNIX, {bytes(a[1])!r}}}"), "bind"
    elif name == "listen":
        args, syscall = (fd, str(a[1])), "listen"
    elif name in ("setsockopt_int", "setsockopt"):
        level = _LEVELS.get(a[1], str(a[1]))
        option = _OPTIONS.get(a[1], {}).get(a[2], str(a[2]))
        value = f"[{a[3]}], 4" if name == "setsockopt_int" else f"{_shown_bytes(bytes(a[3]))}, {a[4]}"
        args, syscall = (fd, level, option, value), "setsockopt"
    else:  # close
        args, syscall = (fd,), "close"
    if rc < 0:
        return _failed(syscall, args, rc, elapsed)
    return Event(syscall, args, 0, 0, elapsed)


def _shown_bytes(raw: bytes) -> str:
    """As strace shows a buffer: its first 32 bytes, then '...'."""
    return repr(raw) if len(raw) <= 32 else repr(raw[:32]) + "..."


def _layer(name: str, fn: Any) -> Any:
    if name in _seam.ONE_CROSSING:
        return None  # the one-crossing listens cannot report their steps: set aside while observed
    return _recording(name, fn)  # every other call is one syscall


def _install() -> None:
    _seam.push_layer(_layer, _layer, rank=1)


def _uninstall() -> None:
    _seam.pop_layer(_layer)


class Observation:
    """An observer registered with :func:`observe`: ``close()`` (or leaving the
    ``with`` block) unregisters it."""

    __slots__ = ("observer",)

    def __init__(self, observer: Observer) -> None:
        if not callable(observer):
            raise TypeError(f"observe() needs a callable taking an Event, not {type(observer).__name__}")
        self.observer = observer
        with _lock:
            if not _observers:
                _install()
            _observers.append(self)

    def close(self) -> None:
        with _lock:
            for i, observation in enumerate(_observers):
                if observation is self:
                    del _observers[i]
                    break
            if not _observers:
                _uninstall()

    def __enter__(self) -> Observation:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def observe(observer: Observer) -> Observation:
    """Call ``observer(event)`` after every sockffi syscall, from now until the
    returned :class:`Observation` is closed (``with observe(cb): ...`` closes it
    at the end of the block)."""
    return Observation(observer)
